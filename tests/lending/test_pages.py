from __future__ import annotations

from peerlend.lending import services
from peerlend.lending.models import Loan
from tests.factories import make_staff, make_user
from tests.lending.conftest import application


def _login(client, user):
    client.force_login(user)
    return client


def test_marketplace_lists_and_filters(client, listed_loan):
    loan = listed_loan()
    page = client.get("/loans/")
    assert page.status_code == 200 and loan.headline.encode() in page.content
    other = "A" if loan.grade[0] != "A" else "E"
    assert loan.headline.encode() not in client.get(f"/loans/?grade={other}").content
    partial = client.get("/loans/?sort=rate_desc", HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and loan.headline.encode() in partial.content


def test_loan_page_offers_invest_only_to_investors(client, listed_loan):
    loan = listed_loan()
    assert b'action="/loans/%d/invest"' % loan.pk in _login(client, make_user()).get(f"/loans/{loan.pk}/").content
    officer_view = _login(client, make_staff("risk_officer")).get(f"/loans/{loan.pk}/")
    assert officer_view.status_code == 200 and b"/invest" not in officer_view.content


def test_invest_form_double_submit_moves_money_once(client, listed_loan, investor_factory):
    loan = listed_loan()
    investor = investor_factory(1_000_00)
    _login(client, investor)
    form = {"amount": "100.00", "idempotency_key": "same-form"}
    client.post(f"/loans/{loan.pk}/invest", form)
    client.post(f"/loans/{loan.pk}/invest", form)
    assert loan.notes.count() == 1
    assert b"100.00" in client.get("/my/notes/").content


def test_apply_page_files_an_application(client, borrower):
    _login(client, borrower)
    response = client.post("/apply/", {
        "amount": "8,000.00", "term_months": "12", "repayment_method": "equal_installment", "purpose": "education",
        "borrower_type": "person", "annual_income": "120000.00", "housing": "rent", "delinq_2yrs": "0",
        "inq_last_6mths": "1",
    })
    assert response.status_code == 302
    loan = Loan.objects.get()
    assert loan.amount_minor == 8_000_00 and loan.status == "under_review"


def test_apply_page_shows_a_clear_error(client, borrower):
    _login(client, borrower)
    response = client.post("/apply/", {
        "amount": "8000.001", "term_months": "12", "repayment_method": "equal_installment", "purpose": "education",
        "borrower_type": "person", "annual_income": "120000.00", "housing": "rent", "delinq_2yrs": "0",
        "inq_last_6mths": "0",
    })
    assert response.status_code == 200 and b"invalid-feedback" in response.content
    assert Loan.objects.count() == 0


def test_review_pages_are_for_risk_officers(client, borrower, officer):
    loan = services.submit_application(borrower=borrower, data=application())
    assert _login(client, borrower).get("/review/").status_code == 403
    _login(client, officer)
    assert str(loan.pk).encode() in client.get("/review/").content
    response = client.post(f"/review/{loan.pk}/", {"decision": "approve", "reason": "ok", "version": loan.version})
    assert response.status_code == 302
    assert Loan.objects.get(pk=loan.pk).status == "listed"


def test_contract_is_for_the_parties_only(client, listed_loan, investor_factory, borrower):
    loan = listed_loan(amount_minor=1_000_00)
    investor = investor_factory()
    services.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00)
    url = f"/loans/{loan.pk}/contract.pdf"
    assert _login(client, borrower).get(url)["Content-Type"] == "application/pdf"
    assert _login(client, investor).get(url).status_code == 200
    assert _login(client, make_user()).get(url).status_code == 403


def test_a_loan_without_title_reads_in_the_readers_language(client, listed_loan):
    loan = listed_loan(purpose="agriculture", term_months=24)
    assert loan.title == ""  # nothing stored in the applicant's language
    english = client.get("/loans/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Agriculture · 24 months" in english
    chinese = client.get(f"/loans/{loan.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "农业 · 24个月" in chinese and "Agriculture" not in chinese


def test_a_borrowers_own_title_is_shown_as_written(client, listed_loan):
    loan = listed_loan(title="Tractor for the farm")
    assert "Tractor for the farm" in client.get("/loans/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert loan.headline == "Tractor for the farm"
