"""The ims fixtures (ims_instance, make_user, ...) come with ims; these two point them at this plugin."""

from __future__ import annotations

from pathlib import Path

import ims_income
import pytest


@pytest.fixture
def ims_config_path() -> Path:
    """Our own small deployment, whose gates name ``income_at_most``."""
    return Path(__file__).parent / "config" / "ims.yaml"


@pytest.fixture
def ims_plugins() -> list[object]:
    """Register the plugin even when it is not installed (installed, it is loaded once)."""
    return [ims_income]
