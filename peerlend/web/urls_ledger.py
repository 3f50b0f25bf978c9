from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import ledger

urlpatterns: list[URLPattern | URLResolver] = [
    path("account", ledger.account, name="account"),
    path("account/deposit", ledger.deposit, name="account_deposit"),
    path("account/withdraw", ledger.withdraw, name="account_withdraw"),
    path("sandbox-gateway/pay/<str:order_id>", ledger.sandbox_pay, name="sandbox_pay"),
    path("sandbox-gateway/payouts", ledger.sandbox_payouts, name="sandbox_payouts"),
    path("operator/reconciliation", ledger.reconciliation, name="reconciliation"),
]
