"""Built-in strategies. Each module is a pluggy plugin registered through the
``watcher_celery.strategies`` entry-point group, exactly as a third-party strategy would be."""
