"""MCP tools that write and run code: ``generate_tool`` (the CodeGenerator, or a context pack
when no model is available) and ``run_code`` (the sandbox).

``generate_tool`` first asks the tool registry for a registered tool that already serves the
request (reuse, no model call); after a successful generation it registers the code through
the server's publisher (:class:`~mcp_sre.server.registry_tools.RegisteredToolsPublisher`, what
``register_tool`` calls), so registration runs the same checks and test as for any assistant
and connected clients get ``list_changed``. Register these tools before the
registry's (``build_server``) so their names are reserved.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from mcp_sre.errors import McpSreError
from mcp_sre.sandbox.models import RunResult
from mcp_sre.server.app import client_session, in_thread, tool_errors
from mcp_sre.server.sdk import Context, FastMCP
from mcp_sre.toolcode.calls import sdk_namer

if TYPE_CHECKING:
    from mcp_sre.server import ServerState

__all__ = ["register_codegen_tools"]

log = logging.getLogger("mcp_sre.server")
MAX_OPERATIONS = 8



def _registry(state: ServerState) -> Any:
    try:
        return state.registry
    except (AttributeError, ImportError) as exc:  # a server without the registry
        log.debug("no tool registry: %s", exc)
        return None


def register_codegen_tools(mcp: FastMCP, state: ServerState) -> None:
    async def find_reusable(request: str) -> dict[str, Any] | None:
        registry = _registry(state)
        if registry is None:
            return None
        try:
            matches = await in_thread(registry.find, request, limit=1)
        except McpSreError as exc:
            log.warning("tool reuse skipped: %s", exc)
            return None
        match = next((m for m in matches if m.reuse), None)  # decided over the top few
        if match is None:
            return None
        return {"mode": "reused", "tool": match.tool.model_dump(mode="json"),
                "similarity": match.similarity, "confidence": match.confidence,
                "next": f"call the MCP tool {match.tool.name!r} with arguments matching its "
                        "schema (generate_tool with reuse=false writes a new one)"}

    async def register_result(result: Any) -> dict[str, Any]:
        publisher = state.publisher
        if publisher is None:
            return {"registered": False, "reason": "this server has no tool registry"}
        name = await in_thread(publisher.registry.free_name, result.name)
        try:
            out = await publisher.register(name, result.description, result.code, result.test,
                                           result.parameters, request=result.request)
        except McpSreError as exc:
            return {"registered": False, "reason": f"{type(exc).__name__}: {exc}"}
        return {"registered": True, **out}

    @mcp.tool(annotations={"readOnlyHint": True, "openWorldHint": True})
    @tool_errors
    @state.learn_from_runs
    async def run_code(
        code: Annotated[str, Field(description="Python source. Call clouds with `import sre; "
                                   "sre.call('provider/service/Operation', **params)` or an "
                                   "SDK shim such as boto3; print results or sre.result(value)")],
        providers: Annotated[list[str] | None, Field(description="Providers the code may "
                                                     "call, e.g. ['aws']; omit for all")] = None,
        timeout_s: Annotated[float, Field(gt=0, le=600, description="Wall-clock limit in "
                                          "seconds")] = 30.0,
    ) -> RunResult:
        """Run Python in the sandbox (no file system, no network, bounded CPU, memory and
        output) with a read-only, audited bridge to the clouds. Returns ok, stdout, stderr,
        error {type, message}, every bridged call, and the value passed to sre.result()."""
        cancel = threading.Event()  # a cancelled request stops its run at once
        try:
            return await in_thread(state.sandbox.run, code, providers=providers,
                                   timeout_s=timeout_s, cancel=cancel)
        finally:
            cancel.set()

    @mcp.tool(annotations={"readOnlyHint": True, "openWorldHint": True})
    @tool_errors
    async def generate_tool(
        request: Annotated[str, Field(description="What the tool should return, in any "
                                      "language, e.g. 'EC2 instances with CPU above 80%'")],
        providers: Annotated[list[str] | None, Field(description="Limit to these providers, "
                                                     "e.g. ['aws']; omit for all")] = None,
        reuse: Annotated[bool, Field(description="Return a registered tool that already "
                                     "serves the request instead of generating")] = True,
        register: Annotated[bool, Field(description="Register the code as a tool when it "
                                        "passes")] = True,
        ctx: Context | None = None,
    ) -> dict[str, Any]:
        """Write read-only code for a request: retrieve the operations, have a model write the
        code and a test, check them, run the test in the sandbox against the real target, feed
        errors back, up to 3 rounds, then review the code and register it as a tool. Returns
        every round and the final code. A registered tool that already serves the request is
        returned instead (mode "reused"). Without a server-side model (no
        MCP_SRE_LLM_BASE_URL and no client sampling) it returns a context pack: write the code
        yourself and submit it with register_tool."""
        from mcp_sre.agents.codegen import CodeGenerator
        from mcp_sre.agents.context import retrieval_finder
        from mcp_sre.agents.context_pack import build_context_pack
        from mcp_sre.llm.resolve import resolve_llm

        obs = state.observability
        if reuse:
            found = await find_reusable(request)
            if found is not None:
                obs.tool_request("reused")
                return found
        choice = resolve_llm(client_session(ctx))
        finder = retrieval_finder(state.retriever, state.catalog.get)
        if choice.llm is None:
            operations = await in_thread(finder, request, providers, MAX_OPERATIONS)
            learner = state.learner
            notes = learner.notes_for([s.id for s in operations]) if learner else None
            pack = build_context_pack(request, providers, operations, choice.label, notes=notes)
            obs.tool_request("context_pack")
            return pack.model_dump(mode="json")

        async def progress(done: float, total: float, message: str) -> None:
            if ctx is None:
                return
            try:
                await ctx.report_progress(done, total, message)
            except Exception as exc:  # the client went away; the work goes on
                log.debug("progress not delivered: %s", exc)

        learner = state.learner
        generator = CodeGenerator(choice.llm, state.sandbox, finder, lookup=state.catalog.get,
                                  max_operations=MAX_OPERATIONS, sdk=sdk_namer(state.pm),
                                  notes=learner.notes_for if learner is not None else None)
        with obs.agent_run("codegen", llm=choice.source) as run:
            result = await generator.generate(request, providers, progress=progress)
            run.outcome = "ok" if result.ok else "failed"
        if learner is not None:
            from mcp_sre.learning.codegen import learn_from_generation

            await in_thread(learn_from_generation, learner, result)
        obs.tool_request("generated")
        obs.codegen(result.ok, len(result.rounds), first_round_ok=result.first_round_ok)
        answer = {"mode": "generated", "llm": choice.label, **result.model_dump(mode="json")}
        if result.ok:
            answer["registration"] = (await register_result(result) if register else
                                      {"registered": False, "reason": "register=false"})
        return answer
