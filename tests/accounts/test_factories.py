import pytest

from peerlend.accounts.selectors import is_kyc_verified
from peerlend.accounts.services import require_kyc, require_role
from peerlend.errors import PermissionDenied
from tests.factories import make_staff, make_user


@pytest.mark.django_db
def test_make_user_is_kyc_verified_with_valid_unique_ids():
    a, b = make_user(), make_user(roles=("borrower",))
    assert is_kyc_verified(a) and is_kyc_verified(b)
    assert a.identity.resident_id_index != b.identity.resident_id_index
    rid = a.identity.decrypted()["resident_id"]
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert "10X98765432"[sum(int(d) * w for d, w in zip(rid[:17], weights)) % 11] == rid[17]
    assert a.check_password("Passw0rd!x")
    require_kyc(a)


@pytest.mark.django_db
def test_require_kyc_refuses_unverified():
    user = make_user(kyc=False)
    with pytest.raises(PermissionDenied) as exc:
        require_kyc(user)
    assert exc.value.code == "kyc_required"


@pytest.mark.django_db
def test_offline_user_records_agent_and_point():
    user = make_user(channel="offline")
    assert user.channel == "offline" and user.registered_by.has_role("agent")
    assert user.identity.channel == "offline" and user.identity.service_point == user.registered_point


@pytest.mark.django_db
def test_require_role():
    op = make_staff("operator")
    require_role(op, "operator", "admin")
    with pytest.raises(PermissionDenied) as exc:
        require_role(make_user(), "operator")
    assert exc.value.code == "forbidden_role"
