"""Read queries of the marketing context."""
