"""The retrieval vocabulary: how requests name things, as data. The core's ``vocab.yaml``
(general SRE words, Chinese <-> English terms, intents) is merged with the files the plugins
contribute (their services' names, provider words, command-line syntax), so a cloud's words
live with its plugin and the core names none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from mcp_sre.retrieval.documents import stem, tokens_with_compounds
from mcp_sre.retrieval.heads import head_compounds

if TYPE_CHECKING:
    from mcp_sre.plugin_manager import PluginManager

__all__ = [
    "VOCAB_FILE",
    "W_STRONG",
    "W_WEAK",
    "W_WEAK_WORD",
    "Vocabulary",
    "default_vocabulary",
    "load_vocabulary",
    "longest_term",
    "plugin_vocabularies",
    "short_names",
    "spell_short_name",
]

VOCAB_FILE = Path(__file__).with_name("vocab.yaml")

# Weights of the words the vocabulary gives a request in keyword search.
W_WEAK_WORD = 0.25  # words that say little about which operation is meant ("information")
W_STRONG, W_WEAK = 1.0, 0.35  # a service's strong and weak aliases


@dataclass(slots=True)
class Vocabulary:
    intents: dict[str, tuple[list[str], list[str]]]
    terms: dict[str, str]
    compounds: list[tuple[tuple[str, ...], str, bool]]  # (stems, token, replaces its parts)
    services: dict[tuple[str, str], dict[str, float]]
    common: dict[str, set[str]]
    weak_words: dict[str, float]
    providers: dict[str, list[str]]
    precise: frozenset[str] = frozenset()
    title_noise: frozenset[str] = frozenset()  # words of service titles that name no service
    # words a tool that calls a provider is about (registry matching): unlike ``providers``
    # they may be ambiguous ("cluster"), so requests are not routed by them
    provider_context: dict[str, list[str]] = field(default_factory=dict)
    # command-line syntax in requests (plugins' ``command_syntax``): flags and their values,
    # which name no noun; scope flags, the first that matches adding its term; commands that list
    flags: re.Pattern[str] | None = None
    scopes: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    lists: list[re.Pattern[str]] = field(default_factory=list)
    # what an id's prefix says it is (plugins' ``id_prefixes``: "i" -> "ec2 instance" for
    # i-0abc123): the kind of object a request names by such an id alone
    id_prefixes: dict[str, str] = field(default_factory=dict)
    # what a value's shape says it is (plugins' ``value_kinds``: "m7g.4xlarge" -> "ec2
    # instance type"): the kind a request names by such a value, as an id's prefix does
    value_kinds: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    # the compounds that name one thing, for head-noun matching (see head_compounds)
    head_compounds: list[tuple[tuple[str, ...], str, bool]] = field(init=False)

    def __post_init__(self) -> None:
        self.head_compounds = head_compounds(self.compounds)


def plugin_vocabularies(pm: PluginManager) -> tuple[Path, ...]:
    """The vocabulary files ``pm``'s plugins contribute (``retrieval_vocabulary`` hook): how
    requests name each cloud's services, its provider words, its common services, its
    command-line syntax."""
    return tuple(sorted(Path(p) for p in pm.hook.retrieval_vocabulary() if p))


def _merge(base: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """Sections of ``more`` added to ``base``: mappings merged key by key, lists appended."""
    for key, value in more.items():
        old = base.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            base[key] = _merge(dict(old), value)
        elif isinstance(old, list) and isinstance(value, list):
            base[key] = [*old, *value]
        else:
            base[key] = value
    return base


def load_vocabulary(
    pm: PluginManager | None = None, *, path: Path = VOCAB_FILE, extra: Sequence[Path] | None = None,
) -> Vocabulary:
    """The core vocabulary merged with ``extra`` files, else with those of ``pm``'s plugins
    (the core alone when neither is given). Built anew on every call: hold the value."""
    files = tuple(extra) if extra is not None else plugin_vocabularies(pm) if pm is not None else ()
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for more in files:
        loaded = yaml.safe_load(more.read_text(encoding="utf-8")) or {}
        if isinstance(loaded, dict):
            data = _merge(data, loaded)
    intents = {
        name: ([str(w).lower() for w in spec.get("words", [])], [str(v) for v in spec.get("verbs", [])])
        for name, spec in (data.get("intents") or {}).items()
    }
    terms = {str(k).lower(): str(v) for k, v in (data.get("terms") or {}).items()}
    precise = {str(k).lower(): str(v) for k, v in (data.get("precise_terms") or {}).items()}
    terms.update(precise)
    compounds = [
        (tuple(stem(str(w).lower()) for w in c), stem("".join(str(w).lower() for w in c)), fused)
        for key, fused in (("compounds", False), ("fused_compounds", True))
        for c in data.get(key) or []
        if len(c) > 1
    ]
    services: dict[tuple[str, str], dict[str, float]] = {}
    for provider, svcs in (data.get("services") or {}).items():
        for service, spec in (svcs or {}).items():
            aliases: dict[str, float] = {}
            for alias in spec.get("weak", []) or []:
                aliases[str(alias).lower()] = W_WEAK
            for alias in spec.get("strong", []) or []:
                aliases[str(alias).lower()] = W_STRONG
            services[(provider, service)] = aliases
    common = {p: set(v) for p, v in (data.get("common_services") or {}).items()}
    weak = {stem(str(w).lower()): W_WEAK_WORD for w in data.get("weak_words") or []}
    providers = {p: [str(a).lower() for a in v] for p, v in (data.get("providers") or {}).items()}
    context = {p: [str(a).lower() for a in v]
               for p, v in (data.get("provider_context") or {}).items()}
    syntax = data.get("command_syntax") or {}
    flags = [str(f) for f in syntax.get("flags") or []]
    return Vocabulary(
        intents, terms, compounds, services, common, weak, providers, frozenset(precise),
        title_noise=frozenset(str(w).lower() for w in data.get("title_noise") or []),
        provider_context=context,
        flags=re.compile("|".join(f"(?:{f})" for f in flags)) if flags else None,
        scopes=[(re.compile(str(r["pattern"])), str(r["term"])) for r in syntax.get("scopes") or []],
        lists=[re.compile(str(r)) for r in syntax.get("lists") or []],
        id_prefixes={str(k).lower(): str(v) for k, v in (data.get("id_prefixes") or {}).items()},
        value_kinds=[(re.compile(str(r["pattern"])), str(r["said"]))
                     for r in data.get("value_kinds") or []],
    )



def default_vocabulary() -> Vocabulary:
    """Every installed plugin's vocabulary, for a rewriter built without one (tests, scripts)."""
    from mcp_sre.plugin_manager import make_plugin_manager

    return load_vocabulary(make_plugin_manager())


