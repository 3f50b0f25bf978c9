"""The credit-limit rules (pure): every bound, the binding one, what is still available."""

from decimal import Decimal

from peerlend.domain.credit_limit import LimitInputs, compute_limit, income_multiple


def inputs(**overrides: object) -> LimitInputs:
    values: dict[str, object] = dict(pd=Decimal("0.03"), annual_income_minor=120_000_00,
                                     monthly_debt_payments_minor=0, outstanding_minor=0,
                                     regulatory_cap_minor=200_000_00, borrower_type="person")
    values.update(overrides)
    return LimitInputs(**values)  # type: ignore[arg-type]


def bound(limit, name):
    return next(b for b in limit.bounds if b.name == name)


def test_regulatory_cap_binds_a_rich_low_risk_person():
    limit = compute_limit(inputs(annual_income_minor=1_000_000_00))
    assert limit.limit_minor == 200_000_00
    assert [b.name for b in limit.binding] == ["regulatory"]


def test_income_multiple_binds_by_pd_band():
    # 120k income, PD 3 %: 1.5x = 180k; debt service (5000 a month x 30 = 150k) is lower still.
    limit = compute_limit(inputs())
    assert bound(limit, "income").limit_minor == 180_000_00
    assert bound(limit, "debt_service").limit_minor == 150_000_00
    assert limit.limit_minor == 150_000_00 and [b.name for b in limit.binding] == ["debt_service"]
    worse = compute_limit(inputs(pd=Decimal("0.12")))
    assert bound(worse, "income").limit_minor == 72_000_00 and worse.limit_minor == 72_000_00
    assert [b.name for b in worse.binding] == ["income"]


def test_declared_debt_lowers_the_debt_service_bound():
    limit = compute_limit(inputs(monthly_debt_payments_minor=3_000_00))
    assert bound(limit, "debt_service").limit_minor == 60_000_00  # (5000 - 3000) x 30
    assert compute_limit(inputs(monthly_debt_payments_minor=9_000_00)).limit_minor == 0


def test_pd_at_e5_gives_no_credit():
    limit = compute_limit(inputs(pd=Decimal("0.2001"), annual_income_minor=1_000_000_00))
    assert limit.limit_minor == 0 and "risk" in [b.name for b in limit.binding]
    assert income_multiple(Decimal("0.2000")) == Decimal("0.3")
    assert income_multiple(Decimal("0.2001")) == 0


def test_available_is_limit_less_outstanding_never_negative():
    limit = compute_limit(inputs(outstanding_minor=100_000_00))
    assert limit.available_minor == 50_000_00
    assert limit.allows(50_000_00) and not limit.allows(50_000_01)
    assert compute_limit(inputs(outstanding_minor=190_000_00)).available_minor == 0


def test_company_has_no_debt_service_bound_and_twice_the_income_multiple():
    limit = compute_limit(inputs(borrower_type="company", regulatory_cap_minor=1_000_000_00))
    assert "debt_service" not in [b.name for b in limit.bounds]
    assert limit.limit_minor == 360_000_00


def test_limit_is_whole_hundreds():
    limit = compute_limit(inputs(annual_income_minor=12_345_67, pd=Decimal("0.07")))
    assert limit.limit_minor % 100_00 == 0 and limit.limit_minor <= 12_345_67
