"""schemathesis (from PyPI) generates requests from ``/openapi.json`` and sends them to the
live API: no answer may be a 5xx, and every status code, content type and body must be the
one the spec documents. Bounded: a few examples per operation, one fixed seed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)


def test_generated_requests_get_documented_answers(api, tmp_path):
    cli = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [
            str(cli),
            "run",
            f"{api}/openapi.json",
            "--checks",
            ",".join(CHECKS),
            "--max-examples",
            "20",
            "--seed",
            "7",
            "--phases",
            "examples,coverage,fuzzing",
            "--workers",
            "1",
            "--no-shrink",
            "--max-time",
            "40",
            "--report-dir",
            str(tmp_path),
        ],
        cwd=tmp_path,  # schemathesis keeps a cache directory in its working directory
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-3000:]
