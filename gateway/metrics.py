"""Prometheus metrics (prometheus_client), one registry per application."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily

STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.intake = Counter(
            "gateway_intake", "Reports received, by channel and outcome",
            ["channel", "outcome"], registry=self.registry)
        self.stage_seconds = Histogram(
            "gateway_stage_seconds", "Time spent in each pipeline stage",
            ["stage"], buckets=STAGE_BUCKETS, registry=self.registry)
        self.status_changes = Counter(
            "gateway_status_changes", "Work-order status changes, by new status",
            ["status"], registry=self.registry)
        self.notifications = Counter(
            "gateway_notifications", "Answers back to citizens, by channel and result",
            ["channel", "result"], registry=self.registry)
        self.push_deliveries = Counter(
            "gateway_push_deliveries", "Push deliveries by destination and outcome (delivered, retry, dead, parked)",
            ["destination", "outcome"], registry=self.registry)
        self.push_lag = Gauge(
            "gateway_push_lag_events", "Changes in the log a destination has not got yet",
            ["destination"], registry=self.registry)
        self.push_lag_seconds = Gauge(
            "gateway_push_lag_seconds", "Age of the oldest change a destination has not got yet",
            ["destination"], registry=self.registry)
        self.push_dead_letters = Gauge(
            "gateway_push_dead_letters", "Dead letters kept, by destination", ["destination"],
            registry=self.registry)
        self.queue_depth = Gauge(
            "gateway_queue_depth", "Items waiting, by queue", ["queue"], registry=self.registry)
        self.hotspot_heat = Gauge(
            "gateway_hotspot_heat", "Heat of the top hot issues of the last 7 days, by rank and issue",
            ["rank", "issue"], registry=self.registry)
        self.hotspot_reports = Gauge(
            "gateway_hotspot_reports", "Reports of the top hot issues of the last 7 days, by rank and issue",
            ["rank", "issue"], registry=self.registry)
        self._children: dict[tuple, object] = {}

    def watch_store(self, store) -> None:
        """Export the store's commit groups: writes per commit shows how much the group
        commit saves under load (one fsync for the whole group)."""
        self.registry.register(_StoreCollector(store))

    def of(self, metric, *labels: str):
        """`metric.labels(*labels)`, remembered: several are updated for every report,
        and prometheus_client checks and locks on each lookup."""
        key = (id(metric), labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _StoreCollector:
    def __init__(self, store) -> None:
        self.store = store

    def collect(self):
        yield CounterMetricFamily("gateway_store_commits",
                                  "Write groups, one transaction and one fsync each",
                                  value=self.store.batches)
        yield CounterMetricFamily("gateway_store_writes", "Write operations in those groups",
                                  value=self.store.ops)
        if hasattr(self.store.db, "round_trips"):  # a database server (PostgreSQL)
            yield CounterMetricFamily("gateway_store_round_trips",
                                      "Requests sent to the database server (statements, BEGIN/COMMIT, checks)",
                                      value=self.store.db.round_trips)
