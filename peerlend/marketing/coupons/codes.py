"""Coupon codes: short, unambiguous when read aloud or typed by an agent, and unguessable."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: an agent types the code from a phone screen or a printout.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 12


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:32]
