"""The operator's dashboard: a page served at ``/dashboard`` (static HTML, CSS and JS in this
package, nothing fetched from elsewhere) and the JSON and event-stream endpoints it reads,
behind the API's authentication (docs/dashboard.md)."""

from watcher_celery.api.dashboard.routes import blp

__all__ = ["blp"]
