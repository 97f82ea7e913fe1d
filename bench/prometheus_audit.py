"""Whole audits against a real Prometheus: batched metric queries against one per resource.

The bench builds a simulated cloud (``--hosts``, 20 instances per host, seed 42), writes the
node_exporter and ceilometer series its load profiles give (``bench/prometheus_series.py``:
one sample a minute over the longest period the strategies read), backfills them with
``promtool tsdb create-blocks-from openmetrics``, and starts Debian's ``prometheus``
(``make prometheus``) on a free loopback port. The cloud and the blocks are cached in
``--cache`` (default ``var/bench-cache``) under a name holding the size, seed and step, so the
slow generation runs once.

Each audit runs in a fresh process: the model from the simulated cloud (collector, no scope),
the Prometheus datasource evaluated at the data's end time, the strategy with its default
parameters, and the plan persisted to SQLite. It reports the HTTP requests the datasource sent
(Prometheus's own ``/api/v1/query`` counter alongside), seconds (model, metrics, strategy
without metrics, persist, total), the CPU seconds of the audit process and of Prometheus
(on a shared machine wall-clock seconds grow with the load, CPU seconds much less) and the
audit process's peak RSS. ``batched`` binds the datasource to the model,
as ``build_context`` does; ``per-resource`` does not, so every resource is one query, as
upstream Watcher asks. The per-resource way runs at ``--old-hosts`` (where it finishes in
reasonable time), the batched way at both sizes; the ratios are printed at the end.

Run: ``.venv/bin/python bench/prometheus_audit.py [--hosts 10000] [--old-hosts 500]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
STRATEGIES = ("basic", "vm_workload_consolidation", "workload_stabilization")
PER_HOST = 20
SEED = 42
END = 1_780_002_000  # the data's last sample (a fixed instant keeps the cache valid)
HOST_PERIOD = 7200  # basic's default period: the longest host period of the three
INSTANCE_PERIOD = 3600  # vm_workload_consolidation's: the longest instance period
TARGET_SECONDS, TARGET_GIB = 30.0, 2.0
CACHE_VERSION = 1


def cache_dir(cache: Path, hosts: int, step: int, cpus: int) -> Path:
    name = f"h{hosts}-i{hosts * PER_HOST}-s{SEED}-step{step}-cpu{cpus}-v{CACHE_VERSION}"
    return cache / name


def prepare(cache: Path, hosts: int, step: int, cpus: int) -> Path:
    """The cached cloud and TSDB blocks for this size, generated when missing."""
    from bench import prometheus_series
    from watcher_celery.cloud.simulated import SimulatedCloud

    where = cache_dir(cache, hosts, step, cpus)
    if (where / "done").exists():
        return where
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    started = time.perf_counter()
    cloud = SimulatedCloud.create(where / "cloud.sqlite", SEED, hosts, hosts * PER_HOST, 0.0)
    cloud.set_clock(END)
    text = where / "series.om"
    with open(text, "w") as out:
        samples = prometheus_series.write(
            out, cloud, END, host_period=HOST_PERIOD, instance_period=INSTANCE_PERIOD,
            step=step, cpus=cpus,
        )  # fmt: skip
    cloud.close()
    written = time.perf_counter()
    blocks = where / "blocks"
    subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(text), str(blocks)],
        check=True,
    )
    text.unlink()
    (where / "done").write_text(json.dumps({"samples": samples}))
    print(
        f"generated {hosts:,} hosts: {samples:,} samples, text {written - started:.0f} s, "
        f"promtool {time.perf_counter() - written:.0f} s",
        flush=True,
    )
    return where


class Prometheus:
    """Debian's prometheus on a hard-linked copy of cached blocks, on a free loopback port."""

    def __init__(self, blocks: Path, workdir: Path) -> None:
        data = workdir / "data"
        shutil.copytree(blocks, data, copy_function=os.link)
        config = workdir / "prometheus.yml"
        config.write_text("global:\n  scrape_interval: 15s\nscrape_configs: []\n")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(workdir / "prometheus.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={data}",
             f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=3650d"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while not self._ready():
            if time.monotonic() > deadline:
                raise TimeoutError("prometheus did not become ready")
            time.sleep(0.2)

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError("prometheus exited; see its log")
        try:
            return requests.get(f"{self.url}/-/ready", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def queries_served(self) -> int:
        """Prometheus's own count of ``/api/v1/query`` requests."""
        text = requests.get(f"{self.url}/metrics", timeout=10).text
        pattern = r'prometheus_http_requests_total\{[^}]*handler="/api/v1/query"[^}]*\} (\S+)'
        return int(sum(float(v) for v in re.findall(pattern, text)))

    def cpu_seconds(self) -> float:
        """CPU time Prometheus has used so far (user + system)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_mib(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def run_case(where: Path, url: str, strategy: str, mode: str) -> dict:
    """One audit, in this (fresh) process."""
    work = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    os.environ["WATCHER_DATABASE_URL"] = f"sqlite:///{work / 'watcher.sqlite'}"
    from bench.decision_engine import _persist
    from watcher_celery.cloud.simulated import SimulatedCloud
    from watcher_celery.datasources.prometheus import PrometheusDatasource
    from watcher_celery.decision_engine.collector import collect
    from watcher_celery.decision_engine.gc_pause import gc_paused
    from watcher_celery.decision_engine.sync import sync_plugins
    from watcher_celery.migrate import upgrade
    from watcher_celery.plugins import StrategyContext
    from watcher_celery.plugins.parameters import validate
    from watcher_celery.plugins.registry import get_registry

    upgrade()
    sync_plugins()
    definition = get_registry().strategy(strategy)
    cloud = SimulatedCloud(where / "cloud.sqlite")
    datasource = PrometheusDatasource(url, at=END, timeout=120)
    spent = [0.0]
    instant = datasource.instant

    def timed(promql):
        started = time.perf_counter()
        try:
            return instant(promql)
        finally:
            spent[0] += time.perf_counter() - started

    datasource.instant = timed
    with gc_paused():  # as run_audit does
        started, cpu_started = time.perf_counter(), time.process_time()
        model = collect(cloud, [], ("compute",))
        if not datasource.check_availability():
            raise RuntimeError(datasource.describe_unavailable())
        if mode == "batched":
            datasource.bind(model)
        built = time.perf_counter()
        params = validate(definition.parameters_schema, {})
        solution = definition.execute(
            StrategyContext(parameters=params, model=model, metrics=datasource)
        )
        solved = time.perf_counter()
        actions = _persist(definition, solution, work / "watcher.sqlite")
        stored, cpu_stored = time.perf_counter(), time.process_time()
    shutil.rmtree(work, ignore_errors=True)
    return {
        "strategy": strategy,
        "mode": mode,
        "hosts": len(model.nodes),
        "instances": len(model.instances),
        "requests": datasource.requests,
        "model_s": built - started,
        "metrics_s": spent[0],
        "strategy_s": solved - built - spent[0],
        "persist_s": stored - solved,
        "total_s": stored - started,
        "cpu_s": cpu_stored - cpu_started,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "actions": actions,
    }


def _case(where: Path, server: Prometheus, strategy: str, mode: str) -> dict:
    before, cpu = server.queries_served(), server.cpu_seconds()
    out = subprocess.run(
        [sys.executable, __file__, "--case", str(where), server.url, strategy, mode],
        check=True, capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout  # fmt: skip
    result = json.loads(out.strip().splitlines()[-1])
    result["served"] = server.queries_served() - before
    result["server_cpu_s"] = server.cpu_seconds() - cpu
    return result


def _row(r: dict) -> str:
    return (
        f"{r['strategy']:<26} {r['mode']:<12} {r['hosts']:>6} {r['instances']:>7} "
        f"{r['requests']:>8} {r['served']:>8} {r['model_s']:>7.2f} {r['metrics_s']:>9.2f} "
        f"{r['strategy_s']:>7.2f} {r['persist_s']:>7.2f} {r['total_s']:>7.2f} "
        f"{r['cpu_s']:>6.2f} {r['server_cpu_s']:>6.2f} {r['peak_mib']:>8.0f} {r['actions']:>7}"
    )


def run_size(cache: Path, hosts: int, modes: tuple[str, ...], args) -> list[dict]:
    where = prepare(cache, hosts, args.step, args.cpus)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-prometheus-") as tmp:
        started = time.perf_counter()
        server = Prometheus(where / "blocks", Path(tmp))
        print(f"prometheus on {hosts:,} hosts ready in {time.perf_counter() - started:.1f} s")
        try:
            for strategy in args.strategies:
                for mode in modes:
                    result = _case(where, server, strategy, mode)
                    results.append(result)
                    print(_row(result), flush=True)
            print(f"prometheus peak RSS at {hosts:,} hosts: {server.peak_mib():.0f} MiB")
        finally:
            server.stop()
    return results


def _report(results: list[dict], hosts: int, old_hosts: int) -> None:
    by = {(r["strategy"], r["mode"], r["hosts"]): r for r in results}
    print()
    for strategy in STRATEGIES:
        old = by.get((strategy, "per-resource", old_hosts))
        new = by.get((strategy, "batched", old_hosts))
        if old and new:
            print(
                f"{strategy} at {old_hosts:,} hosts: {old['requests']:,} -> {new['requests']} "
                f"requests ({old['requests'] / new['requests']:,.0f}x fewer), "
                f"{old['total_s']:.1f} -> {new['total_s']:.1f} s "
                f"({old['total_s'] / new['total_s']:.1f}x faster)"
            )
        big = by.get((strategy, "batched", hosts))
        if big:
            ok = big["total_s"] < TARGET_SECONDS and big["peak_mib"] < TARGET_GIB * 1024
            print(
                f"{strategy} at {hosts:,} hosts / {big['instances']:,} instances: "
                f"{big['requests']} requests, {big['total_s']:.1f} s (target "
                f"{TARGET_SECONDS:.0f}; CPU {big['cpu_s']:.1f} s here + "
                f"{big['server_cpu_s']:.1f} s in Prometheus), {big['peak_mib'] / 1024:.2f} GiB "
                f"(target {TARGET_GIB}) -> {'met' if ok else 'NOT met'}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--old-hosts", type=int, default=500, help="0: skip the old way")
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES))
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "bench-cache")
    parser.add_argument("--step", type=int, default=60, help="seconds between samples")
    parser.add_argument("--cpus", type=int, default=2, help="node_exporter CPUs per host")
    parser.add_argument("--case", nargs=4, metavar=("DIR", "URL", "STRATEGY", "MODE"))
    args = parser.parse_args()
    if str(ROOT) not in sys.path:  # run as a script: make ``bench`` importable
        sys.path.insert(0, str(ROOT))
    if args.case:
        where, url, strategy, mode = args.case
        print(json.dumps(run_case(Path(where), url, strategy, mode)))
        return 0
    print(
        f"{'strategy':<26} {'mode':<12} {'hosts':>6} {'inst':>7} {'requests':>8} "
        f"{'served':>8} {'model_s':>7} {'metrics_s':>9} {'strat_s':>7} {'persist':>7} "
        f"{'total_s':>7} {'cpu_s':>6} {'srv_cpu':>6} {'peak_MiB':>8} {'actions':>7}"
    )
    results = []
    if args.old_hosts:
        results += run_size(args.cache, args.old_hosts, ("per-resource", "batched"), args)
    if args.hosts:
        results += run_size(args.cache, args.hosts, ("batched",), args)
    _report(results, args.hosts, args.old_hosts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
