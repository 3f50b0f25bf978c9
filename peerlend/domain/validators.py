"""Validators, generators and masks for Chinese resident ID numbers, unified social credit codes, bank cards
and mainland mobile numbers; ages from a resident ID's birth date."""

from __future__ import annotations

import re
from datetime import date
from typing import Final

__all__ = [
    "age_on",
    "credit_code_check_char",
    "luhn_check_digit",
    "make_bank_card",
    "make_credit_code",
    "make_resident_id",
    "mask_bank_card",
    "mask_mobile",
    "mask_resident_id",
    "resident_id_age",
    "resident_id_birth_date",
    "resident_id_check_char",
    "resident_id_gender",
    "validate_bank_card",
    "validate_credit_code",
    "validate_mobile",
    "validate_resident_id",
]

# GB 11643-1999: ISO 7064 MOD 11-2 weights for the first 17 digits and the check character table.
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS: Final = "10X98765432"
_ID_RE: Final = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH: Final = date(1900, 1, 1)

_MOBILE_RE: Final = re.compile(r"1[3-9][0-9]{9}")
_SEPARATORS_RE: Final = re.compile(r"[\s-]+")


def _require_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string")
    return value


# -- resident ID (居民身份证号码) ------------------------------------------------------------------


def resident_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character ("0"-"9" or "X") for the first 17 digits of an ID."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("a resident ID check character needs exactly 17 digits")
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _parse_birth(digits8: str) -> date:
    try:
        return date(int(digits8[0:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        raise ValueError(f"resident ID has an invalid birth date {digits8}") from None


def validate_resident_id(text: object, today: date | None = None) -> str:
    """Validate an 18-character resident ID number and return it normalised (trimmed, upper-case "X").

    Checks, in order: length 18, 17 digits plus a digit or X, a real birth date (YYYYMMDD at
    positions 7-14) not before 1900 and not after ``today``, and the MOD 11-2 check character.
    ``today`` should be the platform's business date; when omitted the system date is used, since a
    birth date in the future is wrong on any calendar. Raises ``ValueError`` naming the failed check.
    """
    value = _require_str(text, "resident ID").strip().upper()
    if len(value) != 18:
        raise ValueError(f"resident ID must be 18 characters, got {len(value)}")
    if not _ID_RE.fullmatch(value):
        raise ValueError("resident ID must be 17 digits followed by a digit or X")
    birth = _parse_birth(value[6:14])
    if birth < _EARLIEST_BIRTH:
        raise ValueError("resident ID birth date is before 1900")
    reference = today if today is not None else date.today()
    if birth > reference:
        raise ValueError("resident ID birth date is in the future")
    if resident_id_check_char(value[:17]) != value[17]:
        raise ValueError("resident ID check digit does not match")
    return value


def resident_id_birth_date(resident_id: str) -> date:
    """Birth date encoded in a (valid) resident ID."""
    value = _require_str(resident_id, "resident ID").strip()
    if len(value) != 18 or not value[6:14].isdigit():
        raise ValueError("resident ID must be 18 characters")
    return _parse_birth(value[6:14])


def resident_id_gender(resident_id: str) -> str:
    """``"male"`` or ``"female"``: the 17th digit is odd for men and even for women."""
    value = _require_str(resident_id, "resident ID").strip()
    if len(value) != 18 or not value[16].isdigit():
        raise ValueError("resident ID must be 18 characters")
    return "male" if int(value[16]) % 2 else "female"


def make_resident_id(region6: str, birth: date, seq3: int | str) -> str:
    """Compose a valid resident ID (for tests and demo data): region code, birth date, sequence, check char.

    ``seq3`` is the 3-digit sequence (odd for men, even for women), as an int 0-999 or a 3-digit string.
    """
    if not (isinstance(region6, str) and len(region6) == 6 and region6.isascii() and region6.isdigit()):
        raise ValueError("region6 must be a 6-digit region code")
    if not isinstance(birth, date):
        raise ValueError("birth must be a date")
    if isinstance(seq3, bool):
        raise ValueError("seq3 must be an int 0-999 or a 3-digit string")
    if isinstance(seq3, int):
        if not 0 <= seq3 <= 999:
            raise ValueError("seq3 must be between 0 and 999")
        seq = f"{seq3:03d}"
    elif isinstance(seq3, str) and len(seq3) == 3 and seq3.isascii() and seq3.isdigit():
        seq = seq3
    else:
        raise ValueError("seq3 must be an int 0-999 or a 3-digit string")
    first17 = f"{region6}{birth:%Y%m%d}{seq}"
    if len(first17) != 17:
        raise ValueError("birth year must have four digits")
    return first17 + resident_id_check_char(first17)


def age_on(birth: date, day: date) -> int:
    """Completed years between ``birth`` and ``day`` (someone born on 29 February completes a year on 1 March
    of a common year). Raises ``ValueError`` when ``day`` is before ``birth``."""
    if day < birth:
        raise ValueError("the day is before the birth date")
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def resident_id_age(resident_id: str, day: date) -> int:
    """Age on ``day`` of the holder of a (valid) resident ID, from the birth date it encodes."""
    return age_on(resident_id_birth_date(resident_id), day)


def mask_resident_id(resident_id: str) -> str:
    """``"110***********1234"``: first 3 and last 4 characters kept, the rest (birth date included) hidden."""
    value = _require_str(resident_id, "resident ID").strip().upper()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


# -- unified social credit code (统一社会信用代码, GB 32100-2015) ------------------------------------

# 31 characters: digits and capital letters without I, O, S, V, Z; a character's value is its position.
_USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weight of position i (from 0) is 3**i mod 31.
_USCC_WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(17))
# Registration authorities of the standard: 1-9, A (military), N (agriculture), Y (others).
_USCC_AUTHORITIES: Final = "123456789ANY"


def credit_code_check_char(first17: str) -> str:
    """GB 32100-2015 check character of the first 17 characters of a unified social credit code."""
    if len(first17) != 17 or any(ch not in _USCC_ALPHABET for ch in first17):
        raise ValueError("a credit code check character needs 17 characters of the code alphabet")
    total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(text: object) -> str:
    """Validate an 18-character unified social credit code and return it normalised (trimmed, upper case).

    Checks: length 18; only digits and capital letters except I, O, S, V, Z; a known registration
    authority (position 1); a 6-digit administrative division code (positions 3-8); the MOD 31 check
    character (position 18). Raises ``ValueError`` naming the failed check.
    """
    value = _require_str(text, "unified social credit code").strip().upper()
    if len(value) != 18:
        raise ValueError(f"unified social credit code must be 18 characters, got {len(value)}")
    if any(ch not in _USCC_ALPHABET for ch in value):
        raise ValueError("unified social credit code may contain digits and capital letters except I, O, S, V, Z")
    if value[0] not in _USCC_AUTHORITIES:
        raise ValueError("unified social credit code has an unknown registration authority")
    if not value[2:8].isdigit():
        raise ValueError("unified social credit code must have a 6-digit administrative division code")
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValueError("unified social credit code check character does not match")
    return value


def make_credit_code(prefix2: str, region6: str, org9: str) -> str:
    """Compose a valid credit code (for tests and demo data): authority + category, region, organisation code."""
    first17 = f"{prefix2}{region6}{org9}".upper()
    if len(prefix2) != 2 or len(region6) != 6 or not region6.isdigit() or len(org9) != 9:
        raise ValueError("a credit code needs a 2-character prefix, a 6-digit region and a 9-character org code")
    return first17 + credit_code_check_char(first17)


# -- bank cards -----------------------------------------------------------------------------------


def luhn_check_digit(payload: str) -> str:
    """The Luhn check digit to append to ``payload`` (digits only)."""
    if not payload or not payload.isascii() or not payload.isdigit():
        raise ValueError("Luhn payload must be digits")
    total = 0
    # Walking from the right, the digit next to the (future) check digit is doubled.
    for i, ch in enumerate(reversed(payload)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def _luhn_valid(number: str) -> bool:
    return luhn_check_digit(number[:-1]) == number[-1]


def validate_bank_card(text: object) -> str:
    """Validate a bank card number and return its digits: spaces and hyphens removed, 12-19 digits, Luhn."""
    value = _SEPARATORS_RE.sub("", _require_str(text, "bank card number"))
    if not value:
        raise ValueError("bank card number is empty")
    if not value.isascii() or not value.isdigit():
        raise ValueError("bank card number must contain digits only")
    if not 12 <= len(value) <= 19:
        raise ValueError(f"bank card number must have 12 to 19 digits, got {len(value)}")
    if not _luhn_valid(value):
        raise ValueError("bank card number check digit does not match (Luhn)")
    return value


def make_bank_card(prefix: str, length: int = 16) -> str:
    """A Luhn-valid card number of ``length`` digits: ``prefix``, zero padding, then the check digit."""
    if not (isinstance(prefix, str) and prefix.isascii() and prefix.isdigit()):
        raise ValueError("prefix must be digits")
    if isinstance(length, bool) or not isinstance(length, int) or not 12 <= length <= 19:
        raise ValueError("length must be between 12 and 19")
    if len(prefix) > length - 1:
        raise ValueError("prefix leaves no room for the check digit")
    payload = prefix.ljust(length - 1, "0")
    return payload + luhn_check_digit(payload)


def mask_bank_card(card: str) -> str:
    """``"6222 **** **** 1234"``: first 4 and last 4 digits in a fixed 4-group shape whatever the length.

    The fixed shape hides the card length as well as the middle digits (as Chinese banking apps do).
    """
    value = _SEPARATORS_RE.sub("", _require_str(card, "bank card number"))
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]} **** **** {value[-4:]}"


# -- mobile numbers -------------------------------------------------------------------------------


def validate_mobile(text: object) -> str:
    """Validate a mainland China mobile number and return its 11 digits.

    Spaces and hyphens are ignored and a ``+86``/``86`` country prefix is stripped; the rest must be
    11 digits starting with 13-19.
    """
    value = _SEPARATORS_RE.sub("", _require_str(text, "mobile number"))
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    if not value:
        raise ValueError("mobile number is empty")
    if not value.isascii() or not value.isdigit():
        raise ValueError("mobile number must contain digits only")
    if len(value) != 11:
        raise ValueError(f"mobile number must have 11 digits, got {len(value)}")
    if not _MOBILE_RE.fullmatch(value):
        raise ValueError("mobile number must start with 13-19")
    return value


def mask_mobile(mobile: str) -> str:
    """``"138****5678"``: first 3 and last 4 digits kept."""
    value = _SEPARATORS_RE.sub("", _require_str(mobile, "mobile number"))
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
