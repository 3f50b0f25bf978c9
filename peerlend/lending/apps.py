from django.apps import AppConfig


class LendingConfig(AppConfig):
    name = "peerlend.lending"
    label = "lending"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from peerlend.lending import checks

        checks.register()
