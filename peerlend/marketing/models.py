"""Models of the marketing context."""
