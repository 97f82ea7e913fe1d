"""The real-OpenStack tier: Keystone, Placement and Nova from PyPI, started by the tests."""
