"""The app's URLs plus the labeling-page benchmark's ceiling: ``bench/canvas/``, a static
page that only fetches a rendition (the same URL, with the same session, as the tool) and
draws it on a canvas, or pans and zooms it under the viewer's own transforms."""

from pathlib import Path

from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns

PAGE = Path(__file__).resolve().parent / "labeling_page_canvas.html"


def canvas(request):
    """The page as it is on disk, told where view_math.js is served."""
    html = PAGE.read_text().replace("{{ view_math }}", static("labeling/view_math.js"))
    return HttpResponse(html, content_type="text/html; charset=utf-8")


urlpatterns = [*urlpatterns, path("bench/canvas/", canvas)]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
