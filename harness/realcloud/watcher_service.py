"""The Watcher API behind a real Keystone: its service user, its catalog entry, its operators.

The API runs with ``WATCHER_AUTH=keystone``: keystonemiddleware validates every token with the
tier's Keystone, and at start-up the API registers itself in the catalog as ``infra-optim``,
so a client needs nothing but a ``clouds.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.processes import Service, free_port, start_api
from harness.realcloud.keystone import Account, Keystone


@dataclass
class WatcherCloud:
    """A keystone-protected API and the accounts and clouds.yaml that reach it."""

    service: Service
    base: str
    accounts: dict[str, Account]
    clouds_yaml: Path


def start_watcher_behind_keystone(
    keystone: Keystone, service_env: dict[str, str], log_dir: Path, work_dir: Path, tag: str
) -> WatcherCloud:
    """Create Watcher's service user and an operator per role, then start the API."""
    # The service user needs ``service`` for keystonemiddleware and ``admin`` to register the
    # catalog entry (Keystone's default policy).
    service_user = keystone.create_user(f"watcher-{tag}", "service", roles=["service", "admin"])
    accounts = {
        "admin": keystone.create_user(f"ops-{tag}", f"ops-{tag}", roles=["admin"]),
        "reader": keystone.create_user(f"look-{tag}", f"ops-{tag}", roles=["reader"]),
        "member": keystone.create_user(f"member-{tag}", f"ops-{tag}", roles=["member"]),
        "stranger": keystone.create_user(f"stranger-{tag}", f"ops-{tag}", roles=["observer"]),
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **service_env,
        "WATCHER_AUTH": "keystone",
        "WATCHER_KEYSTONE_AUTH_URL": keystone.url,
        "WATCHER_KEYSTONE_USERNAME": service_user.username,
        "WATCHER_KEYSTONE_PASSWORD": service_user.password,
        "WATCHER_KEYSTONE_PROJECT_NAME": "service",
        "WATCHER_PUBLIC_ENDPOINT": base,
    }
    service, base = start_api(env, log_dir, port=port)
    clouds = keystone.write_clouds_yaml(work_dir / f"clouds-{tag}.yaml", accounts)
    return WatcherCloud(service, base, accounts, clouds)
