"""Members, tiers and points (issue 15 parts 1, 2 and 8): rules, use cases and read queries."""
