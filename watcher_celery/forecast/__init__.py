"""What an action plan will do before it runs: the cluster after it (``whatif``), what each
action moves and how long it should take (``estimates``), and when the plan should end
(``schedule``). Pure functions over plain values; the dashboard feeds them."""

from watcher_celery.forecast.estimates import Estimate, estimate
from watcher_celery.forecast.schedule import Schedule, schedule
from watcher_celery.forecast.whatif import HostLoad, InstanceSize, predict

__all__ = [
    "Estimate",
    "HostLoad",
    "InstanceSize",
    "Schedule",
    "estimate",
    "predict",
    "schedule",
]
