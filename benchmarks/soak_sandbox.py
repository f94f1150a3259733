"""Soak: hundreds of sandbox runs mixing timeouts, bridge errors and cancellations, counting
process aborts and hangs (issue 20 item 7). Target: 0 aborts, 0 hangs.

Runs happen in child processes (``--child``), several at a time in threads, so that an abort
(SIGABRT from a runtime panic, exit 134) kills a child and is counted instead of killing the
benchmark. A run is a hang when it returns later than its own timeout plus a grace period, or
never (the child's overall budget runs out). The provider is a plugin defined here, registered
like any third-party one: it echoes, sleeps, raises, and returns unencodable data.

Run: python benchmarks/soak_sandbox.py [--runs 520] [--children 4] [--threads 3] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

GRACE_S = 8.0  # a run that ends later than timeout + GRACE_S is a hang

SCENARIOS: dict[str, tuple[str, float]] = {
    "ok": ('import sre\nprint(sre.request("soak/svc/Echo", {"v": {"a": 1}}))', 10),
    "cpu_timeout": ("while True:\n    pass", 0.5),
    "sleep_timeout": ("import time\ntime.sleep(30)", 0.5),
    "bridge_timeout": ('import sre\nsre.request("soak/svc/Slow")', 0.6),
    "unknown_op": ('import sre\nfor i in range(20):\n    try:\n'
                   '        sre.request("soak/svc/Nope%d" % i)\n    except Exception:\n'
                   '        pass\nprint("done")', 10),
    "bad_params": ('import sre\nsre.request("soak/svc/Echo", {"nope": 1})', 10),
    "provider_error": ('import sre\nsre.request("soak/svc/Fail")', 10),
    "plugin_bug": ('import sre\nsre.request("soak/svc/Bug")', 10),
    "unencodable": ('import sre\nprint(sre.request("soak/svc/Weird"))', 10),
    "oversized_line": ('import sre\ntry:\n    sre.request("soak/svc/Echo", {"v": {"x": "y" * '
                       '1500000}})\nexcept Exception as e:\n    print(type(e).__name__)', 10),
    "huge_int": ('import sys, sre\nsys.set_int_max_str_digits(0)\ntry:\n    sre.request('
                 '"soak/svc/Echo", {"v": {"n": 10 ** 5000}})\nexcept Exception as e:\n'
                 '    print(type(e).__name__)', 10),
    "flood": ('import sre\nname = "soak/svc/" + "A" * 100000\nfor i in range(3000):\n'
              '    try:\n        sre.request(name, {})\n    except Exception:\n        pass', 20),
    "output_cap": ('print("x" * 3000000)', 10),
    "cancel_in_bridge": ('import sre\nsre.request("soak/svc/Slow")', 10),
    "cancel_in_cpu": ("while True:\n    pass", 10),
    "raw_garbage": ('import io, sre\nf = io.FileIO(1, "w", closefd=False)\n'
                    'f.write(b\'{"t":"call","op":\\x00\\n\')\ntry:\n'
                    '    sre.request("soak/svc/Echo", {"v": {}})\nexcept Exception as e:\n'
                    '    print(type(e).__name__)', 5),
}


# ---------------------------------------------------------------------------- child
def _child(args: argparse.Namespace) -> None:
    from mcp_sre import hookimpl
    from mcp_sre.config import load_settings
    from mcp_sre.errors import NotFoundError
    from mcp_sre.plugin_manager import make_plugin_manager
    from mcp_sre.sandbox import ProviderCallError, Sandbox
    from mcp_sre.sandbox.policy import PolicyConfig
    from mcp_sre.specs.model import APISpec, Parameter, SourceInfo

    info = SourceInfo(url="memory://soak", format="test")
    specs = {f"soak/svc/{n}": APISpec(
        id=f"soak/svc/{n}", name=n, provider="soak", service="svc", access="read", source=info,
        parameters=[Parameter(name="v", location="body", type="object")])
        for n in ("Echo", "Slow", "Fail", "Bug", "Weird")}

    class Plugin:
        @hookimpl
        def execute_operation(self, spec: APISpec, params: dict[str, Any], context: dict) -> Any:
            if spec.provider != "soak":
                return None
            if spec.name == "Slow":
                time.sleep(2.0)
            if spec.name == "Fail":
                raise ProviderCallError("throttled", code="Throttling", status=429)
            if spec.name == "Bug":
                raise RuntimeError("a plugin bug")
            if spec.name == "Weird":
                return {"obj": object(), "nested": [{1, 2}]}
            return {"echo": params}

    def lookup(op_id: str) -> APISpec:
        if op_id not in specs:
            raise NotFoundError(f"no operation {op_id!r}")
        return specs[op_id]

    home = Path(args.home)
    box = Sandbox(load_settings(home=home), make_plugin_manager(only=set(), extra=[Plugin()]),
                  lookup, module_dir=Path(args.module_dir),
                  policy=PolicyConfig(max_calls_per_run=100, rate_limit_per_minute=100000))
    plan = json.loads(args.plan)
    lock = threading.Lock()
    queue = list(enumerate(plan))

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                index, (name, delay) = queue.pop(0)
            code, timeout = SCENARIOS[name]
            cancel = threading.Event() if name.startswith("cancel") else None
            if cancel is not None:
                threading.Timer(delay, cancel.set).start()
            started = time.monotonic()
            try:
                result = box.run(code, timeout_s=timeout, cancel=cancel)
                kind = result.error.type if result.error else "ok"
            except Exception as exc:  # a raise is not an abort, but it is reported
                kind = f"raised:{type(exc).__name__}"
            elapsed = time.monotonic() - started
            with lock:
                print(json.dumps({"i": index, "scenario": name, "outcome": kind,
                                  "s": round(elapsed, 3), "timeout": timeout}), flush=True)

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"child": "done"}), flush=True)


# ---------------------------------------------------------------------------- parent
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=520)
    parser.add_argument("--children", type=int, default=4)
    parser.add_argument("--threads", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--module-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    rng = random.Random(args.seed)
    names = sorted(SCENARIOS)
    plan = [(names[i % len(names)], round(rng.uniform(0.05, 0.4), 3)) for i in range(args.runs)]
    rng.shuffle(plan)
    work = Path(tempfile.mkdtemp(prefix="soak-"))
    module_dir = Path(os.environ.get("MCP_SRE_WASM_CACHE") or work / "wasm")
    from mcp_sre.sandbox.runtime import ModuleCache

    ModuleCache(module_dir).ensure()  # compile once, outside the timed children
    per = [plan[i::args.children] for i in range(args.children)]
    started = time.monotonic()
    procs = []
    for n, part in enumerate(per):
        budget = sum(SCENARIOS[s][1] + GRACE_S for s, _ in part) / args.threads + 60
        cmd = [sys.executable, __file__, "--child", "--plan", json.dumps(part),
               "--threads", str(args.threads), "--home", str(work / f"home{n}"),
               "--module-dir", str(module_dir)]
        procs.append((subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True), part, budget))
    records: list[dict[str, Any]] = []
    aborts, hangs, lost = 0, 0, 0
    for proc, part, budget in procs:
        try:
            out, err = proc.communicate(timeout=budget)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            hangs += 1
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        if lines and lines[-1] == {"child": "done"}:
            lines.pop()
            if proc.returncode:
                print("(the child had finished every run: it died while exiting)")
        records += lines
        if proc.returncode not in (0, -9):
            aborts += 1
            shown = [line for line in err.splitlines() if not line.startswith(" ")]
            print(f"child exited with {proc.returncode}:", *shown[-12:], sep="\n  ")
        lost += len(part) - len(lines)
    slow = [r for r in records if r["s"] > r["timeout"] + GRACE_S]
    raised = [r for r in records if r["outcome"].startswith("raised:")]
    by = Counter((r["scenario"], r["outcome"]) for r in records)
    for (scenario, outcome), count in sorted(by.items()):
        print(f"{scenario:<18} {outcome:<18} {count}")
    worst = max((r["s"] - r["timeout"] for r in records), default=0.0)
    print(json.dumps({"runs_planned": len(plan), "runs_finished": len(records),
                      "aborts": aborts, "hangs": hangs + len(slow), "runs_lost": lost,
                      "raised": len(raised), "worst_overrun_s": round(worst, 2),
                      "wall_s": round(time.monotonic() - started, 1)}))
    sys.exit(0 if not aborts and not hangs and not slow and not lost else 1)


if __name__ == "__main__":
    main()
