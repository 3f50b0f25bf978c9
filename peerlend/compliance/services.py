"""Use cases of the compliance context that change state; each is atomic."""
