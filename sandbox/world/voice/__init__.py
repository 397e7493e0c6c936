"""The customer's voice in the world: survey answers and reviews, each from RNGs of its own (one module each)."""
