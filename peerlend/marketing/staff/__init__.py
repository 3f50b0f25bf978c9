"""Staff performance (issue 15 part 7): targets, completion reports, commissions, agents' own pages."""
