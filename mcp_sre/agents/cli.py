"""CLI commands of the code generator, attached to ``mcp-sre`` by the main CLI:
``mcp-sre generate "REQUEST"`` and ``mcp-sre eval codegen DATASET``.

Both use the OpenAI-compatible endpoint from ``MCP_SRE_LLM_*`` (a command line has no MCP
client to sample from). Without one, ``generate`` prints the context pack -- what an assistant
needs to write the code itself -- and ``eval codegen`` says that nothing can be measured;
both exit 0.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio
import click

from mcp_sre.errors import McpSreError

__all__ = ["eval_codegen", "generate_command"]

NO_ENDPOINT = ("no LLM endpoint configured: set MCP_SRE_LLM_BASE_URL and MCP_SRE_LLM_MODEL "
               "(and MCP_SRE_LLM_API_KEY if the endpoint needs one)")


def _fail(exc: McpSreError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)


def _state() -> Any:
    from mcp_sre.server import ServerState

    return ServerState()


def _generator(state: Any, llm: Any, rounds: int, timeout_s: float) -> Any:
    from mcp_sre.agents.codegen import CodeGenerator
    from mcp_sre.agents.context import retrieval_finder
    from mcp_sre.toolcode.calls import sdk_namer

    finder = retrieval_finder(state.retriever, state.catalog.get)
    return CodeGenerator(llm, state.sandbox, finder, lookup=state.catalog.get,
                         max_rounds=rounds, timeout_s=timeout_s, sdk=sdk_namer(state.pm))


async def _echo_progress(done: float, total: float, message: str) -> None:
    click.echo(f"  [{done:g}/{total:g}] {message}", err=True)


def _tokens(a: int | None, b: int | None) -> str:
    return "tokens n/a" if a is None and b is None else f"{a or 0:,}+{b or 0:,} tokens"


def _print_result(result: Any) -> None:
    for r in result.rounds:
        state = "passed" if r.ok else (r.run.error.type if r.run and r.run.error else
                                       "checks failed" if r.checks else "no usable reply"
                                       if r.reply_problem else r.observation[:60])
        click.echo(f"round {r.round}: {state}  (prompt {r.prompt_chars:,} chars, "
                   f"{_tokens(r.input_tokens, r.output_tokens)}, {r.duration_ms / 1000:.1f} s)")
    click.echo(f"status: {result.status}  ({len(result.rounds)} round(s), "
               f"{_tokens(result.input_tokens, result.output_tokens)}, "
               f"{result.duration_ms / 1000:.1f} s)")
    if result.code:
        click.echo(f"\n--- code: {result.name} ---\n{result.code.rstrip()}")
        click.echo(f"\n--- test ---\n{result.test.rstrip()}")
    if result.review is not None:
        verdict = "passed" if result.review.passed else "REFUSED"
        click.echo(f"\nreview: {verdict} (LLM verdict: {result.review.llm_verdict})")
        for finding in result.review.findings:
            click.echo(f"  - {finding}")
    if result.ok:
        click.echo("\nnext: register it (mcp-sre generate --register, or the register_tool MCP "
                   "tool with name, description, code, test, parameters)")


@click.command("generate")
@click.argument("request")
@click.option("--provider", "providers", multiple=True,
              help="Limit to this provider (repeatable): aws, kubernetes, ...")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--rounds", type=click.IntRange(1, 10), default=3, show_default=True,
              help="Most write-run-fix rounds.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(1, 600), default=60,
              show_default=True, help="Sandbox time limit per test run, seconds.")
@click.option("--register", is_flag=True,
              help="Register passing code as a tool (runs the registry's checks and test).")
def generate_command(request: str, providers: tuple[str, ...], as_json: bool, rounds: int,
                     timeout_s: float, register: bool) -> None:
    """Write read-only code for REQUEST with the configured LLM: retrieve operations, write
    code and a test, check, run in the sandbox, fix (exit 1 if no round passes). Without an
    endpoint, print the context pack for an assistant to write the code itself."""
    from mcp_sre.agents.context_pack import build_context_pack
    from mcp_sre.llm.resolve import resolve_llm

    chosen = list(providers) or None
    try:
        choice = resolve_llm(None)
        state = _state()
        if choice.llm is None:
            from mcp_sre.agents.context import retrieval_finder

            finder = retrieval_finder(state.retriever, state.catalog.get)
            pack = build_context_pack(request, chosen, finder(request, chosen, 8), NO_ENDPOINT)
            click.echo(pack.model_dump_json(indent=2) if as_json else pack.prompt)
            if not as_json:
                click.echo(f"\n({NO_ENDPOINT}; this is the context pack)", err=True)
            return
        if not as_json:
            click.echo(f"model: {choice.label}", err=True)
        generator = _generator(state, choice.llm, rounds, timeout_s)
        result = anyio.run(lambda: generator.generate(
            request, chosen, progress=None if as_json else _echo_progress))
        registered = None
        if register and result.ok:
            registry = state.registry
            registered = registry.register(
                registry.free_name(result.name), result.description, result.code,
                result.test, result.parameters, request=request, created_by="codegen")
    except McpSreError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        _print_result(result)
        if registered is not None:
            click.echo(f"registered: {registered.name} v{registered.version}")
    if not result.ok:
        if not as_json:
            click.echo(f"error: {result.failure}", err=True)
        sys.exit(1)


@click.command("codegen")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--rounds", type=click.IntRange(1, 10), default=3, show_default=True)
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N tasks.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(1, 600), default=60,
              show_default=True, help="Sandbox time limit per test run, seconds.")
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="Also write every generation (rounds, code) to this JSON Lines file.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def eval_codegen(dataset: Path, rounds: int, limit: int | None, timeout_s: float,
                 output: Path | None, as_json: bool) -> None:
    """Run the code generator on every task of DATASET (JSON Lines: id, request, providers,
    expect_any, unsafe) and print first-round and within-N pass rates, rounds, tokens and
    time per task. Exits 0 without an LLM endpoint, saying so."""
    from mcp_sre.agents.evaluate import load_tasks, run_eval
    from mcp_sre.config import atomic_write
    from mcp_sre.llm.openai_compat import OpenAICompatLLM

    try:
        tasks = load_tasks(dataset)[:limit]
        llm = OpenAICompatLLM.from_env()
        if llm is None:
            click.echo(f"{NO_ENDPOINT}; nothing evaluated ({len(tasks)} task(s) in {dataset})")
            return
        generator = _generator(_state(), llm, rounds, timeout_s)
        generations: list[str] = []

        async def generate(task: Any) -> Any:
            result = await generator.generate(task.request, task.providers)
            generations.append(json.dumps({"id": task.id, **result.model_dump(mode="json")},
                                          ensure_ascii=False))
            return result

        def show(r: Any) -> None:
            if not as_json:
                mark = "PASS" if r.passed else "FAIL"
                click.echo(f"{mark} {r.id}: {r.status}, {r.rounds} round(s), "
                           f"{_tokens(r.input_tokens, r.output_tokens)}, {r.seconds:.1f} s"
                           + (f" -- {r.failure[:160]}" if r.failure and not r.passed else ""))

        report = anyio.run(lambda: run_eval(
            tasks, generate, model=llm.settings.model, max_rounds=rounds,
            cost=lambda: llm.usage.cost if llm.settings.price_input is not None
            or llm.settings.price_output is not None else None, on_result=show))
        if output is not None:
            atomic_write(output, "\n".join(generations) + "\n")
    except McpSreError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    click.echo(f"model={report.model} tasks={report.tasks} "
               f"first_round={report.first_round_pass_rate:.0%} "
               f"within_{report.max_rounds}={report.pass_rate:.0%} "
               f"mean_rounds={report.mean_rounds} mean_tokens={report.mean_tokens:,.0f} "
               f"mean_time={report.mean_seconds:.1f}s unsafe_accepted={report.unsafe_accepted}"
               f"/{report.unsafe_tasks}" + (f" cost={report.cost:.4f}" if report.cost else ""))
