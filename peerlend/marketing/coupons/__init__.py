"""Coupons (issue 15 part 3): templates, issuing, redemption online and offline, and the platform's payouts."""
