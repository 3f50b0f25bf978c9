"""Page URLs of the operators' campaign pages (issue 15 part 5)."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import campaigns

urlpatterns: list[URLPattern | URLResolver] = [
    path("operator/campaigns/", campaigns.campaign_list, name="campaign_admin"),
    path("operator/campaigns/<int:campaign_id>/", campaigns.campaign_detail, name="campaign"),
    path("operator/campaigns/<int:campaign_id>/action", campaigns.campaign_action, name="campaign_action"),
]
