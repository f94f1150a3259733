"""Optional OpenTelemetry traces: spans for tool call -> agent step -> sandbox run -> bridge
call (and searches and LLM calls), exported over OTLP when an endpoint is configured.

Nothing here is imported unless tracing is on, and without ``opentelemetry-sdk`` tracing stays
off with one warning. An endpoint that is down drops spans (they are exported from a
background thread) and logs one warning; tool calls are unaffected.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from mcp_sre.observability.logs import get_logger

__all__ = ["make_tracer_provider"]

log = get_logger("mcp_sre.observability")


class _WarnOnce:
    """Wraps an exporter: a failed export is dropped with one warning per outage."""

    def __init__(self, exporter: Any, endpoint: str) -> None:
        self.exporter, self.endpoint = exporter, endpoint
        self.failing = False

    def export(self, spans: Sequence[Any]) -> Any:
        from opentelemetry.sdk.trace.export import SpanExportResult

        try:
            result = self.exporter.export(spans)
        except Exception as exc:  # the exporter should not raise; if it does, drop the batch
            result, detail = SpanExportResult.FAILURE, str(exc)
        else:
            detail = "export failed"
        if result == SpanExportResult.SUCCESS:
            if self.failing:
                log.info("otlp_export_recovered", endpoint=self.endpoint)
            self.failing = False
        elif not self.failing:
            self.failing = True
            log.warning(
                "otlp_export_failed",
                endpoint=self.endpoint,
                detail=detail,
                effect="spans are dropped until the endpoint answers",
            )
        return result

    def shutdown(self) -> None:
        self.exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return bool(self.exporter.force_flush(timeout_millis))


def make_tracer_provider(
    endpoint: str, *, service_name: str = "mcp-sre", timeout_s: float = 2.0
) -> Any | None:
    """A tracer provider exporting to ``endpoint`` (OTLP over HTTP when its exporter is
    installed, else gRPC), or None with a warning when the SDK is missing."""
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning(
            "otlp_unavailable",
            detail="opentelemetry-sdk is not installed; pip install 'mcp-sre[otel]'",
        )
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        url = endpoint.rstrip("/")
        exporter = OTLPSpanExporter(
            endpoint=url if url.endswith("/v1/traces") else url + "/v1/traces", timeout=timeout_s
        )
    except ImportError:
        try:
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
                OTLPSpanExporter as GrpcExporter,
            )
        except ImportError:
            log.warning(
                "otlp_unavailable",
                detail="no OTLP exporter installed; "
                "pip install opentelemetry-exporter-otlp-proto-http",
            )
            return None
        exporter = GrpcExporter(endpoint=endpoint, timeout=timeout_s, insecure=True)
    # the exporters log every retry themselves; our wrapper says it once
    for name in (
        "opentelemetry.exporter.otlp.proto.http.trace_exporter",
        "opentelemetry.exporter.otlp.proto.grpc.exporter",
        "opentelemetry.exporter.otlp.proto.http",
        "opentelemetry.sdk.trace.export",
    ):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(
        BatchSpanProcessor(
            _WarnOnce(exporter, endpoint),  # type: ignore[arg-type]
            export_timeout_millis=int(timeout_s * 1000),
        )
    )
    return provider
