"""Models of the ledger context."""
