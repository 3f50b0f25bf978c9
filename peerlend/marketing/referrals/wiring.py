"""Referrals' hooks (called from ``MarketingConfig.ready``): new members get a code, a run-day step decides."""

from __future__ import annotations

from typing import Any


def on_user_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A new member gets their code in the registration's transaction (so a GET never has to write one)."""
    from peerlend.marketing.referrals.codes import can_refer, ensure_code

    if created and not raw and can_refer(instance):
        ensure_code(instance)


def centre_context(user: Any) -> dict[str, Any]:
    """The member centre's referral card (read only)."""
    from peerlend.marketing.referrals.selectors import code_of, counts

    n = counts(user)
    return {"code": code_of(user), "rewarded": n["rewarded"], "pending": n["pending"]}


def register() -> None:
    from django.db.models.signals import post_save

    from peerlend.accounts.models import User
    from peerlend.marketing.members.sections import register_centre_section
    from peerlend.marketing.referrals.rewards import step_referrals
    from peerlend.servicing.batch import register_step

    post_save.connect(on_user_saved, sender=User, dispatch_uid="marketing.referral_code")
    register_step("marketing.referrals", step_referrals)
    register_centre_section("referrals", "web/referrals/_centre_section.html", centre_context, order=60)
