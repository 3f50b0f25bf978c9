from django.apps import AppConfig


class InvestingConfig(AppConfig):
    name = "peerlend.investing"
    label = "investing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Lending is below investing: it runs this check through its hook, never by importing us.
        from peerlend.investing.services import check_investment
        from peerlend.lending.invest_checks import register_invest_check

        register_invest_check("investing.suitability", check_investment)
