"""KYC hardening: adults only, company verification, no identity enumeration, throttling, foreign cards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from peerlend.accounts import selectors
from peerlend.accounts.models import Identity, IdentityReview, KycAttempt, User
from peerlend.accounts.services import close_identity_review, register_and_verify_offline, submit_identity
from peerlend.clock import set_business_date
from peerlend.compliance.models import AuditEvent
from peerlend.domain.validators import make_resident_id
from peerlend.errors import ApplicationError, PermissionDenied
from tests.factories import (
    make_agent,
    make_staff,
    make_user,
    random_bank_card,
    random_credit_code,
    random_mobile,
    random_resident_id,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def business_day():
    set_business_date(TODAY)


def _body(**over):
    return {"real_name": "李四", "resident_id": random_resident_id(), "mobile": random_mobile(),
            "bank_card": random_bank_card(), **over}


def _api(user):
    client = Client()
    client.force_login(user)
    return client


def _post(client, **over):
    return client.post("/api/kyc", _body(**over), content_type="application/json")


# -- adults only (issue 12, defect 1) -------------------------------------------------------------


def test_child_born_2015_is_refused_at_kyc_even_as_investor():
    child = make_user(kyc=False, roles=("investor",))
    r = _post(_api(child), resident_id=make_resident_id("110101", dt.date(2015, 4, 9), 12))
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "underage" and "18" in r.json()["detail"]
    assert not Identity.objects.filter(user=child).exists()


def test_exactly_18_on_the_business_date_is_accepted_one_day_less_is_refused():
    young = make_user(kyc=False)
    r = _post(_api(young), resident_id=make_resident_id("110101", dt.date(2008, 3, 3), 21))
    assert r.status_code == 400 and r.json()["code"] == "underage"  # 18 tomorrow
    adult = make_user(kyc=False)
    r = _post(_api(adult), resident_id=make_resident_id("110101", dt.date(2008, 3, 2), 23))
    assert r.status_code == 201, r.content


def test_age_uses_the_business_date_not_the_wall_clock():
    set_business_date(dt.date(2030, 1, 1))
    user = make_user(kyc=False)
    identity = submit_identity(user, **_body(resident_id=make_resident_id("110101", dt.date(2011, 6, 1), 5)))
    assert isinstance(identity, Identity)


def test_child_refused_on_the_kyc_page_and_by_an_agent_in_person():
    child = make_user(kyc=False)
    page = Client()
    page.force_login(child)
    r = page.post("/kyc", _body(resident_id=make_resident_id("110101", dt.date(2015, 4, 9), 14)))
    assert r.status_code == 400 and "18" in r.content.decode()
    agent = make_agent()
    with pytest.raises(ApplicationError) as exc:
        register_and_verify_offline(agent, username="kid",
                                    **_body(resident_id=make_resident_id("110101", dt.date(2015, 4, 9), 16)))
    assert exc.value.code == "underage"
    assert not User.objects.filter(username="kid").exists()  # all or nothing


# -- company verification ------------------------------------------------------------------------


def test_company_verifies_with_credit_code_and_legal_representative():
    member = make_user(kyc=False, roles=("borrower",))
    code = random_credit_code()
    r = _post(_api(member), kind="company", company_name="北京示例科技有限公司", credit_code=code.lower())
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["kind"] == "company" and out["credit_code"] == code and out["company_name"] == "北京示例科技有限公司"
    assert selectors.identity_kind(member) == "company"


@pytest.mark.parametrize(("over", "code", "field"), [
    ({"credit_code": "91110108551385082R"}, "invalid_credit_code", "credit_code"),
    ({"credit_code": ""}, "invalid_credit_code", "credit_code"),
    ({"company_name": " "}, "invalid_company_name", "company_name"),
    ({"resident_id": make_resident_id("110101", dt.date(2012, 1, 1), 3)}, "underage", "resident_id"),
])
def test_company_verification_refusals(over, code, field):
    member = make_user(kyc=False)
    body = {"kind": "company", "company_name": "示例有限公司", "credit_code": random_credit_code(), **over}
    r = _post(_api(member), **body)
    assert r.status_code == 400, r.content
    assert r.json()["code"] == code and r.json()["field"] == field
    assert not Identity.objects.filter(user=member).exists()


def test_person_fields_cannot_carry_company_data():
    r = _post(_api(make_user(kyc=False)), credit_code=random_credit_code())
    assert r.status_code == 400 and r.json()["code"] == "invalid_kind"


def test_legal_representative_may_also_hold_a_person_account():
    person = make_user()
    rid = person.identity.decrypted()["resident_id"]
    company = make_user(kyc=False)
    r = _post(_api(company), kind="company", company_name="示例有限公司", credit_code=random_credit_code(),
              resident_id=rid)
    assert r.status_code == 201, r.content


# -- no identity enumeration ---------------------------------------------------------------------


def test_resident_id_in_use_goes_to_review_without_telling_the_caller():
    holder = make_user()
    rid = holder.identity.decrypted()["resident_id"]
    prober = make_user(kyc=False)
    client = _api(prober)
    r = _post(client, resident_id=rid.lower())
    assert r.status_code == 202, r.content
    assert r.json()["status"] == "under_review"
    text = r.content.decode()
    assert "identity_in_use" not in text and "another account" not in text and holder.username not in text
    assert not Identity.objects.filter(user=prober).exists()
    review = IdentityReview.objects.get(user=prober)
    assert review.status == "pending" and review.reason == "identity_in_use" and review.existing_user == holder
    assert rid not in (review.resident_id_enc + review.resident_id_index)  # encrypted like an identity
    assert selectors.kyc_status(prober) == "under_review"
    assert client.get("/api/me").json()["kyc_verified"] is False
    # While the case is open the member cannot probe further IDs.
    r = _post(client)
    assert r.status_code == 409 and r.json()["code"] == "kyc_under_review"


def test_company_credit_code_in_use_goes_to_review():
    first = make_user(kyc=False)
    code = random_credit_code()
    assert _post(_api(first), kind="company", company_name="甲公司", credit_code=code).status_code == 201
    second = make_user(kyc=False)
    r = _post(_api(second), kind="company", company_name="乙公司", credit_code=code)
    assert r.status_code == 202
    assert IdentityReview.objects.get(user=second).reason == "company_in_use"


def test_kyc_page_shows_under_review_without_the_reason():
    holder = make_user()
    rid = holder.identity.decrypted()["resident_id"]
    prober = make_user(kyc=False)
    page = Client()
    page.force_login(prober)
    r = page.post("/kyc", _body(resident_id=rid), follow=True)
    html = r.content.decode()
    assert r.status_code == 200 and "being reviewed" in html
    assert "another account" not in html and "already" not in html
    assert 'name="resident_id"' not in html  # no form while the case is open


def test_agent_path_opens_a_review_and_keeps_the_registration():
    holder = make_user()
    rid = holder.identity.decrypted()["resident_id"]
    agent = make_agent()
    member = register_and_verify_offline(agent, username="walkin",
                                         **_body(resident_id=rid))
    review = IdentityReview.objects.get(user=member)
    assert review.channel == "offline" and review.submitted_by == agent
    assert selectors.kyc_status(member) == "under_review"


def test_compliance_sees_and_closes_reviews_then_the_member_may_retry():
    holder = make_user()
    prober = make_user(kyc=False)
    review = submit_identity(prober, **_body(resident_id=holder.identity.decrypted()["resident_id"]))
    assert isinstance(review, IdentityReview)
    assert list(selectors.identity_reviews()) == [review]
    with pytest.raises(PermissionDenied):
        close_identity_review(make_user(), review.pk, "not mine to close")
    officer = make_staff("compliance")
    with pytest.raises(ApplicationError) as exc:
        close_identity_review(officer, review.pk, " ")
    assert exc.value.code == "reason_required"
    closed = close_identity_review(officer, review.pk, "called both members: a typo")
    assert closed.status == "closed" and closed.closed_by == officer
    assert list(selectors.identity_reviews()) == []
    assert AuditEvent.objects.filter(action="kyc.review_closed", actor=officer).exists()
    assert isinstance(submit_identity(prober, **_body()), Identity)


# -- throttling ----------------------------------------------------------------------------------


def test_kyc_attempts_are_throttled_per_member(settings):
    settings.PEERLEND = {**settings.PEERLEND, "KYC_ATTEMPTS_PER_DAY": 3}
    member = make_user(kyc=False)
    client = _api(member)
    bad = random_resident_id()[:17] + "Y"
    for _ in range(3):
        assert _post(client, resident_id=bad).json()["code"] == "invalid_resident_id"
    r = _post(client)  # a good submission is refused too once the limit is reached
    assert r.status_code == 429, r.content
    assert r.json()["code"] == "kyc_throttled" and "3" in r.json()["detail"]
    assert not Identity.objects.filter(user=member).exists()
    # Another member is not affected; the limit is per member.
    assert _post(_api(make_user(kyc=False))).status_code == 201
    # After 24 hours the member may try again.
    KycAttempt.objects.filter(user=member).update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert _post(client).status_code == 201


def test_kyc_page_answers_429_when_throttled(settings):
    settings.PEERLEND = {**settings.PEERLEND, "KYC_ATTEMPTS_PER_DAY": 1}
    member = make_user(kyc=False)
    page = Client()
    page.force_login(member)
    page.post("/kyc", _body(resident_id="110101199013011234"))
    r = page.post("/kyc", _body())
    assert r.status_code == 429 and "too many" in r.content.decode().lower()


def test_default_limit_is_five():
    member = make_user(kyc=False)
    client = _api(member)
    codes = [_post(client, mobile="12345").status_code for _ in range(6)]
    assert codes == [400] * 5 + [429]


# -- bank cards ----------------------------------------------------------------------------------


def test_bank_card_verified_for_another_person_is_refused():
    holder = make_user()
    card = holder.identity.decrypted()["bank_card"]
    other = make_user(kyc=False)
    r = _post(_api(other), bank_card=card)
    assert r.status_code == 409, r.content
    assert r.json()["code"] == "bank_card_unusable" and r.json()["field"] == "bank_card"
    assert holder.username not in r.content.decode()
    assert not Identity.objects.filter(user=other).exists()
    assert not IdentityReview.objects.filter(user=other).exists()


def test_missing_bank_card_indexes_are_filled_by_the_migration():
    import importlib

    from django.apps import apps

    from peerlend.accounts.kyc import bank_card_index

    migration = importlib.import_module("peerlend.accounts.migrations.0007_company_kyc_identity_reviews")
    user = make_user()
    Identity.objects.filter(user=user).update(bank_card_index="")
    migration.fill_missing_bank_card_indexes(apps, None)
    identity = Identity.objects.get(user=user)
    assert identity.bank_card_index == bank_card_index(identity.decrypted()["bank_card"])


def test_a_person_and_the_company_they_represent_are_not_other_members_sharing_contact():
    person = make_user()
    mine = person.identity.decrypted()
    company = make_user(kyc=False)
    submit_identity(company, kind="company", company_name="示例有限公司", credit_code=random_credit_code(),
                    real_name="李四", resident_id=mine["resident_id"], mobile=mine["mobile"],
                    bank_card=random_bank_card())
    assert selectors.members_sharing_contact(company) == []
    stranger = make_user(kyc=False)
    submit_identity(stranger, **_body(mobile=mine["mobile"]))
    assert selectors.members_sharing_contact(company) == [stranger.pk]
