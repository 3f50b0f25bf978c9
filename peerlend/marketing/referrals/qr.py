"""The QR code of a referral link, as an SVG document (server-rendered with ``segno``, no network)."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2, xmldecl=False)
    return buffer.getvalue().decode()
