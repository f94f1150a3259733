"""Red team (issue 20, item 7): the process must never abort.

Before the fix a run that timed out while its guest waited for a bridge reply left its runtime
store alive in a reference cycle; it was freed on a runtime thread while the interpreter
exited, and the process died with SIGABRT ("panic in a function that cannot unwind") -- 7 of
20 ``mcp-sre run`` invocations, 3 of 4 four-run processes here. Each child below makes such
runs and exits; every one must exit 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

CHILD = textwrap.dedent('''
    import sys, time
    from pathlib import Path
    from mcp_sre import hookimpl
    from mcp_sre.config import load_settings
    from mcp_sre.plugin_manager import make_plugin_manager
    from mcp_sre.sandbox import Sandbox
    from mcp_sre.specs.model import APISpec, SourceInfo

    SPEC = APISpec(id="slow/svc/Wait", name="Wait", provider="slow", service="svc",
                   access="read", source=SourceInfo(url="memory://slow", format="test"))

    class Slow:
        @hookimpl
        def execute_operation(self, spec, params, context):
            if spec.provider == "slow":
                time.sleep(1.5)
                return {}

    box = Sandbox(load_settings(home=sys.argv[1]),
                  make_plugin_manager(only=set(), extra=[Slow()]), lambda op: SPEC,
                  module_dir=Path(sys.argv[2]))
    for _ in range(4):
        result = box.run('import sre\\nsre.request("slow/svc/Wait")', timeout_s=0.5)
        assert result.error is not None and result.error.type == "timeout", result
    print("done")
''')


def test_runs_timing_out_in_the_bridge_do_not_abort_the_process(tmp_path: Path,
                                                                module_dir: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    children = [subprocess.Popen([sys.executable, str(script), str(tmp_path / f"h{i}"),
                                  str(module_dir)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=dict(os.environ))
                for i in range(2)]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err[-2000:]
        assert out.strip() == "done"
