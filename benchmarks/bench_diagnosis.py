"""Diagnosis latency with no LLM on a replayed cluster of ~50 pods.

The cluster is a dev case (fix-oomkilled: a crash-looping backend) with its namespace filled
to ~50 pods by copies of the healthy neighbour (each with a pod log), served by the simulator.
A warm diagnoser (knowledge and operation lookup loaded once, as in the server) answers the
same question ``--runs`` times. Target: p50 <= 3 s on 2 cores.

Run: python benchmarks/bench_diagnosis.py [--runs N] [--pods N]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
import time
from pathlib import Path

from mcp_sre.agents.diagnosis import build_diagnoser
from mcp_sre.config import PROJECT_ROOT
from mcp_sre_kubernetes.sim import SimServer
from mcp_sre_kubernetes.sim.scenario import load_scenario

CASE = PROJECT_ROOT / "tests" / "fixtures" / "eval" / "diagnosis" / "fix-oomkilled"
QUESTION = "backend-api in webapp-backend keeps crashing. Why?"


def crowded(pods: int):
    scenario = load_scenario(CASE / "scenario.yaml")
    data = scenario.model_dump()
    objects = data["objects"]
    template = next(o for o in objects if o["kind"] == "Pod"
                    and o["metadata"]["namespace"] == "webapp-backend"
                    and not o["metadata"]["name"].startswith("backend-api"))
    logs = next(iter(data["logs"].get(f"webapp-backend/{template['metadata']['name']}", {})
                     .values()), {"current": "ok\n"})
    have = sum(o["kind"] == "Pod" for o in objects)
    for i in range(max(0, pods - have)):
        pod = copy.deepcopy(template)
        pod["metadata"]["name"] = f"{template['metadata']['name']}-copy{i}"
        pod["metadata"]["uid"] = f"00000000-0000-4000-8000-{i:012d}"
        objects.append(pod)
        container = pod["spec"]["containers"][0]["name"]
        data["logs"][f"webapp-backend/{pod['metadata']['name']}"] = {container: logs}
    return scenario.model_validate(data), sum(o["kind"] == "Pod" for o in objects)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pods", type=int, default=50)
    args = parser.parse_args()
    scenario, pods = crowded(args.pods)
    started = time.monotonic()
    diagnoser = build_diagnoser()
    setup = time.monotonic() - started
    times = []
    with SimServer(scenario) as sim, tempfile.TemporaryDirectory() as tmp:
        diagnoser.context = {"kubernetes": {"kubeconfig": str(
            sim.write_kubeconfig(Path(tmp) / "kubeconfig"))}}
        first = time.monotonic()
        report = diagnoser.diagnose(QUESTION)
        cold = time.monotonic() - first
        for _ in range(args.runs):
            t = time.monotonic()
            report = diagnoser.diagnose(QUESTION)
            times.append(time.monotonic() - t)
    reads = sum(s.action == "read" for s in report.steps)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(f"cluster: {pods} pods in the scenario; diagnoser setup {setup:.2f} s; "
          f"first diagnosis {cold:.2f} s")
    print(f"diagnosis x{args.runs}: p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s, "
          f"{reads} reads each (target p50 <= 3 s)")
    print(f"root cause: {report.root_cause}")


if __name__ == "__main__":
    main()
