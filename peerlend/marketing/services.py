"""Use cases of the marketing context that change state; each is atomic."""
