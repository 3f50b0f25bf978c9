"""Use cases of the lending context that change state; each is atomic."""
