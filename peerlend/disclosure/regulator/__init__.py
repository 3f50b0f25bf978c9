"""The regulator's read queries over loans, notes, repayments and the custody reconciliation (issue 16).

They join contexts below ``disclosure`` (lending, servicing, ledger, accounts), so they live here and
not in ``compliance`` (the shared base). Read-only: nothing in this package writes.
"""
