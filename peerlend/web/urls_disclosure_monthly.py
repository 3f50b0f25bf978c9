"""Page URLs of the public operating data and vintage statistics (issue 16, parts 1-2)."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import disclosure_monthly, disclosure_related

urlpatterns: list[URLPattern | URLResolver] = [
    path("disclosure/", disclosure_monthly.monthly_page, name="disclosure"),
    path("disclosure/vintage", disclosure_monthly.vintage_page, name="disclosure_vintage"),
    path("disclosure/vintage.csv", disclosure_monthly.vintage_download, name="disclosure_vintage_csv"),
    # Staff: flagging members as related parties of the platform (their loans are disclosed apart).
    path("compliance/related-parties", disclosure_related.related_parties, name="related_parties"),
    path("compliance/related-parties/<int:flag_id>/end", disclosure_related.related_party_end,
         name="related_party_end"),
]
