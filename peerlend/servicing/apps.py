from django.apps import AppConfig


class ServicingConfig(AppConfig):
    name = "peerlend.servicing"
    label = "servicing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from peerlend import notify
        from peerlend.servicing import checks, notices

        checks.register()
        notify.register(notices.write)
