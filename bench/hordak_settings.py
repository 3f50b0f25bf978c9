"""Minimal Django settings for the django-hordak side of bench/ledger.py (hordak is a bench-only extra).

The main project never installs hordak; bench/ledger.py runs it in a subprocess with these settings.
"""

import os

import dj_database_url

SECRET_KEY = "bench-only"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "mptt",
    "djmoney",
    "hordak",
]
DATABASES = {"default": dj_database_url.parse(os.environ["BENCH_DATABASE_URL"])}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DEFAULT_CURRENCY = "CNY"
CURRENCIES = ["CNY"]
HORDAK_CURRENCIES = ["CNY"]
HORDAK_INTERNAL_CURRENCY = "CNY"
