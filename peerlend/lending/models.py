"""Models of the lending context."""
