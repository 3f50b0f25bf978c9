from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "peerlend.marketing"
    label = "marketing"
    default_auto_field = "django.db.models.BigAutoField"
