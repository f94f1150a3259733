"""Pod logs the way the kubelet serves them: ``timestamps``, ``sinceSeconds``, ``sinceTime``,
``tailLines``, ``limitBytes`` and ``previous``, with the errors a real server gives.

A scenario's log text has no per-line times of its own, so each line takes the time written at
its start (ISO 8601, ``2025/05/28 12:02:11``, or an access-log ``[25/Nov/2026:09:59:01 +0000]``);
a line without one takes the time of the line before, and the first lines the time the run
started (from the container status). The kubelet applies ``tailLines`` first, then the
``since`` filter, then prefixes timestamps, then cuts at ``limitBytes``; so does this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from mcp_sre_kubernetes.sim.scenario import ContainerLogs
from mcp_sre_kubernetes.sim.status import ApiStatusError

__all__ = ["LogOptions", "container_log", "parse_time", "rfc3339nano"]

_ISO = re.compile(r"^\W{0,2}(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?"
                  r"(Z|[+-]\d{2}:?\d{2})?")
_SLASHED = re.compile(r"^(\d{4})/(\d{2})/(\d{2}) (\d{2}:\d{2}:\d{2})")
_ACCESS = re.compile(r"\[(\d{2}/[A-Z][a-z]{2}/\d{4}):(\d{2}:\d{2}:\d{2}) ([+-]\d{4})\]")


@dataclass
class LogOptions:
    """Query parameters of ``GET .../pods/{name}/log``."""

    container: str | None = None
    previous: bool = False
    timestamps: bool = False
    since_seconds: int | None = None
    since_time: str | None = None
    tail_lines: int | None = None
    limit_bytes: int | None = None


def parse_time(text: str | None) -> datetime | None:
    """An RFC 3339 time (fractional seconds and offsets allowed), or None."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def rfc3339nano(when: datetime) -> str:
    """Go's ``time.RFC3339Nano``: trailing zeros of the fraction dropped."""
    frac = f"{when.microsecond:06d}".rstrip("0")
    return when.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


def _line_time(line: str) -> datetime | None:
    m = _ISO.match(line)
    if m:
        zone = m.group(4) or "Z"
        return parse_time(f"{m.group(1)}T{m.group(2)}{m.group(3) or ''}{zone}")
    m = _SLASHED.match(line)
    if m:
        return parse_time(f"{m.group(1)}-{m.group(2)}-{m.group(3)}T{m.group(4)}Z")
    m = _ACCESS.search(line)
    if m:
        try:
            return datetime.strptime(" ".join(m.groups()), "%d/%b/%Y %H:%M:%S %z").astimezone(UTC)
        except ValueError:
            return None
    return None


def _invalid(field: str, value: int, rule: str) -> ApiStatusError:
    return ApiStatusError(422, "Invalid", f'PodLogOptions "" is invalid: {field}: Invalid '
                          f"value: {value}: {rule}",
                          {"kind": "PodLogOptions", "causes": [{"reason": "FieldValueInvalid",
                                                                 "field": field}]})


def _validate(opts: LogOptions) -> None:
    if opts.tail_lines is not None and opts.tail_lines < 0:
        raise _invalid("tailLines", opts.tail_lines, "must be greater than or equal to 0")
    if opts.limit_bytes is not None and opts.limit_bytes < 1:
        raise _invalid("limitBytes", opts.limit_bytes, "must be greater than 0")
    if opts.since_seconds is not None and opts.since_seconds < 1:
        raise _invalid("sinceSeconds", opts.since_seconds, "must be greater than 0")
    if opts.since_seconds is not None and opts.since_time:
        raise ApiStatusError(422, "Invalid", 'PodLogOptions "" is invalid: []: Forbidden: '
                             "at most one of `sinceTime` or `sinceSeconds` may be specified")
    if opts.since_time and parse_time(opts.since_time) is None:
        raise ApiStatusError(400, "BadRequest", f"invalid sinceTime: {opts.since_time!r}")


def container_log(pod: dict[str, Any], logs: dict[str, ContainerLogs], opts: LogOptions,
                  now: datetime | None = None) -> str:
    """The log text a real server returns for one container of ``pod``."""
    _validate(opts)
    name = (pod.get("metadata") or {}).get("name", "")
    spec = pod.get("spec") or {}
    containers = [c.get("name") for c in spec.get("containers") or []]
    inits = [c.get("name") for c in spec.get("initContainers") or []]
    container = opts.container
    if container is None:
        if len(containers) != 1:
            raise ApiStatusError(400, "BadRequest",
                                 f"a container name must be specified for pod {name}, "
                                 f"choose one of: [{' '.join(containers)}]"
                                 + (f" or one of the init containers: [{' '.join(inits)}]"
                                    if inits else ""))
        container = containers[0]
    elif container not in containers and container not in inits:
        raise ApiStatusError(400, "BadRequest", f"container {container} is not valid for pod "
                             f"{name}")
    status = pod.get("status") or {}
    statuses = {s.get("name"): s for s in (status.get("containerStatuses") or [])
                + (status.get("initContainerStatuses") or [])}
    cstatus = statuses.get(container) or {}
    text_of = logs.get(container)
    if opts.previous:
        if text_of is None or text_of.previous is None:
            raise ApiStatusError(400, "BadRequest", f'previous terminated container '
                                 f'"{container}" in pod "{name}" not found')
        text = text_of.previous
        started = ((cstatus.get("lastState") or {}).get("terminated") or {}).get("startedAt")
    else:
        state = cstatus.get("state") or {}
        waiting = state.get("waiting")
        if waiting and not cstatus.get("lastState") and (text_of is None or not text_of.current):
            raise ApiStatusError(400, "BadRequest", f'container "{container}" in pod '
                                 f'"{name}" is waiting to start: {waiting.get("reason", "")}')
        text = text_of.current if text_of else ""
        started = ((state.get("running") or state.get("terminated") or {}).get("startedAt")
                   or status.get("startTime"))
    now = now or datetime.now(UTC)
    lines = text.splitlines(keepends=True)
    first = 0 if opts.tail_lines is None else max(0, len(lines) - opts.tail_lines)
    when = parse_time(started) or now
    stamped: list[tuple[datetime, str]] = []
    for i, line in enumerate(lines):
        when = _line_time(line) or when  # lines cut by tailLines still carry their time on
        if i >= first:
            stamped.append((when, line if line.endswith("\n") else line + "\n"))
    since = parse_time(opts.since_time)
    if opts.since_seconds is not None:
        since = now - timedelta(seconds=opts.since_seconds)
    if since is not None:
        stamped = [(t, line) for t, line in stamped if t >= since]
    out = "".join(f"{rfc3339nano(t)} {line}" if opts.timestamps else line for t, line in stamped)
    if opts.limit_bytes is not None:
        out = out.encode()[: opts.limit_bytes].decode("utf-8", "ignore")
    return out
