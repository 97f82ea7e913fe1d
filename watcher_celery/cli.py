"""The ``watcher-celery`` command: run the services, migrate the database."""

from __future__ import annotations

import argparse
import sys

from watcher_celery import exposure
from watcher_celery.config import SettingsError, get_settings
from watcher_celery.queues import ALL, ROLES, queue_name, roles_of


def _api(_args) -> int:
    settings = get_settings()
    refusal = exposure.api_refusal(settings)
    if refusal:
        print(f"watcher-celery api: {refusal}", file=sys.stderr, flush=True)
        return 2
    if settings.auth == "keystone":
        from watcher_celery.api.keystone import middleware_conf

        try:
            middleware_conf(settings)
        except ValueError as exc:
            print(f"watcher-celery api: {exc} (docs/openstack.md)", file=sys.stderr, flush=True)
            return 2
    if settings.auth == "keystone" and settings.public_endpoint:
        from watcher_celery.api.catalog import register

        for change in register(settings):
            print(f"watcher-celery api: catalog: {change}", flush=True)
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "--bind",
        f"{settings.api_host}:{settings.api_port}",
        "--workers",
        str(settings.api_workers),
        "--threads",
        str(settings.api_threads),
        "--access-logfile",
        "-",
        "--config",
        "python:watcher_celery.api.gunicorn_conf",
        "watcher_celery.wsgi:application",
    ]
    run()
    return 0


def _worker(args) -> int:
    from watcher_celery.celery_app import app

    settings = get_settings()
    roles = roles_of(args.role)
    node = "watcher" if args.role == ALL else "watcher-" + "+".join(roles)
    argv = [
        "worker",
        "--loglevel",
        settings.log_level,
        "--queues",
        ",".join(queue_name(settings.task_queue, role) for role in roles),
        "--events",
        "--concurrency",
        str(settings.worker_concurrency),
        "--hostname",
        f"{node}@{settings.host}",
    ]
    app.worker_main(argv)
    return 0


def _beat(_args) -> int:
    from watcher_celery.celery_app import app

    settings = get_settings()
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    app.start(
        [
            "beat",
            "--loglevel",
            settings.log_level,
            "--schedule",
            str(settings.state_dir / "celerybeat-schedule"),
        ]
    )
    return 0


def _flower(_args) -> int:
    settings = get_settings()
    credentials, refusal = exposure.flower_basic_auth(settings)
    if refusal:
        print(f"watcher-celery flower: {refusal}", file=sys.stderr, flush=True)
        return 2
    from watcher_celery.celery_app import app

    port = settings.flower_port
    app.start(["flower", f"--port={port}", "--address=127.0.0.1", f"--basic-auth={credentials}"])
    return 0


def _migrate(_args) -> int:
    from watcher_celery.migrate import upgrade

    upgrade()
    return 0


def _purge(args) -> int:
    """Print what goes, table by table; delete it only with ``--yes``."""
    from watcher_celery.db import session_scope
    from watcher_celery.housekeeping.purge import collect, purge

    with session_scope() as session:
        found = collect(session, args.age_in_days)
        counts = purge(session, found) if args.yes else found.counts()
    verb = "deleted" if args.yes else "would delete (dry run; --yes deletes)"
    print(f"purge: rows soft-deleted more than {args.age_in_days:g} days ago, {verb}:")
    for table, count in counts.items():
        print(f"  {table}: {count}")
    return 0


def _events_channel(_args) -> int:
    print(get_settings().events_channel)
    return 0


def _dev(_args) -> int:
    from watcher_celery.devserver import run

    return run()


COMMANDS = {
    "api": (_api, "serve the REST API (gunicorn)"),
    "worker": (_worker, "run a Celery worker for one role, several (comma list) or all"),
    "beat": (_beat, "run celery beat (continuous audits, plan expiry)"),
    "flower": (_flower, "run Flower, the task monitor"),
    "migrate": (_migrate, "upgrade the database to the newest schema"),
    "purge": (_purge, "delete soft-deleted rows older than N days (dry run unless --yes)"),
    "events-channel": (_events_channel, "print the Redis channel this deployment's events use"),
    "dev": (_dev, "migrate, then run api, worker and beat together until Ctrl-C"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="watcher-celery", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_func, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        if name == "worker":
            command.add_argument(
                "--role",
                default=None,
                type=_role,
                help=f"{ALL} (default, WATCHER_WORKER_ROLE) or any of {', '.join(ROLES)}",
            )
        if name == "purge":
            command.add_argument(
                "--age-in-days",
                type=float,
                default=30.0,
                help="purge rows soft-deleted more than this many days ago (default 30)",
            )
            command.add_argument("--yes", action="store_true", help="delete (default: count)")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()  # every setting checked before anything starts
    except SettingsError as exc:
        print(f"watcher-celery: {exc}", file=sys.stderr, flush=True)
        return 2
    if args.command == "worker" and args.role is None:
        args.role = settings.worker_role
    return COMMANDS[args.command][0](args)


def _role(value: str) -> str:
    try:
        roles_of(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


if __name__ == "__main__":
    sys.exit(main())
