"""Read queries of the servicing context."""
