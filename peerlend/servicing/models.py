"""Models of the servicing context."""
