"""Parse the shipped Kubernetes swagger (4 MB, 1,123 operations) through the real plugin manager
and print wall time and peak memory. Target: well under 1.5 s.

Usage: python benchmarks/bench_parse_kubernetes.py [path/to/swagger.json] [--runs N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.model import SpecSource
from mcp_sre.specs.parse import parse_content

DEFAULT = Path(__file__).resolve().parents[1] / "plugins" / "mcp_sre_kubernetes" / "specs" / "kubernetes-swagger.json"
TARGET_S = 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    pm = make_plugin_manager()
    content = args.path.read_bytes()
    source = SpecSource(name="kubernetes", provider="kubernetes", url=str(args.path))

    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        specs = parse_content(pm, content, source)  # detect + load + build + classify
        times.append(time.perf_counter() - start)

    tracemalloc.start()
    parse_content(pm, content, source)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"file: {args.path} ({len(content) / 2**20:.1f} MiB)")
    print(f"operations: {len(specs)}")
    print(f"parse time: first {times[0]:.3f} s, best {min(times):.3f} s, "
          f"median {statistics.median(times):.3f} s over {args.runs} runs (target <= {TARGET_S} s)")
    print(f"peak traced memory during one parse: {peak / 2**20:.1f} MiB")
    print(f"process max RSS: {maxrss_mib:.1f} MiB")
    print("OK" if min(times) <= TARGET_S else "SLOWER THAN TARGET")


if __name__ == "__main__":
    main()
