"""``peerlend train-model --from-platform``: a challenger from the platform's matured book (issue 17)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from peerlend.scoring.retraining.book import HORIZON_RANGE, MIN_BAD_RANGE


def _in_range(name: str, value: int, bounds: tuple[int, int]) -> int:
    lo, hi = bounds
    if not lo <= value <= hi:
        raise CommandError(f"--{name} must be between {lo} and {hi} (got {value})")
    return value


def train_from_platform_command(cmd: BaseCommand, opts: dict[str, Any]) -> None:
    from peerlend.clock import business_date
    from peerlend.scoring.retraining.challenger import NotEnoughData
    from peerlend.scoring.retraining.decisions import train_from_platform

    horizon = _in_range("horizon-months", opts["horizon_months"], HORIZON_RANGE)
    min_bad = _in_range("min-bad", opts["min_bad"], MIN_BAD_RANGE)
    if opts["as_of"]:
        try:
            as_of = dt.date.fromisoformat(opts["as_of"])
        except ValueError:
            raise CommandError(f"--as-of must be a date YYYY-MM-DD (got {opts['as_of']!r})") from None
    else:
        as_of = business_date()
    try:
        candidate, created = train_from_platform(as_of=as_of, horizon_months=horizon, min_bad=min_bad)
    except NotEnoughData as exc:
        raise CommandError(f"no challenger: {exc}") from None
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise CommandError(f"training needs the 'train' extra (pip install -e '.[train]'): {exc}") from None
    report = candidate.report
    c = report["counts"]
    cmd.stdout.write(f"{'stored' if created else 'already stored'} candidate {candidate.version} "
                     f"(id {candidate.pk}, {candidate.status}): {c['matured']} matured loans, {c['bad']} bad, "
                     f"{c['immature']} not yet matured; trained on {c['train']}, held out {c['holdout']} "
                     f"({c['holdout_bad']} bad)")
    for side in ("champion", "challenger"):
        m = report[side]
        cut = m["at_cutoff"]
        cmd.stdout.write(f"{side:10s} {m['version']:28s} AUC {m['auc']:.4f}  KS {m['ks']:.4f}  "
                         f"approval {cut['approval_rate']:.4f}  expected loss {cut['expected_loss_minor']} "
                         f"(minor units) at PD < {cut['cutoff_pd']}")
    cmd.stdout.write("a risk officer approves or rejects it on the Risk models page")
