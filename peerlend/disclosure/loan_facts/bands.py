"""Masking by bands: what investors learn about a borrower without learning who the borrower is.

Exact values (birth date, income, score) are turned into ranges; the province comes from the resident
ID's first two digits (the administrative division code, GB/T 2260), which the masked ID shows anyway.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from peerlend.domain.validators import resident_id_birth_date

AGE_BANDS: tuple[tuple[int, int | None], ...] = ((18, 25), (26, 35), (36, 45), (46, 55), (56, None))
# Annual income bands in CNY (lower bound inclusive).
INCOME_BANDS_CNY: tuple[int, ...] = (0, 50_000, 100_000, 200_000, 500_000)
EMPLOYMENT_BANDS: tuple[tuple[int, int | None], ...] = ((0, 0), (1, 2), (3, 5), (6, 10), (11, None))
SCORE_BAND_WIDTH = 50

PROVINCES = {
    "11": _("Beijing"), "12": _("Tianjin"), "13": _("Hebei"), "14": _("Shanxi"), "15": _("Inner Mongolia"),
    "21": _("Liaoning"), "22": _("Jilin"), "23": _("Heilongjiang"), "31": _("Shanghai"), "32": _("Jiangsu"),
    "33": _("Zhejiang"), "34": _("Anhui"), "35": _("Fujian"), "36": _("Jiangxi"), "37": _("Shandong"),
    "41": _("Henan"), "42": _("Hubei"), "43": _("Hunan"), "44": _("Guangdong"), "45": _("Guangxi"),
    "46": _("Hainan"), "50": _("Chongqing"), "51": _("Sichuan"), "52": _("Guizhou"), "53": _("Yunnan"),
    "54": _("Tibet"), "61": _("Shaanxi"), "62": _("Gansu"), "63": _("Qinghai"), "64": _("Ningxia"),
    "65": _("Xinjiang"),
}


def _range_text(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else (f"{low}" if low == high else f"{low}-{high}")


def age_band(resident_id: str, today: date) -> str:
    """"26-35" from the birth date in the resident ID; "" when it cannot be read."""
    try:
        birth = resident_id_birth_date(resident_id)
    except (ValueError, TypeError):
        return ""
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    for low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return _range_text(low, high)
    return ""


def province(resident_id_masked: str) -> str:
    return str(PROVINCES.get(resident_id_masked[:2], "")) if resident_id_masked else ""


def income_band(annual_income_minor: int) -> str:
    """"100,000-199,999 CNY"-style band as (low, high) text in CNY, without the exact figure."""
    cny = max(annual_income_minor, 0) // 100
    bounds = INCOME_BANDS_CNY
    for i, low in reversed(list(enumerate(bounds))):
        if cny >= low:
            high = bounds[i + 1] - 1 if i + 1 < len(bounds) else None
            return f"{low:,}+" if high is None else f"{low:,}-{high:,}"
    return ""


def employment_band(years: int | None) -> str:
    if years is None:
        return ""
    for low, high in EMPLOYMENT_BANDS:
        if years >= low and (high is None or years <= high):
            return _range_text(low, high)
    return ""


def score_band(score: int | None) -> str:
    if score is None:
        return ""
    low = score // SCORE_BAND_WIDTH * SCORE_BAND_WIDTH
    return f"{low}-{low + SCORE_BAND_WIDTH - 1}"
