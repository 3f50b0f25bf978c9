"""Member statements built from the ledger: figures (``build``), files (``render_*``), storage (``services``)."""
