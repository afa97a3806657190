"""A report: documents per type and status, counted in SQL.

Run it with ``ims report documents_by_status --workflow bouwsubsidie --from 2026-01-01``,
or draw it with ``--format svg``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from ims import hookimpl
from ims.hooks.protocols import ChartSpec, Report, ReportParams, ReportResult
from ims.store.models import Application, Document


class DocumentsByStatus:
    name = "documents_by_status"
    title = "Documents by type and status"

    def run(self, ims: Any, params: ReportParams) -> ReportResult:
        query = (
            select(Document.document_type, Document.status, func.count(Document.id))
            .join(Application, Application.id == Document.application_id)
            .group_by(Document.document_type, Document.status)
            .order_by(Document.document_type, Document.status)
        )
        if params.workflow is not None:
            query = query.where(Application.workflow == params.workflow)
        if params.date_from is not None:
            query = query.where(Application.created_at >= params.date_from)
        if params.date_to is not None:
            query = query.where(Application.created_at < params.date_to)
        with ims.runtime.sessions() as session:
            rows = tuple(tuple(row) for row in session.execute(query))
        # optional: how `--format svg|png` draws the rows (one stacked bar per document type)
        chart = ChartSpec("bar", x="document_type", y=("count",), series="status", stacked=True)
        return ReportResult(("document_type", "status", "count"), rows, self.title, chart)


@hookimpl
def register_reports(register: Callable[[Report], None]) -> None:
    register(DocumentsByStatus())
