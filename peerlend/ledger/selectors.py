"""Read queries of the ledger context."""
