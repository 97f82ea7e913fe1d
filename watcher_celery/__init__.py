"""watcher-celery: audits a cloud against a goal and applies the recommended action plan."""

__version__ = "0.1.0"
