"""The DiagnosticAgent: question (+ optional target) -> evidence -> signals -> layered report.

Target resolution is generic: an explicit ``kind/namespace/name``; else object names and a
namespace found in the question (English or Chinese); else every pod-like object of the namespace
(the first kind in the knowledge's ``question_kinds`` that the logs section reads). All reads go
through :class:`BridgeReader` (the sandbox's bridge and policy). ``Diagnoser.run`` is
synchronous; the LLM loop (``react.py``) starts from what it returns.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp_sre.agents.diagnosis.collect import Collector, Graph, collect
from mcp_sre.agents.diagnosis.knowledge import Knowledge, load_knowledge
from mcp_sre.agents.diagnosis.models import DiagnosisError, DiagnosisReport, ObjectRef, Step
from mcp_sre.agents.diagnosis.paths import fill
from mcp_sre.agents.diagnosis.reader import BridgeReader
from mcp_sre.agents.diagnosis.reason import explain, layered
from mcp_sre.agents.diagnosis.signals import EvidenceBook, find_signals

__all__ = ["Diagnoser", "Run", "detect_language"]

Progress = Callable[[int, int, str], None]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NAME = r"[`'\"“”‘’]?([a-z0-9][a-z0-9.-]{0,62})[`'\"“”‘’]?"
_NS_PATTERNS = [
    re.compile(r"(?:--namespace[ =]|-n\s+)" + _NAME),
    re.compile(r"(?:namespace|ns|命名空间|名字空间|名称空间)[\s:=]*" + _NAME, re.I),
    re.compile(_NAME + r"\s*(?:namespace|命名空间|名字空间|名称空间)", re.I),
]
_STOP = {"is", "the", "a", "an", "and", "of", "in", "has", "was", "are", "for", "to", "that",
         "which", "named", "called", "not", "keeps", "with", "on", "my", "our", "its", "it"}


def _linked(graph: Graph) -> Callable[[ObjectRef, ObjectRef], bool]:
    """Whether two objects are joined by a relation the walk followed (either way)."""
    def key(ref: ObjectRef) -> tuple[str, str, str]:
        return (ref.kind, ref.namespace, ref.name)

    def linked(a: ObjectRef, b: ObjectRef) -> bool:
        ka, kb = key(a), key(b)
        return any(kb in keys for keys in graph.rel.get(ka, {}).values()) or \
            any(ka in keys for keys in graph.rel.get(kb, {}).values())

    return linked


def _named(question: str, wanted: str, objects: list[dict[str, Any]],
           kinds: list[str] | None = None) -> dict[str, Any] | None:
    """The object called ``wanted``, else the one whose name the question mentions (the
    longest such name wins: ``web-app-db`` over ``web-app``), else one whose name starts with a
    word of the question (``web-app`` -> ``web-app-6d9c7f5b8d-x2k4p``), preferring the kinds
    the question names (``kinds``), then the order of ``objects``, then the shortest name."""
    text = question.lower()
    best: tuple[int, dict[str, Any]] | None = None
    for obj in objects:
        name = str((obj.get("metadata") or {}).get("name", ""))
        hit = name == wanted if wanted else re.search(
            r"(?<![\w-])" + re.escape(name.lower()) + r"(?![\w-])", text) is not None
        if hit and name and (best is None or len(name) > best[0]):
            best = (len(name), obj)
    if best is not None or wanted:
        return best[1] if best else None
    words = set(re.findall(r"[a-z0-9][a-z0-9-]{2,}[a-z0-9]", text))
    ranked: list[tuple[tuple[int, int, int], dict[str, Any]]] = []
    for index, obj in enumerate(objects):
        name = str((obj.get("metadata") or {}).get("name", ""))
        if any(name.startswith(w + "-") for w in words):
            named_kind = 0 if obj.get("kind") in (kinds or []) else 1
            ranked.append(((named_kind, index if named_kind else 0, len(name)), obj))
    return min(ranked, key=lambda r: r[0])[1] if ranked else None


def _ref_of(obj: dict[str, Any]) -> ObjectRef:
    meta = obj.get("metadata") or {}
    return ObjectRef(kind=str(obj.get("kind", "")), namespace=str(meta.get("namespace") or ""),
                     name=str(meta.get("name", "")))


def detect_language(question: str) -> str:
    return "zh" if _CJK.search(question or "") else "en"


@dataclass
class Run:
    """Everything one diagnosis produced (the LLM loop continues from it)."""

    report: DiagnosisReport
    graph: Graph | None
    book: EvidenceBook
    reader: BridgeReader


class Diagnoser:
    """One per server (or CLI call): knowledge loaded once, a fresh reader per diagnosis."""

    def __init__(self, sandbox: Any, knowledge: Knowledge | None = None, *,
                 context: dict[str, dict[str, Any]] | None = None,
                 timeout_s: float = 60.0) -> None:
        self.sandbox = sandbox
        self.knowledge = knowledge or load_knowledge(sandbox.pm)
        if not self.knowledge.kinds:
            raise DiagnosisError("no provider contributes diagnosis knowledge",
                                 hint="enable a cloud plugin that implements diagnosis_knowledge")
        self.context = context
        self.timeout_s = timeout_s
        # root rule id -> weight learned from feedback (mcp_sre.learning); None: all 1.0
        self.evidence_weight: Any = None

    # ------------------------------------------------------------------ targets
    def _namespaces(self, question: str, explicit: str | None) -> list[str]:
        if explicit:
            return [explicit]
        found = []
        for pattern in _NS_PATTERNS:
            for match in pattern.finditer(question):
                name = match.group(1).strip(".-").lower()
                if name and name not in _STOP and name not in found:
                    found.append(name)
        return [*found, self.knowledge.default_namespace]

    def _kind(self, name: str) -> str:
        if name in self.knowledge.kinds:
            return name
        lowered = name.lower()
        by_lower = {k.lower(): k for k in self.knowledge.kinds}
        if lowered in by_lower:
            return by_lower[lowered]
        if lowered in self.knowledge.aliases:
            return self.knowledge.aliases[lowered]
        raise DiagnosisError(f"unknown kind {name!r}",
                             hint=f"use one of: {', '.join(sorted(self.knowledge.kinds))}")

    def _resolve(self, collector: Collector, question: str, target: ObjectRef | None,
                 namespace: str | None) -> tuple[ObjectRef | None, list[dict[str, Any]], str]:
        """(target, objects to start from, problem) -- problem is '' when found."""
        if target is not None and target.kind:
            kind = self._kind(target.kind)
            spec = self.knowledge.kinds[kind]
            ns = (target.namespace or namespace or self._namespaces(question, None)[0]) \
                if spec.namespaced else ""
            items = collector.list(kind, ns)
            ref = ObjectRef(kind=kind, namespace=ns, name=target.name)
            if items is None:
                return ref, [], "forbidden"
            obj = next((o for o in items if o["metadata"].get("name") == target.name), None)
            return (ref, [obj], "") if obj else (ref, [], "not_found")
        namespaces = self._namespaces(question, namespace)
        text = question.lower()
        if not namespace and self.knowledge.namespace_kind:  # names of namespaces asked about
            for obj in collector.list(self.knowledge.namespace_kind, "") or []:
                name = str(obj["metadata"].get("name", ""))
                if re.search(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text) and \
                        name not in namespaces[:-1]:
                    namespaces.insert(len(namespaces) - 1, name)
        wanted = target.name if target is not None and target.name else ""
        asked = [kind for word, kind in self.knowledge.aliases.items()
                 if re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text)]
        for ns in namespaces:
            lists = [collector.list(kind, ns) or [] for kind in self.knowledge.question_kinds]
            obj = _named(question, wanted, [o for items in lists for o in items], asked)
            if obj is not None:
                return _ref_of(obj), [obj], ""
        # not in those namespaces: look cluster-wide where the provider can list that way
        everywhere = [o for kind in self.knowledge.question_kinds
                      for o in collector.list_all(kind) or []]
        obj = _named(question, wanted, everywhere, asked)
        if obj is not None:
            return _ref_of(obj), [obj], ""
        if not wanted:  # no object named: every pod of the namespace asked about
            pod_kind = str(self.knowledge.logs.get("kind", ""))
            for ns in namespaces:
                pods = collector.list(pod_kind, ns) or []
                if pods:
                    return ObjectRef(kind=self.knowledge.namespace_kind or "namespace",
                                     name=ns), pods, ""
        return ObjectRef(kind=target.kind if target else "", namespace=namespaces[0],
                         name=wanted or "(no object named in the question)"), [], "not_found"

    def _blind_rules(self, graph: Graph) -> set[str]:
        """Signal rules that read a relation whose objects could not be listed: not checked,
        so not 'ruled out'."""
        dark = {rel.id for rel in self.knowledge.relations
                if set(rel.to) & graph.unavailable}
        blind = set()
        for rule in self.knowledge.signals:
            paths = [str(c.get("path", "")) for c in rule.when]
            if any(p.startswith("rel.") and p[4:].split("[")[0].split(".")[0] in dark
                   for p in paths):
                blind.add(rule.id)
        return blind

    # ------------------------------------------------------------------ the run
    def run(self, question: str, target: ObjectRef | dict[str, Any] | None = None, *,
            namespace: str | None = None, lang: str | None = None,
            progress: Progress | None = None) -> Run:
        started = time.monotonic()
        if not question or not question.strip():
            raise DiagnosisError("the question is empty",
                                 hint="ask e.g. 'why does pod web-1 keep restarting?'")
        if isinstance(target, dict):
            target = ObjectRef(**{k: v or "" for k, v in target.items() if k in
                                  ("kind", "namespace", "name")})
        language = lang or detect_language(question)
        if language not in ("en", "zh"):
            raise DiagnosisError(f"unsupported language {language!r}", hint="use en or zh")
        reader = BridgeReader(self.sandbox, timeout_s=self.timeout_s, context=self.context)
        total = 4

        def say(step: int, message: str) -> None:
            if progress:
                progress(step, total, message)

        say(0, "finding the target")
        collector = Collector(self.knowledge, reader)
        ref, start, problem = self._resolve(collector, question, target, namespace)
        texts = self.knowledge.texts.get(language) or self.knowledge.texts.get("en") or {}
        book = EvidenceBook()
        if problem:
            shown = ref.label() if ref else "?"
            report = DiagnosisReport(
                question=question, language=language, target=ref, status="target_not_found",
                root_cause=fill(texts.get("not_found", "target {target} not found"),
                                {"target": shown}),
                could_not_see=list(reader.could_not_see), steps=list(reader.steps),
                checked=list(collector.graph.listed),
                duration_s=round(time.monotonic() - started, 3))
            if problem == "forbidden":
                report.status = "target_not_found"
                report.root_cause += " (403)"
            return Run(report, None, book, reader)
        say(1, f"collecting evidence around {ref.label() if ref else 'the namespace'}")
        collector.progress = lambda message: None
        graph, _ = collect(self.knowledge, reader, start, collector=collector)
        say(2, "looking for anomalies")
        signals = find_signals(graph, self.knowledge, book)
        explanations = explain(signals, self.knowledge, _linked(graph),
                               weight=self.evidence_weight)
        say(3, "writing the report")
        layers = layered(explanations, book.items, language, ref)
        fired = {s.rule for s in signals}
        kinds = {k[0] for k in graph.objects}
        blind = self._blind_rules(graph)
        ruled_out = list(dict.fromkeys(
            (r.title.get(language) or r.title.get("en") or r.id) + f" ({r.kind})"
            for r in self.knowledge.signals
            if r.kind in kinds and r.id not in fired and r.id not in blind))
        logs = len(graph.logs)
        checked = [f"{item}" for item in graph.listed] + (
            [f"logs: {logs} container run(s)"] if logs else [])
        status = "problem_found" if layers["root_cause"] else "nothing_abnormal"
        report = DiagnosisReport(
            question=question, language=language, target=ref, status=status,
            symptom=layers["symptom"] or fill(texts.get("symptom_default", ""), {
                "target": ref.label() if ref else "", "question": question}),
            direct_cause=layers["direct_cause"],
            root_cause=layers["root_cause"] or texts.get("nothing", "nothing abnormal found"),
            evidence=layers["evidence"], fix=layers["fix"], prevention=layers["prevention"],
            confidence=layers["confidence"] if status == "problem_found" else 0.6,
            checked=checked, ruled_out=ruled_out, could_not_see=list(reader.could_not_see),
            signals=signals[:15], steps=list(reader.steps),
            root_rule=explanations[0].rule.id if explanations else "")
        report.steps.append(Step(action="reason", detail=f"{len(signals)} signal(s), "
                                 f"{len(explanations)} explained; root rule: "
                                 f"{explanations[0].rule.id if explanations else 'none'}",
                                 why="rules over ranked signals"))
        report.duration_s = round(time.monotonic() - started, 3)
        say(4, "done")
        return Run(report, graph, book, reader)

    def diagnose(self, question: str, target: ObjectRef | dict[str, Any] | None = None,
                 **kwargs: Any) -> DiagnosisReport:
        return self.run(question, target, **kwargs).report
