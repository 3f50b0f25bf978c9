"""Read queries of the lending context."""
