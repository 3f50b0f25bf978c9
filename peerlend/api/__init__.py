"""The JSON API (django-ninja); OpenAPI at /api/docs. Routers live one per context."""

from peerlend.api.base import api

__all__ = ["api"]
