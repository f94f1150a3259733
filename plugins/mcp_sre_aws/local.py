"""``aws.yaml`` of a health evaluation case -> the AWS emulator (moto in server mode) with
that state: a list of ``{service, operation, params}`` boto3 calls replayed in order.

Replay conveniences (the emulator makes the ids, so a case cannot know them in advance):
``save: {name: path}`` keeps values of a response (path language of the health rules) for
later ``"${name}"`` references; ``repeat: N`` runs a call N times with ``{i}`` = 0..N-1 in its
strings and ``"{v}"`` = the i-th of the call's ``values`` (repeat defaults to their count);
``"now"``/``"now-5m"`` become datetimes and ``"now-5m:ms"`` epoch milliseconds, so
metrics and logs fall in the report's window whenever the case runs (``:s``: epoch seconds);
``{json: {...}}`` passes a document as JSON text (X-Ray segments).
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from mcp_sre.errors import ValidationError

__all__ = ["replay_calls", "target_for_case"]

_NOW = re.compile(r"^now(?:-(\d+)([smhd]))?(:ms|:s)?$")
_REF = re.compile(r"\$\{([A-Za-z_][\w-]*)\}")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def _value(
    value: Any, saved: dict[str, Any], i: int, now: datetime, values: list[Any] | None = None
) -> Any:
    if isinstance(value, dict) and set(value) == {"json"}:  # a JSON document passed as text
        return json.dumps(_value(value["json"], saved, i, now, values))
    if isinstance(value, dict):
        return {k: _value(v, saved, i, now, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v, saved, i, now, values) for v in value]
    if not isinstance(value, str):
        return value
    if value == "{v}" and values:
        return values[i % len(values)]
    text = value.replace("{i}", str(i))
    whole = _REF.fullmatch(text)
    if whole:
        return saved[whole.group(1)]
    text = _REF.sub(lambda m: str(saved[m.group(1)]), text)
    m = _NOW.match(text)
    if m:
        when = now - timedelta(**{_UNITS[m.group(2)]: int(m.group(1))}) if m.group(1) else now
        if m.group(3) == ":ms":
            return int(when.timestamp() * 1000)
        return when.timestamp() if m.group(3) == ":s" else when
    return text


def _method(client: Any, operation: str) -> Any:
    if hasattr(client, operation):
        return getattr(client, operation)
    for snake, api in client.meta.method_to_api_mapping.items():
        if api == operation:
            return getattr(client, snake)
    raise ValidationError(
        f"{client.meta.service_model.service_name} has no operation {operation!r}"
    )


def replay_calls(
    calls: list[dict[str, Any]], endpoint: str, region: str = "us-east-1"
) -> dict[str, Any]:
    """Replay a case's calls against ``endpoint``; return the saved values."""
    import boto3

    from mcp_sre.agents.health.paths import first

    saved: dict[str, Any] = {}
    clients: dict[str, Any] = {}
    now = datetime.now(UTC).replace(microsecond=0)
    for n, call in enumerate(calls or [], 1):
        if not isinstance(call, dict) or "service" not in call or "operation" not in call:
            raise ValidationError(f"aws.yaml call {n}: needs service and operation")
        service = call["service"]
        if service not in clients:
            clients[service] = boto3.client(
                service,
                region_name=region,
                endpoint_url=endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
        method = _method(clients[service], call["operation"])
        values = call.get("values")
        for i in range(int(call.get("repeat", len(values) if values else 1))):
            try:
                response = method(**_value(call.get("params") or {}, saved, i, now, values))
            except Exception as exc:
                raise ValidationError(
                    f"aws.yaml call {n} ({service}.{call['operation']}) failed: {exc}"
                ) from None
            for name, path in (call.get("save") or {}).items():
                saved[name] = first(path, response)
    return saved


@contextlib.contextmanager
def target_for_case(path: Path, workdir: Path, down: bool = False) -> Iterator[dict[str, str]]:
    from mcp_sre_demo.targets import aws_environment, start_moto

    workdir.mkdir(parents=True, exist_ok=True)
    if down:
        with socket.socket() as sock:  # a port nothing listens on once closed
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        yield aws_environment(f"http://127.0.0.1:{port}", workdir)
        return
    calls = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    with start_moto(workdir) as endpoint:
        replay_calls(calls, endpoint)
        yield aws_environment(endpoint, workdir)
