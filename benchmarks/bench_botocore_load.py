"""Cold parse of every service model in the installed botocore: time and memory.

Run: ``python benchmarks/bench_botocore_load.py [--services ec2,logs] [--json-size]``.
Prints the figures; the target is a cold parse of all services in under 30 s.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", default="all", help="botocore: selection (default all)")
    parser.add_argument("--json-size", action="store_true",
                        help="also measure the operations' total JSON size (slower)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    import botocore

    from mcp_sre.plugin_manager import make_plugin_manager
    from mcp_sre.specs.fetch import fetch_source
    from mcp_sre.specs.model import SpecSource
    from mcp_sre.specs.parse import parse_content

    pm = make_plugin_manager()
    t_import = time.perf_counter() - t0
    base_rss = _rss_mb()

    source = SpecSource(name="aws", provider="aws", url=f"botocore:{args.services}",
                        format="botocore")
    t1 = time.perf_counter()
    fetched = fetch_source(source, pm=pm)
    t_fetch = time.perf_counter() - t1
    t2 = time.perf_counter()
    specs = parse_content(pm, fetched.content, source)
    t_parse = time.perf_counter() - t2
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gc.collect()
    held = _rss_mb()

    services = {s.service for s in specs}
    reads = sum(s.access == "read" for s in specs)
    print(f"botocore {botocore.__version__}: {len(services)} services, {len(specs)} operations "
          f"({reads} read, {len(specs) - reads} write)")
    print(f"import + plugin manager: {t_import:6.2f} s")
    print(f"fetch (manifest):        {t_fetch:6.2f} s  ({len(fetched.content)} bytes)")
    print(f"parse (cold):            {t_parse:6.2f} s  ({len(specs) / t_parse:,.0f} ops/s)")
    print(f"memory: baseline {base_rss:.0f} MB, peak RSS {peak:.0f} MB, "
          f"held after parse {held:.0f} MB (+{held - base_rss:.0f} MB for the operations)")
    if args.json_size:
        t3 = time.perf_counter()
        size = sum(len(s.model_dump_json()) for s in specs)
        print(f"JSON of all operations:  {size / 1e6:6.1f} MB "
              f"({time.perf_counter() - t3:.1f} s to serialise)")


if __name__ == "__main__":
    main()
