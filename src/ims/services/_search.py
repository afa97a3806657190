"""Finding applications: filters, sorting, and keyset or page pagination.

A keyset cursor is the sort value and the id of the last row of a page, encoded as
URL-safe base64 JSON; the next page starts strictly after it, so rows inserted or
moved meanwhile never make a page repeat or skip a row (as an offset would).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select

from ims.errors import ValidationFailed
from ims.store.models import Application

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select

#: sort keys (``-key`` sorts descending) -> column
SORT_COLUMNS: dict[str, Any] = {
    "id": Application.id,
    "number": Application.number,
    "created_at": Application.created_at,
    "updated_at": Application.updated_at,
    "state_entered_at": Application.state_entered_at,
    "priority": Application.priority,
    "state": Application.state,
}
MAX_LIMIT = 200


@dataclass(frozen=True)
class ApplicationQuery:
    """What to find.  Text matches the number and the applicant's name fields (case-insensitive)."""

    workflow: str | None = None
    state: str | None = None
    assignee: str | None = None
    applicant: str | None = None
    district: str | None = None
    priority: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    text: str | None = None
    sort: str = "-created_at"
    limit: int = 50
    cursor: str | None = None
    page: int | None = None


def build(
    query: ApplicationQuery,
    *,
    district_field: tuple[str, ...],
    name_fields: tuple[tuple[str, ...], ...],
    visible: ColumnElement[bool] | None,
) -> tuple[Select[Application], Any, bool]:
    """The SELECT, the sort column, and whether it sorts descending.

    The SELECT asks for one row more than the limit, to tell whether a next page exists.
    """
    problems = []
    if not 1 <= query.limit <= MAX_LIMIT:
        problems.append(f"limit must be 1 to {MAX_LIMIT} (is {query.limit})")
    key = query.sort.removeprefix("-")
    if key not in SORT_COLUMNS:
        problems.append(f"unknown sort '{query.sort}' (one of {', '.join(SORT_COLUMNS)}, '-' for descending)")
    if query.cursor is not None and query.page is not None:
        problems.append("give a cursor or a page, not both")
    if query.page is not None and query.page < 1:
        problems.append(f"page must be 1 or more (is {query.page})")
    if problems:
        raise ValidationFailed("the application search", problems)
    column, descending = SORT_COLUMNS[key], query.sort.startswith("-")
    stmt = select(Application)
    if visible is not None:
        stmt = stmt.where(visible)
    for attribute, value in (
        ("workflow", query.workflow),
        ("state", query.state),
        ("assignee", query.assignee),
        ("applicant", query.applicant),
        ("priority", query.priority),
    ):
        if value is not None:
            stmt = stmt.where(getattr(Application, attribute) == value)
    if query.district is not None:
        stmt = stmt.where(Application.data[district_field].as_string() == query.district)
    if query.created_from is not None:
        stmt = stmt.where(Application.created_at >= query.created_from)
    if query.created_to is not None:
        stmt = stmt.where(Application.created_at < query.created_to)
    if query.text:
        pattern = f"%{_escape(query.text.strip())}%"
        matches = [Application.number.ilike(pattern, escape="\\")]
        matches += [Application.data[path].as_string().ilike(pattern, escape="\\") for path in name_fields]
        stmt = stmt.where(or_(*matches))
    if query.cursor is not None:
        value, last_id = decode_cursor(query.cursor, column)
        after = column < value if descending else column > value
        tie = Application.id < last_id if descending else Application.id > last_id
        stmt = stmt.where(or_(after, and_(column == value, tie)))
    order = (column.desc(), Application.id.desc()) if descending else (column.asc(), Application.id.asc())
    stmt = stmt.order_by(*order).limit(query.limit + 1)
    if query.page is not None:
        stmt = stmt.offset((query.page - 1) * query.limit)
    return stmt, column, descending


def encode_cursor(value: Any, app_id: int) -> str:
    raw = value.isoformat() if isinstance(value, datetime) else value
    return base64.urlsafe_b64encode(json.dumps([raw, app_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, column: Any) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw, app_id = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        python_type = getattr(column.type, "impl", column.type).python_type
        if python_type is datetime:
            value = datetime.fromisoformat(raw)
        elif isinstance(raw, python_type) and not isinstance(raw, bool):
            value = raw
        else:
            raise TypeError(type(raw).__name__)
        if not isinstance(app_id, int) or isinstance(app_id, bool):
            raise TypeError("id")
        if isinstance(value, datetime) and value.utcoffset() is None:
            raise ValueError("naive")
    except (ValueError, TypeError, binascii.Error, UnicodeError, NotImplementedError) as exc:
        raise ValidationFailed("the cursor", [f"{cursor[:40]!r} is not a cursor of this sort order"]) from exc
    return value, app_id


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
