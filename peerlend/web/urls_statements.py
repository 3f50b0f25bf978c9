"""Page URLs of the member's statements pages."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import statements

urlpatterns: list[URLPattern | URLResolver] = [
    path("statements/", statements.statement_list, name="statements"),
    path("statements/prepare", statements.statement_prepare, name="statement_prepare"),
    path("statements/<int:statement_id>/download", statements.statement_download, name="statement_download"),
]
