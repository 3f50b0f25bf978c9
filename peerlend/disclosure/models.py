"""Models of the disclosure context."""

from peerlend.disclosure.models_events import LoanFact, RiskEvent  # noqa: F401  (risk events, loan facts)
from peerlend.disclosure.models_monthly import *  # noqa: F403  (monthly data, related parties)
