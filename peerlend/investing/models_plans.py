"""Models of lock-in wealth plans: the plan an operator defines and the investors' subscriptions."""

from __future__ import annotations
