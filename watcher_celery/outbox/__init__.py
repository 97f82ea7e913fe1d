"""The dispatch outbox: work accepted in a database transaction, delivered to the broker later.

``store`` writes and claims rows (database only); ``relay`` sends claimed rows to the broker
and marks them sent, in a background thread kicked after each commit that wrote a row and
polled from celery beat. Delivery is at least once; the receiving tasks are idempotent (their
conditional state changes make a second delivery a no-op), so every accepted piece of work runs
exactly once in effect.
"""

from watcher_celery.outbox.store import enqueue, unsent_count

__all__ = ["enqueue", "unsent_count"]
