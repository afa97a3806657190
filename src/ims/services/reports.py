"""Reports: named SQL summaries that plugins register (``ims.reports``, ``ims report``).

Reports come from the ``register_reports`` hook, called once when an
:class:`ims.IMS` is built; the built-in ones live in
:mod:`ims.default_plugins.reports`.  A report follows
:class:`ims.hooks.protocols.Report`: ``run(ims, params)`` computes its rows in
SQL and returns a :class:`~ims.hooks.protocols.ReportResult`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ims.errors import NotFound, ValidationFailed
from ims.hooks.manager import call_each
from ims.hooks.protocols import Report, ReportParams, ReportResult
from ims.store.db import wrap_errors

if TYPE_CHECKING:
    from ims.hooks.manager import ImsPluginManager


class ReportService:
    """The reports the loaded plugins registered, by name."""

    def __init__(self, plugins: ImsPluginManager, ims: Any) -> None:
        self._ims = ims
        self._reports = collect_reports(plugins, ims)

    def list(self) -> list[tuple[str, str]]:
        """``(name, title)`` of every report, by name."""
        return [(name, self._reports[name].title) for name in sorted(self._reports)]

    def get(self, name: str) -> Report:
        """The report called ``name``.

        Raises:
            NotFound: no plugin registered a report of that name.
        """
        try:
            return self._reports[name]
        except KeyError:
            known = ", ".join(sorted(self._reports)) or "none"
            raise NotFound(f"no report '{name}' (known: {known})") from None

    def run(self, name: str, params: ReportParams | None = None) -> ReportResult:
        """Run the report ``name`` with ``params`` (default: no filters).

        ``date_from`` is inclusive and ``date_to`` exclusive; both must carry a time
        zone.  ``period`` (``week`` or ``month``) buckets the reports that count per period.
        Database errors leave as :class:`ims.errors.StoreError`.

        Raises:
            NotFound: unknown report.
            ValidationFailed: a date without a time zone, ``date_from`` after ``date_to``, a bad period.
        """
        report = self.get(name)
        params = params or ReportParams()
        _check(params)
        with wrap_errors(f"report '{name}'"):
            result = report.run(self._ims, params)
        if not isinstance(result, ReportResult):
            raise TypeError(f"report '{name}' returned {type(result).__name__}, not a ReportResult")
        return result if result.title else replace(result, title=report.title)

    def render(self, name: str, params: ReportParams | None = None, *, format: str = "table") -> str | bytes:
        """Run the report and render it: ``table``, ``json``, ``csv`` (text) or ``svg``, ``png`` (bytes).

        Raises:
            NotFound: unknown report.
            ValidationFailed: bad parameters, an unknown format, or a chart of a report without one.
            MissingExtra: a chart, and matplotlib (the ``charts`` extra) is not installed.
        """
        from ims.reports.render import FORMATS, render

        if format not in FORMATS:
            raise ValidationFailed(
                "the report format", [f"unknown format '{format}' (known: {', '.join(FORMATS)})"]
            )
        return render(name, self.run(name, params), format)


def collect_reports(plugins: ImsPluginManager, ims: Any) -> dict[str, Report]:
    """Call ``register_reports``; a broken registration raises PluginLoadError naming the plugin."""
    reports: dict[str, Report] = {}

    def register(report: Report) -> None:
        if not isinstance(report, Report):
            raise TypeError(f"{report!r} is not a report (it needs name, title and run(ims, params))")
        if report.name in reports:
            raise ValueError(f"a report named '{report.name}' is already registered")
        reports[report.name] = report

    call_each(plugins, "register_reports", register=register, ims=ims)
    return reports


def _check(params: ReportParams) -> None:
    problems = [
        f"{label} {value.isoformat()} has no time zone"
        for label, value in (("date_from", params.date_from), ("date_to", params.date_to))
        if value is not None and value.utcoffset() is None
    ]
    if params.period not in ("week", "month"):
        problems.append(f"period {params.period!r} is not 'week' or 'month'")
    start, end = params.date_from, params.date_to
    if not problems and start is not None and end is not None and start > end:
        problems.append(f"date_from {start.isoformat()} is after date_to {end.isoformat()}")
    if problems:
        raise ValidationFailed("the report parameters", problems)
