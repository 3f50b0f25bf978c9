"""Money limits: how much a member may move per transaction and per business day (pure rules).

Every amount a member sends from outside has a documented ceiling, by member type (``person`` or
``company``) and action:

=============  ==========================  ==========================  ==========================
action         person: per transaction     person: per business day    company (tx / day)
=============  ==========================  ==========================  ==========================
deposit        1,000,000.00                5,000,000.00                10,000,000.00 / 50,000,000.00
withdrawal     1,000,000.00                5,000,000.00                10,000,000.00 / 50,000,000.00
investment     1,000,000.00                5,000,000.00                10,000,000.00 / 50,000,000.00
promise        1,000,000.00                none                        10,000,000.00 / none
=============  ==========================  ==========================  ==========================

Amounts are CNY (the platform's currency). Each figure can be overridden by an environment variable
``PEERLEND_LIMIT_<TYPE>_<ACTION>_TX_MINOR`` / ``..._DAY_MINOR`` in minor units (``none`` for no daily
limit), e.g. ``PEERLEND_LIMIT_PERSON_DEPOSIT_DAY_MINOR=200000000``. No figure may exceed
:data:`~peerlend.domain.money.MAX_AMOUNT_MINOR` per transaction or
:data:`~peerlend.domain.money.MAX_BALANCE_MINOR` per day, whatever the configuration says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from peerlend.domain.money import MAX_AMOUNT_MINOR, MAX_BALANCE_MINOR

__all__ = [
    "ACTIONS",
    "DEFAULT_LIMITS",
    "MEMBER_TYPES",
    "Breach",
    "Limit",
    "LimitConfig",
    "LimitTable",
    "check_limit",
    "limits_from_env",
    "parse_limits",
]

MEMBER_TYPES: Final = ("person", "company")
ACTIONS: Final = ("deposit", "withdrawal", "investment", "promise")

#: The settings shape: member type -> action -> {"per_transaction_minor": int, "per_day_minor": int | None}.
LimitConfig = Mapping[str, Mapping[str, Mapping[str, int | None]]]


@dataclass(frozen=True, slots=True)
class Limit:
    """The most one transaction may carry, and the most all of one business day may (None: no daily limit)."""

    per_transaction_minor: int
    per_day_minor: int | None

    def remaining_today(self, used_today_minor: int) -> int | None:
        """What is left of the daily limit (never negative); None without a daily limit."""
        if self.per_day_minor is None:
            return None
        return max(0, self.per_day_minor - used_today_minor)

    def allowed_now(self, used_today_minor: int) -> int:
        """The largest amount one more transaction may carry today."""
        remaining = self.remaining_today(used_today_minor)
        return self.per_transaction_minor if remaining is None else min(self.per_transaction_minor, remaining)


@dataclass(frozen=True, slots=True)
class Breach:
    """Why an amount was refused, with the figures a message needs."""

    period: Literal["transaction", "day"]
    limit_minor: int
    used_minor: int
    remaining_minor: int
    requested_minor: int


def check_limit(limit: Limit, amount_minor: int, used_today_minor: int) -> Breach | None:
    """None when ``amount_minor`` fits both limits given what was already used today; else the breach."""
    if amount_minor > limit.per_transaction_minor:
        return Breach("transaction", limit.per_transaction_minor, used_today_minor,
                      limit.allowed_now(used_today_minor), amount_minor)
    remaining = limit.remaining_today(used_today_minor)
    if remaining is not None and amount_minor > remaining:
        assert limit.per_day_minor is not None
        return Breach("day", limit.per_day_minor, used_today_minor, remaining, amount_minor)
    return None


def _pair(per_transaction_minor: int, per_day_minor: int | None) -> dict[str, int | None]:
    return {"per_transaction_minor": per_transaction_minor, "per_day_minor": per_day_minor}


#: The documented defaults (see the table above), in minor units.
DEFAULT_LIMITS: Final[Mapping[str, Mapping[str, Mapping[str, int | None]]]] = {
    "person": {
        "deposit": _pair(1_000_000_00, 5_000_000_00),
        "withdrawal": _pair(1_000_000_00, 5_000_000_00),
        "investment": _pair(1_000_000_00, 5_000_000_00),
        "promise": _pair(1_000_000_00, None),
    },
    "company": {
        "deposit": _pair(10_000_000_00, 50_000_000_00),
        "withdrawal": _pair(10_000_000_00, 50_000_000_00),
        "investment": _pair(10_000_000_00, 50_000_000_00),
        "promise": _pair(10_000_000_00, None),
    },
}

LimitTable = dict[str, dict[str, Limit]]
_NONE_WORDS: Final = frozenset({"", "none", "off", "unlimited"})


def limits_from_env(environ: Mapping[str, str], defaults: LimitConfig = DEFAULT_LIMITS) -> dict[
        str, dict[str, dict[str, int | None]]]:
    """``defaults`` with each figure replaced by its ``PEERLEND_LIMIT_*`` variable when set (settings shape)."""
    out: dict[str, dict[str, dict[str, int | None]]] = {}
    for member, actions in defaults.items():
        out[member] = {}
        for action, figures in actions.items():
            pair = dict(figures)
            for key, suffix in (("per_transaction_minor", "TX"), ("per_day_minor", "DAY")):
                name = f"PEERLEND_LIMIT_{member}_{action}_{suffix}_MINOR".upper()
                if name not in environ:
                    continue
                text = environ[name].strip()
                if key == "per_day_minor" and text.lower() in _NONE_WORDS:
                    pair[key] = None
                    continue
                try:
                    pair[key] = int(text)
                except ValueError:
                    raise ValueError(f"{name} must be a whole number of minor units, not {text!r}") from None
            out[member][action] = pair
    return out


def _figure(where: str, value: object, ceiling: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where} must be an int of minor units, not {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{where} must be positive, not {value}")
    if value > ceiling:
        raise ValueError(f"{where} is {value}; it may be at most {ceiling} minor units")
    return value


def parse_limits(config: LimitConfig) -> LimitTable:
    """Validate the settings' limit table (every member type and action, sane figures) into :class:`Limit` s."""
    unknown = sorted(set(config) - set(MEMBER_TYPES))
    if unknown:
        raise ValueError(f"unknown member type(s) in the limits: {', '.join(unknown)}")
    table: LimitTable = {}
    for member in MEMBER_TYPES:
        actions = config.get(member)
        if actions is None:
            raise ValueError(f"the limits are missing member type {member!r}")
        missing = [a for a in ACTIONS if a not in actions]
        if missing:
            raise ValueError(f"the limits of {member!r} are missing: {', '.join(missing)}")
        table[member] = {}
        for action in ACTIONS:
            figures = actions[action]
            where = f"limit {member}.{action}"
            per_tx = _figure(f"{where}.per_transaction_minor", figures.get("per_transaction_minor"),
                             MAX_AMOUNT_MINOR)
            per_day = figures.get("per_day_minor")
            table[member][action] = Limit(
                per_tx, None if per_day is None else _figure(f"{where}.per_day_minor", per_day, MAX_BALANCE_MINOR)
            )
    return table
