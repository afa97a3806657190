"""The ``api`` settings are checked like every other; health checks fail cleanly; small parts."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from api_support import REPO, make_app
from click.testing import CliRunner
from litestar.testing import TestClient

from ims import IMS
from ims.api.auth import IdentityCache
from ims.cli.main import cli
from ims.errors import ValidationFailed
from ims.rules import Actor
from ims.services._search import SORT_COLUMNS, ApplicationQuery, decode_cursor, encode_cursor


def _deployment(tmp_path: Path, api_yaml: str) -> Path:
    for folder in ("config", "workflows", "plugins"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    root = tmp_path / "config" / "ims.yaml"
    text = root.read_text()
    root.write_text(text.replace("settings:\n", f"settings:\n  api:\n{api_yaml}", 1))
    return root


def test_ims_check_validates_the_api_section(tmp_path: Path) -> None:
    root = _deployment(
        tmp_path,
        "    rate_limit_per_minute: -1\n    cors_origins: [office.example]\n    jwt: {algorithms: [none]}\n",
    )
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 1, result.output
    assert "/settings/api/rate_limit_per_minute" in result.output
    assert "/settings/api/cors_origins/0" in result.output
    assert "/settings/api/jwt/algorithms/0" in result.output
    assert "ims.yaml:" in result.output


def test_good_api_settings_load(tmp_path: Path) -> None:
    root = _deployment(
        tmp_path,
        "    rate_limit_per_minute: 30\n    cors_origins: ['https://office.example']\n"
        "    jwt: {issuer: null, public_keys: [keys/idp.pem]}\n",
    )
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 0, result.output
    from ims.config import load

    config = load(root, env={})
    assert config.settings.api.rate_limit_per_minute == 30
    assert config.settings.api.jwt.public_keys == (str(tmp_path / "config" / "keys" / "idp.pem"),)


def test_an_unreachable_database_is_not_ready(ims: IMS, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("connection refused")

    monkeypatch.setattr(ims.db, "connect", broken)
    report = ims.health.check()
    assert not report.ready
    assert report.checks[0].status == "fail" and "connection refused" in report.checks[0].message
    assert report.as_dict()["status"] == "fail"
    with TestClient(make_app(ims, rate_limit_per_minute=0)) as c:
        response = c.get("/health/ready")
        assert response.status_code == 503
        assert response.json()["ready"] is False


def test_a_stale_outbox_warns(ims: IMS) -> None:
    from datetime import timedelta

    from ims.services.health import HealthService

    app = ims.applications.create(
        "bouwsubsidie", {"applicant": {"first_name": "A", "last_name": "B"}}, actor="fenna"
    )
    assert app.id
    count, _ = ims.outbox.backlog()
    strict = HealthService(ims, outbox_max_age=timedelta(seconds=-1))
    check = strict.outbox(ims.runtime.now())
    assert check.status == ("warn" if count else "ok")
    assert check.data["backlog"] == count


def test_the_identity_cache_never_outlives_the_token() -> None:
    cache = IdentityCache(60)
    actor = Actor("fenna", frozenset({"front_office"}))
    cache.put("a", actor, until=time.time() - 1)
    cache.put("b", actor, until=time.time() + 30)
    assert cache.get("a") is None
    assert cache.get("b") == actor
    assert IdentityCache(0).get("b") is None


@pytest.mark.parametrize("sort", list(SORT_COLUMNS))
def test_cursors_round_trip(sort: str) -> None:
    from datetime import UTC, datetime

    column = SORT_COLUMNS[sort]
    python_type = getattr(column.type, "impl", column.type).python_type
    value = {datetime: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), int: 7, str: "BS-1"}[python_type]
    assert decode_cursor(encode_cursor(value, 42), column) == (value, 42)


@pytest.mark.parametrize("cursor", ["!!!", "e30", "WzEsMl0", "WyJ4IiwgInkiXQ", ""])
def test_bad_cursors_are_validation_errors(cursor: str) -> None:
    with pytest.raises(ValidationFailed):
        decode_cursor(cursor, SORT_COLUMNS["created_at"])


def test_a_cursor_and_a_page_together_are_refused(ims: IMS) -> None:
    with pytest.raises(ValidationFailed, match="not valid"):
        ims.applications.search(ApplicationQuery(cursor="x", page=2), actor="anna")
