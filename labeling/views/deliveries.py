"""Deliveries on the pages: the batch page's upload form and list (labeling/batch_detail.html),
and one delivery's lines, the refused ones first to fix."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.errors import DomainError
from core.parsers import client_file_name
from labeling import policy, selectors, services
from labeling.models import Batch, DeliveryLine

#: Lines shown on one page of a delivery.
LINES_PER_PAGE = 100


def batch_deliveries(user, batch: Batch) -> dict:
    """What the batch page shows of its deliveries: the list, and whether the user may
    read and deliver."""
    readable = policy.can_read_deliveries(user, batch)
    return {
        "can_deliver": policy.can_deliver(user, batch),
        "can_read_deliveries": readable,
        "deliveries": list(selectors.delivery_list(deliveries=batch.deliveries.all()))
        if readable
        else [],
    }


@login_required
@require_POST
def delivery_upload(request, batch_id: int):
    batch = get_object_or_404(policy.batches_visible_to(request.user), pk=batch_id)
    policy.require(policy.can_deliver(request.user, batch))
    file = request.FILES.get("file")
    try:
        if file is None:
            raise DomainError(_("Choose the file of JSON lines to deliver."), code="no_file")
        delivery = services.delivery_create(
            batch=batch, file=file, name=client_file_name(file), by=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("“%(name)s” was received; a worker checks its lines now.")
            % {"name": delivery.file_name},
        )
    return redirect(reverse("labeling:batch-detail", args=[batch.pk]) + "#deliveries")


@login_required
@require_safe
def delivery_detail(request, delivery_id: int):
    delivery = get_object_or_404(
        policy.deliveries_visible_to(request.user).select_related("batch", "created_by"),
        pk=delivery_id,
    )
    policy.require(policy.can_read_deliveries(request.user, delivery.batch))
    outcome = request.GET.get("outcome")
    outcome = outcome if outcome in DeliveryLine.Outcome.values else None
    lines = selectors.delivery_line_list(delivery=delivery, outcome=outcome)
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "delivery": delivery,
        "batch": delivery.batch,
        "page": page,
        "outcome": outcome,
        "outcomes": DeliveryLine.Outcome.choices,
        "working": delivery.state in ("queued", "running"),
    }
    return render(request, "labeling/delivery_detail.html", context)
