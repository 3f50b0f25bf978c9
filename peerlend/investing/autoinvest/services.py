"""An investor's auto-invest rules: create, change, switch on or off, delete (the owner only)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import require_role
from peerlend.errors import ApplicationError, Conflict, NotFound
from peerlend.investing.autoinvest.rules import RuleInput, clean
from peerlend.investing.models_autoinvest import MAX_RULES_PER_INVESTOR, AutoInvestRule


def _own_rule(investor: User, rule_id: int, *, lock: bool = False) -> AutoInvestRule:
    qs = AutoInvestRule.objects.select_for_update() if lock else AutoInvestRule.objects
    found = qs.filter(pk=rule_id, investor=investor).first()
    if found is None:  # someone else's rule is "not found" too: ids are not an oracle
        raise NotFound(_("auto-invest rule %(id)s does not exist") % {"id": rule_id}, code="not_found")
    return found


def _check_version(rule: AutoInvestRule, version: int | None) -> None:
    if version is not None and version != rule.version:
        raise Conflict(_("the rule changed meanwhile; reload the page and try again"), code="stale")


@transaction.atomic
def create_rule(investor: User, data: RuleInput) -> AutoInvestRule:
    require_role(investor, Role.INVESTOR)
    fields = clean(data)
    # Lock the investor's row so two concurrent creations cannot both pass the count.
    User.objects.select_for_update().filter(pk=investor.pk).first()
    if AutoInvestRule.objects.filter(investor=investor).count() >= MAX_RULES_PER_INVESTOR:
        raise ApplicationError(_("at most %(max)s auto-invest rules per investor") % {"max": MAX_RULES_PER_INVESTOR},
                               code="too_many_rules")
    return AutoInvestRule.objects.create(investor=investor, **fields)


@transaction.atomic
def update_rule(investor: User, rule_id: int, data: RuleInput, *, version: int | None = None) -> AutoInvestRule:
    require_role(investor, Role.INVESTOR)
    fields = clean(data)
    rule = _own_rule(investor, rule_id, lock=True)
    _check_version(rule, version)
    AutoInvestRule.objects.filter(pk=rule.pk).update(version=F("version") + 1, **fields)
    rule.refresh_from_db()
    return rule


@transaction.atomic
def set_enabled(investor: User, rule_id: int, enabled: bool, *, version: int | None = None) -> AutoInvestRule:
    require_role(investor, Role.INVESTOR)
    rule = _own_rule(investor, rule_id, lock=True)
    _check_version(rule, version)
    if rule.enabled != enabled:
        AutoInvestRule.objects.filter(pk=rule.pk).update(enabled=enabled, version=F("version") + 1)
        rule.refresh_from_db()
    return rule


@transaction.atomic
def delete_rule(investor: User, rule_id: int, *, version: int | None = None) -> None:
    """Delete the rule; its past decisions stay (they no longer name a rule)."""
    require_role(investor, Role.INVESTOR)
    rule = _own_rule(investor, rule_id, lock=True)
    _check_version(rule, version)
    rule.delete()
