"""Retraining the credit model on the platform's own book (issue 17, part 4).

``book`` gathers matured loans and their outcomes (through a provider servicing registers: scoring
sits below lending and servicing), ``metrics`` measures a model on held-out rows, ``challenger``
fits a challenger with the shipped configuration and writes the champion/challenger report, and
``decisions`` lets a risk officer approve (the model goes live) or reject a candidate. ``live``
gives intake the model that is live now. See docs/retraining.md.
"""
