"""Member notices: what each event says, in the member's language, on the channels they chose.

``write`` is the writer behind ``peerlend.notify`` (registered in ``ServicingConfig.ready``): it renders
each notice in the member's remembered language (``User.language``) and inserts the inbox row and the
e-mail/SMS outbox rows in one statement, in the caller's transaction. The unique (user, event key,
channel) makes a repeated event a no-op. E-mail and SMS are sent after commit, only the rows this
transaction wrote; anything left pending is sent by the daily batch.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from peerlend.accounts.models import User
from peerlend.domain.money import format_grouped
from peerlend.notify import Notice, notify_many
from peerlend.servicing.models import Channel, Notification, NotificationPreference

# event -> (subject, body). Placeholders come from the notice's context; an ``x_minor`` value is shown
# as ``x`` in CNY (format_grouped, as on every page).
EVENTS: dict[str, tuple[Any, Any]] = {
    "application_approved": (
        _("Loan application %(loan)s approved"),
        _("Your application for %(amount)s CNY was approved and is now open to lenders.")),
    "application_rejected": (
        _("Loan application %(loan)s declined"),
        _("Your application for %(amount)s CNY was declined: %(reason)s")),
    "documents_requested": (
        _("Documents needed for application %(loan)s"),
        _("The risk team asks for: %(reason)s. Upload them on the loan's page; the review continues then.")),
    "loan_listed": (
        _("Loan %(loan)s is listed"),
        _("Lenders can fund your loan of %(amount)s CNY until %(until)s.")),
    "loan_funded": (
        _("Loan %(loan)s is fully funded"),
        _("Lenders funded all %(amount)s CNY of your loan; it is paid out next.")),
    "loan_disbursed": (
        _("Loan %(loan)s paid out"),
        _("%(received)s CNY reached your available balance (%(amount)s CNY less the %(fee)s CNY origination "
          "fee). Your first installment is due on %(first_due)s.")),
    "investment_disbursed": (
        _("Loan %(loan)s paid out: your note %(note)s is active"),
        _("Your %(amount)s CNY went to the borrower; repayments reach your available balance as they come in.")),
    "listing_expired": (
        _("Loan %(loan)s was not fully funded"),
        _("The funding window closed before lenders funded your loan; nothing was paid out. You may apply again.")),
    "listing_cancelled": (
        _("Loan application %(loan)s cancelled"),
        _("Your application was cancelled; nothing was paid out.")),
    "investment_refunded_expired": (
        _("Refund: loan %(loan)s was not funded in time"),
        _("%(amount)s CNY you had put into loan %(loan)s is back in your available balance.")),
    "investment_refunded_cancelled": (
        _("Refund: loan %(loan)s was cancelled by the borrower"),
        _("%(amount)s CNY you had put into loan %(loan)s is back in your available balance.")),
    "investment_placed": (
        _("Note %(note)s in loan %(loan)s recorded"),
        _("%(amount)s CNY is frozen in your account until the loan is funded, or refunded in full if it is not.")),
    "repayment_received": (
        _("Repayment received from loan %(loan)s"),
        _("%(net)s CNY reached your available balance: principal %(principal)s CNY + interest %(interest)s CNY "
          "- service fee %(fee)s CNY.")),
    "deposit_completed": (
        _("Deposit of %(amount)s CNY received"),
        _("%(amount)s CNY is in your available balance.")),
    "deposit_failed": (
        _("Deposit of %(amount)s CNY failed"),
        _("The bank did not complete the payment; nothing was added to your balance.")),
    "withdrawal_completed": (
        _("Withdrawal of %(amount)s CNY paid out"),
        _("%(amount)s CNY was sent to your bank card.")),
    "withdrawal_failed": (
        _("Withdrawal of %(amount)s CNY failed"),
        _("The bank did not pay it out; %(amount)s CNY is back in your available balance.")),
}


def _values(context: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in context.items():
        if name.endswith("_minor") and isinstance(value, int):
            out[name.removesuffix("_minor")] = format_grouped(value)
        else:
            out[name] = value
    return out


def render(event: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    subject, body = EVENTS[event]
    values = _values(context)
    with translation.override(language or settings.LANGUAGE_CODE):
        return str(subject) % values, str(body) % values


def channels_of(user_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each member's channels: the inbox always, e-mail and SMS unless they turned them off."""
    ids = set(user_ids)
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=ids)}
    out: dict[int, list[str]] = {}
    for pk in ids:
        p = prefs.get(pk)
        out[pk] = [Channel.INBOX] + ([Channel.EMAIL] if p is None or p.email else []) + (
            [Channel.SMS] if p is None or p.sms else [])
    return out


