"""How well a request fits a registered tool, as a number in 0..1 a reuse threshold can use.

Lexical part: the request goes through the retrieval stack's query rewriter (Chinese and SRE
vocabulary -> API words, same stemmer as the operation index), the tool's name, description,
parameters and operations through the same analysis. Two coverages, each IDF-weighted over
the registered tools (with a prior of pseudo-documents so a registry of three tools still has
sensible weights):

* *request coverage* R -- how much of what the request asks for the tool's text mentions
  (synonym expansions only count when they match; generic verbs and bare numbers weigh little);
* *name coverage* P -- how much of what the tool's name (or, if better covered, its name plus
  its description's first sentence) says the request asks for; this keeps "list pods" from
  reusing ``pods_not_ready``.

The lexical similarity is their harmonic mean. When a dense embedding function is available
(the retrieval embedder, or ``embed(texts) -> (n, d)``), the similarity is the mean of the lexical
one and the request/description cosine rescaled over the band where such cosines fall.

Ranking and deciding are different questions. The similarity ranks the right tool first for
nearly every request, but its value is a poor reuse threshold: "list all EC2 instances" is very
similar to ``ec2_instances_stopped`` and must still not reuse it. So, with an embedder, the
decision is a small logistic model (:data:`REUSE_MODEL`) over three features of the best tool:

* *dense* -- its rescaled cosine to the request;
* *specificity* -- how much closer the request is to the tool than to the plain API operations
  the tool is built on ("list instances" is as close to ``ec2: describe instances`` as to the
  tool: it asks for the operation, not for the tool's narrower view);
* *margin* -- its similarity lead over the runner-up.

The result, ``confidence``, estimates the chance that reusing the tool answers the request.
Without an embedder the confidence is the lexical similarity itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mcp_sre.retrieval.vocabulary import Vocabulary

__all__ = ["REUSE_MODEL", "Embedder", "Scored", "ToolDoc", "ToolMatcher"]

#: ``embed(texts) -> (n, d)`` or an object with ``embed_query``/``embed_documents`` (the
#: retrieval package's embedder, which adds the query/passage prefixes e5 expects).
Embedder = Any
DENSE_FLOOR, DENSE_CEIL = 0.78, 0.92  # the band e5 cosines of related SRE sentences fall in
_DOC_VECTORS: dict[tuple[Any, str], Any] = {}
#: Weights of the reuse decision (see the module docstring), fitted by ``benchmarks/fit_reuse.py``
#: on ``benchmarks/reuse_train.yaml`` (requests written for fitting only, none of them in the
#: reuse benchmark). Refit when the embedder or the features change, and keep the model that
#: reuses more training requests at one false reuse or fewer (the refit after adding
#: thresholds written as signs reused 75, these weights 77: kept).
REUSE_MODEL: dict[str, float] = {"lexical": 1.0, "dense": 3.81, "specificity": 4.88,
                                 "margin": 2.85, "bias": -3.9}
SPECIFICITY_SCALE = 10.0  # cosine differences are hundredths: bring them near 0..1
_PRIOR_DOCS = 8  # pseudo-documents without the term: IDF stays meaningful for tiny registries
_GENERIC_WEIGHT, _NUMBER_WEIGHT, _UNKNOWN_WEIGHT, _CONTEXT_WEIGHT = 0.25, 0.2, 1.0, 0.5
_NOISE = frozenset({"t", "s", "d", "ll", "re", "ve", "m", "aren", "isn", "don", "doesn",
                    "didn", "wasn", "weren", "haven", "hasn", "won", "can", "couldn",
                    "me", "show", "give", "tell", "want", "need", "like", "pleas"})


@dataclass(frozen=True)
class ToolDoc:
    """The searchable text of one tool."""

    name: str
    description: str
    parameters: tuple[str, ...] = ()  # parameter names and their descriptions
    operations: tuple[str, ...] = ()  # operation ids
    providers: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()  # requests the tool answered (the one it was written for)


@dataclass(frozen=True)
class Scored:
    """One tool's fit to a request: ``similarity`` ranks, ``confidence`` decides reuse."""

    doc: ToolDoc
    similarity: float
    confidence: float
    features: tuple[tuple[str, float], ...] = ()  # what the confidence was computed from
    # False when the request names a provider or service (EC2, GKE, 火山引擎) this tool does
    # not serve: never reused for it, however close its wording
    in_scope: bool = True


