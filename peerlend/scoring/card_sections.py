"""Model-card sections about what sits on top of the model: platform history and credit limits (issue 17).

Kept here (not in training/card.py's generated figures) because they describe fixed, documented rules;
``training.card.model_card`` includes them so a regenerated card keeps them.
"""

from __future__ import annotations

from peerlend.domain.credit_limit import (
    INCOME_MULTIPLES,
    LIMIT_STEP_MINOR,
    MAX_DEBT_SERVICE_BP,
    MAX_PD,
    PAYMENT_TO_PRINCIPAL,
)
from peerlend.domain.platform_history import MAX_POINTS, MIN_POINTS


def _pct(x: object) -> str:
    return f"{float(str(x)) * 100:g} %"


def platform_sections() -> list[str]:
    bands = "; ".join(f"PD below {_pct(upper)}: {multiple} ×" for upper, multiple in INCOME_MULTIPLES)
    return [
        "## Platform history adjustment (second stage)",
        "",
        "The model scores the application; a separate scorecard (`peerlend.domain.platform_history`) then adds "
        "points for the borrower's own record on this platform, gathered by servicing "
        "(`peerlend.servicing.credit_facts`) and applied in `peerlend.scoring.history` when an application is "
        "filed or re-scored. The points shift the log-odds (points ÷ points per log-odds), so PD, grade and price "
        "follow. A newcomer gets 0 points (the model's score unchanged); a clean repeat borrower grades better, a "
        "borrower with late history worse, and is told \"installments of your earlier loans on this platform were "
        "paid late\" as the first reason.",
        "",
        "| feature | points | cap |",
        "|---|---|---|",
        "| completed loans (fully paid or prepaid) | +8 each | +24 |",
        "| on-time installments (paid on or before the due date) | +1 per 2 | +16 |",
        "| prepaid loans | +2 each | +4 |",
        "| tenure (months since first disbursement) | +1 per 6 months | +6 |",
        "| late installments (paid after, or still open past, the due date) | −4 each | −40 |",
        "| worst days past due | 1–15: −5; 16–30: −15; 31–89: −30; 90+: −60 | one band |",
        "",
        f"The total is kept within {MIN_POINTS} … +{MAX_POINTS} points. The weights are expert-set (the "
        "platform has too few outcomes to fit them yet); fitting them on the simulator's and the platform's "
        "matured loans is the next step of the retraining work.",
        "",
        "## Credit limit (信用额度)",
        "",
        "A verified borrower's limit is the most they may have outstanding on the platform (principal owed plus "
        "applications in the pipeline). It is the smallest of: the regulatory borrowing cap (200,000.00 CNY a "
        "person, 1,000,000.00 CNY a company under cn-2016); 0 when the PD (with the history adjustment) is "
        f"{_pct(MAX_PD)} or more (grade E5); declared annual income × a PD band multiple ({bands}; twice that for "
        f"a company); and, for a person, (monthly income × {MAX_DEBT_SERVICE_BP / 100:g} % − declared monthly debt "
        f"payments) × {PAYMENT_TO_PRINCIPAL} (the principal a monthly payment repays over 36 months at about 12 %). "
        f"It is rounded down to {LIMIT_STEP_MINOR // 100} CNY. The borrower sees the limit, what is available and "
        "which bound applies on their loans page; an application over what is available is refused "
        "(`credit_limit`, 400) with the figures, and nothing is written. The limit is recomputed from current "
        "facts on every read (never stored), so it is reviewed after every repaid or late installment.",
        "",
        # Issue 17 part 4 (peerlend.scoring.retraining).
        "## Retraining on the platform's own book (champion / challenger)",
        "",
        "`peerlend train-model --from-platform [--horizon-months 12] [--min-bad 30] [--as-of DATE]` builds a "
        "training set from loans whose horizon (3–60 months after disbursement) ended by the as-of date: the "
        "application facts stored on the loan, outcome bad when an installment was still unpaid 90 days after "
        "its due date inside the horizon, or the loan was charged off inside it. With fewer bad loans than "
        "`--min-bad` (1–100,000) it refuses, naming the counts, and nothing is stored. The challenger is "
        "fitted with the shipped model's fixed configuration (rule set, C, knots) on the earlier 70 % of the "
        "loans by disbursement date; it and the live model (champion) are measured on the latest 30 %: AUC, "
        "KS, calibration by decile, and approval rate and expected loss (PD × LGD × amount) at the cut-off "
        "(PD below the credit limit's `MAX_PD`). The same book gives a byte-identical report. The candidate "
        "waits on the Risk models page (`/risk/models`) until a risk officer or an administrator approves it "
        "(it becomes the live model, the previous one is retired) or rejects it, with a reason and an audit "
        "event; intake scores with the live model and every loan records its `model_version`. Details and the "
        "seeded simulation run: docs/retraining.md.",
        "",
    ]
