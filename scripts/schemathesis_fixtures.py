"""Members for the API fuzz run (scripts/schemathesis.sh): prints their bearer tokens as JSON.

Run against the throwaway database of that script only: it creates an investor with a verified
identity and some money, a borrower whose application waits for review (loan 1, so that routes
taking a loan id reach their logic), and a risk officer, and issues the investor and the officer
an API token each.
"""

from __future__ import annotations

import datetime as dt
import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlend.settings")
django.setup()

from peerlend.accounts import services as accounts  # noqa: E402
from peerlend.accounts import tokens  # noqa: E402
from peerlend.accounts.models import User  # noqa: E402
from peerlend.domain.validators import make_bank_card, make_resident_id  # noqa: E402
from peerlend.ledger import services as ledger  # noqa: E402
from peerlend.lending import services as lending  # noqa: E402

PASSWORD = "Fuzz-run-Passw0rd!"


def member(username: str, seq: int) -> User:
    user = accounts.register_member(username=username, password=PASSWORD, accepted_terms=True)
    accounts.verify_identity(user, real_name="张三", resident_id=make_resident_id("110101", dt.date(1985, 5, 17), seq),
                             mobile=f"1380013800{seq % 10}", bank_card=make_bank_card(f"62220202001{seq % 10}", 16))
    return user


def investor() -> User:
    user = member("fuzz_investor", 42)
    # Money to invest and withdraw, credited as a settled deposit would be.
    amount = 100_000_00
    accounts_of = ledger.user_accounts(user)
    ledger.post_entry(kind="deposit", reference="fuzz-fixture",
                      lines=[(ledger.platform_account("custody_bank"), -amount), (accounts_of.available, amount)])
    return user


def application() -> None:
    lending.submit_application(borrower=member("fuzz_borrower", 43), data=lending.ApplicationInput(
        amount_minor=10_000_00, term_months=12, repayment_method="equal_installment",
        purpose="debt_consolidation", annual_income_minor=180_000_00, employment_years=6))


def staff() -> User:
    return User.objects.create_user(username="fuzz_risk_officer", password=PASSWORD, roles=["risk_officer"])


if __name__ == "__main__":
    application()
    print(json.dumps({"investor": tokens.issue(investor()).raw, "staff": tokens.issue(staff()).raw}))
