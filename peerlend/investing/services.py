"""Use cases of the investing context that change state; each is atomic."""
