from django.apps import AppConfig


class InvestingConfig(AppConfig):
    name = "peerlend.investing"
    label = "investing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Lending is below investing: it runs this check through its hook, never by importing us.
        from peerlend.investing.services import check_investment, check_investment_many
        from peerlend.lending.invest_checks import register_invest_check

        register_invest_check("investing.suitability", check_investment, batch=check_investment_many)
        # Wealth plans: the head start check, a bid round on each listing (order 10, before auto-invest)
        # and the daily step (lock-in, reinvestment, exit, bids), registered before auto-invest's.
        from peerlend.investing.plans import bidding as plan_bidding
        from peerlend.investing.plans.daily import step_plans
        from peerlend.lending.listing_hooks import register_listing_hook as _register_listing_hook
        from peerlend.servicing.batch import register_step as _register_step

        # The head start depends on the loan only: an auto-invest batch asks it once (per_loan).
        register_invest_check("investing.plan_head_start", plan_bidding.check_head_start, per_loan=True)
        _register_listing_hook("investing.wealth_plans", plan_bidding.on_listing, order=10)
        _register_step("investing.plans", step_plans)
        from peerlend.investing.plans.labels import register_plan_labels

        register_plan_labels()
        from peerlend.investing.plans.checks import register as register_plan_checks

        register_plan_checks()
        # Auto-invest: a round when a loan is listed (after wealth plans, order 10) and on every run-day.
        from peerlend.investing.autoinvest.engine import on_listing, run_daily
        from peerlend.lending.listing_hooks import register_listing_hook
        from peerlend.servicing.batch import register_step

        register_listing_hook("investing.auto_invest", on_listing, order=20)
        register_step("auto_invest", run_daily)
