"""Where every process of a host writes its samples: ``PROMETHEUS_MULTIPROC_DIR``.

gunicorn's API workers and Celery's worker children are separate processes; prometheus-client's
multiprocess mode has each write its own files in one directory, and ``/metrics`` sums them. The
directory must be known before prometheus-client is imported, so :func:`prepare` runs first
(``metrics/__init__.py``): without the variable it is ``<WATCHER_STATE_DIR>/metrics``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from watcher_celery.config import get_settings

ENV = "PROMETHEUS_MULTIPROC_DIR"
# prometheus-client's file names: counter_123.db, histogram_123.db, gauge_livesum_123.db ...
FILE_PID = re.compile(r"_(\d+)\.db$")


def prepare() -> Path:
    """The directory (created), set in the environment for this process and its children."""
    if not os.environ.get(ENV):
        os.environ[ENV] = str(get_settings().state_dir / "metrics")
    path = Path(os.environ[ENV])
    path.mkdir(parents=True, exist_ok=True)
    return path


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_pids(path: Path) -> set[int]:
    """Processes that left files behind and are gone."""
    pids = set()
    for file in path.glob("*.db"):
        found = FILE_PID.search(file.name)
        if found and not alive(int(found.group(1))):
            pids.add(int(found.group(1)))
    return pids
