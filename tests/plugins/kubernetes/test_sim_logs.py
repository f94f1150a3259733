"""Pod logs with the kubelet's parameters, and ``{{now-5m}}`` placeholders in log text."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mcp_sre_kubernetes.sim import SimServer, load_scenario
from mcp_sre_kubernetes.sim.api import SimRequest
from mcp_sre_kubernetes.sim.logs import parse_time

from .conftest import SWAGGER

SCENARIO = Path(__file__).parent / "fixtures" / "real" / "scenario.yaml"
LOG = "/api/v1/namespaces/demo/pods/web-5d8f7c9b6-fghij/log"
STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z) ")


@pytest.fixture(scope="module")
def api():
    return SimServer(SCENARIO, swagger=SWAGGER, tls=False, token=None).api


def _log(api, query: str = "", path: str = LOG) -> tuple[int, str]:
    resp = api.handle(SimRequest("GET", path, query))
    return resp.code, resp.body.decode()


def test_placeholders_follow_now() -> None:
    now = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
    scenario = load_scenario(SCENARIO, now=now)
    text = scenario.logs["demo/web-5d8f7c9b6-fghij"]["web"].current
    assert text.startswith("2026-05-01T11:59:10Z starting web")
    assert "{{" not in text


def test_placeholder_format(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nlogs:\n  a/b:\n    c:\n      current: "
                    "'[{{now-90s|%d/%b/%Y:%H:%M:%S +0000}}] GET /'\n")
    now = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert load_scenario(path, now=now).logs["a/b"]["c"].current == \
        "[01/May/2026:11:58:30 +0000] GET /"


def test_timestamps_and_tail(api) -> None:
    code, text = _log(api, "previous=true&tailLines=1&timestamps=true")
    assert code == 200
    lines = text.splitlines()
    assert len(lines) == 1 and lines[0].endswith('fatal: config key "listen" missing')
    stamp = parse_time(STAMP.match(lines[0]).group(1))
    assert timedelta(minutes=2) < datetime.now(UTC) - stamp < timedelta(minutes=4)


def test_lines_without_time_take_the_line_before(api) -> None:
    code, text = _log(api, "timestamps=true")
    times = [STAMP.match(line).group(1) for line in text.splitlines()]
    assert code == 200 and len(times) == 3 and times[0] == times[1] != times[2]


def test_since_seconds_and_since_time(api) -> None:
    _, all_lines = _log(api)
    _, recent = _log(api, "sinceSeconds=48")
    assert all_lines.count("\n") == 3 and recent.splitlines() == [
        line for line in all_lines.splitlines() if "fatal" in line]
    later = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _log(api, f"sinceTime={later}") == (200, "")


def test_limit_bytes(api) -> None:
    code, text = _log(api, "limitBytes=10")
    assert code == 200 and len(text.encode()) == 10


@pytest.mark.parametrize(("query", "code", "message"), [
    ("tailLines=-1", 422, "tailLines: Invalid value: -1"),
    ("limitBytes=0", 422, "limitBytes: Invalid value: 0"),
    ("sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z", 422, "at most one of"),
])
def test_invalid_options(api, query: str, code: int, message: str) -> None:
    got, body = _log(api, query)
    assert got == code and message in json.loads(body)["message"]


def test_previous_without_a_previous_run(api) -> None:
    code, body = _log(api, "previous=true",
                      "/api/v1/namespaces/demo/pods/web-5d8f7c9b6-abcde/log")
    status = json.loads(body)
    assert code == 400 and status["reason"] == "BadRequest"
    assert status["message"] == ('previous terminated container "web" in pod '
                                 '"web-5d8f7c9b6-abcde" not found')


def test_logs_of_a_deleted_pod_stay_in_the_log_store(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIO)
    scenario.logs["demo/web-migrate-x1"] = {"migrate": scenario.logs[
        "demo/web-5d8f7c9b6-fghij"]["web"]}
    server = SimServer(scenario, swagger=SWAGGER, tls=False, token=None)
    code, body = _log(server.api, "", "/api/v1/namespaces/demo/pods/web-migrate-x1/log")
    assert code == 404 and json.loads(body)["message"] == 'pods "web-migrate-x1" not found'
    assert "fatal" in server.state.logs[("demo", "web-migrate-x1")]["migrate"].current
