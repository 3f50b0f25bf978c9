"""Measuring a model on held-out rows: AUC, KS, calibration by decile, approval and expected loss.

Pure Python on sorted lists, so the report is the same on every machine (no training library
needed to read it, and figures are rounded to ``DIGITS`` before they are written). PDs are the
4-decimal PDs scoring records on a loan (``services.pd_decimal``), so the cut-off is applied
exactly as at intake.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from peerlend.domain.credit_limit import MAX_PD
from peerlend.domain.pricing import LGD

DIGITS = 8
DECILES = 10


def _r(x: float) -> float:
    v = round(float(x), DIGITS)
    return 0.0 if v == 0 else v


def auc(y: Sequence[bool], p: Sequence[Decimal]) -> float:
    """Probability that a random bad row has a higher PD than a random good one (ties count half)."""
    order = sorted(range(len(p)), key=lambda i: p[i])
    rank_sum = 0.0
    n_bad = sum(1 for v in y if v)
    n_good = len(y) - n_bad
    if not n_bad or not n_good:
        raise ValueError("AUC needs bad and good rows")
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and p[order[j + 1]] == p[order[i]]:
            j += 1
        mid_rank = (i + j) / 2 + 1  # average 1-based rank of the tied block
        rank_sum += mid_rank * sum(1 for k in order[i:j + 1] if y[k])
        i = j + 1
    return (rank_sum - n_bad * (n_bad + 1) / 2) / (n_bad * n_good)


def ks(y: Sequence[bool], p: Sequence[Decimal]) -> float:
    """Largest gap between the cumulative shares of bad and good rows, cutting between distinct PDs."""
    n_bad = sum(1 for v in y if v)
    n_good = len(y) - n_bad
    order = sorted(range(len(p)), key=lambda i: p[i], reverse=True)
    best = bad = good = 0.0
    for pos, i in enumerate(order):
        if y[i]:
            bad += 1
        else:
            good += 1
        if pos + 1 == len(order) or p[order[pos + 1]] != p[i]:
            best = max(best, abs(bad / n_bad - good / n_good))
    return best


def calibration(y: Sequence[bool], p: Sequence[Decimal], bins: int = DECILES) -> list[dict[str, Any]]:
    """Rows by PD (ties by position), cut in ``bins`` near-equal parts: mean PD vs observed bad rate."""
    order = sorted(range(len(p)), key=lambda i: (p[i], i))
    n = len(order)
    out = []
    for b in range(bins):
        part = order[b * n // bins:(b + 1) * n // bins]
        if not part:
            continue
        out.append({"decile": b + 1, "n": len(part), "pd_from": str(p[part[0]]), "pd_to": str(p[part[-1]]),
                    "predicted": _r(sum(float(p[i]) for i in part) / len(part)),
                    "observed": _r(sum(1 for i in part if y[i]) / len(part))})
    return out


def at_cutoff(y: Sequence[bool], p: Sequence[Decimal], amounts: Sequence[int],
              cutoff: Decimal = MAX_PD) -> dict[str, Any]:
    """Approved: PD below the cut-off. Expected loss = sum of PD x LGD x amount over them (minor units)."""
    approved = [i for i in range(len(p)) if p[i] < cutoff]
    el = sum((p[i] * LGD * amounts[i] for i in approved), Decimal(0))
    return {
        "cutoff_pd": str(cutoff),
        "approved": len(approved),
        "approval_rate": _r(len(approved) / len(p)) if p else 0.0,
        "approved_amount_minor": sum(amounts[i] for i in approved),
        "expected_loss_minor": int(el.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        "observed_bad_rate_approved": _r(sum(1 for i in approved if y[i]) / len(approved)) if approved else 0.0,
    }


def measure(y: Sequence[bool], p: Sequence[Decimal], amounts: Sequence[int]) -> dict[str, Any]:
    return {"auc": _r(auc(y, p)), "ks": _r(ks(y, p)), "calibration": calibration(y, p),
            "at_cutoff": at_cutoff(y, p, amounts)}
