"""Read queries of the accounts context."""
