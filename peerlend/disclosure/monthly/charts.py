"""Disclosure charts as SVG (matplotlib's SVG backend on a ``Figure`` of its own, never pyplot).

Same approach as ``peerlend.investing.charts`` (which disclosure may not import: one layer):
text stays text, CJK font when installed, floats only place marks; amounts in major units.
"""

from __future__ import annotations

import io
import re
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from peerlend.disclosure.models_monthly import MonthlySnapshot
from peerlend.disclosure.monthly.selectors import rates
from peerlend.disclosure.vintage.stats import VintageRow

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei")
_LOCK = threading.Lock()


def _fonts() -> list[str]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in CJK_FONTS if n in installed] + ["DejaVu Sans"]


_STRIP = re.compile(r"<metadata>.*?</metadata>|<style[^>]*>.*?</style>", re.DOTALL)


def _render(title: str, draw: Callable[[Any], None]) -> str:
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with _LOCK, rc_context({"svg.fonttype": "none", "svg.hashsalt": "peerlend-disclosure",
                            "font.family": "sans-serif", "font.sans-serif": _fonts(), "font.size": 8,
                            "axes.unicode_minus": False}):
        fig = Figure(figsize=(6.4, 3.2), layout="constrained")
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        ax.set_title(title)
        draw(ax)
        out = io.StringIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    text = out.getvalue()
    text = text[text.index("<svg"):]  # inline in the page: no XML prolog
    # Inline in the page, the metadata block would read as page text and the <style> element is an inline
    # style the CSP refuses: both go (the drawing does not need them). Style attributes are refused too: each
    # declaration becomes the SVG presentation attribute of the same name, which the CSP allows.
    text = _STYLE_ATTR.sub(_presentation, _STRIP.sub("", text))
    # The drawing scales to its container (a phone's width), keeping its proportions (viewBox).
    return _ROOT_SIZE.sub(lambda m: m.group(1) + 'width="100%" ', text, count=1)


_STYLE_ATTR = re.compile(r'style="([^"]*)"')
_ROOT_SIZE = re.compile(r'(<svg\b[^>]*?)width="[^"]*"\s+height="[^"]*"\s*')


def _presentation(match: re.Match[str]) -> str:
    """``style="fill: #fff; stroke-width: 0.8"`` as ``fill="#fff" stroke-width="0.8"``."""
    attrs = []
    for declaration in match.group(1).split(";"):
        name, _sep, value = declaration.partition(":")
        if name.strip() and value.strip():
            attrs.append(f'{name.strip()}="{value.strip()}"')
    return " ".join(attrs)


def _ticks(ax: Any, labels: Sequence[str]) -> None:
    step = max(1, (len(labels) + 11) // 12)
    idx = list(range(0, len(labels), step))
    ax.set_xticks(idx, [labels[k] for k in idx], rotation=45, ha="right", fontsize=7)


def _empty(ax: Any) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, _("No data yet"), ha="center", va="center", transform=ax.transAxes, color="#6c757d")


def volume_chart(snaps: Sequence[MonthlySnapshot]) -> str:
    """Amount lent since inception and amount outstanding at each month-end (CNY)."""
    ordered = sorted(snaps, key=lambda s: s.month)

    def draw(ax: Any) -> None:
        if not ordered:
            return _empty(ax)
        x = range(len(ordered))
        ax.plot(x, [s.figures["lent_cumulative_minor"] / 100 for s in ordered], label=_("Lent since inception"))
        ax.plot(x, [s.figures["outstanding_minor"] / 100 for s in ordered], label=_("Outstanding"))
        _ticks(ax, [s.month.strftime("%Y-%m") for s in ordered])
        ax.legend(fontsize=7)

    return _render(_("Volumes (CNY)"), draw)


def overdue_chart(snaps: Sequence[MonthlySnapshot]) -> str:
    """Project and amount overdue rates at each month-end (%)."""
    ordered = sorted(snaps, key=lambda s: s.month)

    def draw(ax: Any) -> None:
        if not ordered:
            return _empty(ax)
        x = range(len(ordered))
        r = [rates(s.figures) for s in ordered]
        ax.plot(x, [float(v["project_overdue_rate"]) * 100 for v in r], marker="o", label=_("Project overdue rate"))
        ax.plot(x, [float(v["amount_overdue_rate"]) * 100 for v in r], marker="s", label=_("Amount overdue rate"))
        _ticks(ax, [s.month.strftime("%Y-%m") for s in ordered])
        ax.legend(fontsize=7)

    return _render(_("Overdue rates (%)"), draw)


def vintage_chart(rows: Sequence[VintageRow]) -> str:
    """By issue month: share of loans charged off and cumulative net loss share (%)."""
    by_month: dict[Any, list[int]] = {}
    for r in rows:
        agg = by_month.setdefault(r.month, [0, 0, 0, 0])
        agg[0] += r.loans
        agg[1] += r.counts["charged_off"]
        agg[2] += r.amount_minor
        agg[3] += r.net_loss_minor
    months = sorted(by_month)

    def draw(ax: Any) -> None:
        if not months:
            return _empty(ax)
        x = range(len(months))
        ax.plot(x, [by_month[m][1] * 100 / by_month[m][0] for m in months], marker="o", label=_("Charged off (loans)"))
        ax.plot(x, [by_month[m][3] * 100 / by_month[m][2] if by_month[m][2] else 0 for m in months], marker="s",
                label=_("Cumulative net loss (amount)"))
        _ticks(ax, [m.strftime("%Y-%m") for m in months])
        ax.legend(fontsize=7)

    return _render(_("Vintages by issue month (%)"), draw)