class _Analyzer:
    """Text -> weighted stems, with the retrieval rewriter when it is importable."""

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.provider_context: dict[str, list[str]] = {}
        try:
            from mcp_sre.retrieval.documents import tokenize
            from mcp_sre.retrieval.rewrite import QueryRewriter

            self._rewriter: Any = QueryRewriter(vocabulary)
            self._tokenize: Callable[[str], list[str]] = tokenize
            vocab = self._rewriter.vocab
            self.provider_context = vocab.provider_context
            self.generic = {t for words, _ in vocab.intents.values() for w in words
                            for t in tokenize(w)} | set(vocab.weak_words)
        except ImportError:  # pragma: no cover - retrieval is part of the package
            self._rewriter = None
            self._tokenize = lambda text: [w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)]
            self.generic = {"list", "get", "show", "find", "describ", "display", "view"}

    def query(self, text: str) -> dict[str, float]:
        if self._rewriter is None:
            return dict.fromkeys(self._tokenize(text), 1.0)
        return dict(self._rewriter.rewrite(text).terms)

    def doc_terms(self, text: str) -> set[str]:
        return set(self.query(text)) | set(self._tokenize(text))

    def tokens(self, text: str) -> list[str]:
        return self._tokenize(text)

    def provider_words(self, provider: str) -> str:
        """What a tool that calls ``provider`` is about (the vocabulary's provider_context)."""
        return " ".join(self.provider_context.get(provider) or [provider])

    def service_words(self, provider: str, service: str) -> str:
        words = [self.provider_words(provider), service.replace("_", " ")]
        if self._rewriter is not None:
            words.extend((self._rewriter.services.get((provider, service)) or {}).keys())
        return " ".join(words)


