"""Read side of an investor's portfolio: figures, breakdowns and the notes list (selectors only)."""

from peerlend.investing.portfolio.filters import NoteFilter, csv_rows
from peerlend.investing.portfolio.holdings import STATUS_LABELS, Holding, holdings_of
from peerlend.investing.portfolio.summary import Group, Portfolio, portfolio_from, portfolio_of

__all__ = [
    "STATUS_LABELS",
    "Group",
    "Holding",
    "NoteFilter",
    "Portfolio",
    "csv_rows",
    "holdings_of",
    "portfolio_from",
    "portfolio_of",
]
