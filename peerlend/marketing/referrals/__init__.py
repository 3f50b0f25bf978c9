"""Referrals (issue 15 part 4): codes and links, sign-ups, rewards with anti-abuse rules."""
