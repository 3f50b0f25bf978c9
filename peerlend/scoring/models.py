"""Models of the scoring context."""
