"""Use cases of the ledger context that change state; each is atomic."""