class ToolMatcher:
    """Scores requests against tool documents. ``vocabulary``: the search vocabulary (default:
    every installed plugin's); build one matcher and keep it, loading it is not free."""

    def __init__(self, embed: Embedder | None = None, vocabulary: Vocabulary | None = None) -> None:
        self.embed = embed
        self.analyzer = _Analyzer(vocabulary)
        self._docs: dict[ToolDoc, tuple[set[str], set[str], set[str], set[str]]] = {}
        self._scopes: dict[ToolDoc, tuple[set[str], set[str]]] = {}

    def _doc(self, doc: ToolDoc) -> tuple[set[str], set[str], set[str], set[str]]:
        """(terms of what the tool does, terms of where it looks, the specific terms of its
        name, those of its description's first sentence)."""
        cached = self._docs.get(doc)
        if cached is None:
            a = self.analyzer
            words = " ".join(doc.name.split("_"))
            services = {tuple(op.split("/")[:2]) for op in doc.operations if op.count("/") >= 2}
            context = " ".join(a.service_words(p, s) for p, s in services)
            context += " " + " ".join(a.provider_words(p) for p in doc.providers)
            context += " " + " ".join(doc.parameters)
            ops = " ".join(op.rsplit("/", 1)[-1] for op in doc.operations)
            main = a.doc_terms(f"{words}. {doc.description} {ops}")
            where = a.doc_terms(context) - main
            specific = {t for t in a.tokens(f"{words} {_first_sentence(doc.description)}")
                        if t not in a.generic and t not in _NOISE and t not in where}
            name = {t for t in a.tokens(words) if t in specific}
            lead = specific - name
            cached = self._docs[doc] = (main, where, name, lead)
        return cached

    def rank(self, request: str, docs: Sequence[ToolDoc]) -> list[tuple[ToolDoc, float]]:
        """Every doc with its similarity to ``request``, best first."""
        return [(m.doc, m.similarity) for m in self.match(request, docs)]

    def match(self, request: str, docs: Sequence[ToolDoc]) -> list[Scored]:
        """Every doc with its similarity and reuse confidence, best first."""
        if not docs or not request.strip():
            return [Scored(d, 0.0, 0.0) for d in docs]
        lexical = self._lexical(request, docs)
        dense = self._dense(request, docs) if self.embed is not None else None
        if dense is None:
            order = sorted(range(len(docs)), key=lambda i: (-lexical[i], docs[i].name))
            return [Scored(docs[i], round(lexical[i], 4), round(lexical[i], 4)) for i in order]
        cos, anchor = dense
        rescaled = [min(max((c - DENSE_FLOOR) / (DENSE_CEIL - DENSE_FLOOR), 0.0), 1.0)
                    for c in cos]
        sims = [0.5 * lex + 0.5 * d for lex, d in zip(lexical, rescaled, strict=True)]
        order = sorted(range(len(docs)), key=lambda i: (-sims[i], docs[i].name))
        scope = self._scope_hits(request, docs)
        named = any(scope)
        out = []
        for i in order:
            # a rival counts only if it can answer in the scope the request names: a tool
            # for another cloud is no alternative when the request says which one it means
            rivals = [sims[j] for j in order if j != i and (not scope[i] or scope[j])]
            feats = {"lexical": lexical[i], "dense": rescaled[i],
                     "specificity": (cos[i] - anchor[i]) * SPECIFICITY_SCALE,
                     "margin": sims[i] - max(rivals) if rivals else sims[i]}
            z = REUSE_MODEL["bias"] + sum(REUSE_MODEL[k] * v for k, v in feats.items())
            out.append(Scored(docs[i], round(sims[i], 4), round(1 / (1 + math.exp(-z)), 4),
                              tuple((k, round(v, 4)) for k, v in feats.items()),
                              in_scope=scope[i] or not named))
        return out

    def _scope_hits(self, request: str, docs: Sequence[ToolDoc]) -> list[bool]:
        """Per doc: does it serve the provider or service the request names? A request word
        names a scope when the tools that look there all serve one provider (``ec2``,
        ``gke``, 火山引擎), not when several providers' do (``instance``). All False when the
        request names none."""
        a = self.analyzer
        query = set(a.tokens(request))  # the words as written: synonyms would blur clouds
        words = [self._scope_words(d) for d in docs]
        contexts = [names & query for names, _ in words]
        named_by = {t: {p for d, c in zip(docs, contexts, strict=True) if t in c
                        for p in d.providers} for t in query}
        # ...and a name, not a common word: one other clouds' tools do not use themselves
        # ("cloud" names GCP but is said of every cloud)
        said_by = {t: {p for d, (_, said) in zip(docs, words, strict=True) if t in said
                       for p in d.providers}
                   for t in query if len(named_by[t]) == 1}
        scoping = {t for t, said in said_by.items() if said <= named_by[t]}
        return [bool(c & scoping) for c in contexts]

    def _scope_words(self, doc: ToolDoc) -> tuple[set[str], set[str]]:
        """(the words naming the tool's providers and services, the words of its
        description), computed once per tool."""
        cached = self._scopes.get(doc)
        if cached is None:
            a = self.analyzer
            services = {op.split("/")[1] for op in doc.operations if op.count("/") >= 2}
            # names only (the provider's words, the service ids), not what services are
            # about: 镜像 is a word of AWS's registry service, not a name of AWS
            names = " ".join([*(sv.replace("_", " ") for sv in services),
                              *(a.provider_words(p) for p in doc.providers)])
            cached = self._scopes[doc] = (set(a.tokens(names)), set(a.tokens(doc.description)))
        return cached

    def _lexical(self, request: str, docs: Sequence[ToolDoc]) -> list[float]:
        a = self.analyzer
        analyzed = [self._doc(d) for d in docs]
        query = {t: w for t, w in a.query(request).items() if t not in _NOISE}
        n = len(docs)
        df = {t: sum(1 for main, where, *_ in analyzed if t in main or t in where)
              for t in query}
        weights: dict[str, float] = {}
        for term, w in query.items():
            idf = math.log(1 + (n + _PRIOR_DOCS - df[term] + 0.5) / (df[term] + 0.5))
            if term in a.generic:
                w *= _GENERIC_WEIGHT
            elif term.isdigit():
                w *= _NUMBER_WEIGHT
            elif df[term] == 0:
                w *= _UNKNOWN_WEIGHT  # no tool mentions it: often a value (a namespace name)
            weights[term] = w * idf
        core = {t for t, w in query.items() if w >= 0.8}
        lexical = []
        asked = set(query)
        for main, where, name, lead in analyzed:
            # a word matched only by where the tool looks (provider, service, parameter
            # names) says less about what it does than one in its name or description
            w = {t: weights[t] * (_CONTEXT_WEIGHT if t in where else 1.0) for t in query}
            hit = sum(w[t] for t in query if t in main or t in where)
            total = sum(w[t] for t in core) + sum(
                w[t] for t in query if t not in core and (t in main or t in where))
            r = hit / total if total else 0.0
            # what the tool says it does (its name, or its summary sentence) is asked for
            p = max(_coverage(name, asked, r), _coverage(name | lead, asked, r))
            lexical.append(2 * p * r / (p + r) if p + r else 0.0)
        return lexical

    def _dense(self, request: str, docs: Sequence[ToolDoc]) -> tuple[list[float], list[float]] | None:
        """Cosines of the request to each tool (its description, or the closest of its
        example requests) and to the closest of the tool's own operations (the tool's cosine
        when it names none); None when the model fails."""
        try:
            import numpy as np

            query = _normalise(np.asarray(self._embed_query(_spell_comparisons(request)),
                                          np.float32).reshape(-1))
            texts = [f"{' '.join(d.name.split('_'))}: {d.description}" for d in docs]
            examples = sorted({e for d in docs for e in d.examples})
            anchors = sorted({_operation_text(op) for d in docs for op in d.operations})
            vectors = self._embed_docs(texts + examples + anchors)
            cos = [float(_normalise(v) @ query) for v in vectors]
        except Exception:  # the dense model is an optional extra: fall back to lexical
            return None
        n, m = len(texts), len(texts) + len(examples)
        example_cos = dict(zip(examples, cos[n:m], strict=True))
        anchor_cos = dict(zip(anchors, cos[m:], strict=True))
        # a tool fits as well as its description or the closest request it was written for
        tool_cos = [max([cos[i], *(example_cos[e] for e in d.examples)])
                    for i, d in enumerate(docs)]
        best_anchor = [max((anchor_cos[_operation_text(op)] for op in d.operations), default=c)
                       for d, c in zip(docs, tool_cos, strict=True)]
        return tool_cos, best_anchor

    def _embed_query(self, text: str) -> Any:
        embed = self.embed
        if hasattr(embed, "embed_query"):
            return embed.embed_query(text)  # type: ignore[union-attr]
        return embed([text])[0]  # type: ignore[misc]

    def _embed_docs(self, texts: list[str]) -> list[Any]:
        """Document vectors, remembered by text: a find embeds only the request."""
        embed = self.embed
        model = getattr(embed, "model_id", id(embed))
        missing = [t for t in dict.fromkeys(texts) if (model, t) not in _DOC_VECTORS]
        if missing:
            if hasattr(embed, "embed_documents"):
                vectors = embed.embed_documents(missing)  # type: ignore[union-attr]
            else:
                vectors = embed(missing)  # type: ignore[misc]
            for text, vec in zip(missing, vectors, strict=True):
                if len(_DOC_VECTORS) >= 4096:
                    _DOC_VECTORS.pop(next(iter(_DOC_VECTORS)))
                _DOC_VECTORS[(model, text)] = vec
        return [_DOC_VECTORS[(model, t)] for t in texts]


