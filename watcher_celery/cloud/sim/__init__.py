"""The simulated cloud's parts: its SQLite store, seeded generation, metrics and JSON format."""
