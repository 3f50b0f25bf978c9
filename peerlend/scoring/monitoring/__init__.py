"""Model monitoring (issue 17 part 5): PSI, calibration by grade, approval and override rates.

Computed on read from the applications the platform scored; nothing is stored. Scoring sits below
lending and servicing, so the rows come through the provider servicing registers (``source.py``).
"""
