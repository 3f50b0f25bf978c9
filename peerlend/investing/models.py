"""Models of the investing context."""
