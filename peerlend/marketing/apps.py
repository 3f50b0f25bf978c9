from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "peerlend.marketing"
    label = "marketing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Members and points (issue 15 parts 1-2): accounts signals and a run-day step, no upward import.
        from django.db.models.signals import post_save

        from peerlend.accounts.models import Identity, User
        from peerlend.marketing.members import earning
        from peerlend.servicing.batch import register_step as register_points_step

        post_save.connect(earning.on_user_saved, sender=User, dispatch_uid="marketing.points_registration")
        post_save.connect(earning.on_identity_saved, sender=Identity, dispatch_uid="marketing.points_identity")
        from peerlend.accounts.network.models import PointVisit

        post_save.connect(earning.on_visit_saved, sender=PointVisit, dispatch_uid="marketing.points_visit")
        register_points_step("marketing.member_points", earning.step_member_points)
        # Tier privilege: the origination-fee discount, asked by lending at disbursement (never by funding).
        from peerlend.lending.fee_discounts import register_fee_discount
        from peerlend.marketing.members.fee_privilege import tier_fee_discount

        register_fee_discount(tier_fee_discount)
        # Staff commissions (issue 15 part 7): last month's are booked and paid on run-day, once.
        from peerlend.marketing.staff.commissions import run_day_step
        from peerlend.servicing.batch import register_step

        register_step("marketing.commissions", run_day_step)
        from peerlend.marketing.staff.labels import register_statement_labels

        register_statement_labels()
        # Coupons (issue 15 part 3): checkout redeemer, payouts at disbursement and on repayments.
        from peerlend.marketing.coupons.wiring import register as register_coupons

        register_coupons()
        # Campaigns (issue 15 part 5): due campaigns run on run-day, once per member.
        from peerlend.marketing.campaigns.running import run_due_campaigns

        register_step("marketing.campaigns", run_due_campaigns)
        # Referrals (issue 15 part 4): a code for each new member, rewards decided on run-day.
        from peerlend.marketing.referrals.wiring import register as register_referrals

        register_referrals()
