"""open state period: found through its own index

Closing the open period of an application (every transition) read all of the
application's periods through ``ix_state_periods_application_id``, a cost that grew
with the application's history; this partial index holds only the open periods (one an
application), so the next move finds its period in one step.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 15:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("exited_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_state_periods_open",
        "state_periods",
        ["application_id"],
        unique=False,
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_state_periods_open", table_name="state_periods")
