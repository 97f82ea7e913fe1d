"""Settings: each declared once, with its variable, type, default and meaning.

Every default is embedded and local (SQLite files under ``WATCHER_STATE_DIR``, the SQLAlchemy
broker transport), so ``make run`` needs no external server; production sets the PostgreSQL and
Redis URLs. Values come from the environment, then from the optional file
``WATCHER_CONFIG_FILE`` (TOML), then the defaults. Every value is checked when the settings are
first read: a bad one stops the process with the variable's name and what it accepts
(``docs/configuration.md`` is generated from this class).
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from watcher_celery.settings_file import (
    CONFIG_FILE_VARIABLE,
    FileSettingsSource,
    SettingsError,
    file_key,
)
from watcher_celery.settings_types import (
    AuthMode,
    Bool,
    Cloud,
    Count,
    LogLevel,
    Port,
    Positive,
    Rate,
    Roles,
    Seconds,
    StateDir,
)


def setting(
    default: Any = None,
    *variables: str,
    doc: str,
    factory: Any = None,
    shown: str | None = None,
) -> Any:
    """A field read from ``variables`` (the first is its name; later ones are fallbacks).

    ``factory`` computes the default from the settings declared above it; ``shown`` is how
    the documentation states (in Markdown) a default that is not a plain value.
    """
    extra = {"variable": variables[0], "shown": shown}
    alias = AliasChoices(*variables) if len(variables) > 1 else variables[0]
    if factory is not None:
        return Field(default_factory=factory, validation_alias=alias, description=doc,
                     json_schema_extra=extra)  # fmt: skip
    return Field(default, validation_alias=alias, description=doc, json_schema_extra=extra)


def deployment_id(database_url: str) -> str:
    """A short digest of the database URL without its password: every process of one
    deployment shares its database, and two deployments never do, so their events never meet
    on a shared Redis (pub/sub ignores the database number)."""
    public = re.sub(r"//([^:/@]*):[^@/]*@", r"//\1@", database_url)
    return hashlib.sha256(public.encode()).hexdigest()[:12]


class Settings(BaseSettings):
    """Every setting of the service; read once per process with :func:`get_settings`."""

    model_config = SettingsConfigDict(
        case_sensitive=True,
        env_ignore_empty=True,
        validate_by_name=True,
        validate_by_alias=True,
        validate_default=True,
        frozen=True,
        extra="ignore",
    )

    config_file: Path | None = setting(
        None,
        CONFIG_FILE_VARIABLE,
        doc="optional TOML file with settings (keys: the variable names without `WATCHER_`, "
        "lower case); the environment overrides it",
    )
    state_dir: StateDir = setting(
        Path("var"),
        "WATCHER_STATE_DIR",
        doc="where the embedded SQLite files and beat's schedule live",
        shown="`./var`",
    )
    # Where state and work live: production sets PostgreSQL and Redis.
    database_url: str = setting(
        None,
        "WATCHER_DATABASE_URL",
        factory=lambda d: f"sqlite:///{d['state_dir']}/watcher.sqlite",
        shown="`sqlite:///$WATCHER_STATE_DIR/watcher.sqlite`",
        doc="SQLAlchemy URL; production: `postgresql+psycopg://...`",
    )
    broker_url: str = setting(
        None,
        "WATCHER_BROKER_URL",
        factory=lambda d: f"sqla+sqlite:///{d['state_dir']}/broker.sqlite",
        shown="`sqla+sqlite:///$WATCHER_STATE_DIR/broker.sqlite`",
        doc="Celery broker; production: `redis://...`",
    )
    result_backend: str = setting(
        None,
        "WATCHER_RESULT_BACKEND",
        factory=lambda d: f"db+sqlite:///{d['state_dir']}/results.sqlite",
        shown="`db+sqlite:///$WATCHER_STATE_DIR/results.sqlite`",
        doc="Celery result backend; production: `redis://...`",
    )
    task_queue: str = setting(
        "watcher",
        "WATCHER_TASK_QUEUE",
        doc="prefix of the queues: `<prefix>.decision-engine`, `<prefix>.applier`, "
        "`<prefix>.housekeeping` (`docs/reliability.md`)",
    )
    worker_role: Roles = setting(
        "all",
        "WATCHER_WORKER_ROLE",
        doc="default of `watcher-celery worker --role`: `all`, or one or more (comma list) of "
        "`decision-engine`, `applier`, `housekeeping`",
    )
    deployment: str = setting(
        None,
        "WATCHER_DEPLOYMENT",
        factory=lambda d: deployment_id(d["database_url"]),
        shown="digest of the database URL",
        doc="this deployment's name; the default events channel is `watcher.events.<deployment>`",
    )
    events_channel: str = setting(
        None,
        "WATCHER_EVENTS_CHANNEL",
        factory=lambda d: f"watcher.events.{d['deployment']}",
        shown="`watcher.events.<deployment>`",
        doc="Redis pub/sub channel of the events (`docs/events.md`)",
    )
    # Dispatch without loss (docs/reliability.md).
    outbox_relay_interval: Seconds = setting(
        1.0,
        "WATCHER_OUTBOX_RELAY_INTERVAL",
        doc="seconds between two relay passes in celery beat (the API and workers also relay "
        "right after each commit)",
    )
    outbox_claim_seconds: Count = setting(
        15,
        "WATCHER_OUTBOX_CLAIM_SECONDS",
        doc="a relay's claim on an outbox row older than this belongs to a dead relay and is "
        "taken again",
    )
    sweep_interval: Count = setting(
        15, "WATCHER_SWEEP_INTERVAL", doc="seconds between two sweeps for stranded work (beat)"
    )
    dispatch_lease_seconds: Count = setting(
        60,
        "WATCHER_DISPATCH_LEASE",
        doc="how long accepted work may wait for its worker before the sweeper asks for it again",
    )
    audit_lease_seconds: Count = setting(
        3600,
        "WATCHER_AUDIT_LEASE",
        doc="without PostgreSQL's advisory locks (SQLite), how long an ONGOING audit run is "
        "presumed alive",
    )
    broker_visibility_timeout: Count = setting(
        120,
        "WATCHER_BROKER_VISIBILITY_TIMEOUT",
        doc="Redis: seconds before a dead worker's unacknowledged message is handed out again "
        "(scanned every 10 s)",
    )
    # The API.
    api_host: str = setting("127.0.0.1", "WATCHER_API_HOST", doc="address the API listens on")
    api_port: Port = setting(9322, "WATCHER_API_PORT", doc="port the API listens on")
    api_workers: Positive = setting(2, "WATCHER_API_WORKERS", doc="gunicorn processes")
    api_threads: Positive = setting(4, "WATCHER_API_THREADS", doc="gunicorn threads per process")
    api_max_limit: Positive = setting(
        1000, "WATCHER_API_MAX_LIMIT", doc="page size cap of every collection"
    )
    api_proxies: Count = setting(
        0,
        "WATCHER_API_PROXIES",
        doc="reverse proxies in front of the API whose `X-Forwarded-*` headers are trusted",
    )
    api_max_body: Positive = setting(
        1_048_576, "WATCHER_API_MAX_BODY", doc="largest request body in bytes (larger: 413)"
    )
    de_answer_timeout: Seconds = setting(
        30.0,
        "WATCHER_DE_ANSWER_TIMEOUT",
        doc="seconds the API waits for a decision engine to answer (data model, strategy state)",
    )
    # Workers, beat and Flower.
    worker_concurrency: Positive = setting(
        2, "WATCHER_WORKER_CONCURRENCY", doc="Celery worker processes"
    )
    # Dashboard estimates (docs/dashboard.md).
    migration_bandwidth_mb: Rate = setting(
        1000.0,
        "WATCHER_MIGRATION_BANDWIDTH_MB",
        doc="dashboard estimates: MB/s a migration copies (memory live, disk cold)",
    )
    action_overhead_seconds: Seconds = setting(
        2.0,
        "WATCHER_ACTION_OVERHEAD_SECONDS",
        doc="dashboard estimates: seconds every action costs besides what it copies",
    )
    applier_slots: Positive = setting(
        None,
        "WATCHER_APPLIER_SLOTS",
        factory=lambda d: d["worker_concurrency"],
        shown="`WATCHER_WORKER_CONCURRENCY`",
        doc="dashboard estimates: actions the appliers run at once",
    )
    log_level: LogLevel = setting(
        "INFO", "WATCHER_LOG_LEVEL", doc="worker and beat log level (DEBUG ... CRITICAL)"
    )
    log_json: Bool = setting(
        False, "WATCHER_LOG_JSON", doc="API, worker and beat log one JSON object per line"
    )
    metrics_public: Bool = setting(
        False,
        "WATCHER_METRICS_PUBLIC",
        doc="serve `/metrics` without a token (otherwise any valid role reads it)",
    )
    flower_show_ticks: Bool = setting(
        False,
        "WATCHER_FLOWER_SHOW_TICKS",
        doc="beat's periodic tasks send task events, so Flower lists them (`docs/operations.md`)",
    )
    flower_port: Port = setting(5555, "WATCHER_FLOWER_PORT", doc="Flower's port (loopback)")
    flower_basic_auth: str = setting(
        "",
        "WATCHER_FLOWER_BASIC_AUTH",
        "FLOWER_BASIC_AUTH",
        shown="(empty: Flower refuses to start)",
        doc="`user:password[,user2:pw2]` Flower asks for on its pages and HTTP API "
        "(Flower's own `FLOWER_BASIC_AUTH` also works)",
    )
    flower_unauthenticated_api: Bool = setting(
        False,
        "FLOWER_UNAUTHENTICATED_API",
        doc="Flower's own switch for an open HTTP API: when true, `watcher-celery flower` "
        "refuses to start",
    )
    host: str = setting(
        None,
        "WATCHER_HOST",
        factory=socket.gethostname,
        shown="the machine's hostname",
        doc="recorded on audits (the worker that ran them) and plans (the worker that applied "
        "them) as `hostname`; the worker's Celery node name is `watcher@<host>` (all roles) or "
        "`watcher-<roles>@<host>`",
    )
    # The decision engine and beat.
    action_execution_rules: str = setting(
        "",
        "WATCHER_ACTION_EXECUTION_RULES",
        doc='JSON `{"strategy": "ALWAYS" or "ANY"}` overriding a strategy\'s continuation rule '
        "(`docs/applier.md`)",
    )
    action_plan_expiry_hours: Count = setting(
        24,
        "WATCHER_ACTION_PLAN_EXPIRY",
        doc="hours before a RECOMMENDED plan becomes SUPERSEDED (0: never)",
    )
    check_periodic_interval: Count = setting(
        1800, "WATCHER_CHECK_PERIODIC_INTERVAL", doc="seconds between expiry checks (beat)"
    )
    continuous_audit_interval: Count = setting(
        5,
        "WATCHER_CONTINUOUS_AUDIT_INTERVAL",
        doc="seconds between two looks at the audits table for due CONTINUOUS runs (beat)",
    )
    planners: str = setting(
        "",
        "WATCHER_PLANNERS",
        doc='JSON planner settings, e.g. `{"weight": {"weights": {...}, "parallelization": '
        "{...}}}` (`docs/strategies.md`)",
    )
    # The applier (docs/applier.md).
    applier_lease_seconds: Count = setting(
        30,
        "WATCHER_APPLIER_LEASE",
        doc="seconds without heartbeat after which a running action's worker is presumed dead; "
        "also the period of the recovery beat entry",
    )
    rollback_when_plan_failed: Bool = setting(
        False,
        "WATCHER_ROLLBACK_WHEN_PLAN_FAILED",
        doc="revert the succeeded actions of a failed plan, newest first",
    )
    action_timeout_seconds: Seconds = setting(
        900.0,
        "WATCHER_ACTION_TIMEOUT",
        doc="how long an action waits for the cloud (migration, resize, power, volume)",
    )
    action_poll_interval: Seconds = setting(
        5.0,
        "WATCHER_ACTION_POLL_INTERVAL",
        doc="longest wait between two looks at the cloud while an action runs",
    )
    events_retention_hours: Count = setting(
        168,
        "WATCHER_EVENTS_RETENTION_HOURS",
        doc="how long the `events` outbox keeps a row (0: forever); swept hourly by beat",
    )
    service_down_time: Count = setting(
        90,
        "WATCHER_SERVICE_DOWN_TIME",
        doc="seconds without a heartbeat before a service is FAILED",
    )
    heartbeat_interval: Positive = setting(
        60, "WATCHER_HEARTBEAT_INTERVAL", doc="seconds between the worker's and beat's heartbeats"
    )
    # Cluster data (docs/cloud.md): which cloud, the simulated cloud's store and size.
    cloud: Cloud = setting("simulated", "WATCHER_CLOUD", doc="`simulated` or `openstack`")
    sim_path: str = setting(
        None,
        "WATCHER_SIM_PATH",
        factory=lambda d: f"{d['state_dir']}/cloud.sqlite",
        shown="`$WATCHER_STATE_DIR/cloud.sqlite`",
        doc="the simulated cloud's store, shared by every process",
    )
    sim_seed: int = setting(42, "WATCHER_SIM_SEED", doc="seed of a newly generated cloud")
    sim_hosts: Count = setting(16, "WATCHER_SIM_HOSTS", doc="hosts of a newly generated cloud")
    sim_instances: Count = setting(
        120, "WATCHER_SIM_INSTANCES", doc="instances of a newly generated cloud"
    )
    sim_op_seconds: Seconds = setting(
        2.0, "WATCHER_SIM_OP_SECONDS", doc="how long a migration takes in the simulated cloud"
    )
    sim_import: str = setting(
        "",
        "WATCHER_SIM_IMPORT",
        doc="a JSON cluster description to load instead of generating",
    )
    os_cloud: str = setting(
        "",
        "WATCHER_OS_CLOUD",
        "OS_CLOUD",
        shown="`$OS_CLOUD`",
        doc="clouds.yaml entry for `openstack`",
    )
    datasources: str = setting(
        "",
        "WATCHER_DATASOURCES",
        shown="`simulated` on the simulated cloud, else `prometheus`",
        doc="datasources in order of preference, comma-separated",
    )
    prometheus_url: str = setting("", "WATCHER_PROMETHEUS_URL", doc="Prometheus' base URL")
    prometheus_fqdn_label: str = setting(
        "fqdn",
        "WATCHER_PROMETHEUS_FQDN_LABEL",
        doc="label naming the host on node_exporter series",
    )
    prometheus_instance_label: str = setting(
        "resource",
        "WATCHER_PROMETHEUS_INSTANCE_LABEL",
        doc="label with the instance uuid on ceilometer series",
    )
    prometheus_hardware_metrics: str = setting(
        "",
        "WATCHER_PROMETHEUS_HARDWARE_METRICS",
        doc="JSON: hardware metrics' series and label matchers (`docs/cloud.md`)",
    )
    prometheus_username: str = setting("", "WATCHER_PROMETHEUS_USERNAME", doc="basic auth user")
    prometheus_password: str = setting("", "WATCHER_PROMETHEUS_PASSWORD", doc="its password")
    prometheus_cafile: str = setting(
        "", "WATCHER_PROMETHEUS_CAFILE", doc="CA bundle Prometheus' certificate is checked with"
    )
    prometheus_certfile: str = setting(
        "", "WATCHER_PROMETHEUS_CERTFILE", doc="client certificate (TLS)"
    )
    prometheus_keyfile: str = setting("", "WATCHER_PROMETHEUS_KEYFILE", doc="its key")
    prometheus_insecure: Bool = setting(
        False, "WATCHER_PROMETHEUS_INSECURE", doc="skip certificate checks (tests only)"
    )
    prometheus_timeout: Seconds = setting(
        10.0, "WATCHER_PROMETHEUS_TIMEOUT", doc="seconds per request"
    )
    prometheus_max_query_bytes: Positive = setting(
        900_000,
        "WATCHER_PROMETHEUS_MAX_QUERY_BYTES",
        doc="label values one batched query may carry",
    )
    prometheus_select_all_above: Count = setting(
        2_000,
        "WATCHER_PROMETHEUS_SELECT_ALL_ABOVE",
        doc="resources above which a query reads every series",
    )
    # Authentication (docs/api.md, docs/openstack.md).
    legacy_auth_enabled: Bool = setting(
        False,
        "WATCHER_AUTH_ENABLED",
        doc="the older switch: `true` alone means `WATCHER_AUTH=tokens`",
    )
    auth: AuthMode = setting(
        None,
        "WATCHER_AUTH",
        factory=lambda d: "tokens" if d["legacy_auth_enabled"] else "none",
        shown="`none`",
        doc="`none`, `tokens` or `keystone` (see `docs/api.md`)",
    )
    auth_tokens: str = setting(
        "",
        "WATCHER_AUTH_TOKENS",
        doc="`token:admin,token:reader,token:service` pairs the API accepts under `tokens`",
    )
    webhooks_public: Bool = setting(
        False, "WATCHER_WEBHOOKS_PUBLIC", doc="let webhooks through without a token"
    )
    api_allow_unauthenticated: Bool = setting(
        False,
        "WATCHER_API_ALLOW_UNAUTHENTICATED",
        doc="let `WATCHER_AUTH=none` listen beyond loopback anyway",
    )
    policy_file: str = setting(
        "",
        "WATCHER_POLICY_FILE",
        doc="oslo.policy file (YAML or JSON) overriding upstream's rules by name",
    )
    keystone_auth_url: str = setting(
        "",
        "WATCHER_KEYSTONE_AUTH_URL",
        doc="Keystone's identity URL (`http://keystone:5000/v3`), `WATCHER_AUTH=keystone`",
    )
    keystone_username: str = setting(
        "", "WATCHER_KEYSTONE_USERNAME", doc="the API's service user (needs role `service`)"
    )
    keystone_password: str = setting("", "WATCHER_KEYSTONE_PASSWORD", doc="its password")
    keystone_project_name: str = setting(
        "service", "WATCHER_KEYSTONE_PROJECT_NAME", doc="its project"
    )
    keystone_user_domain_name: str = setting(
        "Default", "WATCHER_KEYSTONE_USER_DOMAIN_NAME", doc="its domain"
    )
    keystone_project_domain_name: str = setting(
        "Default", "WATCHER_KEYSTONE_PROJECT_DOMAIN_NAME", doc="its project's domain"
    )
    keystone_region_name: str = setting(
        "RegionOne",
        "WATCHER_KEYSTONE_REGION_NAME",
        doc="region keystonemiddleware and the catalog entry look in",
    )
    keystone_interface: str = setting(
        "public", "WATCHER_KEYSTONE_INTERFACE", doc="catalog interface they use"
    )
    public_endpoint: str = setting(
        "",
        "WATCHER_PUBLIC_ENDPOINT",
        shown="(empty: no registration)",
        doc="the API's URL, registered at start-up in the catalog as `infra-optim` "
        "(`docs/openstack.md`)",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then the file: the environment wins over it."""
        return init_settings, env_settings, FileSettingsSource(settings_cls)

    @classmethod
    def from_env(cls) -> Settings:
        """Read and check every setting; :class:`SettingsError` names each bad variable."""
        try:
            return cls()
        except ValidationError as exc:
            raise SettingsError(explain(exc)) from None

    @property
    def auth_enabled(self) -> bool:
        return self.auth != "none"

    @property
    def embedded(self) -> bool:
        """True when running on the embedded defaults (SQLite and the SQL broker transport)."""
        return self.broker_url.startswith("sqla+")


