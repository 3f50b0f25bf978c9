"""Page URLs. Each context keeps its own list in ``urls_<context>.py`` (all share the ``web`` namespace)."""

from django.urls import path

from peerlend.web import (
    urls_accounts,
    urls_autoinvest,
    urls_campaigns,
    urls_coupons,
    urls_disclosure_monthly,
    urls_disclosure_public,
    urls_investing,
    urls_ledger,
    urls_lending,
    urls_members,
    urls_network,
    urls_plans,
    urls_portfolio,
    urls_referrals,
    urls_regulator,
    urls_servicing,
    urls_staff,
    urls_statements,
    urls_tokens,
    urls_twofactor,
)
from peerlend.web.views import dashboard, home, oversight, risk_models, risk_monitoring

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("dashboard", dashboard.member_dashboard, name="dashboard"),
    path("compliance/oversight", oversight.oversight, name="oversight"),
    path("risk/monitoring", risk_monitoring.risk_monitoring, name="risk_monitoring"),
    path("risk/models", risk_models.risk_models, name="risk_models"),
    path("risk/models/<int:candidate_id>/decide", risk_models.risk_model_decide, name="risk_model_decide"),
    *urls_accounts.urlpatterns,
    *urls_investing.urlpatterns,
    *urls_ledger.urlpatterns,
    *urls_lending.urlpatterns,
    *urls_servicing.urlpatterns,
    *urls_autoinvest.urlpatterns,
    *urls_portfolio.urlpatterns,
    *urls_statements.urlpatterns,
    *urls_plans.urlpatterns,
    *urls_coupons.urlpatterns,
    *urls_campaigns.urlpatterns,
    *urls_members.urlpatterns,
    *urls_referrals.urlpatterns,
    *urls_network.urlpatterns,
    *urls_disclosure_monthly.urlpatterns,
    *urls_disclosure_public.urlpatterns,
    *urls_regulator.urlpatterns,
    *urls_staff.urlpatterns,
    *urls_tokens.urlpatterns,
    *urls_twofactor.urlpatterns,
]
