"""tasks and SLA: state periods, the district column, task SLA columns, task roles, SLA notices

* ``state_periods``: one row per stay of an application in a state.  Existing
  applications get their current (open) period, entered at ``state_entered_at``; earlier
  stays are not reconstructed.
* ``applications.district``: copied from ``data.district`` or ``data.applicant.district``.
* ``tasks``: ``workflow`` (from the application), ``warn_at``, ``breached_at``,
  ``next_check_at`` (open tasks with a due time are checked at their due time), ``paused_at``,
  ``paused_seconds``; index on ``next_check_at`` for the SLA sweep.
* ``task_roles``: the roles of each task, one row each, filled from ``tasks.roles``.
* ``sla_notices``: at most one warning, breach and escalation level per task.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 04:30:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: JSON on SQLite, JSONB on PostgreSQL (``ims.store.base.JSONType``).
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)
#: the condition of the partial index ix_tasks_open_unassigned (the dashboard's unassigned count)
OPEN_UNASSIGNED = "assignee IS NULL AND status IN ('PENDING', 'IN_PROGRESS', 'OVERDUE')"


def upgrade() -> None:
    op.create_table(
        "state_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("workflow", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=100), nullable=False),
        sa.Column("entered_at", TS, nullable=False),
        sa.Column("exited_at", TS, nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("exit_transition", sa.String(length=100), nullable=True),
        sa.Column("next_state", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_state_periods_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_periods")),
    )
    op.create_index(op.f("ix_state_periods_application_id"), "state_periods", ["application_id"])
    op.create_index(
        op.f("ix_state_periods_exited_at_workflow_state_seconds"),
        "state_periods",
        ["exited_at", "workflow", "state", "seconds"],
    )
    op.create_index(
        op.f("ix_state_periods_workflow_state_entered_at"),
        "state_periods",
        ["workflow", "state", "entered_at"],
    )

    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("district", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_applications_district"), ["district"])

    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("workflow", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("warn_at", TS, nullable=True))
        batch.add_column(sa.Column("breached_at", TS, nullable=True))
        batch.add_column(sa.Column("next_check_at", TS, nullable=True))
        batch.add_column(sa.Column("paused_at", TS, nullable=True))
        batch.add_column(sa.Column("paused_seconds", sa.Float(), server_default="0", nullable=False))

    op.create_table(
        "task_roles",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_roles_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_id", "role", name=op.f("pk_task_roles")),
    )
    op.create_index(op.f("ix_task_roles_role_task_id"), "task_roles", ["role", "task_id"])

    op.create_table(
        "sla_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("fired_at", TS, nullable=False),
        sa.Column("recipients", JSON_TYPE, nullable=False),
        sa.CheckConstraint("kind IN ('WARNING', 'BREACH', 'ESCALATION')", name=op.f("ck_sla_notices_kind")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_sla_notices_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_sla_notices_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_notices")),
        sa.UniqueConstraint("task_id", "kind", "level", name=op.f("uq_sla_notices_task_id_kind_level")),
    )
    op.create_index(op.f("ix_sla_notices_application_id"), "sla_notices", ["application_id"])

    _backfill()

    with op.batch_alter_table("tasks") as batch:
        batch.alter_column("workflow", existing_type=sa.String(length=100), nullable=False)
        batch.create_index(batch.f("ix_tasks_next_check_at"), ["next_check_at"])
        batch.create_index(batch.f("ix_tasks_workflow_state_created_at"), ["workflow", "state", "created_at"])
        batch.create_index(
            batch.f("ix_tasks_status_completed_at_workflow_state_breached_at"),
            ["status", "completed_at", "workflow", "state", "breached_at"],
        )
        batch.create_index(
            "ix_tasks_open_unassigned",
            ["workflow", "state"],
            postgresql_where=sa.text(OPEN_UNASSIGNED),
            sqlite_where=sa.text(OPEN_UNASSIGNED),
        )


def _backfill() -> None:
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE tasks SET workflow = "
            "(SELECT a.workflow FROM applications a WHERE a.id = tasks.application_id)"
        )
    )
    bind.execute(
        sa.text(
            "UPDATE tasks SET next_check_at = due_at "
            "WHERE due_at IS NOT NULL AND status IN ('PENDING', 'IN_PROGRESS')"
        )
    )
    bind.execute(
        sa.text(
            "INSERT INTO state_periods (application_id, workflow, state, entered_at) "
            "SELECT id, workflow, state, state_entered_at FROM applications"
        )
    )
    for app_id, data in bind.execute(sa.text("SELECT id, data FROM applications")).all():
        values = json.loads(data) if isinstance(data, str) else data
        district = _district(values)
        if district is not None:
            bind.execute(
                sa.text("UPDATE applications SET district = :d WHERE id = :id"),
                {"d": district, "id": app_id},
            )
    rows = bind.execute(sa.text("SELECT id, roles FROM tasks")).all()
    pairs = []
    for task_id, roles in rows:
        listed = json.loads(roles) if isinstance(roles, str) else roles
        pairs += [{"task_id": task_id, "role": role} for role in dict.fromkeys(listed or [])]
    if pairs:
        bind.execute(sa.text("INSERT INTO task_roles (task_id, role) VALUES (:task_id, :role)"), pairs)


def _district(data: object) -> str | None:
    """The rule of ``ims.services._records.district_of``, frozen for this migration."""
    if not isinstance(data, dict):
        return None
    value = data.get("district")
    if value is None and isinstance(data.get("applicant"), dict):
        value = data["applicant"].get("district")
    return value[:64] if isinstance(value, str) and value else None


def downgrade() -> None:
    op.drop_index(op.f("ix_sla_notices_application_id"), table_name="sla_notices")
    op.drop_table("sla_notices")
    op.drop_index(op.f("ix_task_roles_role_task_id"), table_name="task_roles")
    op.drop_table("task_roles")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_index("ix_tasks_open_unassigned")
        batch.drop_index(batch.f("ix_tasks_status_completed_at_workflow_state_breached_at"))
        batch.drop_index(batch.f("ix_tasks_workflow_state_created_at"))
        batch.drop_index(batch.f("ix_tasks_next_check_at"))
        for column in ("paused_seconds", "paused_at", "next_check_at", "breached_at", "warn_at", "workflow"):
            batch.drop_column(column)
    with op.batch_alter_table("applications") as batch:
        batch.drop_index(batch.f("ix_applications_district"))
        batch.drop_column("district")
    op.drop_index(op.f("ix_state_periods_workflow_state_entered_at"), table_name="state_periods")
    op.drop_index(op.f("ix_state_periods_exited_at_workflow_state_seconds"), table_name="state_periods")
    op.drop_index(op.f("ix_state_periods_application_id"), table_name="state_periods")
    op.drop_table("state_periods")
