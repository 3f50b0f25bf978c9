"""Each member gets a stable, short, random code at registration; staff get none."""

from __future__ import annotations

import pytest

from peerlend.errors import ApplicationError
from peerlend.marketing.models_referrals import CODE_LENGTH, ReferralCode
from peerlend.marketing.referrals.codes import ALPHABET, clean_code, ensure_code
from tests.factories import make_staff, make_user


def test_a_new_member_gets_a_code_at_registration(db: None) -> None:
    user = make_user(kyc=False)
    code = ReferralCode.objects.get(user=user).code
    assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)


def test_the_code_is_stable(db: None) -> None:
    user = make_user(kyc=False)
    first = ReferralCode.objects.get(user=user).code
    assert ensure_code(user).code == first and ReferralCode.objects.filter(user=user).count() == 1


def test_codes_differ_between_members(db: None) -> None:
    codes = {ReferralCode.objects.get(user=make_user(kyc=False)).code for _ in range(5)}
    assert len(codes) == 5


def test_a_member_registered_before_referrals_gets_a_code_on_demand(db: None) -> None:
    user = make_user(kyc=False)
    ReferralCode.objects.filter(user=user).delete()
    assert ensure_code(user).code and ReferralCode.objects.filter(user=user).exists()


def test_staff_have_no_code(db: None) -> None:
    staff = make_staff("operator")
    assert not ReferralCode.objects.filter(user=staff).exists()
    with pytest.raises(ApplicationError) as exc:
        ensure_code(staff)
    assert exc.value.status == 403


def test_a_typed_code_is_normalised() -> None:
    assert clean_code(" ab-cd 23ef ") == "ABCD23EF"
