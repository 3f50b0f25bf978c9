from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "peerlend.disclosure"
    label = "disclosure"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Servicing is below disclosure: the monthly publication runs as a registered run-day step.
        from peerlend.disclosure.monthly.publish import step_publish
        from peerlend.servicing.batch import register_step

        register_step("disclosure.monthly", step_publish)
