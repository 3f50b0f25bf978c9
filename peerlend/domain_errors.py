"""The domain core's refusals in the reader's language: the one boundary between ``ValueError`` and a page.

``peerlend.domain`` is pure Python without Django, so its parsers and validators (money amounts,
resident IDs, bank cards, mobile numbers, credit codes) refuse with plain-English ``ValueError``
texts. Whoever shows such a refusal to a person (a form, a service that turns it into an
``ApplicationError``) calls :func:`domain_message`: each known text is matched to a code and a
gettext message, with the values it carried (a length, a currency) passed on as placeholders.
``tests/web/test_zh_pages.py`` fails on a ``raise ValueError`` text of those modules that has no
entry here, so a new refusal cannot reach a Chinese page in English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DomainMessage:
    code: str
    pattern: re.Pattern[str]
    message: Promise


def _m(code: str, pattern: str, message: Promise) -> DomainMessage:
    return DomainMessage(code, re.compile(pattern), message)


MESSAGES: tuple[DomainMessage, ...] = (
    # peerlend.domain.money
    _m("amount_not_positive", r"amount must be positive", _("The amount must be more than zero.")),
    _m("amount_empty", r"amount is empty", _("Enter an amount.")),
    _m("amount_too_long", r"amount is too long", _("The amount has too many characters.")),
    _m("amount_not_finite", r"amount must be a finite number, not NaN or Infinity", _("The amount must be a number.")),
    _m("amount_not_number", r"amount must be a number, not a boolean", _("The amount must be a number.")),
    _m("amount_not_number", r"amount must be given as a string, Decimal or int, not a float.*",
       _("The amount must be a number.")),
    _m("amount_not_number", r"amount must be a string, Decimal or int, not \w+", _("The amount must be a number.")),
    _m("amount_format", r"amount .* is not a number like 1234\.50",
       _("Write the amount in digits with at most two decimals, like 1234.50 or 1,234.50.")),
    _m("amount_decimals", r"amount \S+ has more decimal places than (?P<cur>\w+) allows \((?P<places>\d+)\)",
       _("%(cur)s amounts have at most %(places)s decimal places.")),
    _m("amount_too_large", r"amount is too large: at most (?P<max>[\d,.]+) (?P<cur>\w+)",
       _("The amount is too large: at most %(max)s %(cur)s.")),
    _m("currency_unsupported", r"unsupported currency .*", _("This currency is not supported.")),
    _m("currency_mismatch", r"cannot combine \w+ and \w+ amounts",
       _("Amounts in different currencies cannot be combined.")),
    # peerlend.domain.validators: resident ID (居民身份证号码)
    _m("resident_id_length", r"resident ID must be 18 characters(, got (?P<got>\d+))?",
       _("A resident ID number has 18 characters.")),
    _m("resident_id_format", r"resident ID must be 17 digits followed by a digit or X",
       _("A resident ID number is 17 digits followed by a digit or X.")),
    _m("resident_id_birth", r"resident ID has an invalid birth date \S*",
       _("The birth date in this resident ID number is not a real date.")),
    _m("resident_id_birth", r"resident ID birth date is before 1900",
       _("The birth date in this resident ID number is before 1900.")),
    _m("resident_id_birth", r"resident ID birth date is in the future",
       _("The birth date in this resident ID number is in the future.")),
    _m("resident_id_check", r"resident ID check digit does not match",
       _("This resident ID number is not valid: its check digit does not match. Please check for typing errors.")),
    _m("resident_id_check", r"a resident ID check character needs exactly 17 digits",
       _("A resident ID number is 17 digits followed by a digit or X.")),
    _m("age", r"the day is before the birth date", _("The date is before the birth date.")),
    # bank card
    _m("bank_card_empty", r"bank card number is empty", _("Enter your bank card number.")),
    _m("bank_card_format", r"bank card number must contain digits only", _("A bank card number has digits only.")),
    _m("bank_card_length", r"bank card number must have 12 to 19 digits, got (?P<got>\d+)",
       _("A bank card number has 12 to 19 digits; this one has %(got)s.")),
    _m("bank_card_check", r"bank card number check digit does not match \(Luhn\)",
       _("This bank card number is not valid: its check digit does not match. Please check for typing errors.")),
    # mobile
    _m("mobile_empty", r"mobile number is empty", _("Enter your mobile number.")),
    _m("mobile_format", r"mobile number must contain digits only", _("A mobile number has digits only.")),
    _m("mobile_length", r"mobile number must have 11 digits, got (?P<got>\d+)",
       _("A mobile number has 11 digits; this one has %(got)s.")),
    _m("mobile_prefix", r"mobile number must start with 13-19", _("A mobile number starts with 13 to 19.")),
    # unified social credit code (统一社会信用代码)
    _m("credit_code_length", r"unified social credit code must be 18 characters, got (?P<got>\d+)",
       _("A unified social credit code has 18 characters; this one has %(got)s.")),
    _m("credit_code_format", r"unified social credit code may contain digits and capital letters except .*",
       _("A unified social credit code has digits and capital letters only (no I, O, S, V or Z).")),
    _m("credit_code_format", r"unified social credit code has an unknown registration authority",
       _("This unified social credit code has an unknown registration authority.")),
    _m("credit_code_format", r"unified social credit code must have a 6-digit administrative division code",
       _("This unified social credit code has no valid administrative division code.")),
    _m("credit_code_check", r"unified social credit code check character does not match",
       _("This unified social credit code is not valid: its check character does not match.")),
    _m("credit_code_check", r"a credit code (check character )?needs .*",
       _("This unified social credit code is not valid.")),
    # peerlend.domain.lifecycle
    _m("illegal_transition", r"cannot move a loan from (?P<current>\w+) to (?P<target>\w+)",
       _("This is not possible for a loan that is “%(current)s” (it cannot become “%(target)s”).")),
    _m("unknown_status", r"unknown loan status .*", _("Unknown loan status.")),
    # any string the validators require
    _m("not_text", r"(?P<what>[\w ]+) must be a string", _("This value must be text.")),
)


# Labels of codes a refusal carries (a loan status), registered by the context that owns them
# (``lending.models`` registers its status labels): this base module imports no context.
_VALUE_LABELS: dict[str, Any] = {}


def register_value_labels(labels: Mapping[str, Any]) -> None:
    _VALUE_LABELS.update({str(k): v for k, v in labels.items()})


def match(text: str) -> DomainMessage | None:
    for entry in MESSAGES:
        if entry.pattern.fullmatch(text):
            return entry
    return None


def domain_message(exc: BaseException | str) -> str:
    """The translated message for a domain refusal; an unknown text is returned unchanged."""
    text = str(exc)
    entry = match(text)
    if entry is None:
        return text
    found = entry.pattern.fullmatch(text)
    params = {k: str(_VALUE_LABELS.get(v, v)) for k, v in (found.groupdict() if found else {}).items()
              if v is not None}
    message = str(entry.message)  # the lazy message, in the active language
    if "%(" not in message:
        return message
    try:
        return message % params
    except (KeyError, ValueError, TypeError):
        return message


def domain_code(exc: BaseException | str) -> str:
    entry = match(str(exc))
    return entry.code if entry else "invalid"
