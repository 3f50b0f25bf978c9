"""Use cases of the disclosure context that change state; each is atomic."""
