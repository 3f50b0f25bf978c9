"""A small built world for the portfolio: funded loans repaid (or not) through the real services and batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from peerlend.accounts.models import User
from peerlend.lending import services as lending
from peerlend.lending.models import Loan
from peerlend.servicing.batch import run_day
from peerlend.servicing.models import Installment
from tests.lending.conftest import deposit
from tests.servicing.conftest import drain, young_borrower


def schedule(loan: Loan) -> list[Installment]:
    return list(Installment.objects.filter(loan=loan).order_by("number"))


def fund(listed_loan: Callable[..., Loan], investor_factory: Callable[..., User],
         shares: list[tuple[User | None, int]], **overrides: Any) -> Loan:
    """A loan bought in ``shares`` (None: a new investor) and disbursed; the borrower spends the cash."""
    borrower = young_borrower()
    amount = sum(a for _u, a in shares)
    loan = listed_loan(borrower=borrower, amount_minor=amount, **overrides)
    for user, share in shares:
        lending.invest(investor=user or investor_factory(cash_minor=share), loan_id=loan.pk, amount_minor=share)
    loan.refresh_from_db()
    if loan.status == "current":
        drain(loan.borrower)
    return loan


@dataclass
class World:
    me: User
    other: User
    solo: Loan  # held by me alone, repaid on time for three months
    shared: Loan  # 40 % mine, the borrower paid once and then stopped
    funding: Loan  # listed, a note of mine waits (cash frozen)
    today: date


@pytest.fixture
def world(listed_loan: Callable[..., Loan], investor_factory: Callable[..., User]) -> World:
    me = investor_factory(cash_minor=100_000_00)
    other = investor_factory(cash_minor=100_000_00)
    solo = fund(listed_loan, investor_factory, [(me, 12_000_00)], term_months=12)
    shared = fund(listed_loan, investor_factory, [(me, 4_000_00), (other, 6_000_00)], term_months=6)
    s_solo, s_shared = schedule(solo), schedule(shared)
    deposit(solo.borrower, sum(i.payment_minor for i in s_solo[:3]))
    deposit(shared.borrower, s_shared[0].payment_minor)
    for inst in s_solo[:3]:
        run_day(inst.due_date)
    today = s_solo[2].due_date + timedelta(days=20)
    run_day(today)
    funding = listed_loan(borrower=young_borrower(), amount_minor=20_000_00, term_months=24)
    lending.invest(investor=me, loan_id=funding.pk, amount_minor=1_000_00)
    for loan in (solo, shared, funding):
        loan.refresh_from_db()
    return World(me=me, other=other, solo=solo, shared=shared, funding=funding, today=today)
