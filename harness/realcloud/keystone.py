"""A real Keystone 30 for tests: started, bootstrapped and filled with accounts over its API.

Usage (any test module; the ``keystone`` fixture in ``tests/realcloud/conftest.py`` wraps it
for the session)::

    from harness.realcloud.keystone import running_keystone
    from harness.realcloud.mariadb import MariaDB

    db = MariaDB("wcrc_" + run_id)                    # own user and databases on MariaDB
    with running_keystone(db, work_dir) as keystone:  # installs .venv-openstack if needed
        keystone.url                                  # http://127.0.0.1:<port>/v3
        keystone.admin                                # Account of the bootstrapped admin
        watcher = keystone.create_user("watcher", project="service", roles=["admin"])
        reader = keystone.create_user("alice", project="demo", roles=["reader"])
        keystone.register_service("compute", "nova", "http://127.0.0.1:8774/v2.1")
        keystone.write_clouds_yaml(work_dir / "clouds.yaml", {"watcher": watcher})
        token = keystone.issue_token(reader)          # password login, project-scoped
        keystone.validate_token(token)["roles"]       # [{"name": "reader", ...}, ...]
    db.close()

What runs: ``keystone.wsgi.api:application`` from ``.venv-openstack`` (``make
openstack-venv``) under a threaded WSGI server on a free loopback port, with its own database
``<prefix>_keystone``, fernet token/receipt and credential keys in the work directory, bcrypt
cost 4 and the in-memory cache (a password login ~50–100 ms instead of ~350 ms). The database
after ``db_sync`` + ``bootstrap`` is cached in ``.venv-openstack/schema-cache/`` and restored by
later runs; the bootstrapped admin's password travels in the dump's first line.

Roles: bootstrap makes ``admin`` (implying ``manager``, ``member``, ``reader``) and ``service``;
``create_user`` creates any other role it is given. ``[resource] admin_project_name`` is
``admin``, so only tokens scoped to the admin project carry ``is_admin_project``. The identity
endpoint is registered (public, internal, admin) so clients discover Keystone from the catalog.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from harness.processes import free_port
from harness.realcloud.mariadb import MariaDB
from harness.realcloud.process import OpenStackProcess, answers, elapsed, run_command
from harness.realcloud.venv import OPENSTACK_VENV, ensure_openstack_venv, schema_cache_dir

REGION = "RegionOne"
INTERFACES = ("public", "internal", "admin")

_CONF = """\
[DEFAULT]
debug = false

[database]
connection = {db_url}

[token]
provider = fernet

[fernet_tokens]
key_repository = {keys}/fernet-tokens

[fernet_receipts]
key_repository = {keys}/fernet-receipts

[credential]
key_repository = {keys}/credential

[identity]
password_hash_rounds = 4

[cache]
enabled = true
backend = oslo_cache.dict

[resource]
admin_project_name = admin
admin_project_domain_name = Default
"""


@dataclass(frozen=True)
class Account:
    """A Keystone user with a password and the project it logs in to (Default domain)."""

    username: str
    password: str
    project: str
    user_id: str = ""
    project_id: str = ""


class KeystoneError(RuntimeError):
    """Raised when Keystone answers a test's request with an error status."""


