"""Data filing: each month's loan-level records as signed JSON Lines (schema in docs/data-filing.md)."""
