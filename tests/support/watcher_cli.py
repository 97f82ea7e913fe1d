"""python-watcherclient's commands as an operator types them, with their output checked.

The commands run through the CLI's own entry point (``openstack`` from python-openstackclient,
or watcherclient's ``watcher`` shell) in this process — parsing, HTTP, error handling and the
output formatters are the client's, unchanged; only the interpreter start-up is saved, which
on a busy two-core machine costs seconds per command.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout

import yaml

from harness.processes import wait_for

LIST_FORMATS = ("table", "csv", "json", "value", "yaml")
SHOW_FORMATS = ("table", "json", "shell", "value", "yaml")
TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}


class CliError(AssertionError):
    """A command exited non-zero or wrote a traceback."""


class WatcherCli:
    """One client configuration: ``main`` is the CLI's entry point, ``prefix`` its options."""

    def __init__(self, main: Callable[[list[str]], int], prefix: Sequence[str]) -> None:
        self.main = main
        self.prefix = list(prefix)
        self.commands: list[str] = []

    def run(self, *args: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = self.main([*self.prefix, *args])
        self.commands.append(shlex.join(args))
        if code != 0 or "Traceback" in err.getvalue():
            raise CliError(f"{shlex.join(args)} exited {code}:\n{err.getvalue()[-3000:]}")
        return out.getvalue()

    def json(self, *args: str):
        return json.loads(self.run(*args, "-f", "json"))

    def every_format(self, formats: Sequence[str], *args: str) -> dict[str, str]:
        """Run the command in each format and check each output parses as that format."""
        outputs = {fmt: self.run(*args, "-f", fmt) for fmt in formats}
        for fmt, text in outputs.items():
            check_format(fmt, text, args)
        return outputs

    def wait_state(self, kind: str, ident: str, states: set[str], timeout: float = 120) -> dict:
        return wait_for(
            lambda: (obj := self.json(kind, "show", ident))["State"] in states and obj,
            timeout,
            f"{kind} {ident} to reach {states}",
            interval=0.5,
        )


def check_format(fmt: str, text: str, args: Sequence[str]) -> None:
    """The output is what the format promises (a table has its frame, JSON parses, ...)."""
    where = f"{shlex.join(args)} -f {fmt}"
    if fmt == "table":
        assert not text.strip() or text.lstrip().startswith("+"), where
    elif fmt == "json":
        json.loads(text)
    elif fmt == "yaml":
        yaml.safe_load(text)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows and all(len(r) == len(rows[0]) for r in rows), where
    elif fmt == "shell":
        assert text.splitlines() and "=" in text.splitlines()[0], where
    assert "None" != text.strip(), where
