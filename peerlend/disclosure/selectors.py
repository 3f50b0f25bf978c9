"""Read queries of the disclosure context."""
