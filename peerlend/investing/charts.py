"""The portfolio charts as SVG: monthly cash flow, cumulative returns, status mix, allocation by grade.

Rendered on the server with matplotlib's SVG backend on a ``Figure`` of its own (never pyplot, whose
global figure registry is not safe in a web process), nothing fetched from the network. Text stays
text (``svg.fonttype = "none"``): the files stay small, the browser draws the glyphs, and Chinese labels
need no embedded font. The labels are measured with a CJK font when the machine has one (CI installs
fonts-noto-cjk), otherwise with DejaVu Sans (layout a little off, the text still right).

Money is plotted in major units (CNY): the floats here only place marks on the drawing; every figure
written as text is formatted from the integer minor units.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from peerlend.domain.money import format_minor
from peerlend.investing.cash_flows import CashFlows
from peerlend.investing.chart_data import Slice

# First installed one wins; the browser gets the same family name (text is not turned into paths).
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei", "Noto Serif CJK SC")
FALLBACK_FONT = "DejaVu Sans"
SIZE = (6.4, 3.6)  # inches; the page scales the image to its column (width 100 %)
COLORS = {
    "principal": "#0d6efd", "interest": "#198754", "recoveries": "#20c997", "fees": "#fd7e14",
    "losses": "#dc3545", "invested": "#6c757d", "income": "#198754", "bar": "#0d6efd",
}
# matplotlib reads its rc parameters from one global dict: rendering is serialised.
_LOCK = threading.Lock()


def status_labels() -> dict[str, str]:
    """Labels of the status buckets (``chart_data.BUCKETS``) in the active language."""
    return {
        "current": _("Current"),
        "grace": _("In grace period (1–15 days)"),
        "late_16_30": _("Late (16–30 days)"),
        "late_31_120": _("Late (31–120 days)"),
        "late_121": _("Late (over 120 days)"),
        "paid": _("Fully paid"),
        "charged_off": _("Charged off"),
    }


@lru_cache(maxsize=1)
def font_family() -> tuple[str, ...]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = [name for name in CJK_FONTS if name in installed]
    return (*found[:1], FALLBACK_FONT)


def _major(minor: int) -> float:
    return minor / 100


def _yuan_axis(ax: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    def label(value: float, _pos: int) -> str:
        # Whole yuan unless the axis spans only a few yuan, where whole yuan would repeat labels.
        low, high = ax.get_ylim()
        places = 0 if abs(high - low) >= 20 else 2
        return number_format(round(value, places), decimal_pos=places, use_l10n=True, force_grouping=True)

    ax.yaxis.set_major_formatter(FuncFormatter(label))
    ax.grid(axis="y", color="#dee2e6", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _month_ticks(ax: Any, months: Sequence[date]) -> None:
    step = max(1, (len(months) + 11) // 12)  # at most about 12 labels
    ticks = list(range(0, len(months), step))
    ax.set_xticks(ticks, [months[k].strftime("%Y-%m") for k in ticks], rotation=45, ha="right", fontsize=7)


def _render(draw: Callable[[Any], None]) -> bytes:
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with _LOCK, rc_context({"svg.fonttype": "none", "svg.hashsalt": "peerlend-chart", "font.family": "sans-serif",
                            "font.sans-serif": list(font_family()), "axes.unicode_minus": False,
                            "font.size": 8}):
        fig = Figure(figsize=SIZE, layout="constrained")
        FigureCanvasSVG(fig)
        draw(fig)
        out = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "glyph missing" when no CJK font is installed
            fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def _no_data(title: str) -> bytes:
    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_title(title)
        ax.text(0.5, 0.5, _("No data yet"), ha="center", va="center", fontsize=12, color="#6c757d",
                transform=ax.transAxes)

    return _render(draw)


def cash_flow_chart(flows: CashFlows) -> bytes:
    """Stacked bars per month: principal, interest and recoveries up; fees and write-offs down."""
    title = _("Monthly cash flow (CNY)")
    if flows.empty or not any((m.principal_minor, m.interest_minor, m.fees_minor, m.losses_minor,
                               m.recoveries_minor) != (0, 0, 0, 0, 0) for m in flows.months):
        return _no_data(title)
    months = [m.month for m in flows.months]
    x = list(range(len(months)))
    up = [("principal", _("Principal"), [m.principal_minor for m in flows.months]),
          ("interest", _("Interest"), [m.interest_minor for m in flows.months]),
          ("recoveries", _("Recoveries"), [m.recoveries_minor for m in flows.months])]
    down = [("fees", _("Service fees"), [m.fees_minor for m in flows.months]),
            ("losses", _("Charged off"), [m.losses_minor for m in flows.months])]

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        for series, sign in ((up, 1), (down, -1)):
            base = [0.0] * len(x)
            for key, label, values in series:
                if not any(values):
                    continue
                heights = [sign * _major(v) for v in values]
                ax.bar(x, heights, bottom=base, color=COLORS[key], label=label, width=0.8)
                base = [b + h for b, h in zip(base, heights, strict=True)]
        ax.axhline(0, color="#495057", linewidth=0.8)
        _yuan_axis(ax)
        _month_ticks(ax, months)
        ax.set_title(title)
        fig.legend(fontsize=7, ncols=5, loc="outside lower center", frameon=False)

    return _render(draw)


def returns_chart(flows: CashFlows) -> bytes:
    """Cumulative net income (left axis) and cumulative amount invested (right axis) per month."""
    title = _("Cumulative returns (CNY)")
    if flows.empty:
        return _no_data(title)
    points = flows.cumulative()
    months = [p.month for p in points]
    x = list(range(len(points)))

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        income = ax.plot(x, [_major(p.net_income_minor) for p in points], color=COLORS["income"], marker="o",
                         markersize=3, label=_("Net income (interest + recoveries − fees − charged off)"))
        ax.axhline(0, color="#495057", linewidth=0.6)
        _yuan_axis(ax)
        ax.set_ylabel(_("Net income"), color=COLORS["income"])
        right = ax.twinx()
        invested = right.plot(x, [_major(p.invested_minor) for p in points], color=COLORS["invested"],
                              linestyle="--", label=_("Invested to date"))
        right.yaxis.set_major_formatter(ax.yaxis.get_major_formatter())
        right.set_ylabel(_("Invested to date"), color=COLORS["invested"])
        right.set_ylim(bottom=0)
        right.spines["top"].set_visible(False)
        _month_ticks(ax, months)
        ax.set_title(title)
        lines = income + invested
        fig.legend(lines, [str(line.get_label()) for line in lines], fontsize=7, ncols=2, loc="outside lower center",
                   frameon=False)

    return _render(draw)


def status_mix_chart(slices: Sequence[Slice]) -> bytes:
    """Horizontal bars: number of notes per status bucket, each labelled with its count."""
    title = _("Notes by status")
    if not slices:
        return _no_data(title)
    labels = status_labels()
    rows = list(reversed(slices))  # the first bucket on top

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        bars = ax.barh([labels[s.key] for s in rows], [s.notes for s in rows], color=COLORS["bar"])
        ax.bar_label(bars, labels=[str(s.notes) for s in rows], padding=3, fontsize=7)
        ax.set_xlabel(_("Number of notes"))
        ax.xaxis.get_major_locator().set_params(integer=True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_title(title)

    return _render(draw)


def grade_chart(by_grade: Sequence[tuple[str, int]]) -> bytes:
    """Bars: principal outstanding per grade, each labelled with its amount."""
    title = _("Principal outstanding by grade (CNY)")
    if not by_grade:
        return _no_data(title)

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        names = [_("Grade %(grade)s") % {"grade": g} for g, _amount in by_grade]
        bars = ax.bar(names, [_major(a) for _g, a in by_grade], color=COLORS["bar"])
        ax.bar_label(bars, labels=[format_minor(a) for _g, a in by_grade], padding=2, fontsize=7)
        _yuan_axis(ax)
        ax.set_title(title)

    return _render(draw)
