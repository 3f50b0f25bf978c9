from django.apps import AppConfig


class InvestingConfig(AppConfig):
    name = "peerlend.investing"
    label = "investing"
    default_auto_field = "django.db.models.BigAutoField"
