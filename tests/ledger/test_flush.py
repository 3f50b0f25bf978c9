from __future__ import annotations

import pytest
from django.db import DatabaseError

from peerlend.ledger.models import JournalEntry, Posting
from tests.ledger.conftest import fund


@pytest.mark.django_db(transaction=True)
def test_flush_between_transactional_tests_can_still_empty_the_books():
    # Django's flush (TransactionTestCase teardown) must be able to wipe the tables on both vendors,
    # while a plain DELETE stays refused.
    from django.core.management import call_command

    from tests.factories import make_user

    user = make_user()
    fund(user, 100)
    with pytest.raises(DatabaseError):
        Posting.objects.all().delete()
    call_command("flush", interactive=False, verbosity=0)
    assert Posting.objects.count() == 0 and JournalEntry.objects.count() == 0
