"""Auto-invest: investors' rules (``services``), the round that applies them to a listing (``engine``),
criteria and input checks (``rules``), and what an investor sees of it (``selectors``)."""
