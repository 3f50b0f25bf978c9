from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "peerlend.ledger"
    label = "ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from peerlend.ledger import audit, dbguard, outbox
        from peerlend.ledger.gateway import check_configured

        connection_created.connect(dbguard.register, dispatch_uid="peerlend.ledger.dbguard")
        audit.register_builtin_checks()
        outbox.register_builtin_handlers()
        # Refuse to start with a gateway that cannot work (or the sandbox in production).
        check_configured()
