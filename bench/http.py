"""HTTP API benchmark: requests per second and p50/p99 latency over a real server on loopback.

Run from the repository root (needs ``pip install -e '.[api]'``)::

    python bench/http.py                    # SQLite, 10 s per scenario
    python bench/http.py --quick            # a smoke run (~20 s)
    python bench/http.py --db postgresql    # IMS_BENCH_PG, default postgresql://postgres@127.0.0.1:5432
    python bench/http.py --json out.json

One uvicorn server (one worker process, the app of ``ims.api.create_app`` on the
reference deployment) serves, in the same process and through the same middleware
(metrics, authentication, rate limiting):

* ``GET /bench/bare``: a bare Litestar endpoint returning a small JSON object, the floor;
* ``GET /applications/{id}``: reading an application (bearer token, visibility check);
* ``GET /tasks?limit=20``: the front office's work queue;
* ``POST /applications/{id}/transitions``: the director alternating ``hold`` (with a
  reason) and ``resume`` on applications in INTAKE_REVIEW, the transition
  ``bench/transitions.py`` measures.

The rate limit stays on (set so high that it never refuses), so its cost is counted.
Load comes from client processes, each with a few threads holding a keep-alive
connection and sending prebuilt requests over a raw socket (a minimal HTTP/1.1
client: the load generator must cost less than the server).  Each scenario runs
for ``--seconds`` after a warm-up; a latency is one request's round trip.

In the same run, the same transition through the Python API
(``IMS.workflow.transition`` in one process, one thread) on other applications of the
same database gives the rate the HTTP layer is compared with.  HTTP transitions are
measured with one connection (the same sequential work, plus the HTTP layer) and
with several (the server overlaps requests in its thread pool).
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called http.py: keep its folder off sys.path so that the standard
# library's ``http`` (used by uvicorn and every HTTP client) is found, not this script.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing as mp  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "ims.yaml"
PG_SERVER = os.environ.get("IMS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
DIRECTOR, CLERK = "dirk", "fenna"
REASON = "waiting for the land registry"
SECRET = "bench-secret-key-0123456789abcdef"


def ims_env(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMS_")}
    env.update(
        {"IMS_LANGUAGE": "en", "IMS_DATA_DIR": data_dir, "IMS_CONFIG": str(CONFIG), "IMS_SECRET_KEY": SECRET}
    )
    return env


def open_ims(url: str, data_dir: str, *, upgrade: bool = False) -> Any:
    from ims.facade import IMS

    return IMS.from_config(CONFIG, env=ims_env(data_dir), database_url=url, auto_upgrade=upgrade)


# ------------------------------------------------------------------------------ setup


def create_database(kind: str) -> tuple[str, str, str | None]:
    data_dir = tempfile.mkdtemp(prefix="ims_bench_http_")
    if kind == "sqlite":
        return f"sqlite:///{data_dir}/ims.db", data_dir, None
    import psycopg

    name = f"ims_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}", data_dir, name


def drop_database(data_dir: str, pg_name: str | None) -> None:
    if pg_name is not None:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    shutil.rmtree(data_dir, ignore_errors=True)


def prepare(url: str, data_dir: str, n_apps: int) -> list[int]:
    """Seed the reference users and ``n_apps`` applications in INTAKE_REVIEW."""
    from ims.demo import USERS, applicant_data

    ims = open_ims(url, data_dir, upgrade=True)
    try:
        for username, (name, role) in USERS.items():
            ims.users.create(username, display_name=name, roles=[role])
        ids = []
        for i in range(n_apps):
            app = ims.applications.create("bouwsubsidie", applicant_data("Maria", f"Doe{i}"), actor=CLERK)
            ims.documents.add(
                app.id, "national_declaration", "d.pdf", actor=CLERK, content=f"%PDF-1.4 {i}".encode()
            )
            ims.workflow.transition(app.id, "submit", actor=CLERK)
            ids.append(app.id)
        return ids
    finally:
        ims.close()


# ------------------------------------------------------------------------------ the server


def serve(url: str, data_dir: str, port: int) -> None:  # pragma: no cover - runs in a child process
    """The server process: create_app(ims) plus the bare endpoint, on uvicorn."""
    os.environ.update(ims_env(data_dir))
    import uvicorn
    from litestar import get

    from ims.api import create_app

    @get("/bench/bare", exclude_from_auth=True)
    async def bare() -> dict[str, str]:
        return {"status": "ok"}

    ims = open_ims(url, data_dir)
    settings = ims.config.settings.api.model_copy(update={"rate_limit_per_minute": 1_000_000_000})
    app = create_app(ims, settings=settings)
    app.register(bare)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, server_header=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(url: str, data_dir: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", url, data_dir, str(port)]
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the benchmark server exited") from None
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the benchmark server did not start")


# ------------------------------------------------------------------------------ the load


class Connection:
    """A minimal keep-alive HTTP/1.1 client on a raw socket (Content-Length bodies only)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def request(self, raw: bytes) -> tuple[int, bytes]:
        self.sock.sendall(raw)
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            rest += chunk
        self.buffer = rest[length:]
        return status, rest[:length]

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def build(method: str, path: str, token: str | None = None, body: dict[str, Any] | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    data = b""
    if body is not None:
        data = json.dumps(body).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def _client(
    port: int, scenario: dict[str, Any], threads: int, seconds: float, warmup: float, out: Any
) -> None:  # pragma: no cover - runs in a child process
    import threading

    results: list[tuple[int, list[float], int]] = []
    lock = threading.Lock()
    start_at = time.perf_counter() + warmup

    def run(slot: int) -> None:
        conn = Connection(port)
        latencies: list[float] = []
        errors = done = 0
        failures: dict[int, int] = {}
        kind = scenario["kind"]
        apps: list[int] = scenario["apps"][slot] if kind == "transition" else scenario.get("apps_flat", [])
        state = dict.fromkeys(apps, "INTAKE_REVIEW")
        i = 0
        stop_at = start_at + seconds
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                break
            if kind == "transition":
                app_id = apps[i % len(apps)]
                action = "hold" if state[app_id] == "INTAKE_REVIEW" else "resume"
                body: dict[str, Any] = {"action": action}
                if action == "hold":
                    body["reason"] = REASON
                raw = build("POST", f"/applications/{app_id}/transitions", scenario["token"], body)
            elif kind == "read":
                raw = build("GET", f"/applications/{apps[i % len(apps)]}", scenario["token"])
            else:
                raw = scenario["raw"]
            i += 1
            t0 = time.perf_counter()
            status, _ = conn.request(raw)
            t1 = time.perf_counter()
            ok = status in (200, 201)
            if kind == "transition" and ok:
                state[app_id] = "ON_HOLD" if action == "hold" else "INTAKE_REVIEW"
            if t0 >= start_at:
                done += 1
                latencies.append(t1 - t0)
                errors += not ok
                if not ok:
                    failures[status] = failures.get(status, 0) + 1
        conn.close()
        with lock:
            results.append((done, latencies, errors))
            if failures:
                print(f"  {scenario['kind']}: failed requests by status: {failures}", file=sys.stderr)

    workers = [threading.Thread(target=run, args=(slot,)) for slot in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.send(results)


@dataclass
class Result:
    scenario: str
    connections: int
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float


def load(
    port: int,
    name: str,
    scenario: dict[str, Any],
    processes: int,
    threads: int,
    seconds: float,
    warmup: float,
) -> Result:
    ctx = mp.get_context("spawn")
    pipes, procs = [], []
    for p in range(processes):
        parent, child = ctx.Pipe()
        own = dict(scenario)
        if scenario["kind"] == "transition":
            own["apps"] = scenario["apps"][p * threads : (p + 1) * threads]
        proc = ctx.Process(target=_client, args=(port, own, threads, seconds, warmup, child))
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    gathered = [pipe.recv() for pipe in pipes]
    for proc in procs:
        proc.join()
    latencies = sorted(x for part in gathered for _, lat, _ in part for x in lat)
    requests = sum(d for part in gathered for d, _, _ in part)
    errors = sum(e for part in gathered for _, _, e in part)
    return Result(
        name,
        processes * threads,
        requests,
        errors,
        requests / seconds,
        statistics.median(latencies) * 1000 if latencies else float("nan"),
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else float("nan"),
    )


def python_api_rate(url: str, data_dir: str, apps: list[int], seconds: float, warmup: float) -> Result:
    """The same hold/resume transitions through IMS.workflow.transition, one thread."""
    ims = open_ims(url, data_dir)
    try:
        state = {app_id: "INTAKE_REVIEW" for app_id in apps}
        latencies: list[float] = []
        i = 0
        start_at = time.perf_counter() + warmup
        stop_at = start_at + seconds
        while (now := time.perf_counter()) < stop_at:
            app_id = apps[i % len(apps)]
            i += 1
            action = "hold" if state[app_id] == "INTAKE_REVIEW" else "resume"
            ims.workflow.transition(
                app_id, action, actor=DIRECTOR, reason=REASON if action == "hold" else None
            )
            state[app_id] = "ON_HOLD" if action == "hold" else "INTAKE_REVIEW"
            if now >= start_at:
                latencies.append(time.perf_counter() - now)
        latencies.sort()
        return Result(
            "transition (Python API)",
            1,
            len(latencies),
            0,
            len(latencies) / seconds,
            statistics.median(latencies) * 1000,
            latencies[int(len(latencies) * 0.99)] * 1000,
        )
    finally:
        ims.close()


# ------------------------------------------------------------------------------ main


def run(kind: str, seconds: float, warmup: float, processes: int, threads: int) -> dict[str, Any]:
    from ims.api.tokens import issue

    url, data_dir, pg_name = create_database(kind)
    connections = processes * threads
    n_apps = 60 + 5 * connections
    try:
        ids = prepare(url, data_dir, n_apps)
        ims = open_ims(url, data_dir)
        now = datetime.now(UTC)
        token_director = issue(ims.config.settings, DIRECTOR, now=now, ttl=timedelta(hours=2))
        token_clerk = issue(ims.config.settings, CLERK, now=now, ttl=timedelta(hours=2))
        ims.close()
        python_apps, single_apps, http_apps = ids[:40], ids[40:60], ids[60:]
        per_slot = [http_apps[k::connections] for k in range(connections)]
        server, port = start_server(url, data_dir)
        results: list[Result] = []
        try:
            scenarios: list[tuple[str, dict[str, Any], int, int]] = [
                ("bare endpoint", {"kind": "raw", "raw": build("GET", "/bench/bare")}, processes, threads),
                (
                    "read application",
                    {"kind": "read", "token": token_clerk, "apps_flat": ids},
                    processes,
                    threads,
                ),
                (
                    "work queue",
                    {"kind": "raw", "raw": build("GET", "/tasks?limit=20", token_clerk)},
                    processes,
                    threads,
                ),
                (
                    "transition (HTTP, 1 connection)",
                    {"kind": "transition", "token": token_director, "apps": [single_apps]},
                    1,
                    1,
                ),
                (
                    f"transition (HTTP, {connections} connections)",
                    {"kind": "transition", "token": token_director, "apps": per_slot},
                    processes,
                    threads,
                ),
            ]
            for name, scenario, procs, thr in scenarios:
                if name.startswith("transition (HTTP, 1"):
                    results.append(python_api_rate(url, data_dir, python_apps, seconds, warmup))
                results.append(load(port, name, scenario, procs, thr, seconds, warmup))
                print(f"  {results[-1]}", file=sys.stderr) if os.environ.get("IMS_BENCH_VERBOSE") else None
        finally:
            server.terminate()
            server.wait(10)
        ims = open_ims(url, data_dir)
        broken = ims.audit.verify().broken
        ims.close()
        return {"db": kind, "results": [asdict(r) for r in results], "audit_intact": not broken}
    finally:
        drop_database(data_dir, pg_name)


def report(run_result: dict[str, Any]) -> None:
    rows = {r["scenario"]: r for r in run_result["results"]}
    bare = rows["bare endpoint"]["rps"]
    api = rows["transition (Python API)"]["rps"]
    print(f"\n{run_result['db']}: audit chains intact: {run_result['audit_intact']}")
    print(f"{'scenario':<36} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}  ratio")
    for r in run_result["results"]:
        if r["scenario"].startswith("transition"):
            ratio = f"{r['rps'] / api:.2f} of the Python API"
        else:
            ratio = f"{r['rps'] / bare:.2f} of bare"
        print(
            f"{r['scenario']:<36} {r['connections']:>5} {r['rps']:>9.0f} {r['p50_ms']:>8.2f} "
            f"{r['p99_ms']:>8.2f} {r['errors']:>6}  {ratio}"
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="connections per client process")
    parser.add_argument("--quick", action="store_true", help="3 s per scenario")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.warmup = 3.0, 1.0
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    info = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(f"python {info['python']} on {info['machine']}, {info['cpus']} CPUs; {args.seconds} s per scenario")
    runs = []
    for kind in kinds:
        result = run(kind, args.seconds, args.warmup, args.processes, args.threads)
        report(result)
        runs.append(result)
    if args.json:
        args.json.write_text(json.dumps({"info": info, "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
