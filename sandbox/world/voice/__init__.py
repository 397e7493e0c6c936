"""The customer's voice in the world: reviews and surveys, each drawn from RNGs of its own over the journeys."""
