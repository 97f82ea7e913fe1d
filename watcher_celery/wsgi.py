"""WSGI entry point for gunicorn: ``gunicorn watcher_celery.wsgi:application``."""

from watcher_celery.api import create_app

application = create_app()
