"""The CLI side of the API: ims users token, ims users api-key, ims health, ims serve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_support import REFERENCE_CONFIG
from click.testing import CliRunner

from ims.cli.main import cli


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IMS_SECRET_KEY", "s" * 32)
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, ["--config", str(REFERENCE_CONFIG), "--database-url", url, *args])

    return invoke


def test_token_and_api_keys(run) -> None:  # type: ignore[no-untyped-def]
    import jwt

    assert run("users", "add", "fenna", "--role", "front_office").exit_code == 0
    result = run("users", "token", "fenna", "--ttl", "5")
    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.output.strip(), options={"verify_signature": False})
    assert claims["sub"] == "fenna" and claims["exp"] - claims["iat"] == 300
    assert claims["iss"] == claims["aud"] == "ims"
    assert run("users", "token", "nobody").exit_code == 4
    created = run("users", "api-key", "create", "fenna", "sync job")
    assert created.exit_code == 0, created.output
    assert created.output.startswith("ims_")
    listed = run("users", "api-key", "list")
    assert "sync job" in listed.output and created.output.splitlines()[0] not in listed.output
    assert run("users", "api-key", "revoke", "1").exit_code == 0
    assert "revoked" in run("users", "api-key", "revoke", "1").output
    assert run("users", "api-key", "revoke", "99").exit_code == 4


def test_health(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("health")
    assert result.exit_code == 0, result.output
    assert "database" in result.output and "ready" in result.output
    as_json = json.loads(run("health", "--format", "json").output)
    assert as_json["ready"] is True
    assert {c["name"] for c in as_json["checks"]} == {"database", "migrations", "plugins", "outbox", "worker"}
    worker = next(c for c in as_json["checks"] if c["name"] == "worker")
    assert worker["status"] == "warn"
    beat = tmp_path / "data" / "worker-host-1.heartbeat.json"
    beat.parent.mkdir(parents=True, exist_ok=True)
    beat.write_text(json.dumps({"at": "2026-01-01T00:00:00+00:00"}))
    stale = json.loads(run("health", "--format", "json").output)
    assert next(c for c in stale["checks"] if c["name"] == "worker")["message"].startswith("last heartbeat")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_runs_the_api(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "IMS_DATA_DIR": str(tmp_path / "data"),
        "IMS_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "IMS_SECRET_KEY": "s" * 32,
    }
    command = [
        sys.executable,
        "-m",
        "ims.cli.main",
        "--config",
        str(REFERENCE_CONFIG),
        "serve",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(
        [sys.executable, "-c", "from ims.cli.main import main; main()", *command[3:]],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert response.json() == {"status": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/schema/openapi.json").json()["info"]["title"] == "ims"
        assert httpx.get(f"http://127.0.0.1:{port}/applications").status_code == 401
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout:
            process.stdout.close()
