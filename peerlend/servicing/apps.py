from django.apps import AppConfig


class ServicingConfig(AppConfig):
    name = "peerlend.servicing"
    label = "servicing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from peerlend.servicing import checks

        checks.register()
