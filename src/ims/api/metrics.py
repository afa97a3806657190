"""Prometheus metrics at ``/metrics``.

* requests by route and status, with latency histograms: Litestar's Prometheus
  middleware (``ims_requests_total``, ``ims_request_duration_seconds``, route
  templates as labels so cardinality stays bounded);
* ``ims_transitions_total{workflow, outcome}``: transitions over HTTP, by outcome
  (``applied``, ``refused``, ``conflict``, ``not_found``, ``error``);
* gauges read from the database at scrape time: ``ims_outbox_backlog``,
  ``ims_outbox_oldest_pending_age_seconds``, ``ims_tasks_open``, ``ims_tasks_overdue``.

``/metrics`` needs no credentials: restrict it at the network level.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from litestar import Response, get
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import REGISTRY, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily

if TYPE_CHECKING:
    from litestar.datastructures import State

    from ims.facade import IMS

#: Litestar adds ``; charset=utf-8`` to every ``text/`` type itself
PROMETHEUS_TEXT = "text/plain; version=0.0.4"
_transitions: Counter | None = None


def transitions_counter() -> Counter:
    """``ims_transitions_total`` (one per process: the global registry refuses duplicates)."""
    global _transitions
    if _transitions is None:
        _transitions = Counter(
            "ims_transitions_total", "Transitions over HTTP by workflow and outcome", ["workflow", "outcome"]
        )
    return _transitions


def prometheus_config() -> PrometheusConfig:
    return PrometheusConfig(
        app_name="ims",
        prefix="ims",
        group_path=True,
        exclude=["^/metrics", "^/health/"],
    )


class ImsCollector:
    """The database gauges, computed when Prometheus scrapes."""

    def __init__(self, ims: IMS) -> None:
        self.ims = ims

    def collect(self) -> Iterator[GaugeMetricFamily]:
        helps = {
            "outbox_backlog": "Outbox messages still to deliver (pending or failed)",
            "outbox_oldest_pending_age_seconds": "Age of the oldest message still to deliver",
            "tasks_open": "Open tasks",
            "tasks_overdue": "Open tasks past their due time",
        }
        for name, value in self.ims.health.figures().items():
            yield GaugeMetricFamily(f"ims_{name}", helps[name], value=value)


def metrics_registry(ims: IMS) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ImsCollector(ims))
    return registry


@get(
    "/metrics",
    sync_to_thread=True,
    include_in_schema=False,
    exclude_from_auth=True,
    media_type=PROMETHEUS_TEXT,
)
def metrics(state: State) -> Response[bytes]:
    """Prometheus text exposition: request metrics, transitions, database gauges."""
    registry: Any = state.metrics_registry
    body = generate_latest(REGISTRY) + generate_latest(registry)
    return Response(body, media_type=PROMETHEUS_TEXT)
