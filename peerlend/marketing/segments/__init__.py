"""Member segments for campaigns: RFM scores from the ledger-backed records, behaviour, agents' tags."""
