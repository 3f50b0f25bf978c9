"""Read queries of the investing context."""
