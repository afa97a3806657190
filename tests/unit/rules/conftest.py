"""Fixtures of the rules tests (builders in rules_support.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pytest
from rules_support import NOW, RAW_CONFIG, MakeCtx, snapshot

from ims.config.models import ImsConfig
from ims.rules import Actor, EvalContext, Predicate


@pytest.fixture(scope="session")
def config() -> ImsConfig:
    return ImsConfig.model_validate(RAW_CONFIG)


@pytest.fixture
def ctx(config: ImsConfig) -> MakeCtx:
    """``ctx(data=..., documents=..., roles=..., predicates=..., language=...)``."""

    def make(
        *,
        roles: frozenset[str] = frozenset(),
        username: str = "clerk",
        predicates: Mapping[str, Predicate] | None = None,
        language: str = "en",
        now: datetime = NOW,
        **facts: Any,
    ) -> EvalContext:
        return EvalContext(
            snapshot(**facts),
            Actor(username, roles),
            now,
            config,
            predicates or {},
            language,
        )

    return make
