"""``ims documents`` end to end (click's runner, a SQLite file, data in tmp_path)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ims.cli.main import cli
from ims.testing.files import exe, jpeg, pdf

REPO = Path(__file__).resolve().parents[3]
CONFIG = str(REPO / "config" / "ims.yaml")


@pytest.fixture
def run(tmp_path: Path) -> Any:
    runner = CliRunner()
    env = {"IMS_DATA_DIR": str(tmp_path / "data"), "IMS_LANGUAGE": "en"}
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def invoke(*args: str) -> Result:
        return runner.invoke(
            cli, ["--config", CONFIG, "--database-url", url, *args], env=env, catch_exceptions=False
        )

    return invoke


@pytest.fixture
def number(run: Any, tmp_path: Path) -> str:
    for user, role in (("fenna", "front_office"), ("carlos", "control"), ("ivan", "it")):
        assert run("users", "add", user, "--role", role).exit_code == 0
    data = tmp_path / "app.json"
    data.write_text(json.dumps({"applicant": {"first_name": "A", "last_name": "B"}}))
    result = run("app", "create", "bouwsubsidie", "--as", "fenna", "--data", f"@{data}")
    assert result.exit_code == 0, result.output
    return str(result.output.split()[0])


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_upload_list_verify_download(run: Any, number: str, tmp_path: Path) -> None:
    result = run(
        "documents", "upload", number, "plot_map", write(tmp_path, "plot_map.pdf", pdf()), "--as", "fenna"
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"document 1 uploaded: plot_map.pdf (application/pdf, {len(pdf())} bytes)",
        f"sha256 {hashlib.sha256(pdf()).hexdigest()}",
    ]
    photo = jpeg(taken="2026:10:30 14:05:00", lat=("N", (5, 51, 8.4)), lon=("W", (55, 12, 0)))
    result = run("documents", "upload", number, "photo", write(tmp_path, "site.jpg", photo), "--as", "carlos")
    assert result.exit_code == 0, result.output
    assert "taken_at 2026-10-30T14:05:00" in result.output

    result = run("documents", "list", number)
    assert result.exit_code == 0, result.output
    assert "plot_map.pdf" in result.output and "PENDING" in result.output and "site.jpg" in result.output

    result = run("documents", "verify", "1", "--as", "fenna")
    assert (result.exit_code, result.output) == (0, "document 1: VERIFIED\n")
    result = run("documents", "reject", "2", "--reason", "Blurred", "--as", "fenna")
    assert (result.exit_code, result.output) == (0, "document 2: REJECTED\n")
    result = run("documents", "missing", number, "pay_slip", "--reason", "None issued", "--as", "fenna")
    assert (result.exit_code, result.output) == (0, "document 3: MISSING\n")

    result = run("documents", "checklist", number)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("plot_map"))
    assert "Plot map" in line and "yes" in line and "VERIFIED" in line

    result = run("documents", "token", "1", "--as", "fenna")
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    out = tmp_path / "out"
    out.mkdir()
    result = run("documents", "download", token, str(out))
    assert result.exit_code == 0, result.output
    assert (out / "plot_map.pdf").read_bytes() == pdf()
    result = run("documents", "download", token, str(out / "copy.pdf"))
    assert (out / "copy.pdf").read_bytes() == pdf()
    result = run("documents", "download", token, "-")
    assert result.stdout_bytes == pdf()


def test_errors_are_messages_with_exit_codes(run: Any, number: str, tmp_path: Path) -> None:
    result = run(
        "documents", "upload", number, "plot_map", write(tmp_path, "invoice.pdf", exe()), "--as", "fenna"
    )
    assert result.exit_code == 3
    assert "invoice.pdf is a Windows program" in result.output
    assert "Traceback" not in result.output
    path = write(tmp_path, "plot.pdf", pdf())
    assert run("documents", "upload", number, "plot_map", path, "--as", "fenna").exit_code == 0
    result = run("documents", "upload", number, "other", path, "--as", "fenna")
    assert result.exit_code == 5
    assert "plot.pdf was already uploaded as document 1 (plot.pdf)" in result.output
    result = run("documents", "token", "1", "--as", "ivan")
    assert result.exit_code == 6
    result = run("documents", "download", "not-a-token", str(tmp_path / "x"))
    assert result.exit_code == 6
    assert "the download link is not valid" in result.output
    assert not (tmp_path / "x").exists()


def test_gc_lists_then_deletes_orphans(run: Any, number: str, tmp_path: Path) -> None:
    from ims.default_plugins.fs_documents import FilesystemStore

    run("documents", "upload", number, "plot_map", write(tmp_path, "plot.pdf", pdf()), "--as", "fenna")
    store = FilesystemStore(tmp_path / "data" / "documents")
    orphan = b"orphan"
    key = store.put(io.BytesIO(orphan), sha256=hashlib.sha256(orphan).hexdigest(), size=len(orphan)).key

    result = run("documents", "gc")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "0 orphan files found" in result.output
    result = run("documents", "gc", "--min-age", "0")
    assert result.stdout == f"{key}\n"
    assert store.exists(key)
    result = run("documents", "gc", "--delete", "--min-age", "0")
    assert result.exit_code == 0, result.output
    assert "1 orphan file deleted" in result.output
    assert not store.exists(key)
    assert len(list(store.keys())) == 1
