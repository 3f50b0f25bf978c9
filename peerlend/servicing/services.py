"""Use cases of the servicing context that change state; each is atomic."""
