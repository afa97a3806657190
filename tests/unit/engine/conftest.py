"""Fixtures of the engine tests (builders in engine_support.py)."""

from __future__ import annotations

import pytest
from engine_support import RAW_CONFIG

from ims.config.models import ImsConfig
from ims.engine import Engine


@pytest.fixture(scope="session")
def config() -> ImsConfig:
    return ImsConfig.model_validate(RAW_CONFIG)


@pytest.fixture(scope="session")
def engine(config: ImsConfig) -> Engine:
    return Engine(config)
