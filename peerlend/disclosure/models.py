"""Models of the disclosure context."""