def write(notices: Sequence[Notice]) -> None:
    for n in notices:
        if n.event not in EVENTS:
            raise ValueError(f"unknown notice event {n.event!r}")
    ids = {n.user_id for n in notices}
    members = {pk: (language, email, identity) for pk, language, email, identity in
               User.objects.filter(pk__in=ids).values_list("pk", "language", "email", "identity__pk")}
    channels = channels_of(ids)
    for pk, (_language, email, identity) in members.items():
        # No outbox row where there is no address to send to (no e-mail; no verified mobile number).
        channels[pk] = [c for c in channels[pk] if c == Channel.INBOX or (email if c == Channel.EMAIL else identity)]
    now = timezone.now()
    rows: list[Notification] = []
    outgoing: list[tuple[int, str]] = []
    for n in notices:
        subject, body = render(n.event, n.context, members.get(n.user_id, ("",))[0])
        key = f"{n.event}:{n.key}"[:120]
        for channel in channels[n.user_id]:
            inbox = channel == Channel.INBOX
            rows.append(Notification(
                user_id=n.user_id, event_key=key, event=n.event, channel=channel, subject=subject[:200], body=body,
                # The inbox row is the message itself: delivered when written.
                status=Notification.Status.SENT if inbox else Notification.Status.PENDING,
                sent_at=now if inbox else None,
            ))
            if not inbox:
                outgoing.append((n.user_id, key))
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    if outgoing:
        transaction.on_commit(functools.partial(_send_after_commit, outgoing), robust=True)


def _send_after_commit(outgoing: list[tuple[int, str]]) -> None:
    from peerlend.servicing.notifications import dispatch_ids

    wanted = set(outgoing)
    keys: dict[int, list[str]] = defaultdict(list)
    for user_id, key in wanted:
        keys[user_id].append(key)
    ids = [pk for pk, user_id, key in Notification.objects.filter(
        user_id__in=list(keys), event_key__in=[k for ks in keys.values() for k in ks],
        status=Notification.Status.PENDING).values_list("pk", "user_id", "event_key") if (user_id, key) in wanted]
    dispatch_ids(sorted(ids))


def repayments_received(payments: Iterable[Any]) -> None:
    """One notice per investor and payment, from the distribution plans the payments carry."""
    notices: list[Notice] = []
    for payment in payments:
        plan = getattr(payment, "plan", None)
        if payment is None or plan is None or payment.pk is None:
            continue
        parts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        for note, p, i, f in zip(plan.notes, plan.principal, plan.interest, plan.fee, strict=True):
            total = parts[note.investor_id]
            total[0] += p
            total[1] += i
            total[2] += f
        for investor_id, (p, i, f) in sorted(parts.items()):
            if p or i:
                notices.append(Notice(investor_id, "repayment_received", f"payment:{payment.pk}", {
                    "loan": payment.loan_id, "principal_minor": p, "interest_minor": i, "fee_minor": f,
                    "net_minor": p + i - f}))
    notify_many(notices)


def preferences_of(user: Any) -> NotificationPreference:
    """The member's choice, unsaved defaults (both on) when they never chose."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def set_preferences(user: Any, *, email: bool, sms: bool) -> NotificationPreference:
    """E-mail and SMS on or off; the inbox stays on (it is where every notice is kept)."""
    pref, _created = NotificationPreference.objects.update_or_create(user=user, defaults={"email": email, "sms": sms})
    return pref
