"""The upload page and the item files: every file served with a type the server chose."""

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from datasets import policy, selectors, services
from datasets.models import Item

FILE_KINDS = ("original", "image", "rendition", "thumbnail")
_FALLBACK = {"rendition": "image", "thumbnail": "rendition"}


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


@login_required
@require_safe
def item_file(request, dataset_id: int, item_id: int, kind: str):
    """Stream one of an item's files; the rendition and thumbnail fall back until made.

    Which file a role gets is the policy's: only planners get the original's metadata.
    """
    if kind not in FILE_KINDS:
        raise Http404
    dataset = policy.dataset_for(request.user, dataset_id)
    item = get_object_or_404(Item.objects.filter(dataset=dataset), pk=item_id)
    kind = policy.item_file_kind(request.user, dataset, item, kind)
    if kind is None:
        raise Http404
    name = getattr(item, kind).name
    while not name and kind in _FALLBACK:
        kind = _FALLBACK[kind]
        name = getattr(item, kind).name
    try:
        stored = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = name.rsplit(".", 1)[-1]
    response = FileResponse(stored, content_type=services.content_type_of(name))
    response["Content-Disposition"] = f'inline; filename="item-{item.pk}-{kind}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=86400"
    return response
