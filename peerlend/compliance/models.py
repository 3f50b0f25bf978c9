"""Models of the compliance context."""
