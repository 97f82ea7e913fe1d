"""The solver consolidation engine: problem, warm start, neighbourhood search, proven bound."""
