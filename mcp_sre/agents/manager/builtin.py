"""The built-in agents, registered through the ``register_agents`` hook like any plugin's.

Each wraps a part that already exists -- retrieval, the spec catalog, the tool registry, the
code generator, the diagnostic agent, the health agent, one read through the bridge -- and
speaks :mod:`~mcp_sre.agents.manager.protocol`. Blocking work runs in worker threads. Every
cloud read goes through the sandbox's bridge and policy: nothing here can write.
"""

from __future__ import annotations

import re
from typing import Any

import anyio

from mcp_sre.agents.manager.answer import compose_answer
from mcp_sre.agents.manager.protocol import (
    AgentContext,
    AgentError,
    AgentResult,
    AgentTask,
    Cost,
    Entity,
)
from mcp_sre.hookspecs import hookimpl

__all__ = ["entities_in", "fill_arguments", "namespace_in", "register_agents"]

_NUMBER = r"(\d+(?:\.\d+)?)"
_THRESHOLD = [re.compile(p, re.I) for p in (
    r"(?:>=?|＞|above|over|greater than|more than|exceeds?|higher than|超过|大于|高于|多于)\s*"
    + _NUMBER, _NUMBER + r"\s*%")]
_NS = [re.compile(p, re.I) for p in (
    r"(?:\bnamespace\b|\bns\b|命名空间|名字空间)[\s:=]*[`'\"]?([a-z0-9][a-z0-9-]{0,62})",
    r"(?<![\w-])([a-z0-9][a-z0-9-]{0,62})[`'\"]?\s*(?:\bnamespace\b|命名空间|名字空间)")]
_NOT_NAMES = {"the", "a", "an", "in", "of", "that", "this", "other", "same", "each", "every",
              "which", "any", "all"}
_INSTANCE = re.compile(r"\bi-[0-9a-f]{8,17}\b")
_ENTITY_KEYS = {  # result field -> entity kind, for rows tools return
    "instanceid": "instance", "instance_id": "instance", "instance": "instance",
    "pod": "pod", "namespace": "namespace", "volumeid": "id", "volume_id": "id",
    "deployment": "workload", "workload": "workload", "node": "node",
}


async def _thread(fn: Any, *args: Any) -> Any:
    return await anyio.to_thread.run_sync(lambda: fn(*args), abandon_on_cancel=True)


