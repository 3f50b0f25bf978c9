"""Vintage and performance statistics by issue month and grade (what Lending Club and Zopa publish)."""
