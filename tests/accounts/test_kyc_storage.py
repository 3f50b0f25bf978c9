import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from peerlend.accounts.models import Identity, IdentityReview
from peerlend.accounts.services import resident_id_index, verify_identity
from peerlend.compliance.crypto import decrypt_pii, is_current_key
from peerlend.errors import Conflict
from tests.factories import make_user, random_bank_card, random_resident_id

pytestmark = pytest.mark.django_db


def _raw_row(user):
    with connection.cursor() as cur:
        cur.execute(
            "SELECT real_name_enc, resident_id_enc, mobile_enc, bank_card_enc, resident_id_index "
            "FROM accounts_identity WHERE user_id = %s", [user.pk])
        return cur.fetchone()


def test_pii_is_ciphertext_in_the_database():
    user = make_user(kyc=False)
    rid, card = random_resident_id(), random_bank_card()
    verify_identity(user, real_name="王小明", resident_id=rid, mobile="13912345678", bank_card=card)
    row = _raw_row(user)
    blob = " ".join(row)
    for plain in (rid, rid[6:14], card, "13912345678", "王小明"):
        assert plain not in blob
    assert all(v.startswith("gAAAA") for v in row[:4])  # Fernet tokens
    assert decrypt_pii(row[1]) == rid and decrypt_pii(row[3]) == card
    ident = Identity.objects.get(user=user)
    assert ident.resident_id_masked == rid[:3] + "*" * 11 + rid[-4:]
    assert ident.mobile_masked == "139****5678"
    assert ident.bank_card_masked.endswith(card[-4:]) and card[4:-4] not in ident.bank_card_masked
    assert ident.real_name_masked == "王**"
    assert row[4] == resident_id_index(rid) and rid not in row[4]


def test_blind_index_depends_on_the_index_key(settings):
    rid = random_resident_id()
    a = resident_id_index(rid)
    settings.PEERLEND_PII_INDEX_KEY = "another-key"
    assert resident_id_index(rid) != a


def test_duplicate_id_refused_at_the_service_and_database():
    first = make_user()
    rid = first.identity.decrypted()["resident_id"]
    other = make_user(kyc=False)
    # The service does not say the ID is taken (identity enumeration): the case goes to staff review.
    with pytest.raises(Conflict) as exc:
        verify_identity(other, real_name="赵六", resident_id=rid, mobile="13712345678",
                        bank_card=random_bank_card())
    assert exc.value.code == "identity_under_review"
    assert not Identity.objects.filter(user=other).exists()
    assert IdentityReview.objects.get(user=other).existing_user == first
    # The database refuses a second person with the same blind index, whatever the code does.
    row = Identity.objects.get(user=first)
    row.pk, row.user = None, make_user(kyc=False)
    row.bank_card_index = "other"
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_rotation_re_encrypts_under_the_newest_key(settings, capsys):
    old_key = settings.PEERLEND_PII_KEYS[0]
    users = [make_user() for _ in range(3)]
    before = {u.pk: _raw_row(u) for u in users}
    plain = {u.pk: Identity.objects.get(user=u).decrypted() for u in users}
    new_key = Fernet.generate_key().decode()
    settings.PEERLEND_PII_KEYS = [new_key, old_key]
    # Old ciphertext still decrypts while both keys are listed.
    assert Identity.objects.get(user=users[0]).decrypted() == plain[users[0].pk]
    assert not is_current_key(before[users[0].pk][1])

    call_command("rotate_pii_key")
    assert "re-encrypted 3 identities" in capsys.readouterr().out

    settings.PEERLEND_PII_KEYS = [new_key]  # the old key can now be dropped
    for u in users:
        after = _raw_row(u)
        assert after[:4] != before[u.pk][:4]
        assert after[4] == before[u.pk][4]  # blind index is stable across rotation
        assert Identity.objects.get(user=u).decrypted() == plain[u.pk]
        assert all(is_current_key(v) for v in after[:4])
    # Idempotent: nothing left to rotate.
    call_command("rotate_pii_key")
    assert "re-encrypted 0 identities" in capsys.readouterr().out


def test_data_under_a_removed_key_does_not_decrypt(settings):
    from cryptography.fernet import InvalidToken

    user = make_user()
    settings.PEERLEND_PII_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(InvalidToken):
        Identity.objects.get(user=user).decrypted()
