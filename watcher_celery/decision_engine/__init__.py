"""Decision engine: turns an audit into an action plan (run_audit)."""
