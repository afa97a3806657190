"""Helpers of the document tests (fixtures are in conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
"""Where the tests' hand-moved clock starts (a Monday morning)."""
