"""Lock-in wealth plans (a U-plan): operators define them, investors join, plan money bids first on new listings.

``services`` (define, open, close, join, leave), ``bidding`` (the bid round and the head start),
``daily`` (the daily step: lock-in, reinvestment, exit, bids) and ``selectors`` (reads).
"""
