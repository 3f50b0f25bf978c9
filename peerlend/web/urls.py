"""Page URLs. Each context keeps its own list in ``urls_<context>.py`` (all share the ``web`` namespace)."""

from django.urls import path

from peerlend.web import (
    urls_accounts,
    urls_investing,
    urls_ledger,
    urls_lending,
    urls_servicing,
    urls_tokens,
    urls_twofactor,
)
from peerlend.web.views import dashboard, home, oversight

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("dashboard", dashboard.member_dashboard, name="dashboard"),
    path("compliance/oversight", oversight.oversight, name="oversight"),
    *urls_accounts.urlpatterns,
    *urls_investing.urlpatterns,
    *urls_ledger.urlpatterns,
    *urls_lending.urlpatterns,
    *urls_servicing.urlpatterns,
    *urls_tokens.urlpatterns,
    *urls_twofactor.urlpatterns,
]
