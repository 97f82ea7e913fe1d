"""The tier's own OpenStack venv (``.venv-openstack``), built by ``make openstack-venv``.

Nova pins its own dependency set, so Keystone, Placement and Nova live in a venv of their own;
the suite's processes run under the project's ``.venv`` and talk to them over HTTP only.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from harness.processes import ROOT

OPENSTACK_VENV = ROOT / ".venv-openstack"


def ensure_openstack_venv() -> Path:
    """Build (or bring up to date) the OpenStack venv through the Makefile; return its bin dir."""
    subprocess.run(["make", "--no-print-directory", "openstack-venv"], cwd=ROOT, check=True)
    return OPENSTACK_VENV / "bin"


def schema_cache_dir() -> Path:
    """Where fresh schemas are cached between runs: inside the venv, so a rebuild forgets them."""
    path = OPENSTACK_VENV / "schema-cache"
    path.mkdir(exist_ok=True)
    return path
