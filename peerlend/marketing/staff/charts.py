"""The completion chart as SVG: actual vs target of one metric per row of a report.

Rendered on the server with matplotlib's SVG backend on a ``Figure`` of its own (never pyplot),
text kept as text, like the portfolio charts (``investing.charts``, which this context may not import).
Money is plotted in major units: the floats only place marks; figures written as text come from minor units.
"""

from __future__ import annotations

import io
import threading
import warnings
from typing import Any

from django.utils.translation import gettext as _

from peerlend.marketing.staff.labels import METRIC_LABELS, is_amount
from peerlend.marketing.staff.report import Report

MAX_ROWS = 20
_LOCK = threading.Lock()  # matplotlib's rc parameters are one global dict


def _render(draw: Any) -> bytes:
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with _LOCK, rc_context({"svg.fonttype": "none", "svg.hashsalt": "peerlend-staff", "font.size": 8,
                            "font.family": "sans-serif", "axes.unicode_minus": False}):
        fig = Figure(figsize=(6.4, 3.6), layout="constrained")
        FigureCanvasSVG(fig)
        draw(fig)
        out = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "glyph missing" without a CJK font
            fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def completion_chart(report: Report, metric: str) -> bytes:
    """Grouped bars: actual and target of ``metric`` for the first rows of ``report``."""
    title = str(METRIC_LABELS[metric])
    rows = report.rows[:MAX_ROWS]
    scale = 100 if is_amount(metric) else 1

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        ax.set_title(title)
        if not rows:
            ax.set_axis_off()
            ax.text(0.5, 0.5, _("No data yet"), ha="center", va="center", fontsize=12, color="#6c757d",
                    transform=ax.transAxes)
            return
        x = list(range(len(rows)))
        actual = [r.cells[metric].actual / scale for r in rows]
        target = [r.cells[metric].target / scale for r in rows]
        ax.bar([i - 0.2 for i in x], actual, width=0.4, color="#0d6efd", label=_("Actual"))
        ax.bar([i + 0.2 for i in x], target, width=0.4, color="#adb5bd", label=_("Target"))
        ax.set_xticks(x, [r.label[:16] for r in rows], rotation=45, ha="right", fontsize=7)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="y", color="#dee2e6", linewidth=0.6)
        ax.set_axisbelow(True)
        fig.legend(fontsize=7, ncols=2, loc="outside lower center", frameon=False)

    return _render(draw)