def longest_term(run: str, terms: Mapping[str, str], *, from_end: bool) -> str | None:
    """The longest vocabulary term ending (``from_end``) or starting a Chinese ``run``:
    "日志组" before a name ("这个日志组里"), "消息" of "消息堆积"."""
    for size in range(min(len(run), 6), 0, -1):
        piece = run[-size:] if from_end else run[:size]
        if piece in terms:
            return piece
    return None


def short_names(vocab: Vocabulary) -> dict[str, str]:
    """The vocabulary's one-word precise synonyms (command-line short names: hpa ->
    horizontalpodautoscaler) by their stem, each spelt as a word, not a stem: the request's
    words are stemmed once, later (autoscal -> autosc if stemmed twice)."""
    out: dict[str, str] = {}
    for short in vocab.precise:
        tokens = tokens_with_compounds(vocab.terms[short], vocab.compounds)
        if " " not in short and len(tokens) == 1:
            word = re.sub(r"[^a-z0-9]", "", vocab.terms[short].lower())
            out[stem(short)] = word if stem(word) == tokens[0] else tokens[0]
    return out


def spell_short_name(word: str, names: Mapping[str, str]) -> str:
    """A command-line short name spelt out in the number it was written in ("pvcs" ->
    persistentvolumeclaims), so the request's nouns compare with operations' resources;
    ``names``: :func:`short_names`."""
    plural = word.endswith("s") and stem(word[:-1]) in names
    full = names.get(stem(word[:-1]) if plural else stem(word))
    if full is None or word == full:
        return word
    return full + "s" if plural and stem(full + "s") == stem(full) else full
