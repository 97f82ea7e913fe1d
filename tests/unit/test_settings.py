"""Settings are checked at start-up: a bad value names its variable and what is allowed; the
environment wins over the settings file; every setting is documented."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from watcher_celery.config import Settings, SettingsError, reset_settings, variables
from watcher_celery.settings_table import DOC, rewritten
from watcher_celery.settings_types import BOOL_SPELLINGS, FALSE_SPELLINGS, TRUE_SPELLINGS

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).parent / "watcher-celery"


@pytest.fixture()
def clean_env(settings_env, tmp_path):
    """No setting in the environment but a private state directory."""
    for variable in [*variables(), "OS_CLOUD", "FLOWER_BASIC_AUTH"]:
        settings_env.delenv(variable, raising=False)
    settings_env.setenv("WATCHER_STATE_DIR", str(tmp_path / "var"))
    reset_settings()
    return settings_env


def _read(env, **values: str) -> Settings:
    for name, value in values.items():
        env.setenv(name, value)
    return Settings.from_env()


def _refusal(env, **values: str) -> str:
    with pytest.raises(SettingsError) as caught:
        _read(env, **values)
    return str(caught.value)


@pytest.mark.parametrize("spelling", [*BOOL_SPELLINGS, "TRUE", "Off", " yes "])
def test_switches_take_every_spelling_of_true_and_false(clean_env, spelling):
    settings = _read(clean_env, WATCHER_ROLLBACK_WHEN_PLAN_FAILED=spelling)
    assert settings.rollback_when_plan_failed is (spelling.strip().lower() in TRUE_SPELLINGS)


@pytest.mark.parametrize("typo", ["ture", "flase", "2", "y", "enabled", "none"])
def test_a_switch_typo_stops_with_the_variable_and_the_spellings(clean_env, typo):
    refusal = _refusal(clean_env, WATCHER_AUTH_ENABLED=typo)
    assert f"WATCHER_AUTH_ENABLED={typo!r}" in refusal
    assert all(spelling in refusal for spelling in TRUE_SPELLINGS + FALSE_SPELLINGS)


def test_the_older_auth_switch_still_means_tokens(clean_env):
    assert _read(clean_env, WATCHER_AUTH_ENABLED="True").auth == "tokens"
    assert _read(clean_env, WATCHER_AUTH="Keystone").auth == "keystone"
    assert "WATCHER_AUTH='token'" in _refusal(clean_env, WATCHER_AUTH="token")


@pytest.mark.parametrize("port", ["80a", "0", "65536", "-1", "9322.5"])
def test_a_bad_port_names_the_variable(clean_env, port):
    assert f"WATCHER_API_PORT={port!r}" in _refusal(clean_env, WATCHER_API_PORT=port)


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [
        ("WATCHER_CLOUD", "openstak", "simulated, openstack"),
        ("WATCHER_LOG_LEVEL", "verbose", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("WATCHER_WORKER_ROLE", "applier,planner", "decision-engine, applier, housekeeping"),
        ("WATCHER_API_WORKERS", "0", "greater than or equal to 1"),
        ("WATCHER_ACTION_TIMEOUT", "-5", "greater than or equal to 0"),
        ("WATCHER_SIM_HOSTS", "many", "valid integer"),
    ],
)
def test_each_bad_value_says_what_is_allowed(clean_env, variable, value, allowed):
    refusal = _refusal(clean_env, **{variable: value})
    assert f"{variable}={value!r}" in refusal and allowed in refusal


def test_every_bad_value_is_listed_at_once(clean_env):
    refusal = _refusal(clean_env, WATCHER_API_PORT="x", WATCHER_PROMETHEUS_INSECURE="sure")
    assert "WATCHER_API_PORT='x'" in refusal and "WATCHER_PROMETHEUS_INSECURE='sure'" in refusal


def test_defaults_are_the_embedded_ones(clean_env, tmp_path):
    settings = Settings.from_env()
    state = (tmp_path / "var").resolve()
    assert settings.state_dir == state
    assert settings.database_url == f"sqlite:///{state}/watcher.sqlite"
    assert settings.broker_url == f"sqla+sqlite:///{state}/broker.sqlite"
    assert settings.result_backend == f"db+sqlite:///{state}/results.sqlite"
    assert settings.sim_path == f"{state}/cloud.sqlite"
    assert settings.embedded and settings.auth == "none" and not settings.auth_enabled
    assert (settings.api_host, settings.api_port, settings.flower_port) == ("127.0.0.1", 9322, 5555)
    assert (settings.api_workers, settings.api_threads, settings.worker_concurrency) == (2, 4, 2)
    assert settings.log_level == "INFO" and settings.worker_role == "all"
    assert settings.events_channel == f"watcher.events.{settings.deployment}"


def test_an_empty_variable_counts_as_unset(clean_env):
    settings = _read(clean_env, WATCHER_API_PORT="", WATCHER_PROMETHEUS_INSECURE="")
    assert settings.api_port == 9322 and settings.prometheus_insecure is False


def test_the_environment_wins_over_the_settings_file(clean_env, tmp_path):
    file = tmp_path / "watcher.toml"
    file.write_text('api_host = "0.0.0.0"\napi_port = 8000\nauth = "tokens"\nsim_hosts = 3\n')
    settings = _read(clean_env, WATCHER_CONFIG_FILE=str(file), WATCHER_API_PORT="8001")
    assert (settings.api_host, settings.api_port) == ("0.0.0.0", 8001)
    assert (settings.auth, settings.sim_hosts) == ("tokens", 3)
    assert settings.config_file == file


def test_a_bad_value_in_the_file_names_the_variable_and_the_key(clean_env, tmp_path):
    file = tmp_path / "watcher.toml"
    file.write_text('webhooks_public = "ture"\n')
    refusal = _refusal(clean_env, WATCHER_CONFIG_FILE=str(file))
    assert f"WATCHER_WEBHOOKS_PUBLIC='ture' (as webhooks_public in {file})" in refusal


def test_an_unknown_key_or_an_unreadable_file_stops(clean_env, tmp_path):
    file = tmp_path / "watcher.toml"
    file.write_text("api_prot = 80\n")
    assert "unknown setting(s) api_prot" in _refusal(clean_env, WATCHER_CONFIG_FILE=str(file))
    file.write_text("api_port = \n")
    assert "cannot read it" in _refusal(clean_env, WATCHER_CONFIG_FILE=str(file))
    missing = str(tmp_path / "missing.toml")
    assert f"WATCHER_CONFIG_FILE={missing!r}" in _refusal(clean_env, WATCHER_CONFIG_FILE=missing)


def test_the_documented_table_is_the_declared_one():
    document = DOC.read_text()
    assert rewritten(document) == document, "run: python -m watcher_celery.settings_table"
    for variable in variables():
        assert f"| `{variable}` |" in document


def _service_sources() -> list[Path]:
    return sorted([*ROOT.glob("watcher_celery/**/*.py"), *ROOT.glob("strategies/**/*.py")])


# prometheus-client takes its multiprocess directory from the environment only: metrics/multiproc.py
# hands it over there (from the settings' state directory when the operator set none).
ENVIRONMENT_MODULES = ("config.py", "settings_file.py", "multiproc.py")
# The operator's CLI is a client of the API: its variables (WATCHER_API_URL, WATCHER_TOKEN) are
# click options of its own (docs/operations.md), not the service's settings.
CLIENT_PACKAGE = ROOT / "watcher_celery" / "optimize"


def test_only_the_settings_modules_read_the_environment():
    readers = []
    for path in _service_sources():
        if path.name in ENVIRONMENT_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                if isinstance(node.value, ast.Name) and node.value.id == "os":
                    readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert readers == []


def test_every_variable_the_code_names_is_a_declared_setting():
    declared = set(variables())
    named = set()
    for path in [*_service_sources(), ROOT / "celeryconfig.py"]:
        if CLIENT_PACKAGE in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named |= set(re.findall(r"\bWATCHER_[A-Z][A-Z0-9_]*[A-Z0-9]\b", node.value))
    assert named and named - declared == set()


def _cli(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in variables()}
    clean.update(WATCHER_STATE_DIR=str(tmp_path / "var"), **env)
    return subprocess.run(
        [str(CLI), *args], env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_command_refuses_a_bad_value_before_it_starts(tmp_path):
    for command in ("api", "worker", "events-channel"):
        done = _cli(tmp_path, command, WATCHER_AUTH_ENABLED="ture", WATCHER_API_PORT="80a")
        assert done.returncode == 2
        assert "WATCHER_AUTH_ENABLED='ture'" in done.stderr
        assert "true, 1, yes, on, false, 0, no, off" in done.stderr
        assert "WATCHER_API_PORT='80a'" in done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""


def test_the_command_reads_the_file_and_lets_the_environment_win(tmp_path):
    file = tmp_path / "watcher.toml"
    file.write_text('deployment = "from-file"\n')
    done = _cli(tmp_path, "events-channel", WATCHER_CONFIG_FILE=str(file))
    assert (done.returncode, done.stdout.strip()) == (0, "watcher.events.from-file")
    done = _cli(tmp_path, "events-channel", WATCHER_CONFIG_FILE=str(file), WATCHER_DEPLOYMENT="env")
    assert (done.returncode, done.stdout.strip()) == (0, "watcher.events.env")