class Keystone:
    """A running Keystone and an admin client for it (plain HTTP, the Identity v3 API)."""

    def __init__(self, process: OpenStackProcess, base_url: str, admin: Account) -> None:
        self.process = process
        self.base_url = base_url
        self.url = f"{base_url}/v3"
        self.admin = admin
        self.startup_seconds: dict[str, float] = {}
        self._admin_token: tuple[str, float] | None = None
        self._http = requests.Session()

    # -- tokens -------------------------------------------------------------------------

    def issue_token(self, account: Account) -> str:
        """Log ``account`` in with its password, scoped to its project; return the token."""
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": account.username,
                            "domain": {"id": "default"},
                            "password": account.password,
                        }
                    },
                },
                "scope": {"project": {"name": account.project, "domain": {"id": "default"}}},
            }
        }
        response = self._http.post(f"{self.url}/auth/tokens", json=body, timeout=30)
        _check(response)
        return response.headers["X-Subject-Token"]

    def admin_token(self) -> str:
        """The bootstrapped admin's token (re-issued after 30 minutes)."""
        if self._admin_token is None or time.monotonic() - self._admin_token[1] > 1800:
            self._admin_token = (self.issue_token(self.admin), time.monotonic())
        return self._admin_token[0]

    def _subject_token(self, method: str, token: str) -> requests.Response:
        response = self._http.request(
            method,
            f"{self.url}/auth/tokens",
            headers={"X-Auth-Token": self.admin_token(), "X-Subject-Token": token},
            timeout=30,
        )
        _check(response)
        return response

    def validate_token(self, token: str) -> dict:
        """Keystone's own check of ``token`` (``GET /v3/auth/tokens``): the token body."""
        return self._subject_token("GET", token).json()["token"]

    def revoke_token(self, token: str) -> None:
        self._subject_token("DELETE", token)

    # -- admin API ----------------------------------------------------------------------

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        """An Identity v3 call as the admin; the decoded body ({} for 204)."""
        response = self._http.request(
            method,
            f"{self.url}{path}",
            json=body,
            headers={"X-Auth-Token": self.admin_token()},
            timeout=30,
        )
        _check(response)
        return response.json() if response.content else {}

    def _find(self, collection: str, name: str) -> dict | None:
        found = self.request("GET", f"/{collection}?name={name}")[collection]
        return found[0] if found else None

    def ensure_role(self, name: str) -> str:
        """The id of role ``name``, created if missing."""
        role = self._find("roles", name)
        if role is None:
            role = self.request("POST", "/roles", {"role": {"name": name}})["role"]
        return role["id"]

    def ensure_project(self, name: str) -> str:
        """The id of project ``name`` in the Default domain, created if missing."""
        project = self._find("projects", name)
        if project is None:
            body = {"project": {"name": name, "domain_id": "default", "enabled": True}}
            project = self.request("POST", "/projects", body)["project"]
        return project["id"]

    def create_user(
        self,
        name: str,
        project: str,
        roles: Iterable[str] = ("member",),
        password: str | None = None,
    ) -> Account:
        """Create user ``name`` with ``roles`` on ``project`` (created if missing)."""
        password = password or secrets.token_urlsafe(12)
        project_id = self.ensure_project(project)
        body = {"user": {"name": name, "password": password, "domain_id": "default"}}
        user_id = self.request("POST", "/users", body)["user"]["id"]
        for role in roles:
            self.grant(user_id, project_id, role)
        return Account(name, password, project, user_id, project_id)

    def grant(self, user_id: str, project_id: str, role: str) -> None:
        role_id = self.ensure_role(role)
        self.request("PUT", f"/projects/{project_id}/users/{user_id}/roles/{role_id}")

    def register_service(
        self,
        service_type: str,
        name: str,
        url: str,
        interfaces: Iterable[str] = INTERFACES,
    ) -> str:
        """Add a catalog service with one endpoint per interface (all at ``url``); its id."""
        body = {"service": {"type": service_type, "name": name, "enabled": True}}
        service_id = self.request("POST", "/services", body)["service"]["id"]
        for interface in interfaces:
            endpoint = {
                "service_id": service_id,
                "interface": interface,
                "url": url,
                "region_id": REGION,
                "enabled": True,
            }
            self.request("POST", "/endpoints", {"endpoint": endpoint})
        return service_id

    # -- clients ------------------------------------------------------------------------

    def _password_auth(self, account: Account) -> dict[str, str]:
        return {
            "auth_url": self.url,
            "username": account.username,
            "password": account.password,
            "project_name": account.project,
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        }

    def cloud_entry(self, account: Account, interface: str = "public") -> dict:
        """A ``clouds.yaml`` entry that logs ``account`` in with its password."""
        return {
            "auth": self._password_auth(account),
            "region_name": REGION,
            "interface": interface,
            "identity_api_version": 3,
        }

    def password_auth_options(self, account: Account) -> dict[str, str]:
        """keystoneauth options of an OpenStack service's section (``[placement]``, ...)."""
        return {
            "auth_type": "password",
            **self._password_auth(account),
            "region_name": REGION,
            "valid_interfaces": "public",
        }

    def authtoken_options(self, account: Account) -> dict[str, str]:
        """A ``[keystone_authtoken]`` section validating tokens as service user ``account``."""
        options = self.password_auth_options(account)
        del options["valid_interfaces"]
        return {**options, "www_authenticate_uri": self.url, "interface": "public"}

    def write_clouds_yaml(self, path: Path, clouds: dict[str, Account]) -> Path:
        """Write a ``clouds.yaml`` with one password-auth entry per name."""
        entries = {name: self.cloud_entry(account) for name, account in clouds.items()}
        path.write_text(yaml.safe_dump({"clouds": entries}, sort_keys=False))
        path.chmod(0o600)
        return path

    def stop(self) -> None:
        self.process.stop()
        self._http.close()


