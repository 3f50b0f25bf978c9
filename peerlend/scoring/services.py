"""Use cases of the scoring context that change state; each is atomic."""
