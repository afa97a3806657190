"""Fixtures: an SMTP sink on 127.0.0.1, and the reference deployment with e-mail switched on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from notifications_support import REFERENCE_CONFIG, START, SmtpSink, email_env, free_port

from ims import IMS
from ims.demo import USERS
from ims.testing.fixtures import Clock


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink(free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def make_ims(db_url: str, clock: Clock, tmp_path: Path) -> Iterator[Callable[..., IMS]]:
    """``make_ims(url=..., plugins=[...])``: the reference deployment in Dutch, e-mail on.

    Users get an e-mail address ``<username>@housing.example.sr``.
    """
    made: list[IMS] = []

    def make(url: str = "mailto://127.0.0.1:9?mode=insecure", plugins: tuple[object, ...] = ()) -> IMS:
        ims = IMS.from_config(
            REFERENCE_CONFIG,
            env=email_env(url, tmp_path),
            database_url=db_url,
            clock=clock,
            auto_upgrade=True,
            extra_plugins=plugins,
        )
        made.append(ims)
        if not made[:-1]:
            for username, (name, role) in USERS.items():
                ims.users.create(
                    username, display_name=name, roles=[role], email=f"{username}@housing.example.sr"
                )
        return ims

    try:
        yield make
    finally:
        for ims in made:
            ims.close()
