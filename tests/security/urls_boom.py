"""The site's URLs plus two views that fail, to see what a server error looks like from outside."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from peerlend.urls import handler400, handler403, handler404, handler500
from peerlend.urls import urlpatterns as site_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("internal detail: SELECT secret FROM vault")


urlpatterns = [path("api/boom", boom), path("boom", boom), *site_urlpatterns]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
