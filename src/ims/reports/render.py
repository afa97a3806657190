"""Render a :class:`~ims.hooks.protocols.ReportResult`: a rich table, CSV, JSON, or an SVG/PNG chart.

Charts are drawn with matplotlib (the ``charts`` extra, ``pip install
'ims[charts]'``) on a bare :class:`matplotlib.figure.Figure` with the Agg
canvas: no display, no pyplot global state, safe in a server thread.  The SVG
is reproducible (fixed hash salt, no date in its metadata).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from ims.errors import MissingExtra, ValidationFailed

if TYPE_CHECKING:
    from ims.hooks.protocols import ChartSpec, ReportResult

Format = Literal["table", "json", "csv", "svg", "png"]
FORMATS: tuple[Format, ...] = ("table", "json", "csv", "svg", "png")
CHART_FORMATS = ("svg", "png")

__all__ = ["CHART_FORMATS", "FORMATS", "Format", "chart", "render", "to_csv", "to_json", "to_table"]


def render(name: str, result: ReportResult, fmt: str) -> str | bytes:
    """``result`` in ``fmt``: text for table, json and csv, bytes for svg and png.

    Raises:
        ValidationFailed: an unknown format, or a chart of a report that has none.
    """
    if fmt == "table":
        return to_table(result)
    if fmt == "json":
        return to_json(name, result)
    if fmt == "csv":
        return to_csv(result)
    if fmt in CHART_FORMATS:
        return chart(name, result, fmt)
    raise ValidationFailed("the report format", [f"unknown format '{fmt}' (known: {', '.join(FORMATS)})"])


def to_table(result: ReportResult, *, width: int = 200, color: bool = False) -> str:
    """A rich table under the report's title, as text (ANSI colours only when ``color``)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(*result.columns, title=result.title or None, title_justify="left", box=None, pad_edge=False)
    for column in table.columns:
        column.overflow = "fold"
    for row in result.rows:
        table.add_row(*(_text(v) for v in row))
    console = Console(
        width=width,
        record=True,
        file=io.StringIO(),
        force_terminal=color,
        color_system=None if not color else "auto",
    )
    console.print(table)
    if not result.rows:
        console.print("(no rows)")
    return console.export_text(styles=color)


def to_json(name: str, result: ReportResult) -> str:
    rows = [dict(zip(result.columns, (_plain(v) for v in row), strict=True)) for row in result.rows]
    out = {"report": name, "title": result.title, "columns": list(result.columns), "rows": rows}
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def to_csv(result: ReportResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows(tuple(_plain(v) for v in row) for row in result.rows)
    return buffer.getvalue()


def chart(name: str, result: ReportResult, fmt: str = "svg") -> bytes:
    """The report's chart as SVG or PNG bytes.

    Raises:
        ValidationFailed: the report declares no chart, or a column the chart names is missing.
        MissingExtra: matplotlib is not installed (the message says how to install it;
            also an ImportError).
    """
    spec = result.chart
    if spec is None:
        raise ValidationFailed(f"report '{name}'", ["it has no chart: use --format table, json or csv"])
    missing = [
        c for c in (spec.x, *spec.y, *([spec.series] if spec.series else [])) if c not in result.columns
    ]
    if missing:
        raise ValidationFailed(f"report '{name}'", [f"its chart names unknown columns: {', '.join(missing)}"])
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:  # the charts extra is optional (and part of dev: the tests simulate its absence)
        raise MissingExtra("charts", "matplotlib", "charts") from None

    xs, series = _series(result, spec)
    with matplotlib.rc_context({"svg.hashsalt": "ims", "svg.fonttype": "none"}):
        figure = Figure(figsize=(max(6.0, 0.6 * len(xs) + 3), 4.5), layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        _draw(axes, spec, xs, series)
        axes.set_title(result.title or name)
        axes.set_ylabel(spec.y_label)
        if spec.y_max is not None:
            axes.set_ylim(0, spec.y_max * 1.05)
        if all(float(v).is_integer() for points in series.values() for v in points.values()):
            from matplotlib.ticker import MaxNLocator

            axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 2.5 applications
        axes.set_xlabel(spec.x)
        if not xs:
            axes.text(0.5, 0.5, "no data", ha="center", va="center", transform=axes.transAxes)
        if len(series) > 1:
            axes.legend(fontsize="small")
        buffer = io.BytesIO()
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {}
        figure.savefig(buffer, format=fmt, metadata=metadata, dpi=100)
    return buffer.getvalue()


def _series(result: ReportResult, spec: ChartSpec) -> tuple[list[str], dict[str, dict[str, float]]]:
    """The x labels in row order and ``{series label: {x: value}}`` (summed when rows repeat)."""
    index = {c: i for i, c in enumerate(result.columns)}
    xs: list[str] = []
    series: dict[str, dict[str, float]] = {}
    for row in result.rows:
        x = _text(row[index[spec.x]])
        if x not in xs:
            xs.append(x)
        labels = [(_text(row[index[spec.series]]), spec.y[0])] if spec.series else [(y, y) for y in spec.y]
        for label, column in labels:
            value = row[index[column]]
            if value is not None:
                points = series.setdefault(label, {})
                points[x] = points.get(x, 0.0) + float(value)
    return xs, series


def _draw(axes: Any, spec: ChartSpec, xs: list[str], series: dict[str, dict[str, float]]) -> None:
    positions = list(range(len(xs)))
    if spec.kind == "line":
        for label, points in series.items():
            at = [i for i, x in enumerate(xs) if x in points]
            axes.plot(at, [points[xs[i]] for i in at], marker="o", label=label)
    else:
        count = max(len(series), 1)
        width = 0.8 if spec.stacked else 0.8 / count
        bottom = [0.0] * len(xs)
        for k, (label, points) in enumerate(series.items()):
            heights = [points.get(x, 0.0) for x in xs]
            if spec.stacked:
                axes.bar(positions, heights, width, bottom=bottom, label=label)
                bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
            else:
                offset = (k - (count - 1) / 2) * width
                axes.bar([p + offset for p in positions], heights, width, label=label)
    axes.set_xticks(positions, xs, rotation=45 if len(xs) > 4 else 0, ha="right" if len(xs) > 4 else "center")
    axes.grid(axis="y", alpha=0.3)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return str(value)


def _plain(value: Any) -> Any:
    """A JSON/CSV-friendly value: datetimes as ISO text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
