"""Page URLs of the public operating data and vintage statistics (issue 16, parts 1-2)."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import disclosure_monthly

urlpatterns: list[URLPattern | URLResolver] = [
    path("disclosure/", disclosure_monthly.monthly_page, name="disclosure"),
    path("disclosure/vintage", disclosure_monthly.vintage_page, name="disclosure_vintage"),
    path("disclosure/vintage.csv", disclosure_monthly.vintage_download, name="disclosure_vintage_csv"),
]
