"""The upload page. (An item's files are served by ``datasets.api.files.ItemFileApi``.)"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from datasets import policy, selectors


@login_required
@require_safe
def upload_page(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    context = {
        "dataset": dataset,
        "axes": selectors.axis_list(dataset=dataset),
        "uploads": selectors.upload_list(dataset=dataset)[:10],
    }
    return render(request, "datasets/upload.html", context)
