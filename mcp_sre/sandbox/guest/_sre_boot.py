"""Sandbox entry point (runs inside the guest): receive the program, run it, report how it ended.

The report is a courtesy to the host: it says which exception ended the program. The host
trusts it for nothing that matters to security (timeouts, output caps and policy refusals are
decided on the host).
"""

import sys


def _report(exc):
    """Exit message for an exception that ended the program."""
    import sre

    if isinstance(exc, SystemExit):
        code = exc.code
        if code is None or code == 0:
            return {"t": "exit", "status": "ok"}
        return {"t": "exit", "status": "error", "kind": "exit", "exc": "SystemExit",
                "msg": "exited with status " + str(code)}
    if isinstance(exc, MemoryError):
        kind = "memory_limit"
    elif isinstance(exc, (sre.CallError, sre.OutputLimitExceeded)):
        kind = exc.kind
    else:
        kind = "runtime_error"
    return {"t": "exit", "status": "error", "kind": kind, "exc": type(exc).__name__,
            "msg": str(exc)[:2000]}


def _print_traceback(exc, code):
    import linecache
    import traceback

    linecache.cache["<sandbox>"] = (len(code), None, code.splitlines(True), "<sandbox>")
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != "<sandbox>":
        tb = tb.tb_next
    sys.stderr.write("".join(traceback.format_exception(type(exc), exc, tb)))


def _main():
    import sre

    init = sre._receive()
    sre._setup(init)
    code = init.get("code", "")
    namespace = {"__name__": "__main__", "__builtins__": __builtins__, "sre": sre}
    try:
        program = compile(code, "<sandbox>", "exec", dont_inherit=True)
        exec(program, namespace)
        report = {"t": "exit", "status": "ok"}
    except MemoryError:
        namespace.clear()
        report = {"t": "exit", "status": "error", "kind": "memory_limit", "exc": "MemoryError",
                  "msg": "the program ran out of memory"}
    except BaseException as exc:
        report = _report(exc)
        if report["status"] == "error" and report["kind"] not in ("exit", "output_limit"):
            try:
                _print_traceback(exc, code)
            except BaseException:
                pass
    try:
        sre._flush_streams()
    except BaseException:
        pass
    sre._send(report)


_main()
