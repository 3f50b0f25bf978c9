"""Campaigns (issue 15 part 5): define (operators, audited), run on their date, results."""
