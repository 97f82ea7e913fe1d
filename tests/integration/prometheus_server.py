"""A real Prometheus for tests: backfilled from OpenMetrics text, on a loopback port.

``promtool tsdb create-blocks-from openmetrics`` turns the text into blocks in a temporary
data directory, then ``prometheus`` serves them; optional basic auth and TLS through its web
config file. Stopped by PID.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

import bcrypt
import requests

from harness.processes import free_port, wait_for


def openmetrics(series: dict[str, list[tuple[dict[str, str], list[tuple[float, float]]]]]) -> str:
    """Render ``{metric: [(labels, [(t, value), ...]), ...]}`` as OpenMetrics text."""
    lines = []
    for name, items in series.items():
        lines.append(f"# TYPE {name} gauge")
        for labels, samples in items:
            text = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
            lines += [f"{name}{{{text}}} {value} {t:.3f}" for t, value in samples]
    return "\n".join(lines) + "\n# EOF\n"


class PrometheusServer:
    def __init__(self, workdir: Path, text: str = "", users: dict[str, str] | None = None,
                 tls: bool = False, scrape: str | None = None,
                 flags: tuple[str, ...] = ()) -> None:  # fmt: skip
        """Backfill ``text`` (OpenMetrics) and/or scrape ``scrape`` (host:port) every second.

        ``flags``: more command-line flags (e.g. query limits).
        """
        self.workdir = workdir
        data = workdir / "data"
        data.mkdir(parents=True)
        if text:
            source = workdir / "series.om"
            source.write_text(text)
            subprocess.run(
                ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
                check=True, capture_output=True,
            )  # fmt: skip
        config = workdir / "prometheus.yml"
        jobs = "scrape_configs: []\n"
        if scrape:
            jobs = (
                "scrape_configs:\n  - job_name: emulator\n    scrape_interval: 1s\n"
                f"    static_configs:\n      - targets: ['{scrape}']\n"
            )
        config.write_text("global:\n  scrape_interval: 15s\n" + jobs)
        self.port = free_port()
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        args = [
            "prometheus", f"--config.file={config}", f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--storage.tsdb.retention.time=3650d", *flags,
        ]  # fmt: skip
        self.cafile = None
        web = self._web_config(users, tls)
        if web:
            args.append(f"--web.config.file={web}")
        self.log = open(workdir / "prometheus.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self._ready, 60, "prometheus ready")

    def _web_config(self, users, tls) -> Path | None:
        lines = []
        if tls:
            key, cert = self.workdir / "key.pem", self.workdir / "cert.pem"
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                 "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                 "-keyout", str(key), "-out", str(cert)],
                check=True, capture_output=True,
            )  # fmt: skip
            self.cafile = str(cert)
            lines += ["tls_server_config:", f"  cert_file: {cert}", f"  key_file: {key}"]
        if users:
            lines.append("basic_auth_users:")
            for user, password in users.items():
                hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()
                lines.append(f"  {user}: '{hashed}'")
        if not lines:
            return None
        path = self.workdir / "web.yml"
        path.write_text("\n".join(lines) + "\n")
        return path

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError((self.workdir / "prometheus.log").read_text())
        try:
            answer = requests.get(f"{self.url}/-/ready", timeout=1, verify=False)
        except requests.RequestException:
            return False
        return answer.status_code in (200, 401)  # 401: up, behind basic auth

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        shutil.rmtree(self.workdir / "data", ignore_errors=True)
