"""Signed download tokens (expiry on a controlled clock, forgery) and the generated secret key."""

from __future__ import annotations

import os
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ims.config.models import Settings
from ims.documents import DownloadClaim, DownloadTokens, secret_key
from ims.errors import PermissionDenied
from ims.testing.fixtures import Clock

SHA = "ab" * 32


def test_round_trip() -> None:
    tokens = DownloadTokens("k" * 32, ttl_seconds=900)
    token = tokens.issue(12, SHA, "fenna")
    assert DownloadClaim(12, SHA, "fenna") == tokens.verify(token)


def test_expires_after_the_ttl() -> None:
    clock = Clock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    tokens = DownloadTokens("k" * 32, ttl_seconds=900, clock=clock)
    token = tokens.issue(12, SHA, "fenna")
    clock.now += timedelta(seconds=900)
    assert tokens.verify(token).document_id == 12
    clock.now += timedelta(seconds=1)
    with pytest.raises(PermissionDenied) as info:
        tokens.verify(token)
    assert str(info.value) == (
        "the download link expired (issued 2026-11-02 09:00 UTC, valid for 900 seconds); ask for a new one"
    )


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), id="signature"),
        pytest.param(lambda t: "x" + t[1:], id="payload"),
        pytest.param(lambda t: "not-a-token", id="garbage"),
        pytest.param(lambda t: "", id="empty"),
    ],
)
def test_forged_tokens_are_refused(tamper) -> None:  # type: ignore[no-untyped-def]
    tokens = DownloadTokens("k" * 32, ttl_seconds=900)
    with pytest.raises(PermissionDenied, match="the download link is not valid"):
        tokens.verify(tamper(tokens.issue(12, SHA, "fenna")))


def test_another_key_or_salt_does_not_verify() -> None:
    from itsdangerous import URLSafeTimedSerializer

    theirs = DownloadTokens("another key entirely", ttl_seconds=900).issue(12, SHA, "fenna")
    mine = DownloadTokens("k" * 32, ttl_seconds=900)
    with pytest.raises(PermissionDenied, match="not valid"):
        mine.verify(theirs)
    other_salt = URLSafeTimedSerializer("k" * 32, salt="something-else").dumps(
        {"doc": 12, "sha256": SHA, "u": "x"}
    )
    with pytest.raises(PermissionDenied, match="not valid"):
        mine.verify(other_salt)


def test_rotated_keys_still_verify_old_tokens() -> None:
    old = DownloadTokens("old key 0123456789", ttl_seconds=900).issue(1, SHA, "fenna")
    rotated = DownloadTokens(["old key 0123456789", "new key 0123456789"], ttl_seconds=900)
    assert rotated.verify(old).document_id == 1


def test_the_setting_wins(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path), secret_key="from the settings, long enough")
    assert secret_key(settings) == "from the settings, long enough"
    assert not (tmp_path / "secret_key").exists()


def test_a_key_is_generated_once_with_private_permissions(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path / "var"))
    first = secret_key(settings)
    path = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert secret_key(settings) == first
    assert sorted(os.listdir(tmp_path / "var")) == ["secret_key"]


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path))
    keys: list[str] = []
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        keys.append(secret_key(settings))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and len(set(keys)) == 1


def test_the_environment_overrides_the_file(tmp_path: Path) -> None:
    from ims.config.build import build_settings

    settings = build_settings(
        {"secret_key": "in the file, long enough"}, tmp_path, {"IMS_SECRET_KEY": "from env 0123456789"}
    )
    assert secret_key(settings) == "from env 0123456789"
    assert "from env" not in repr(settings)
