"""What the engine needs from a cloud, and the clouds that provide it."""
