"""PII protection: Fernet encryption at rest (with key rotation) and a keyed blind index.

Keys come from settings: ``PEERLEND_PII_KEYS`` (newest first; the first encrypts, every key
decrypts) and ``PEERLEND_PII_INDEX_KEY`` (HMAC key of the blind index, independent of the
Fernet keys so that rotation never changes an index value).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("PEERLEND_PII_KEY is empty: at least one Fernet key is needed")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _fernet() -> MultiFernet:
    # Keyed by the current tuple so that tests overriding settings get the matching instance.
    return _fernet_for(tuple(settings.PEERLEND_PII_KEYS))


def encrypt_pii(plaintext: str) -> str:
    """Encrypt ``plaintext`` with the newest key; returns the Fernet token as text."""
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_pii(token: str) -> str:
    """Decrypt a token made with any configured key. Raises ``InvalidToken`` if no key fits."""
    return _fernet().decrypt(token.encode("ascii")).decode("utf-8")


def rotate_pii(token: str) -> str:
    """Re-encrypt ``token`` under the newest key (the plaintext never leaves this function)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def is_current_key(token: str) -> bool:
    """Whether ``token`` already decrypts with the newest key alone."""
    newest = Fernet(settings.PEERLEND_PII_KEYS[0].encode())
    try:
        newest.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def _index_key(purpose: str) -> bytes:
    # One sub-key per purpose, so an index of ID numbers can never be compared with one of phones.
    master = settings.PEERLEND_PII_INDEX_KEY.encode("utf-8")
    return hmac.new(master, b"peerlend-blind-index:" + purpose.encode("ascii"), hashlib.sha256).digest()


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed HMAC-SHA256 (hex) of an already normalised ``value``: equality lookups without decrypting."""
    return hmac.new(_index_key(purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()


__all__ = ["InvalidToken", "blind_index", "decrypt_pii", "encrypt_pii", "is_current_key", "rotate_pii"]
