"""Per-loan disclosure (issue 16, part 4): masked borrower basics, credit summary and dated facts."""
