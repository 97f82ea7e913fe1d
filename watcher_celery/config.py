"""Settings from environment variables, in one place.

Every default is embedded and local (SQLite files under ``WATCHER_STATE_DIR``, the SQLAlchemy
broker transport), so ``make run`` needs no external server; production sets the PostgreSQL and
Redis URLs.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path


def _state_dir() -> Path:
    return Path(os.environ.get("WATCHER_STATE_DIR", "var")).resolve()


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw is None or raw == "" else int(raw)


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    return default if raw == "" else raw in ("1", "true", "yes", "on")


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return default if raw is None or raw == "" else float(raw)


def deployment_id(database_url: str) -> str:
    """``WATCHER_DEPLOYMENT``, else a short digest of the database URL without its password:
    every process of one deployment shares its database, and two deployments never do, so
    their events never meet on a shared Redis (pub/sub ignores the database number)."""
    explicit = os.environ.get("WATCHER_DEPLOYMENT", "").strip()
    if explicit:
        return explicit
    public = re.sub(r"//([^:/@]*):[^@/]*@", r"//\1@", database_url)
    return hashlib.sha256(public.encode()).hexdigest()[:12]


AUTH_MODES = ("none", "tokens", "keystone")


def _auth_mode() -> str:
    """``WATCHER_AUTH``; without it, ``WATCHER_AUTH_ENABLED=true`` still means static tokens."""
    mode = os.environ.get("WATCHER_AUTH", "").strip().lower()
    if not mode:
        return "tokens" if _env_bool("WATCHER_AUTH_ENABLED", False) else "none"
    if mode not in AUTH_MODES:
        raise ValueError(f"WATCHER_AUTH must be one of {', '.join(AUTH_MODES)}, not {mode!r}")
    return mode


@dataclass(frozen=True)
class Settings:
    """A snapshot of the environment; read with :func:`get_settings`."""

    state_dir: Path = field(default_factory=_state_dir)
    database_url: str = ""
    broker_url: str = ""
    result_backend: str = ""
    task_queue: str = "watcher"
    api_host: str = "127.0.0.1"
    api_port: int = 9322
    api_max_limit: int = 1000
    host: str = field(default_factory=socket.gethostname)
    action_execution_rules: str = ""
    action_plan_expiry_hours: int = 24
    check_periodic_interval: int = 1800
    planners: str = ""
    continuous_audit_interval: int = 5
    applier_lease_seconds: int = 30
    rollback_when_plan_failed: bool = False
    events_channel: str = "watcher.events"
    deployment: str = ""
    events_retention_hours: int = 168
    action_timeout_seconds: float = 900.0
    action_poll_interval: float = 5.0
    # Cluster data (docs/cloud.md): which cloud, the simulated cloud's store and size.
    cloud: str = "simulated"
    sim_path: str = ""
    sim_seed: int = 42
    sim_hosts: int = 16
    sim_instances: int = 120
    sim_op_seconds: float = 2.0
    sim_import: str = ""
    os_cloud: str = ""
    # Datasources in order of preference; empty: "simulated" on the simulated cloud, else
    # "prometheus".
    datasources: str = ""
    prometheus_url: str = ""
    prometheus_fqdn_label: str = "fqdn"
    prometheus_instance_label: str = "resource"
    prometheus_hardware_metrics: str = ""
    prometheus_username: str = ""
    prometheus_password: str = ""
    prometheus_cafile: str = ""
    prometheus_certfile: str = ""
    prometheus_keyfile: str = ""
    prometheus_insecure: bool = False
    prometheus_timeout: float = 10.0
    prometheus_max_query_bytes: int = 900_000
    prometheus_select_all_above: int = 2_000
    service_down_time: int = 90
    heartbeat_interval: int = 60
    # "none", "tokens" (WATCHER_AUTH_TOKENS) or "keystone" (keystonemiddleware, docs/openstack.md)
    auth: str = "none"
    auth_tokens: str = ""
    webhooks_public: bool = False
    # Serve without authentication on a non-loopback address anyway (an explicit opt-out).
    api_allow_unauthenticated: bool = False
    # oslo.policy file overriding the built-in rules (upstream Watcher's rule names).
    policy_file: str = ""
    # Keystone (WATCHER_AUTH=keystone): the service user keystonemiddleware validates tokens
    # with, and the catalog entry registered at start-up (docs/openstack.md).
    keystone_auth_url: str = ""
    keystone_username: str = ""
    keystone_password: str = ""
    keystone_project_name: str = "service"
    keystone_user_domain_name: str = "Default"
    keystone_project_domain_name: str = "Default"
    keystone_region_name: str = "RegionOne"
    keystone_interface: str = "public"
    # URL clients reach the API at, registered in the catalog as service type infra-optim
    # (empty: no registration).
    public_endpoint: str = ""
    # X-Forwarded-* headers trusted from this many proxies in front of the API (0: none).
    api_proxies: int = 0
    # Largest request body the API reads, in bytes.
    api_max_body: int = 1_048_576
    # Seconds the API waits for a decision engine to answer (data model, strategy state).
    de_answer_timeout: float = 30.0
    # Dispatch without loss (docs/reliability.md).
    outbox_relay_interval: float = 1.0
    outbox_claim_seconds: int = 15
    sweep_interval: int = 15
    dispatch_lease_seconds: int = 60
    audit_lease_seconds: int = 3600
    broker_visibility_timeout: int = 120
    # Operators' view (docs/operations.md): JSON log lines; /metrics without authentication.
    log_json: bool = False
    metrics_public: bool = False
    flower_show_ticks: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        state = _state_dir()
        database_url = _env("WATCHER_DATABASE_URL", f"sqlite:///{state}/watcher.sqlite")
        return cls(
            state_dir=state,
            database_url=database_url,
            broker_url=_env("WATCHER_BROKER_URL", f"sqla+sqlite:///{state}/broker.sqlite"),
            result_backend=_env("WATCHER_RESULT_BACKEND", f"db+sqlite:///{state}/results.sqlite"),
            task_queue=_env("WATCHER_TASK_QUEUE", "watcher"),
            api_host=_env("WATCHER_API_HOST", "127.0.0.1"),
            api_port=_env_int("WATCHER_API_PORT", 9322),
            api_max_limit=_env_int("WATCHER_API_MAX_LIMIT", 1000),
            host=_env("WATCHER_HOST", socket.gethostname()),
            action_execution_rules=_env("WATCHER_ACTION_EXECUTION_RULES", ""),
            action_plan_expiry_hours=_env_int("WATCHER_ACTION_PLAN_EXPIRY", 24),
            check_periodic_interval=_env_int("WATCHER_CHECK_PERIODIC_INTERVAL", 1800),
            planners=_env("WATCHER_PLANNERS", ""),
            continuous_audit_interval=_env_int("WATCHER_CONTINUOUS_AUDIT_INTERVAL", 5),
            applier_lease_seconds=_env_int("WATCHER_APPLIER_LEASE", 30),
            rollback_when_plan_failed=_env_bool("WATCHER_ROLLBACK_WHEN_PLAN_FAILED", False),
            events_channel=_env("WATCHER_EVENTS_CHANNEL", "")
            or f"watcher.events.{deployment_id(database_url)}",
            deployment=deployment_id(database_url),
            events_retention_hours=_env_int("WATCHER_EVENTS_RETENTION_HOURS", 168),
            action_timeout_seconds=_env_float("WATCHER_ACTION_TIMEOUT", 900.0),
            action_poll_interval=_env_float("WATCHER_ACTION_POLL_INTERVAL", 5.0),
            cloud=_env("WATCHER_CLOUD", "simulated"),
            sim_path=_env("WATCHER_SIM_PATH", f"{state}/cloud.sqlite"),
            sim_seed=_env_int("WATCHER_SIM_SEED", 42),
            sim_hosts=_env_int("WATCHER_SIM_HOSTS", 16),
            sim_instances=_env_int("WATCHER_SIM_INSTANCES", 120),
            sim_op_seconds=_env_float("WATCHER_SIM_OP_SECONDS", 2.0),
            sim_import=_env("WATCHER_SIM_IMPORT", ""),
            os_cloud=_env("WATCHER_OS_CLOUD", os.environ.get("OS_CLOUD", "")),
            datasources=_env("WATCHER_DATASOURCES", ""),
            prometheus_url=_env("WATCHER_PROMETHEUS_URL", ""),
            prometheus_fqdn_label=_env("WATCHER_PROMETHEUS_FQDN_LABEL", "fqdn"),
            prometheus_instance_label=_env("WATCHER_PROMETHEUS_INSTANCE_LABEL", "resource"),
            prometheus_hardware_metrics=_env("WATCHER_PROMETHEUS_HARDWARE_METRICS", ""),
            prometheus_username=_env("WATCHER_PROMETHEUS_USERNAME", ""),
            prometheus_password=_env("WATCHER_PROMETHEUS_PASSWORD", ""),
            prometheus_cafile=_env("WATCHER_PROMETHEUS_CAFILE", ""),
            prometheus_certfile=_env("WATCHER_PROMETHEUS_CERTFILE", ""),
            prometheus_keyfile=_env("WATCHER_PROMETHEUS_KEYFILE", ""),
            prometheus_insecure=_env_bool("WATCHER_PROMETHEUS_INSECURE", False),
            prometheus_timeout=_env_float("WATCHER_PROMETHEUS_TIMEOUT", 10.0),
            prometheus_max_query_bytes=_env_int("WATCHER_PROMETHEUS_MAX_QUERY_BYTES", 900_000),
            prometheus_select_all_above=_env_int("WATCHER_PROMETHEUS_SELECT_ALL_ABOVE", 2_000),
            service_down_time=_env_int("WATCHER_SERVICE_DOWN_TIME", 90),
            heartbeat_interval=_env_int("WATCHER_HEARTBEAT_INTERVAL", 60),
            auth=_auth_mode(),
            auth_tokens=_env("WATCHER_AUTH_TOKENS", ""),
            webhooks_public=_env_bool("WATCHER_WEBHOOKS_PUBLIC", False),
            api_allow_unauthenticated=_env_bool("WATCHER_API_ALLOW_UNAUTHENTICATED", False),
            policy_file=_env("WATCHER_POLICY_FILE", ""),
            keystone_auth_url=_env("WATCHER_KEYSTONE_AUTH_URL", ""),
            keystone_username=_env("WATCHER_KEYSTONE_USERNAME", ""),
            keystone_password=_env("WATCHER_KEYSTONE_PASSWORD", ""),
            keystone_project_name=_env("WATCHER_KEYSTONE_PROJECT_NAME", "service"),
            keystone_user_domain_name=_env("WATCHER_KEYSTONE_USER_DOMAIN_NAME", "Default"),
            keystone_project_domain_name=_env("WATCHER_KEYSTONE_PROJECT_DOMAIN_NAME", "Default"),
            keystone_region_name=_env("WATCHER_KEYSTONE_REGION_NAME", "RegionOne"),
            keystone_interface=_env("WATCHER_KEYSTONE_INTERFACE", "public"),
            public_endpoint=_env("WATCHER_PUBLIC_ENDPOINT", ""),
            api_proxies=_env_int("WATCHER_API_PROXIES", 0),
            api_max_body=_env_int("WATCHER_API_MAX_BODY", 1_048_576),
            de_answer_timeout=_env_float("WATCHER_DE_ANSWER_TIMEOUT", 30.0),
            outbox_relay_interval=_env_float("WATCHER_OUTBOX_RELAY_INTERVAL", 1.0),
            outbox_claim_seconds=_env_int("WATCHER_OUTBOX_CLAIM_SECONDS", 15),
            sweep_interval=_env_int("WATCHER_SWEEP_INTERVAL", 15),
            dispatch_lease_seconds=_env_int("WATCHER_DISPATCH_LEASE", 60),
            audit_lease_seconds=_env_int("WATCHER_AUDIT_LEASE", 3600),
            broker_visibility_timeout=_env_int("WATCHER_BROKER_VISIBILITY_TIMEOUT", 120),
            log_json=_env_bool("WATCHER_LOG_JSON", False),
            metrics_public=_env_bool("WATCHER_METRICS_PUBLIC", False),
            flower_show_ticks=_env_bool("WATCHER_FLOWER_SHOW_TICKS", False),
        )

    @property
    def auth_enabled(self) -> bool:
        return self.auth != "none"

    @property
    def embedded(self) -> bool:
        """True when running on the embedded defaults (SQLite and the SQL broker transport)."""
        return self.broker_url.startswith("sqla+")


_settings: Settings | None = None


def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    global _settings
    if _settings is None:
        _settings = Settings.from_env()
    return _settings


def reset_settings() -> None:
    """Forget cached settings so the next :func:`get_settings` re-reads the environment."""
    global _settings
    _settings = None
