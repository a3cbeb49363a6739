from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from datasets import policy, selectors


@login_required
def dataset_list(request):
    policy.require(policy.can_view_datasets(request.user))
    datasets = selectors.dataset_list(visible=policy.datasets_visible_to(request.user))
    return render(request, "datasets/dataset_list.html", {"datasets": datasets})


@login_required
def dataset_detail(request, dataset_id: int):
    dataset = get_object_or_404(policy.datasets_visible_to(request.user), pk=dataset_id)
    coverage = [
        {
            "category": category,
            "percent": min(100, round(100 * category.collected / category.quota_target))
            if category.quota_target
            else 0,
        }
        for category in selectors.category_coverage(dataset=dataset)
    ]
    context = {
        "dataset": dataset,
        "coverage": coverage,
        "item_count": dataset.items.count(),
        "history": selectors.spec_history(dataset=dataset)[:10],
    }
    return render(request, "datasets/dataset_detail.html", context)
