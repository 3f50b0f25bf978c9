"""The simulation's report: month-end snapshots by grade and the final figures (same seed, same JSON)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Sum

from peerlend.domain.lifecycle import LoanStatus
from peerlend.domain.money import format_minor
from peerlend.domain.returns import NoteMonth, net_annualized_return
from peerlend.lending.models import Loan, Note
from peerlend.simulation.state import GRADES, GradeMonth, SimState

if TYPE_CHECKING:
    from peerlend.simulation.engine import Simulator


def month_end_snapshot(state: SimState) -> None:
    """Month-end totals by grade (cumulative), for the net annualized return."""
    rows = (
        Note.objects.exclude(status__in=("pending", "refunded"))
        .values("loan__grade")
        .annotate(out=Sum("principal_outstanding_minor"), interest=Sum("interest_received_minor"),
                  fees=Sum("fees_paid_minor"), co=Sum("charged_off_minor"))
    )
    seen = {}
    for row in rows:
        letter = (row["loan__grade"] or "?")[:1]
        acc = seen.setdefault(letter, GradeMonth())
        acc.outstanding_minor += row["out"] or 0
        acc.interest_minor += row["interest"] or 0
        acc.fees_minor += row["fees"] or 0
        acc.charged_off_minor += row["co"] or 0
    for letter in GRADES:
        state.months[letter].append(seen.get(letter, GradeMonth()))


def _rate(numerator: int, denominator: int) -> str:
    return f"{Decimal(numerator) / Decimal(denominator):.4f}" if denominator else "0.0000"


def build_report(sim: Simulator) -> dict[str, Any]:
    from peerlend.ledger.audit import run_audit
    from peerlend.ledger.services import platform_account
    from peerlend.servicing.models import ServicingPayment

    loans = Loan.objects.filter(disbursed_on__isnull=False)
    by_grade: dict[str, dict[str, Any]] = {}
    for letter in GRADES:
        graded = loans.filter(grade__startswith=letter)
        count = graded.count()
        volume = graded.aggregate(s=Sum("amount_minor"))["s"] or 0
        defaulted = graded.filter(status__in=(LoanStatus.DEFAULTED, LoanStatus.CHARGED_OFF)).count()
        charged = graded.filter(status=LoanStatus.CHARGED_OFF)
        charged_off_minor = Note.objects.filter(loan__in=charged).aggregate(s=Sum("charged_off_minor"))["s"] or 0
        months = sim.state.months[letter]
        deltas = [
            NoteMonth(
                principal_outstanding_minor=m.outstanding_minor,
                interest_received_minor=m.interest_minor - (months[i - 1].interest_minor if i else 0),
                service_fees_minor=m.fees_minor - (months[i - 1].fees_minor if i else 0),
                charge_offs_minor=m.charged_off_minor - (months[i - 1].charged_off_minor if i else 0),
            )
            for i, m in enumerate(months)
        ]
        try:
            nar = f"{net_annualized_return([d for d in deltas if d.principal_outstanding_minor > 0]):.4f}"
        except ValueError:
            nar = None
        by_grade[letter] = {
            "loans": count,
            "volume": format_minor(volume),
            "default_rate": _rate(defaulted, count),
            "charge_off_rate": _rate(charged.count(), count),
            "charged_off_principal": format_minor(charged_off_minor),
            "net_annualized_return": nar,
        }
    by_channel = {
        channel: {
            "loans": loans.filter(channel=channel).count(),
            "volume": format_minor(loans.filter(channel=channel).aggregate(s=Sum("amount_minor"))["s"] or 0),
        }
        for channel in ("online", "offline")
    }
    all_loans = Loan.objects.all()
    statuses = dict(Counter(all_loans.values_list("status", flat=True)))
    volume = loans.aggregate(s=Sum("amount_minor"))["s"] or 0
    notes_total = Note.objects.filter(loan__in=loans).aggregate(s=Sum("amount_minor"))["s"] or 0
    payments = ServicingPayment.objects.aggregate(
        paid=Sum("amount_minor"), to_notes_p=Sum("principal_to_notes_minor"), to_notes_i=Sum("interest_to_notes_minor"),
        late=Sum("late_fee_minor"), reserve=Sum("to_reserve_minor"),
    )
    compensation = (
        ServicingPayment.objects.filter(kind="compensation").aggregate(s=Sum("amount_minor"))["s"] or 0
    )
    cash_in = payments["paid"] or 0
    cash_out = (payments["to_notes_p"] or 0) + (payments["to_notes_i"] or 0) + (payments["late"] or 0) + (
        payments["reserve"] or 0
    )
    violations = run_audit()
    return {
        "config": {
            "seed": sim.cfg.seed, "months": sim.cfg.months, "borrowers": sim.cfg.borrowers,
            "investors": sim.cfg.investors, "agents": sim.cfg.agents, "guarantee": sim.cfg.guarantee,
            "start": sim.cfg.start.isoformat(),
        },
        "loans_by_status": dict(sorted(statuses.items())),
        "originated": {"loans": loans.count(), "volume": format_minor(volume),
                       "notes_sum": format_minor(notes_total), "by_channel": by_channel},
        "by_grade": by_grade,
        "repayments": {"cash_in": format_minor(cash_in), "cash_out": format_minor(cash_out),
                       "balanced": cash_in == cash_out},
        "fee_income": format_minor(platform_account("fee_income").balance_minor),
        "risk_reserve": {"balance": format_minor(platform_account("risk_reserve").balance_minor),
                         "compensation_paid": format_minor(compensation)},
        "activity": dict(sorted(sim.state.counters.items())),
        "audit": {"clean": not violations, "violations": [f"{v.check}: {v.message}" for v in violations[:20]]},
    }
