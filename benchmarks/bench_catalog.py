"""Load every operation of the default sources through the catalog: cold (parse), warm (from
the on-disk parsed copy), and one-operation lookup. Targets: cold <= 30 s, warm <= 3 s for all
of botocore. Each phase runs in a fresh process so nothing is shared in memory.

Run: python benchmarks/bench_catalog.py [SOURCE ...]   (default: aws kubernetes)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

PHASE = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from mcp_sre.specs.catalog import SpecCatalog
catalog = SpecCatalog()
t1 = time.perf_counter()
mode, names = sys.argv[1], sys.argv[2:]
if mode == "lookup":
    catalog.get(names[0])
    n = 1
else:
    n = sum(len(catalog.operations(name)) for name in names)
t2 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"ops": n, "import_s": t1 - t0, "load_s": t2 - t1, "peak_rss_mb": rss}))
"""


def phase(home: str, mode: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PHASE, mode, *args], capture_output=True,
                         text=True, env={"MCP_SRE_HOME": home, "PATH": "/usr/bin:/bin",
                                         "MCP_SRE_OFFLINE": "1"}, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    names = sys.argv[1:] or ["aws", "kubernetes"]
    home = tempfile.mkdtemp(prefix="mcp-sre-bench-")
    cold = phase(home, "load", *names)
    warm = phase(home, "load", *names)
    lookup = phase(home, "lookup", "aws/ec2/DescribeInstances")
    print(f"sources: {', '.join(names)}; operations: {cold['ops']}")
    print(f"{'phase':<8} {'load s':>8} {'import s':>9} {'peak RSS MB':>12}")
    for label, r in (("cold", cold), ("warm", warm), ("lookup", lookup)):
        print(f"{label:<8} {r['load_s']:8.2f} {r['import_s']:9.2f} {r['peak_rss_mb']:12.0f}")
    print(f"warm/cold = {warm['load_s'] / cold['load_s']:.2f}; targets: cold <= 30 s, warm <= 3 s")


if __name__ == "__main__":
    main()
