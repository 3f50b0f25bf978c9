"""Where the shipped public data sets live (``data/`` in the repository; ``PEERLEND_DATA_DIR`` overrides)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def data_dir() -> Path:
    env = os.environ.get("PEERLEND_DATA_DIR")
    return Path(env) if env else REPO_DATA_DIR


def lending_club_csv() -> Path:
    return data_dir() / "lending_club_2016q1.csv"


def german_credit_csv() -> Path:
    return data_dir() / "german_credit.csv"
