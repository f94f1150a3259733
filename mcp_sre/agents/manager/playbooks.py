"""Playbooks: plans written as data for the requests SREs make most, and saved LLM plans.

The shipped ones live in ``playbooks/*.yaml`` beside this module; a plan the ReAct loop ran
successfully is saved under ``$MCP_SRE_HOME/manager/playbooks/`` and from then on answers
similar requests without the model (the planning counterpart of tool reuse). A request is
matched to a playbook the way requests are matched to registered tools: the registry's
:class:`~mcp_sre.registry.matching.ToolMatcher` over each playbook's name, description and
example requests.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError

from mcp_sre.agents.manager.plans import Plan, PlanError, PlanStep
from mcp_sre.config import atomic_write

__all__ = ["SHIPPED", "Playbook", "PlaybookLibrary", "PlaybookMatch"]

SHIPPED = Path(__file__).with_name("playbooks")
#: similarity from which a playbook is used; below it the request goes to the model (when
#: there is one) or to the fallback playbook
CONFIDENT = 0.30
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Playbook(BaseModel):
    """A plan as data, with what it is for."""

    name: str = Field(description="Unique name (the file's stem)")
    description: str = Field(description="What requests it answers, in the words users use")
    examples: list[str] = Field(default_factory=list, description="Requests it answers")
    needs: list[str] = Field(default_factory=list, description="Entity kinds it needs bound "
                             "(from the request or the session), e.g. [pod]")
    fallback: bool = Field(default=False, description="Used when nothing else fits")
    saved: bool = Field(default=False, description="Saved from a model's plan")
    steps: list[PlanStep] = Field(description="The plan")

    def plan(self) -> Plan:
        return Plan(name=self.name, source="saved" if self.saved else "playbook",
                    steps=[s.model_copy(deep=True) for s in self.steps])


class PlaybookMatch(BaseModel):
    playbook: Playbook
    similarity: float


class PlaybookLibrary:
    """Shipped playbooks plus saved ones; ``matcher`` is the registry's ToolMatcher."""

    def __init__(self, saved_dir: Path | None = None, *, shipped: Path = SHIPPED,
                 matcher: Any = None) -> None:
        self.saved_dir, self.shipped = saved_dir, shipped
        self._matcher = matcher
        self.errors: dict[str, str] = {}
        self._parsed: dict[tuple[str, int, int], Playbook] = {}

    @cached_property
    def matcher(self) -> Any:
        """The given matcher (or a factory of one: the registry's, built on first use), else a
        lexical ToolMatcher over the core vocabulary."""
        matcher = self._matcher() if callable(self._matcher) else self._matcher
        if matcher is None:
            from mcp_sre.registry.matching import ToolMatcher

            matcher = ToolMatcher()
        return matcher

    def load(self) -> list[Playbook]:
        """Every playbook; a saved file that does not parse is skipped and noted in errors.
        Files are parsed again only when they change (size and mtime), so matching a request
        costs no YAML parsing."""
        books: dict[str, Playbook] = {}
        folders = [(self.shipped, False)] + ([(self.saved_dir, True)] if self.saved_dir else [])
        for folder, saved in folders:
            if folder is None or not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.yaml")):
                try:
                    stat = path.stat()
                    key = (str(path), stat.st_mtime_ns, stat.st_size)
                    book = self._parsed.get(key)
                    if book is None:
                        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
                        book = self._parsed[key] = Playbook.model_validate(
                            {**data, "saved": saved})
                except (OSError, yaml.YAMLError, ValidationError, TypeError) as exc:
                    self.errors[str(path)] = str(exc).splitlines()[0]
                    continue
                books[book.name] = book
        return list(books.values())

    def match(self, request: str, bound: set[str] | None = None) -> list[PlaybookMatch]:
        """Playbooks for ``request``, best first (fallbacks and those whose needed entities
        are not bound are left out)."""
        from mcp_sre.registry.matching import ToolDoc

        books = [b for b in self.load() if not b.fallback
                 and set(b.needs) <= (bound or set())]
        docs = [ToolDoc(name=b.name, description=f"{b.description} {' '.join(b.examples)}",
                        examples=tuple(b.examples)) for b in books]
        by_name = {b.name: b for b in books}
        ranked = self.matcher.match(request, docs)
        return [PlaybookMatch(playbook=by_name[s.doc.name], similarity=s.similarity)
                for s in ranked if s.similarity > 0]

    def fallback(self) -> Playbook:
        for book in self.load():
            if book.fallback:
                return book
        raise PlanError("no fallback playbook is installed")

    def save(self, name: str, request: str, plan: Plan, description: str = "") -> Path:
        """Keep a plan that worked as a playbook (atomic write); returns its path."""
        if self.saved_dir is None:
            raise PlanError("no folder to save playbooks in")
        stem = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")[:60] or "saved_plan"
        book = Playbook(name=stem, description=description or request, examples=[request],
                        saved=True, steps=plan.steps)
        data = book.model_dump(mode="json", exclude={"saved"}, exclude_defaults=True)
        data["steps"] = [s.model_dump(mode="json", exclude_defaults=True) for s in plan.steps]
        path = self.saved_dir / f"{stem}.yaml"
        self.saved_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        return path
