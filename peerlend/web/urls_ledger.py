from django.urls import URLPattern, URLResolver, path

from peerlend.ledger.gateway import sandbox_enabled
from peerlend.web.views import ledger


def sandbox_urlpatterns() -> list[URLPattern | URLResolver]:
    """The sandbox gateway's pages exist only while it is the configured gateway, never in production."""
    if not sandbox_enabled():
        return []
    return [
        path("sandbox-gateway/pay/<str:order_id>", ledger.sandbox_pay, name="sandbox_pay"),
        path("sandbox-gateway/payouts", ledger.sandbox_payouts, name="sandbox_payouts"),
    ]


urlpatterns: list[URLPattern | URLResolver] = [
    path("account", ledger.account, name="account"),
    path("account/deposit", ledger.deposit, name="account_deposit"),
    path("account/withdraw", ledger.withdraw, name="account_withdraw"),
    *sandbox_urlpatterns(),
    path("operator/reconciliation", ledger.reconciliation, name="reconciliation"),
]
