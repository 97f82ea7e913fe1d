"""Housekeeping: periodic work of no single role (the sweeper), run from celery beat."""

from watcher_celery.housekeeping.sweeper import Swept, sweep

__all__ = ["Swept", "sweep"]
