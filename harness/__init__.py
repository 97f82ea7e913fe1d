"""What the tests and the benchmarks both start and fill: scratch databases, the project's own
processes, rows of plans and actions, and the real-OpenStack tier (``harness.realcloud``).

Not a test package: importing it changes nothing in the environment (``tests/conftest.py``
fixes the test run's environment; a benchmark sets its own).
"""
