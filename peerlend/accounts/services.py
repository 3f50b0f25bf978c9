"""Use cases of the accounts context that change state; each is atomic."""