def variables() -> dict[str, str]:
    """Field name of every setting, by its variable."""
    return {
        field.json_schema_extra["variable"]: name for name, field in Settings.model_fields.items()
    }


def explain(error: ValidationError) -> str:
    """One line per bad value: the variable, the value, where it was set and what is allowed."""
    variable_of: dict[str, str] = {}
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        for choice in alias.choices if isinstance(alias, AliasChoices) else [alias]:
            variable_of[str(choice)] = str(choice)
        variable_of[name] = field.json_schema_extra["variable"]
    file = os.environ.get(CONFIG_FILE_VARIABLE, "")
    lines = []
    for item in error.errors():
        if item["type"] == "default_factory_not_called":
            continue  # a default computed from another setting that is itself wrong
        given = str(item["loc"][0]) if item["loc"] else ""
        variable = variable_of.get(given, given)
        where = "" if given == variable else f" (as {file_key(variable)} in {file or 'a file'})"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{variable}={item['input']!r}{where}: {message}")
    return "invalid settings (docs/configuration.md):\n  " + "\n  ".join(lines)


_settings: Settings | None = None


def get_settings() -> Settings:
    """Return the process-wide settings, read and checked on first use."""
    global _settings
    if _settings is None:
        _settings = Settings.from_env()
    return _settings


def reset_settings() -> None:
    """Forget cached settings so the next :func:`get_settings` re-reads the environment."""
    global _settings
    _settings = None