def _check(response: requests.Response) -> None:
    if response.status_code >= 400:
        raise KeystoneError(
            f"Keystone {response.request.method} {response.url}: "
            f"{response.status_code} {response.text[:500]}"
        )


def _write_fernet_keys(directory: Path) -> None:
    """A key repository as ``keystone-manage fernet_setup`` leaves it: keys 0 and 1, 0600.

    Written here instead of by three ``keystone-manage`` runs (~3 s of imports each).
    """
    directory.mkdir(mode=0o700, parents=True)
    for index in (0, 1):
        key = directory / str(index)
        key.write_bytes(base64.urlsafe_b64encode(os.urandom(32)))
        key.chmod(0o600)


def _cache_key() -> str:
    """Cached schemas are valid for one pinned package set and one way of building them."""
    digest = hashlib.sha256((Path(__file__).parent / "requirements.txt").read_bytes())
    digest.update(b"keystone-bootstrap-v1")
    return digest.hexdigest()[:16]


def _manage(bin_dir: Path, conf: Path, log_dir: Path, *args: str) -> None:
    argv = [str(bin_dir / "keystone-manage"), "--config-file", str(conf), *args]
    run_command(f"keystone-manage-{args[0]}", argv, log_dir)


def start_keystone(db: MariaDB, work_dir: Path) -> Keystone:
    """Install (if needed), configure and start Keystone; return it serving and bootstrapped."""
    started = time.monotonic()
    bin_dir = ensure_openstack_venv()
    installed = elapsed(started)

    home = work_dir / "keystone"
    home.mkdir(parents=True)
    log_dir = work_dir / "logs"
    log_dir.mkdir(exist_ok=True)
    keys = home / "keys"
    for repository in ("fernet-tokens", "fernet-receipts", "credential"):
        _write_fernet_keys(keys / repository)
    conf = home / "keystone.conf"
    conf.write_text(_CONF.format(db_url=db.url("keystone"), keys=keys))

    cache = schema_cache_dir() / f"keystone-{_cache_key()}"
    cached = cache.with_name(f"{cache.name}-keystone.sql").exists()

    def build() -> str:
        password = secrets.token_urlsafe(16)
        _manage(bin_dir, conf, log_dir, "db_sync")
        _manage(
            bin_dir, conf, log_dir, "bootstrap",
            "--bootstrap-password", password,
            "--bootstrap-project-name", "admin",
            "--bootstrap-role-name", "admin",
            "--bootstrap-region-id", REGION,
        )  # fmt: skip
        return json.dumps({"admin_password": password})

    # Keystone reads its database only when serving, so its (slow) imports overlap the schema.
    port = free_port()
    env = {**os.environ, "OS_KEYSTONE_CONFIG_DIR": str(home)}
    process = OpenStackProcess.wsgi(
        "keystone", bin_dir, "keystone.wsgi.api:application", port, env, log_dir
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        schema_started = time.monotonic()
        header = db.create_from_cache(["keystone"], cache, build)
        schema = elapsed(schema_started)
    except BaseException:
        process.stop()
        raise
    password = json.loads(header)["admin_password"]
    keystone = Keystone(process, base_url, Account("admin", password, "admin"))
    try:
        serve_started = time.monotonic()
        process.wait_until(lambda: answers(f"{base_url}/v3"), 120, "answer on /v3")
        keystone.register_service("identity", "keystone", keystone.url)
    except BaseException:
        keystone.stop()
        raise
    keystone.startup_seconds = {
        "install_check": installed,
        "schema": schema,
        "schema_from_cache": float(cached),
        "serve": elapsed(serve_started),
        "total": elapsed(started),
    }
    return keystone


@contextlib.contextmanager
def running_keystone(db: MariaDB, work_dir: Path) -> Iterator[Keystone]:
    """``start_keystone`` as a context manager: the process is stopped by its PID on exit."""
    keystone = start_keystone(db, work_dir)
    try:
        yield keystone
    finally:
        keystone.stop()


__all__ = ["OPENSTACK_VENV", "Account", "Keystone", "KeystoneError", "running_keystone"]
