"""Training requests derived from the specs themselves, for fitting and checking the reranker.

Hand-labelled requests exist for a few providers only; a ranking model fitted on them learns
those providers. Every indexed operation, though, says in its own spec what it does: its
summary's first sentence, the titles of its examples (where a format has them), its name
("DescribeInstances" -> "describe instances"), its resource with a verb and a parameter. Those
make requests for any provider, including an API a user added, so a fit can be checked by
leaving a whole provider out. Chinese variants come only from the vocabulary the plugins
contribute (``retrieval_vocabulary``): its Chinese -> English terms and intent words, read
backwards; nothing here is translated by hand.

Sampling is seeded per provider and capped, so a provider with thousands of operations does
not outweigh one with fifty; a request equal to an evaluation query is never produced.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

from mcp_sre.retrieval.documents import (
    STOPWORDS,
    camel_words,
    clean_text,
    first_sentence,
    has_cjk,
    stem,
)
from mcp_sre.retrieval.evaluate import EvalCase

if TYPE_CHECKING:
    from mcp_sre.retrieval.documents import OperationDoc
    from mcp_sre.retrieval.vocabulary import Vocabulary

__all__ = ["KINDS", "ChineseWords", "generate", "normalise", "operation_requests"]

# The forms a request takes, in the order sampling cycles through them.
KINDS = ("summary", "example", "name", "resource", "zh")
_VERSION = re.compile(r"^v\d+((alpha|beta)\d*)?$")
_MIN_WORDS, _MAX_WORDS = 2, 24


def normalise(query: str) -> str:
    """The form two requests are compared in (case and spacing ignored)."""
    return " ".join(query.split()).lower()


class ChineseWords:
    """English stems -> the vocabulary's Chinese words for them (its ``terms`` and intent
    words read backwards); the shortest Chinese word wins, ties by code point."""

    def __init__(self, vocab: Vocabulary) -> None:
        nouns: dict[tuple[str, ...], str] = {}
        for zh, english in vocab.terms.items():
            if not has_cjk(zh):
                continue
            stems = tuple(stem(w) for w in english.lower().split())
            keys = [stems]
            # "nodegroup node group": a fused word and its parts name the same thing
            if len(stems) > 1 and english.lower().split()[0] == "".join(english.lower().split()[1:]):
                keys += [stems[:1], stems[1:]]
            for key in keys:
                if key and (key not in nouns or (len(zh), zh) < (len(nouns[key]), nouns[key])):
                    nouns[key] = zh
        self.nouns = nouns
        verbs: dict[str, str] = {}
        # an intent names its main operation verb first (list -> 列出): the first of its
        # shortest Chinese words stands for that verb; other verbs stay English
        for words, op_verbs in vocab.intents.values():
            chinese = [w for w in words if has_cjk(w)]
            if chinese and op_verbs:
                verbs.setdefault(stem(op_verbs[0].lower()), min(chinese, key=len))
        self.verbs = verbs

    def translate(self, verb: str, words: Sequence[str]) -> str | None:
        """``verb`` + ``words`` with every word (or two-word phrase) the vocabulary has Chinese
        for replaced; None when nothing could be (a request that is English anyway)."""
        out = [self.verbs.get(stem(verb), verb)] if verb else []
        changed = bool(verb) and out[0] != verb
        i = 0
        while i < len(words):
            pair = tuple(stem(w) for w in words[i:i + 2])
            if len(pair) == 2 and pair in self.nouns:
                out.append(self.nouns[pair])
                changed, i = True, i + 2
                continue
            zh = self.nouns.get((stem(words[i]),))
            out.append(zh or words[i])
            changed = changed or zh is not None
            i += 1
        if not changed or not any(self.nouns.get((stem(w),)) for w in words):
            return None  # a Chinese verb alone says nothing about the resource
        return "".join(w if has_cjk(w) else f" {w} " for w in out).strip().replace("  ", " ")


def _words(doc: OperationDoc) -> list[str]:
    return [w for w in doc.name_words if not _VERSION.match(w)]


def _resource_words(doc: OperationDoc) -> list[str]:
    """The name's words after its verb, without API versions or API-group words the
    service already names ("list core v1 namespaced pod" -> "namespaced pod")."""
    words = _words(doc)[1:]
    service = {w.lower() for w in doc.service_words}
    kept = [w for w in words if w not in service] or words
    return kept


def _param_words(name: str) -> str:
    """A parameter's name as words; "" for a long one (a body's type name says nothing)."""
    words = [w for w in camel_words(name) if w not in STOPWORDS]
    return " ".join(words) if len(words) <= 3 and not any(_VERSION.match(w) for w in words) else ""


def _intent_words(vocab: Vocabulary | None) -> dict[str, list[str]]:
    """Operation verb stem -> English words requests use for it (the vocabulary's intent
    whose main verb it is)."""
    out: dict[str, list[str]] = defaultdict(list)
    if vocab is None:
        return out
    for words, op_verbs in vocab.intents.values():
        if op_verbs:  # only the intent whose main verb it is
            key = stem(op_verbs[0].lower())
            english = [w for w in words if not has_cjk(w) and " " not in w]
            out[key].extend(w for w in english if w not in out[key])
    return out


def operation_requests(
    doc: OperationDoc, rng: random.Random, *, vocab: Vocabulary | None = None,
    chinese: ChineseWords | None = None, synonyms: dict[str, list[str]] | None = None,
) -> dict[str, str]:
    """The requests one operation's spec makes, one per kind it has material for."""
    out: dict[str, str] = {}
    summary = first_sentence(clean_text(doc.summary)).rstrip(".")
    if _MIN_WORDS <= len(summary.split()) <= _MAX_WORDS:
        out["summary"] = summary
    examples = [e for e in doc.examples if _MIN_WORDS <= len(e.split()) <= _MAX_WORDS]
    if examples:
        out["example"] = rng.choice(sorted(examples))
    words = _words(doc)
    if len(words) >= 2:
        out["name"] = " ".join(words)
    resource = _resource_words(doc)
    verb = words[0] if words else ""
    if resource and verb:
        said = rng.choice((synonyms or {}).get(stem(verb)) or [verb])
        params = sorted(p for p in doc.params if _param_words(p))
        text = f"{said} {' '.join(resource)}"
        if params:
            text += f" {rng.choice(('for', 'by', 'with'))} {_param_words(rng.choice(params))}"
        out["resource"] = text
        if chinese is not None:
            zh = chinese.translate(verb, resource)
            if zh:
                out["zh"] = zh
    return out


