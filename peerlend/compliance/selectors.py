"""Read queries of the compliance context."""