_COMPARISONS = ((re.compile(r"\s*(>=|≥|＞=)\s*"), " at least "),
                (re.compile(r"\s*(<=|≤|＜=)\s*"), " at most "),
                (re.compile(r"\s*(>|＞)\s*"), " above "), (re.compile(r"\s*(<|＜)\s*"), " below "),
                (re.compile(r"\s*(%|％)"), " percent "))


def _spell_comparisons(text: str) -> str:
    """``CPU>80%`` -> ``CPU above 80 percent``: the embedder reads words far better than
    comparison signs and percent marks, which requests in any language use for thresholds."""
    for pattern, words in _COMPARISONS:
        text = pattern.sub(words, text)
    return re.sub(r"\s+", " ", text).strip()


def _operation_text(operation_id: str) -> str:
    """What a plain API operation does, in the words the embedder sees for a tool:
    ``aws/ec2/DescribeInstances`` -> ``ec2: describe instances``."""
    from mcp_sre.retrieval.documents import STOPWORDS, camel_words

    parts = operation_id.split("/")
    service, name = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", parts[-1])
    service_words = set(camel_words(service))
    words = [w for w in camel_words(name) if w not in service_words and w not in STOPWORDS]
    return f"{service}: {' '.join(words)}" if service else " ".join(words)


def _normalise(vec: Any) -> Any:
    import numpy as np

    vec = np.asarray(vec, np.float32).reshape(-1)
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec


def _coverage(terms: set[str], asked: set[str], default: float) -> float:
    return len(terms & asked) / len(terms) if terms else default


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
