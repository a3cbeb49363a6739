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
    context = {
        "dataset": dataset,
        "coverage": selectors.coverage_rows(dataset=dataset),
        "item_count": dataset.items.count(),
        "history": selectors.spec_history(dataset=dataset)[:10],
    }
    return render(request, "datasets/dataset_detail.html", context)
