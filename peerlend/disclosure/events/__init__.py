"""Major-risk-event notices (issue 16, part 3): drafted and published by operators, kept for good."""
