"""Page URLs. Each context keeps its own list in ``urls_<context>.py`` (all share the ``web`` namespace)."""

from django.urls import path

from peerlend.web import urls_accounts, urls_ledger, urls_lending, urls_servicing, urls_tokens, urls_twofactor
from peerlend.web.views import home

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    *urls_accounts.urlpatterns,
    *urls_ledger.urlpatterns,
    *urls_lending.urlpatterns,
    *urls_servicing.urlpatterns,
    *urls_tokens.urlpatterns,
    *urls_twofactor.urlpatterns,
]
