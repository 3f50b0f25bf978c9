"""The simulation's report: month-end snapshots by grade and the final figures (same seed, same JSON)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from statistics import median
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, Sum

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


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def _spread(values: list[Decimal]) -> dict[str, str | None]:
    """Median, lowest and highest of the figures that are defined (None when none is)."""
    if not values:
        return {"median": None, "min": None, "max": None}
    return {"median": _pct(median(values)), "min": _pct(min(values)), "max": _pct(max(values))}


def investor_returns(sim: Simulator) -> dict[str, Any]:
    """Each investor's NAR and XIRR as their portfolio page shows them (``investing.portfolio``), on the
    last business date, with their notes and the notes their auto-invest rules bought; and a summary."""
    from peerlend.investing.portfolio import portfolio_of
    from peerlend.lending.models import NoteStatus

    with_rules = {u.pk for u in sim.state.auto_investors}
    investors = sorted([*sim.state.investors, *sim.favoured], key=lambda u: u.pk)
    held = Note.objects.filter(investor__in=investors).exclude(status__in=(NoteStatus.PENDING, NoteStatus.REFUNDED))
    counts = {row["investor_id"]: row for row in held.values("investor_id").annotate(
        notes=Count("id"), auto=Count("id", filter=Q(auto_invested=True)))}
    rows = []
    for investor in investors:
        p = portfolio_of(investor, sim.today)
        row = counts.get(investor.pk, {})
        rows.append({"investor": investor.username, "auto_invest": investor.pk in with_rules,
                     "notes": row.get("notes", 0), "auto_notes": row.get("auto", 0),
                     "invested": format_minor(p.invested_minor), "nar": _pct(p.nar), "xirr": _pct(p.xirr),
                     "_nar": p.nar, "_xirr": p.xirr})
    auto_loans = (held.filter(auto_invested=True).values("loan").distinct().count())
    summary = {
        "investors": len(rows), "with_rules": len(with_rules),
        "with_auto_notes": sum(1 for r in rows if r["auto_notes"]),
        "notes": sum(r["notes"] for r in rows), "auto_notes": sum(r["auto_notes"] for r in rows),
        "loans_with_auto_notes": auto_loans,
        "nar": _spread([r["_nar"] for r in rows if r["_nar"] is not None]),
        "xirr": _spread([r["_xirr"] for r in rows if r["_xirr"] is not None]),
    }
    for r in rows:
        del r["_nar"], r["_xirr"]
    return {"as_of": sim.today.isoformat(), "summary": summary, "by_investor": rows}


def build_report(sim: Simulator) -> dict[str, Any]:
    from peerlend.ledger.audit import run_audit
    from peerlend.ledger.services import platform_account
    from peerlend.servicing.models import ServicingPayment
    from peerlend.simulation.report_marketing import marketing_report

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
        "investor_returns": investor_returns(sim),
        "activity": dict(sorted(sim.state.counters.items())),
        "marketing": marketing_report(sim),
        "audit": {"clean": not violations, "violations": [f"{v.check}: {v.message}" for v in violations[:20]]},
    }
