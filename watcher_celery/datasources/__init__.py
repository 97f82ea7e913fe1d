"""Metrics for strategies: the datasource interface, a simulated backend and Prometheus."""