def generate(
    docs: Iterable[OperationDoc], vocab: Vocabulary | None = None, *, per_provider: int = 150,
    seed: int = 0, exclude: Collection[str] = (), providers: Collection[str] | None = None,
    kinds: Sequence[str] = KINDS,
) -> list[EvalCase]:
    """Up to ``per_provider`` requests per provider, one per sampled operation, cycling through
    ``kinds`` (of :data:`KINDS`; the next kind an operation has when it lacks one). Requests
    whose :func:`normalise` form is in ``exclude`` are dropped; a request several operations produce
    counts all of them as gold. Same docs, vocabulary and seed -> same cases."""
    chinese = ChineseWords(vocab) if vocab is not None else None
    synonyms = _intent_words(vocab)
    excluded = {normalise(q) for q in exclude}
    by_provider: dict[str, list[OperationDoc]] = defaultdict(list)
    for doc in docs:
        if providers is None or doc.provider in providers:
            by_provider[doc.provider].append(doc)
    cases: list[EvalCase] = []
    for provider in sorted(by_provider):
        rng = random.Random(f"{seed}:{provider}")
        ops = sorted(by_provider[provider], key=lambda d: d.id)
        rng.shuffle(ops)
        gold: dict[str, set[str]] = {}
        turn = 0
        for doc in ops:
            if len(gold) >= per_provider:
                break
            made = operation_requests(doc, rng, vocab=vocab, chinese=chinese, synonyms=synonyms)
            order = [*kinds[turn % len(kinds):], *kinds[:turn % len(kinds)]]
            kind = next((k for k in order if k in made and normalise(made[k]) not in excluded),
                        None)
            if kind is None:
                continue
            turn += 1
            query = made[kind]
            gold.setdefault(query, set()).add(doc.id)
        # the same words from other operations of the provider are just as right
        texts = {normalise(q): q for q in gold}
        for doc in ops:
            for q in operation_requests(doc, random.Random(0), vocab=vocab).values():
                if normalise(q) in texts:
                    gold[texts[normalise(q)]].add(doc.id)
        cases.extend(EvalCase(query=q, provider=provider, gold=sorted(g)) for q, g in gold.items())
    return cases

