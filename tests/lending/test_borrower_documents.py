"""Defect 5: "documents requested" was a dead end online; the borrower uploads them (page and API)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from peerlend.api.auth import issue_token
from peerlend.lending import selectors, services
from peerlend.lending.models import Loan, LoanDocument
from peerlend.servicing.models import Notification
from tests.factories import make_user
from tests.lending.conftest import application

PDF = b"%PDF-1.4 payslips of three months"


@pytest.fixture(autouse=True)
def private_storage(tmp_path):
    with override_settings(PRIVATE_STORAGE_ROOT=str(tmp_path)):
        yield tmp_path


@pytest.fixture
def asked(borrower, officer) -> Loan:
    loan = services.submit_application(borrower=borrower, data=application())
    return services.request_documents(officer=officer, loan_id=loan.pk, reason="payslips of the last 3 months")


def _pdf(name: str = "payslips.pdf", content: bytes = PDF, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_loan_page_offers_the_upload_and_the_inbox_says_what_is_needed(client, borrower, asked):
    inbox = Notification.objects.get(user=borrower, channel="inbox", event="documents_requested")
    assert "payslips of the last 3 months" in inbox.body
    client.force_login(borrower)
    page = client.get(f"/loans/{asked.pk}/").content.decode()
    assert f'action="/my/loans/{asked.pk}/documents"' in page and 'enctype="multipart/form-data"' in page
    assert "payslips of the last 3 months" in page
    assert f"/loans/{asked.pk}/#documents-upload" in client.get("/my/loans/").content.decode()


def test_borrower_uploads_and_the_application_returns_to_review(client, borrower, asked, private_storage):
    client.force_login(borrower)
    response = client.post(f"/my/loans/{asked.pk}/documents", {"income_document": _pdf()})
    assert response.status_code == 302 and response["Location"] == f"/loans/{asked.pk}/"
    asked.refresh_from_db()
    assert asked.status == "under_review"
    assert asked in list(selectors.review_queue())
    doc = LoanDocument.objects.get(loan=asked)
    # Same storage and checks as the agent's upload, but not checked in person.
    assert doc.kind == "income" and doc.uploaded_by == borrower and not doc.verified_in_person
    assert (private_storage / "loan-documents" / doc.stored_name).read_bytes() == PDF
    assert not asked.income_verified
    # The upload form is gone once nothing is requested.
    assert "documents-upload" not in client.get(f"/loans/{asked.pk}/").content.decode()


def test_wrong_type_or_nothing_is_refused_with_a_message(client, borrower, asked):
    client.force_login(borrower)
    exe = _pdf("x.exe", b"MZ", "application/x-msdownload")
    bad = client.post(f"/my/loans/{asked.pk}/documents", {"income_document": exe}, follow=True)
    assert "PDF, JPEG or PNG" in bad.content.decode()
    empty = client.post(f"/my/loans/{asked.pk}/documents", {}, follow=True)
    assert "at least one document" in empty.content.decode()
    asked.refresh_from_db()
    assert asked.status == "documents_requested" and not LoanDocument.objects.filter(loan=asked).exists()


def test_someone_else_cannot_upload(client, asked):
    client.force_login(make_user(roles=("borrower", "investor")))
    assert client.post(f"/my/loans/{asked.pk}/documents", {"income_document": _pdf()}).status_code == 403
    assert client.post("/my/loans/999999/documents", {"income_document": _pdf()}).status_code == 404
    asked.refresh_from_db()
    assert asked.status == "documents_requested"


def test_api_upload_returns_the_application_to_review(client, borrower, asked):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(borrower)}"}
    files = {"income": _pdf(), "other": _pdf("id.png", b"\x89PNG", "image/png")}
    response = client.post(f"/api/loans/{asked.pk}/documents", files, **auth)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "under_review"
    assert sorted(LoanDocument.objects.filter(loan=asked).values_list("kind", flat=True)) == ["income", "other"]


def test_api_upload_checks_like_the_page(client, borrower, asked):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(borrower)}"}
    # Larger than a JSON body may be, within the upload limit: the service answers (5 MB per document).
    too_big = _pdf(content=b"%PDF" + b"0" * (5 * 1024 * 1024))
    big = client.post(f"/api/loans/{asked.pk}/documents", {"income": too_big}, **auth)
    assert big.status_code == 400 and big.json()["code"] == "invalid_document"
    none = client.post(f"/api/loans/{asked.pk}/documents", {}, **auth)
    assert none.status_code == 400 and none.json()["code"] == "documents_required"
    other = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(make_user(roles=('borrower',)))}"}
    assert client.post(f"/api/loans/{asked.pk}/documents", {"income": _pdf()}, **other).status_code == 403
    asked.refresh_from_db()
    assert asked.status == "documents_requested"
