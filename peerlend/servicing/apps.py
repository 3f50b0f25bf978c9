from django.apps import AppConfig


class ServicingConfig(AppConfig):
    name = "peerlend.servicing"
    label = "servicing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from peerlend import clock, notify
        from peerlend.servicing import calendar, checks, notices, notifications

        checks.register()
        notify.register(notices.write)
        notifications.register()  # e-mail and SMS notices leave through the ledger's outbox
        clock.register_calendar(calendar.STORE)
        _register_disbursement_hooks()
        from peerlend.servicing import statement_parts

        statement_parts.register()  # the split of repayments on the ledger's member statements
        from peerlend.servicing import credit_facts

        credit_facts.register()  # platform history and credit-limit facts for scoring (issue 17)
        from peerlend.servicing import monitoring_source

        monitoring_source.register()  # applications and vintages for model monitoring (issue 17 part 5)
        from peerlend.servicing import training_book

        training_book.register()  # the matured book for train-model --from-platform (issue 17)


def _register_disbursement_hooks() -> None:
    """Lending disburses; servicing writes the schedule and the reserve share of the fee (layer order)."""
    from peerlend.lending.disbursement_hooks import register_disbursement_hooks
    from peerlend.servicing import services

    register_disbursement_hooks(
        write_schedule=lambda loan, start: services.create_schedule(loan, start=start),
        fee_lines=lambda fee_minor: services.disbursement_reserve_lines(fee_minor),
    )
