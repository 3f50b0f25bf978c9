"""Issue 12 defect 15: KYC names every bad field at once, each under its field, without raw field codes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import translation

from peerlend.accounts import kyc
from peerlend.accounts.models import Identity, KycAttempt
from peerlend.errors import ApplicationError
from tests.factories import make_user, random_bank_card, random_resident_id

pytestmark = pytest.mark.django_db

BAD = {"real_name": "张三", "resident_id": "12345", "mobile": "1381234567", "bank_card": "6222020200112233445"}
RAW_PREFIX = re.compile(r"\b(real_name|resident_id|mobile|bank_card|company_name|credit_code):")


def _feedback(html: str) -> list[str]:
    return re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', html)


def test_service_collects_every_field_error() -> None:
    with pytest.raises(ApplicationError) as exc:
        kyc.clean_submission(kind="person", today=dt.date(2026, 1, 5), **{**BAD, "real_name": " "})
    errors = exc.value.extra["errors"]
    assert set(errors) == {"real_name", "resident_id", "mobile", "bank_card"}
    assert exc.value.code == "invalid_real_name" and exc.value.extra["field"] == "real_name"
    assert exc.value.extra["codes"]["bank_card"] == "invalid_bank_card"
    assert not any(RAW_PREFIX.search(m) for m in errors.values()), errors


def test_kyc_page_shows_every_error_under_its_field() -> None:
    user = make_user(kyc=False)
    client = Client()
    client.force_login(user)
    r = client.post("/kyc", BAD, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    html = r.content.decode()
    shown = _feedback(html)
    assert len(shown) == 3, shown  # resident ID, mobile, bank card: all at once
    assert "A resident ID number has 18 characters." in shown
    assert "A mobile number has 11 digits; this one has 10." in shown
    assert any("check digit" in m for m in shown)
    assert not RAW_PREFIX.search(html)
    assert not Identity.objects.filter(user=user).exists()


def test_an_empty_field_does_not_hide_the_other_fields_errors() -> None:
    user = make_user(kyc=False)
    client = Client()
    client.force_login(user)
    r = client.post("/kyc", {**BAD, "real_name": "", "resident_id": random_resident_id(),
                             "bank_card": random_bank_card()}, HTTP_ACCEPT_LANGUAGE="en")
    shown = _feedback(r.content.decode())
    assert "This field is required." in shown and "A mobile number has 11 digits; this one has 10." in shown
    # Checking the filled fields of an incomplete form is not an attempt.
    assert not KycAttempt.objects.filter(user=user).exists()


def test_domain_refusals_are_translated_at_the_boundary() -> None:
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as exc:
        kyc.clean_submission(kind="person", today=dt.date(2026, 1, 5), **BAD)
    for message in exc.value.extra["errors"].values():
        # The domain's own English texts never reach the member, whatever the catalogue holds.
        assert "must be 18 characters" not in message and "must have 11 digits" not in message
