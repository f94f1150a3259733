"""Sandbox latency: warm and cold runs, and the bridge's overhead on a DescribeInstances call,
beside a plain ``python -c pass`` subprocess measured in the same run.

Targets: warm trivial run p50 <= 150 ms, cold (new process, compiled module on disk) <= 3 s,
bridged DescribeInstances <= 50 ms over the moto call itself.

Run: python benchmarks/bench_sandbox.py [--runs N] [--compile]
(``--compile`` also times the one-off compilation into an empty cache, ~7-15 s.)
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

TRIVIAL = "print(1)"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(name: str, ms: list[float], target: str = "") -> float:
    p50 = statistics.median(ms)
    print(f"{name:<44} n={len(ms):<4} p50={p50:8.1f} ms  p90={pct(ms, 0.9):8.1f} ms  {target}")
    return p50


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def start_moto() -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    exe = Path(sys.executable).parent / "moto_server"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "moto.server"]
    proc = subprocess.Popen([*cmd, "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2).close()
            return proc, endpoint
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto_server did not start")


def ec2_lookup(pm):
    import botocore

    from mcp_sre.errors import NotFoundError
    from mcp_sre.specs.model import SpecSource
    from mcp_sre.specs.parse import parse_content

    data = Path(botocore.__file__).parent / "data" / "ec2"
    model = sorted(p for p in data.iterdir() if p.is_dir())[-1] / "service-2.json.gz"
    source = SpecSource(name="aws-ec2", provider="aws", url=str(model), format="botocore")
    specs = {s.id: s for s in parse_content(pm, model.read_bytes(), source)}

    def lookup(op_id: str):
        if op_id not in specs:
            raise NotFoundError(f"no operation {op_id!r}")
        return specs[op_id]

    lookup.names = lambda provider, service: [s.name for s in specs.values()]  # type: ignore[attr-defined]
    return lookup


def main(runs: int, compile_too: bool) -> None:
    home = Path(tempfile.mkdtemp(prefix="mcp-sre-bench-"))
    wasm_cache = Path(os.environ.get("MCP_SRE_WASM_CACHE") or home / "wasm")
    os.environ["MCP_SRE_HOME"] = str(home)
    os.environ["MCP_SRE_WASM_CACHE"] = str(wasm_cache)
    from mcp_sre.config import load_settings
    from mcp_sre.plugin_manager import make_plugin_manager
    from mcp_sre.sandbox import Sandbox
    from mcp_sre.sandbox.runtime import ModuleCache

    print(f"machine: {os.cpu_count()} CPUs, python {sys.version.split()[0]}")
    plain = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), runs)
    base = row("python -c pass (subprocess, reference)", plain)

    if compile_too or not ModuleCache(wasm_cache).ready:
        started = time.perf_counter()
        ModuleCache(wasm_cache).ensure()
        print(f"{'first compile + serialize (once per install)':<44} "
              f"{(time.perf_counter() - started):8.1f} s")

    pm = make_plugin_manager(only={"botocore", "aws"})
    box = Sandbox(load_settings(home=home), pm, ec2_lookup(pm))
    box.warm()
    box.run(TRIVIAL)
    warm = row("warm trivial run (Sandbox.run)", timed(lambda: box.run(TRIVIAL), runs),
               "target p50 <= 150 ms")
    print(f"{'':<44} = {warm / base:.1f}x python -c pass")

    cold_code = ("import time; t = time.perf_counter(); from mcp_sre.sandbox import Sandbox; "
                 "r = Sandbox().run('print(1)'); assert r.ok, r; "
                 "print((time.perf_counter() - t) * 1000)")
    inner: list[float] = []

    def cold() -> None:
        out = subprocess.run([sys.executable, "-c", cold_code], check=True, capture_output=True,
                             text=True, env={**os.environ, "MCP_SRE_PLUGINS": "aws,botocore"})
        inner.append(float(out.stdout.strip().splitlines()[-1]))

    cold_total = timed(cold, max(3, runs // 4))
    row("cold run: new process, import + first run", inner, "target <= 3000 ms")
    row("cold run incl. interpreter start (wall)", cold_total)

    proc, endpoint = start_moto()
    try:
        os.environ.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="bench",
                          AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                          AWS_REGION="us-east-1")
        import boto3

        ec2 = boto3.client("ec2")
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        ec2.run_instances(ImageId=image, MinCount=3, MaxCount=3)
        ec2.describe_instances()
        direct = row("moto DescribeInstances, host boto3 (direct)",
                     timed(ec2.describe_instances, runs))
        program = (
            "import time, boto3\nec2 = boto3.client('ec2')\nec2.describe_instances()\n"
            f"ms = []\nfor _ in range({runs}):\n    t = time.perf_counter()\n"
            "    ec2.describe_instances()\n    ms.append((time.perf_counter() - t) * 1000)\n"
            "sre.result(ms)\n")
        result = box.run(program, timeout_s=120)
        assert result.ok, result.error
        bridged = row("same call from the sandbox (boto3 shim)", result.result)
        print(f"{'bridge overhead (p50 difference)':<44} {bridged - direct:8.1f} ms"
              "  target <= 50 ms")
        host = [c.duration_ms for c in result.calls[1:]]  # resolve+policy+execute+encode
        transport = row("  guest-measured minus host-side call time",
                        [g - h for g, h in zip(result.result, host, strict=True)])
        one = row("whole run with one DescribeInstances",
                  timed(lambda: box.run("import boto3\nboto3.client('ec2').describe_instances()"),
                        runs))
        print(f"{'  minus warm trivial run':<44} {one - warm:8.1f} ms")
    finally:
        proc.terminate()
    print(json.dumps({"python_c_ms": base, "warm_p50_ms": warm,
                      "cold_p50_ms": statistics.median(inner),
                      "bridge_overhead_ms": bridged - direct,
                      "bridge_transport_ms": transport}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--compile", action="store_true", help="also time the first compile")
    args = parser.parse_args()
    main(args.runs, args.compile)
