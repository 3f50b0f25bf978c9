"""Read queries of the scoring context."""