def fill_arguments(schema: dict[str, Any], request: str, given: dict[str, Any] | None = None,
                   bindings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Arguments for a tool from the request's words: a threshold ("CPU>80%", "超过 90")
    for a numeric parameter that is a threshold or a percent, a namespace for a ``namespace``
    parameter (or the session's), nothing else guessed."""
    props = (schema or {}).get("properties") or {}
    args = {k: v for k, v in (given or {}).items() if k in props and v not in (None, "")}
    for name, prop in props.items():
        if name in args:
            continue
        desc = f"{name} {prop.get('description', '')}".lower()
        if prop.get("type") in ("number", "integer") and any(
                w in desc for w in ("threshold", "percent", "%")):
            for pattern in _THRESHOLD:
                match = pattern.search(request)
                if match:
                    value = float(match.group(1))
                    args[name] = int(value) if prop.get("type") == "integer" else value
                    break
        elif name == "namespace":
            named = namespace_in(request)
            ns = (bindings or {}).get("namespace")
            if named:
                args[name] = named
            elif ns:
                args[name] = ns["value"] if isinstance(ns, dict) else ns.value
    return args


def namespace_in(text: str) -> str | None:
    """The namespace a request names outright ("namespace shop", "web 命名空间"), if any."""
    for pattern in _NS:
        for match in pattern.finditer(text):
            if match.group(1).lower() not in _NOT_NAMES:
                return match.group(1).lower()
    return None


def entities_in(value: Any, limit: int = 50) -> list[Entity]:
    """Entities named by rows a tool returned (instance ids, pods with their namespace...)."""
    found: list[Entity] = []

    def walk(item: Any, depth: int) -> None:
        if len(found) >= limit or depth > 4:
            return
        if isinstance(item, dict):
            ns = str(item.get("namespace") or "")
            for key, val in item.items():
                kind = _ENTITY_KEYS.get(str(key).lower())
                if kind and isinstance(val, str) and val:
                    found.append(Entity(kind=kind, value=val,
                                        namespace=ns if kind in ("pod", "workload") else ""))
                elif isinstance(val, dict | list):
                    walk(val, depth + 1)
        elif isinstance(item, list):
            for sub in item:
                walk(sub, depth + 1)
        elif isinstance(item, str):
            found.extend(Entity(kind="instance", value=i) for i in _INSTANCE.findall(item))

    walk(value, 0)
    unique: dict[tuple[str, str, str], Entity] = {}
    for e in found:
        unique.setdefault((e.kind, e.value, e.namespace), e)
    return list(unique.values())


# ----------------------------------------------------------------------------------- agents
async def search_agent(task: AgentTask, ctx: AgentContext) -> AgentResult:
    query = str(task.inputs.get("query") or task.request)
    retriever = ctx.services.retriever
    await _thread(retriever.ensure_index)
    hits = await _thread(lambda: retriever.search(query, top_k=int(task.inputs.get("top_k", 5)),
                                                  decompose=True))
    rows = [{"id": h.id, "summary": getattr(h, "summary", ""), "access": h.access,
             "score": round(float(h.score), 3)} for h in hits]
    return AgentResult(status="ok" if rows else "failed", data={"operations": rows},
                       summary=("operations: " + ", ".join(r["id"] for r in rows[:5]))
                       if rows else "no operation matched", entities=[])


async def spec_agent(task: AgentTask, ctx: AgentContext) -> AgentResult:
    op = str(task.inputs.get("id") or "")
    if not op:
        raise AgentError("spec needs an operation id")
    spec = await _thread(ctx.services.catalog.get, op)
    return AgentResult(status="ok", summary=f"{spec.method} {spec.endpoint}: {spec.summary}",
                       data={"id": op, "method": spec.method, "endpoint": spec.endpoint,
                             "summary": spec.summary, "access": str(spec.access),
                             "parameters": [p.name for p in spec.parameters][:30]})


async def find_tool_agent(task: AgentTask, ctx: AgentContext) -> AgentResult:
    request = str(task.inputs.get("request") or task.request)
    matches = await _thread(lambda: ctx.services.registry.find(request, limit=3))
    rows = [{"name": m.tool.name, "similarity": m.similarity, "confidence": m.confidence,
             "reuse": m.reuse} for m in matches]
    best = rows[0] if rows else None
    reuse = bool(best and best["reuse"])
    return AgentResult(status="ok", data={"matches": rows, "reuse": reuse,
                                          "best": best["name"] if best else None,
                                          "confidence": best["confidence"] if best else 0.0},
                       summary=(f"registered tool {best['name']} fits (confidence "
                                f"{best['confidence']:.2f}{', reused' if reuse else ''})"
                                if best else "no registered tool fits"),
                       entities=[Entity(kind="tool", value=best["name"])] if reuse else [])


async def tool_agent(task: AgentTask, ctx: AgentContext) -> AgentResult:
    name = task.inputs.get("name")
    if not name:
        raise AgentError("tool needs a tool name")
    registry = ctx.services.registry
    tool = await _thread(registry.get, name)
    args = fill_arguments(tool.parameters, str(task.inputs.get("request") or task.request),
                          task.inputs.get("args"), ctx.extra.get("bindings"))
    value = await _thread(lambda: registry.call(name, args))
    rows = value
    if isinstance(value, dict):  # {"count": 2, "instances": [...]}: the first list is the rows
        rows = next((v for v in value.values() if isinstance(v, list)), value)
    count = len(rows) if isinstance(rows, list) else None
    shown = ", ".join(f"{k}={v}" for k, v in sorted(args.items()))
    entities = entities_in(value)
    named = [f"{e.namespace}/{e.value}" if e.namespace else e.value for e in entities
             if e.kind in ("instance", "pod", "workload", "id", "node")]
    listed = (": " + ", ".join(named[:8]) + (" ..." if len(named) > 8 else "")) if named else ""
    return AgentResult(status="ok", data={"tool": name, "args": args, "result": value,
                                          "count": count},
                       summary=f"{name}({shown}): " + (f"{count} found{listed}"
                                                      if count is not None
                                                      else str(value)[:200]),
                       entities=entities, cost=Cost(calls=1))


async def read_agent(task: AgentTask, ctx: AgentContext) -> AgentResult:
    from mcp_sre.agents.diagnosis.reader import BridgeReader

    op = str(task.inputs.get("operation") or "")
    params = {k: v for k, v in (task.inputs.get("params") or {}).items() if v not in (None, "")}
    if not op:
        raise AgentError("read needs an operation id")
    reader = BridgeReader(ctx.services.sandbox)
    result = await _thread(reader.read, op, params, task.why)
    if not result.ok:
        return AgentResult.failed(f"{op}: {result.outcome} {result.message}".strip(),
                                  cost=Cost(calls=1))
    data = result.data
    shown = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
    text = data if isinstance(data, str) else None
    lines = text.strip().splitlines() if text else []
    return AgentResult(status="ok", data={"operation": op, "params": params,
                                          "result": text if text is not None else data},
                       summary=(f"{op}({shown}): {len(lines)} lines; last: "
                                + " | ".join(lines[-3:]) if text is not None
                                else f"{op}({shown}): read"),
                       evidence=lines[-20:], cost=Cost(calls=1),
                       entities=entities_in(data) if text is None else [])


async def diagnose_agent(task: AgentTask, ctx: AgentContext) -> AgentResult:
    from mcp_sre.agents.diagnosis import Diagnoser, diagnose_report

    question = str(task.inputs.get("question") or task.request)
    cache = ctx.extra.setdefault("cache", {})  # shared across runs: knowledge loads once
    diagnoser = cache.get("diagnoser")
    if diagnoser is None:
        diagnoser = cache["diagnoser"] = Diagnoser(ctx.services.sandbox)
    report = await diagnose_report(diagnoser, question, task.inputs.get("target") or None,
                                   namespace=task.inputs.get("namespace") or None,
                                   llm=ctx.llm, llm_label="manager")
    entities = []
    if report.target is not None:
        kind = "pod" if report.target.kind == "Pod" else "workload"
        entities.append(Entity(kind=kind, value=report.target.name,
                               namespace=report.target.namespace))
        if report.target.namespace:
            entities.append(Entity(kind="namespace", value=report.target.namespace))
    for signal in report.signals:  # the pods the evidence was found on
        if signal.object.kind == "Pod":
            entities.append(Entity(kind="pod", value=signal.object.name,
                                   namespace=signal.object.namespace))
    found = report.status == "problem_found"
    summary = (f"root cause: {report.root_cause}" if found else
               "nothing abnormal found" if report.status == "nothing_abnormal" else
               "the workload asked about was not found")
    return AgentResult(
        status="ok" if report.status != "target_not_found" else "failed",
        summary=summary,
        data={"status": report.status, "symptom": report.symptom,
              "direct_cause": report.direct_cause, "root_cause": report.root_cause,
              "fix": report.fix, "confidence": report.confidence,
              "target": report.target.model_dump() if report.target else None},
        evidence=[f"{e.object} {e.path}: {e.quote}"[:300] for e in report.evidence[:8]],
        entities=list({(e.kind, e.value): e for e in entities}.values()),
        cost=Cost(calls=len(report.steps)))


async def health_agent(task: AgentTask, ctx: AgentContext) -> AgentResult:
    from pathlib import Path

    from mcp_sre.agents.health.report import HealthAgent
    from mcp_sre.sandbox.runner import CatalogOperations

    services = ctx.services
    agent = HealthAgent(services.pm, CatalogOperations(services.catalog),
                        home=Path(services.settings.home))
    report = await agent.report(str(task.inputs.get("scope") or task.request),
                                lang=task.inputs.get("lang"))
    status = str(getattr(report.status, "value", report.status))
    unhealthy = [c.name for c in report.components
                 if str(getattr(c.status, "value", c.status)) == "unhealthy"]
    degraded = [c.name for c in report.components
                if str(getattr(c.status, "value", c.status)) == "degraded"]
    entities = [Entity(kind="business", value=report.business)] if report.business else []
    for comp in report.components:
        if comp.kind == "instance" and comp.id:
            entities.append(Entity(kind="instance", value=comp.id))
        elif comp.kind in ("deployment", "statefulset", "pod"):
            ns = comp.id.split("/", 1)[0] if "/" in comp.id else ""
            entities.append(Entity(kind="workload", value=comp.name, namespace=ns))
            if ns:
                entities.append(Entity(kind="namespace", value=ns))
    if not report.components:
        return AgentResult.failed(
            "no resources found for " + repr(report.scope) + (
                "; candidates: " + ", ".join(report.candidates) if report.candidates else ""),
            data={"candidates": report.candidates})
    return AgentResult(
        status="ok",
        summary=(f"{report.business or report.scope}: {status}, score {report.score:.0f}; "
                 f"unhealthy: {', '.join(unhealthy) or 'none'}"
                 + (f"; degraded: {', '.join(degraded)}" if degraded else "")),
        data={"business": report.business, "status": status, "score": report.score,
              "unhealthy": unhealthy, "degraded": degraded,
              "problems": [p.title for p in report.problems][:10]},
        evidence=[f"{p.component}: {p.title}" for p in report.problems][:10],
        entities=list({(e.kind, e.value): e for e in entities}.values()),
        cost=Cost(calls=sum(s.calls for s in report.sources)))


async def codegen_agent(task: AgentTask, ctx: AgentContext) -> AgentResult:
    if ctx.llm is None:
        return AgentResult.failed("writing new code needs a model (sampling or "
                                  "MCP_SRE_LLM_BASE_URL), and none is available")
    from mcp_sre.agents.codegen import CodeGenerator
    from mcp_sre.agents.context import retrieval_finder

    services = ctx.services
    finder = retrieval_finder(services.retriever, services.catalog.get)
    generator = CodeGenerator(ctx.llm, services.sandbox, finder, lookup=services.catalog.get)
    result = await generator.generate(str(task.inputs.get("request") or task.request))
    cost = Cost(input_tokens=result.input_tokens or 0, output_tokens=result.output_tokens or 0,
                usd=result.cost or 0.0)
    if not result.ok:
        return AgentResult.failed(f"code generation failed: {result.failure}", cost=cost)
    return AgentResult(status="ok", summary=f"generated and tested {result.name}: "
                       f"{str(result.sample)[:300]}",
                       data={"name": result.name, "code": result.code, "sample": result.sample,
                             "operations": result.called},
                       entities=entities_in(result.sample), cost=cost)


async def ask_user_agent(task: AgentTask, ctx: AgentContext) -> AgentResult:
    question = str(task.inputs.get("question") or "")
    if not question:
        raise AgentError("ask_user needs a question")
    if ctx.ask_user is None:
        return AgentResult(status="needs_input", summary=question, data={"question": question})
    reply = await ctx.ask_user(question)
    if reply is None:
        return AgentResult(status="needs_input", summary=question, data={"question": question})
    return AgentResult(status="ok", summary=f"user: {reply}", data={"answer": reply})


async def answer_agent(task: AgentTask, ctx: AgentContext) -> AgentResult:
    steps = task.inputs.get("steps") or {}
    text, findings = compose_answer(task.request, steps, task.inputs.get("order") or list(steps),
                                    lang=task.inputs.get("lang"))
    return AgentResult(status="ok", summary=text, data={"answer": text, "findings": findings})


@hookimpl
def register_agents(register: Any) -> None:
    register("search", search_agent, "Search API operations for a request",
             {"query": "what to look for"})
    register("spec", spec_agent, "Read one operation's spec", {"id": "operation id"})
    register("find_tool", find_tool_agent, "Find a registered tool that answers a request",
             {"request": "the request"})
    register("tool", tool_agent, "Run a registered tool (read-only, in the sandbox)",
             {"name": "tool name", "args": "arguments (optional: filled from the request)"})
    register("read", read_agent, "One read-only API call through the bridge",
             {"operation": "operation id", "params": "its parameters"})
    register("codegen", codegen_agent, "Write, test and run new read-only code (needs a model)",
             {"request": "what the code must return"})
    register("diagnose", diagnose_agent, "Root cause of a failing workload, with evidence",
             {"question": "the question", "namespace": "optional namespace"})
    register("health", health_agent, "Health report of a business across clouds",
             {"scope": "the business or the request naming it"})
    register("ask_user", ask_user_agent, "Ask the user a question (MCP elicitation)",
             {"question": "what to ask"})
    register("answer", answer_agent, "Compose the final answer from the observations",
             {"steps": "{{steps}}"})
