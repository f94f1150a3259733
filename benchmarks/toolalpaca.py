"""ToolAlpaca as the "added spec" dev set: real public APIs with their own OpenAPI documents,
instructions and golden actions (tangqiaoyu/ToolAlpaca, Apache-2.0; /work/shared/eval/toolalpaca).

Each API's OpenAPI document is written to a file and added as a spec source (``ta-<slug>``)
exactly as ``mcp-sre specs add`` does; each instruction becomes a case whose gold ids are the
operations its golden actions call (``parts``: one per distinct action, for set recall).

    python benchmarks/toolalpaca.py OUT_DIR          # writes OUT_DIR/toolalpaca.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mcp_sre.config import Settings  # noqa: E402
from mcp_sre.specs.catalog import SpecCatalog  # noqa: E402
from mcp_sre.specs.model import SpecSource  # noqa: E402

DATA = Path("/work/shared/eval/toolalpaca")
FILES = ("eval_real.json", "eval_simulated.json")


def slug(name: str) -> str:
    return "ta-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "api")


def add_toolalpaca(settings: Settings, out: Path, data: Path = DATA) -> Path:
    """Add every ToolAlpaca API as a spec source (skipping ones already added) and write the
    labelled set; returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    catalog = SpecCatalog(settings)
    known = {s.name for s in catalog.sources()}
    cases = []
    for fname in FILES:
        for api in json.loads((data / fname).read_text("utf-8")):
            name = slug(api["Name"])
            doc = out / f"{name}.json"
            doc.write_text(api["Documentation"], "utf-8")
            if name not in known:
                catalog.add_source(SpecSource(name=name, provider=name, url=str(doc.resolve())))
                known.add(name)
            by_route = {(s.method.upper(), s.endpoint): s.name for s in catalog.operations(name)}
            names = {}
            for action, (path, method) in api["Function_Projection"].items():
                op = by_route.get((method.upper(), path))
                if op:
                    names[action] = op
            for query, golden in zip(api["Instructions"], api["Golden_Answers"], strict=True):
                parts = list(
                    dict.fromkeys(names[a["Action"]] for a in golden if a["Action"] in names)
                )
                if parts:
                    cases.append(
                        {
                            "query": query,
                            "provider": name,
                            "gold": parts,
                            "parts": [[p] for p in parts],
                        }
                    )
    path = out / "toolalpaca.jsonl"
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), "utf-8")
    return path


def main() -> int:
    from mcp_sre.config import load_settings

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    path = add_toolalpaca(load_settings(), args.out)
    print(f"wrote {path} ({sum(1 for _ in path.open())} cases)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
