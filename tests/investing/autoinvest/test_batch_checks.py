"""The batch form of manual investing's checks refuses exactly whom the single form refuses, with the same error,
and a round's statements do not grow with the number of investors."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerlend.accounts.models import User
from peerlend.domain.limits import limits_from_env
from peerlend.errors import ApplicationError
from peerlend.investing import questionnaire as q
from peerlend.investing import services as investing
from peerlend.investing.autoinvest.engine import run_round
from peerlend.investing.models_autoinvest import AutoInvestDecision, AutoInvestRule
from peerlend.investing.models_plans import PlanHeadStart
from peerlend.ledger import services as ledger
from peerlend.lending import invest_checks
from peerlend.lending import services as lending
from peerlend.lending.funding_batch import check_investor, check_investors
from tests.factories import make_user
from tests.lending.conftest import START, deposit

CONSERVATIVE = {"age": "46-55", "income": "100-300k", "share": "20-50", "experience": "wealth", "years": "1-3",
                "loss": "none", "horizon": "6-12m", "default": "stop"}


def _small_limits():
    table = limits_from_env({"PEERLEND_LIMIT_PERSON_INVESTMENT_TX_MINOR": "100000",
                             "PEERLEND_LIMIT_PERSON_INVESTMENT_DAY_MINOR": "150000"})
    return override_settings(PEERLEND={**settings.PEERLEND, "LIMITS": table})


def _unsuitable():
    user = make_user(roles=("investor",), suitable=False)
    deposit(user, 10_000_00)
    return user


def _world(loan, other_loan):
    """One investor per refusal (and two who pass), with the amount each wants: {name: (user, amount)}."""
    ok = make_user(roles=("investor",))
    no_kyc = make_user(roles=("investor",), kyc=False)
    borrower_only = make_user(roles=("borrower",))
    day_limit = make_user(roles=("investor",))
    deposit(day_limit, 10_000_00)
    lending.invest(investor=day_limit, loan_id=other_loan.pk, amount_minor=1_000_00)  # 1,000 of 1,500 used today
    no_assessment = _unsuitable()
    expired = _unsuitable()
    investing.assess(expired, q.MOST_TOLERANT, today=START - timedelta(days=365))
    investing.acknowledge_disclosure(expired)
    conservative = _unsuitable()
    investing.assess(conservative, CONSERVATIVE)
    investing.acknowledge_disclosure(conservative)
    no_disclosure = _unsuitable()
    investing.assess(no_disclosure, q.MOST_TOLERANT)
    second_ok = make_user(roles=("investor",))
    return {
        "ok": (ok, 100_00), "no_kyc": (no_kyc, 100_00), "borrower_only": (borrower_only, 100_00),
        "own_loan": (User.objects.get(pk=loan.borrower_id), 100_00), "odd_amount": (second_ok, 120_00),
        "per_note_limit": (make_user(roles=("investor",)), 1_050_00), "day_limit": (day_limit, 600_00),
        "no_assessment": (no_assessment, 100_00), "expired": (expired, 100_00),
        "conservative": (conservative, 100_00), "no_disclosure": (no_disclosure, 100_00),
        "second_ok": (make_user(roles=("investor",)), 100_00),
    }


def _cash(users, amount_minor):
    custody = ledger.platform_account("custody_bank")
    accounts = ledger.user_accounts_many(users)
    ledger.post_entries([ledger.EntrySpec(kind="deposit", reference=f"test:{user.pk}",
                                          lines=[(custody, -amount_minor), (accounts[user.pk].available, amount_minor)])
                         for user in users])


def _single(user, loan, amount):
    try:
        check_investor(User.objects.get(pk=user.pk), loan, amount)
    except ApplicationError as exc:
        return exc.code, exc.message, exc.status, exc.extra
    return None


def test_batch_checks_refuse_exactly_whom_the_single_checks_refuse(listed_loan):
    loan = listed_loan()
    other = listed_loan(borrower=make_user(roles=("borrower", "investor")))
    assert loan.grade[0] > "A"  # the conservative investor may only buy grade A
    with _small_limits():
        world = _world(loan, other)
        expected = {name: _single(user, loan, amount) for name, (user, amount) in world.items()}
        users = User.objects.select_related("identity").in_bulk([u.pk for u, _a in world.values()])
        refused = check_investors([users[u.pk] for u, _a in world.values()], loan,
                                  {u.pk: amount for u, amount in world.values()})
    batch = {name: (lambda e: e and (e.code, e.message, e.status, e.extra))(refused.get(user.pk))
             for name, (user, _a) in world.items()}
    assert batch == expected
    # Every way to be refused is exercised, each with its own code.
    assert {name: (value[0] if value else None) for name, value in expected.items()} == {
        "ok": None, "second_ok": None, "no_kyc": "kyc_required", "borrower_only": "forbidden_role",
        "own_loan": "own_loan", "odd_amount": "invalid_note_amount", "per_note_limit": "limit_exceeded",
        "day_limit": "limit_exceeded", "no_assessment": "suitability_required", "expired": "suitability_expired",
        "conservative": "grade_above_risk_level", "no_disclosure": "disclosure_required"}


def test_a_check_without_batch_form_runs_per_investor_in_the_batch(listed_loan):
    loan = listed_loan()
    a, b = make_user(roles=("investor",)), make_user(roles=("investor",))

    def refuse_b(investor, loan):
        if investor.pk == b.pk:
            raise ApplicationError("no", code="test_refusal")

    invest_checks.register_invest_check("test.refuse_b", refuse_b)
    try:
        refused = check_investors(list(User.objects.select_related("identity").filter(pk__in=[a.pk, b.pk])), loan,
                                  {a.pk: 100_00, b.pk: 100_00})
    finally:
        invest_checks._CHECKS.pop("test.refuse_b")
    assert list(refused) == [b.pk] and refused[b.pk].code == "test_refusal"


def test_head_start_is_asked_once_per_batch_and_refuses_everyone(listed_loan):
    loan = listed_loan()
    users = [make_user(roles=("investor",)) for _ in range(3)]
    PlanHeadStart.objects.create(loan=loan, public_from=timezone.now() + timedelta(hours=1))
    loaded = list(User.objects.select_related("identity").filter(pk__in=[u.pk for u in users]))
    with CaptureQueriesContext(connection) as ctx:
        refused = check_investors(loaded, loan, {u.pk: 100_00 for u in users})
    assert {pk: e.code for pk, e in refused.items()} == {u.pk: "plan_head_start" for u in users}
    assert sum("investing_planheadstart" in query["sql"] for query in ctx.captured_queries) == 1
    assert _single(users[0], loan, 100_00)[0] == "plan_head_start"


def test_round_skips_with_the_single_paths_codes(listed_loan):
    loan = listed_loan()
    other = listed_loan(borrower=make_user(roles=("borrower", "investor")))
    with _small_limits():
        world = _world(loan, other)
        for user, amount in world.values():
            if amount % 100_00 == 0 and amount <= 1_000_00:
                AutoInvestRule.objects.create(investor=user, name="r", amount_per_note_minor=amount,
                                              max_per_loan_minor=amount, max_borrower_share_bp=10_000)
        _cash([user for user, _a in world.values()], 10_000_00)  # cash even for those who could not deposit
        expected = {user.pk: _single(user, loan, amount) for user, amount in world.values()}
        run_round(loan.pk, "command")
    decisions = {d.investor_id: d for d in AutoInvestDecision.objects.filter(loan=loan)}
    for name, (user, _amount) in world.items():
        if user.pk not in decisions:
            continue
        d = decisions[user.pk]
        if expected[user.pk] is None:
            assert d.outcome == "placed", name
        elif d.reason != "own_loan":
            assert d.outcome == "skipped" and d.params["code"] == expected[user.pk][0], name
    assert decisions[world["ok"][0].pk].outcome == "placed"
    assert decisions[world["no_kyc"][0].pk].params["code"] == "kyc_required"
    assert decisions[world["day_limit"][0].pk].params["code"] == "limit_exceeded"
    assert decisions[world["conservative"][0].pk].params["code"] == "grade_above_risk_level"


def _round_statements(listed_loan, investors: int) -> tuple[int, int]:
    users = [make_user(roles=("investor",)) for _ in range(investors)]
    _cash(users, 1_000_00)
    for user in users:
        AutoInvestRule.objects.create(investor=user, name="r", amount_per_note_minor=100_00,
                                      max_per_loan_minor=100_00, max_borrower_share_bp=10_000)
    loan = listed_loan(borrower=make_user(roles=("borrower", "investor")), amount_minor=50_000_00)
    with CaptureQueriesContext(connection) as ctx:
        rnd = run_round(loan.pk, "command")
    AutoInvestRule.objects.all().delete()
    # One bulk insert is one statement on PostgreSQL; SQLite's bound-parameter limit splits it into several
    # in a row (the same table): those count once.
    statements, previous = 0, ""
    for query in ctx.captured_queries:
        sql = query["sql"]
        table = sql.split("(", 1)[0] if sql.startswith(("INSERT", "WITH")) else ""
        statements += not (table and table == previous)
        previous = table
    return statements, rnd.placed


def test_round_statements_do_not_grow_with_the_investors(listed_loan):
    few, placed_few = _round_statements(listed_loan, 10)
    many, placed_many = _round_statements(listed_loan, 100)
    assert (placed_few, placed_many) == (10, 100)
    assert abs(many - few) <= 2, (few, many)
