"""The upload page. (An item's files are served by ``datasets.api.files.ItemFileApi``.)"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from datasets import policy, selectors


@login_required
def upload_page(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    context = {
        "dataset": dataset,
        "axes": selectors.axis_list(dataset=dataset),
        "uploads": selectors.upload_list(dataset=dataset)[:10],
        "text": {
            "waiting": _("Waiting"),
            "uploading": _("Uploading"),
            "processing": _("Added; making thumbnail"),
            "ready": _("Added and processed"),
            "duplicate": _("Already in the dataset"),
            "unpacking": _("Unpacking"),
            "archive": _(
                "%(done)s of %(total)s files: %(added)s added, %(refused)s refused, "
                "%(processed)s processed"
            ),
            "network": _("The upload failed; check the connection and try again."),
        },
    }
    return render(request, "datasets/upload.html", context)
