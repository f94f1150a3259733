"""Searchable documents built from ``APISpec`` operations, and the one tokenizer that both
documents and queries go through (so a stem in a query always meets the same stem in a doc).

A document keeps its fields apart (operation name, service, summary, parameters) because the
fields are weighted differently at search time: a word in the operation name says far more
about what an operation does than the same word deep in its description.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from mcp_sre.specs.model import APISpec

__all__ = [
    "DOC_FORMAT",
    "OperationDoc",
    "build_document",
    "camel_words",
    "clean_text",
    "dense_text",
    "fuse_compounds",
    "singular",
    "spec_example_titles",
    "spec_name_words",
    "spec_output_fields",
    "spec_popularity",
    "spec_service_titles",
    "stem",
    "tokenize",
    "tokens_with_compounds",
]

# Bump when the document layout or the tokenizer changes: stored indexes are rebuilt.
DOC_FORMAT = 13

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-z0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
# Boundaries inside an identifier: fooBar, FOOBar, and letters before a version (CoreV1).
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SENTENCE = re.compile(r"(.+?[.!?])(\s|$)")
# a dotted or snake-case key name (access_logs.s3.enabled) that a reply's key takes
_KEY_NAME = re.compile(r"[a-z][a-z0-9]*(?:[._][a-z0-9]+)+")

STOPWORDS = frozenset(
    ["a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "my", "our", "your", "their", "me", "we", "you", "i", "do", "does", "did", "can", "could", "would", "should", "will", "shall", "may", "might", "must", "please", "currently", "right", "now", "there", "here", "any", "some", "each", "per", "into", "about", "as", "if", "than", "then", "so", "such", "via", "using", "use", "used", "also", "only", "just", "which", "who", "whom", "whose", "what", "when", "where", "why", "how", "not", "no", "yes", "all", "every"]
)


def clean_text(text: str) -> str:
    """Strip HTML/markdown noise so the text reads like prose."""
    if not text:
        return ""
    text = _TAG.sub(" ", text)
    text = html.unescape(text).replace("`", " ").replace("*", " ")
    return _SPACE.sub(" ", text).strip()


def first_sentence(text: str, limit: int = 240) -> str:
    m = _SENTENCE.match(text)
    return (m.group(1) if m else text)[:limit]


def camel_words(identifier: str) -> list[str]:
    """``listCoreV1NamespacedPod`` -> ``[list, core, v1, namespaced, pod]``."""
    parts: list[str] = []
    for word in _WORD.findall(identifier.replace("_", " ")):
        parts.extend(p.lower() for p in _CAMEL.split(word) if p)
    return parts


try:  # PyStemmer (Snowball, C) when installed; a plural-only fallback otherwise.
    import Stemmer as _stemmer_mod  # type: ignore[import-not-found]

    _SNOWBALL = _stemmer_mod.Stemmer("english")
except ImportError:  # pragma: no cover - exercised only without PyStemmer
    _SNOWBALL = None


# Words whose stem would merge two meanings an API keeps apart (namespaced vs namespaces).
_KEEP = frozenset({"namespaced"})


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """One canonical form per word (lower-case, Snowball stem; digits kept as they are)."""
    word = word.lower()
    if len(word) <= 3 or not word.isalpha() or word in _KEEP:
        return word
    if _SNOWBALL is not None:
        return _SNOWBALL.stemWord(word)
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("s", "")):
        if word.endswith(suffix) and not word.endswith(("ss", "us", "is")):
            return word[: -len(suffix)] + repl
    return word


def singular(word: str) -> str:
    """``word`` lower-case without a plural's s ("replicas" -> "replica", "policies" ->
    "policy", "access" kept)."""
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Words of ``text`` -> stems. Identifiers are split on camel case; CJK is dropped here
    (the rewriter maps Chinese to English first; the dense model sees the original)."""
    out: list[str] = []
    for word in _WORD.findall(text):
        pieces = [p for p in _CAMEL.split(word) if p] if not word.islower() else [word]
        for piece in pieces:
            low = piece.lower()
            if not keep_stopwords and low in STOPWORDS:
                continue
            out.append(stem(low))
    return out


_STOP_STEMS = frozenset(stem(w) for w in STOPWORDS)


def tokens_with_compounds(
    text: str, compounds: Sequence[tuple[tuple[str, ...], str, bool]]
) -> list[str]:
    """Stems of ``text`` (stopwords dropped) plus one token per known compound found as
    consecutive words: "config maps" and "ConfigMap" both yield ``configmap``. A fused
    compound replaces its parts ("for all namespaces" is not about a namespace)."""
    stems = tokenize(text, keep_stopwords=True)
    extra: list[str] = []
    dropped: set[int] = set()
    for parts, token, fused in compounds:
        n = len(parts)
        for i in range(len(stems) - n + 1):
            if tuple(stems[i : i + n]) == parts:
                extra.append(token)
                if fused:
                    dropped.update(range(i, i + n))
                break
    return [s for i, s in enumerate(stems) if s not in _STOP_STEMS and i not in dropped] + extra


def fuse_compounds(stems: list[str],
                   compounds: Sequence[tuple[tuple[str, ...], str, bool]]) -> list[str]:
    """``stems`` with each run of a known compound's parts replaced by its one token, so a
    noun phrase and an operation's resource agree: [daemon, set] -> [daemonset]."""
    out = list(stems)
    for parts, token, _ in sorted(compounds, key=lambda c: -len(c[0])):
        n = len(parts)
        i = 0
        while i <= len(out) - n:
            if tuple(out[i:i + n]) == parts:
                out[i:i + n] = [token]
            i += 1
    return out


@dataclass(slots=True)
class OperationDoc:
    """What the index knows about one operation (no parameters' schemas, no raw spec)."""

    id: str
    provider: str
    service: str
    name: str
    method: str
    endpoint: str
    summary: str
    access: str
    name_words: list[str] = field(default_factory=list)
    service_words: list[str] = field(default_factory=list)
    service_title: str = ""
    service_aliases: list[str] = field(default_factory=list)  # further names of the service
    text: str = ""
    params: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)  # titles of the spec's own examples
    outputs: list[str] = field(default_factory=list)  # field names of what the operation returns
    popularity: float = 0.0  # 0..1 prior a format plugin gave (x-popularity)
    # the metric names an input accepts, when the spec lists them: such an operation reads
    # its own metrics only (EC2's capacity-manager metrics), not any (CloudWatch's MetricName)
    metric_names: list[str] = field(default_factory=list)
    deprecated: bool = False
    sha: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OperationDoc:
        return cls(**data)

    @property
    def verb(self) -> str:
        return self.name_words[0] if self.name_words else ""


def _service_words(spec: APISpec, titles: Iterable[str]) -> list[str]:
    words = camel_words(spec.service)
    for title in titles:
        words.extend(w for w in camel_words(title) if w not in words)
    return words


TITLE_KEYS = ("x-service-title", "x-service-titles")


def spec_service_titles(spec: APISpec) -> list[str]:
    """Human names of the operation's service that a format plugin left in ``raw``
    (``x-service-title``: "Amazon Elastic Compute Cloud"; ``x-service-titles``: a list)."""
    out: list[str] = []
    for key in TITLE_KEYS:
        value = spec.raw.get(key) if isinstance(spec.raw, dict) else None
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, str))
    return out


NAME_WORDS_KEY = "x-operation-words"


def spec_name_words(spec: APISpec) -> list[str]:
    """The operation's name as words, verb first: the name itself (``listCoreV1NamespacedPod``,
    ``DescribeInstances``), or the verb-first wording a format plugin left in ``raw`` for names
    that do not start with their verb (``x-operation-words``: "list instances" for Google's
    ``compute.instances.list``, "list all virtual machines" for ARM's
    ``VirtualMachines_ListAll``)."""
    value = spec.raw.get(NAME_WORDS_KEY) if isinstance(spec.raw, dict) else None
    return camel_words(value if isinstance(value, str) and value.strip() else spec.name)


EXAMPLE_KEY = "x-example-titles"
POPULARITY_KEY = "x-popularity"


def spec_popularity(spec: APISpec) -> float:
    """How likely a request means this operation rather than a namesake elsewhere, 0..1, as
    a format plugin judged it (``x-popularity`` in ``raw``); 0 when it did not say."""
    value = spec.raw.get(POPULARITY_KEY) if isinstance(spec.raw, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return min(max(float(value), 0.0), 1.0)


def spec_example_titles(spec: APISpec) -> list[str]:
    """Titles of the examples a format ships for the operation (``x-example-titles`` in
    ``raw``: "To describe an instance"): requests phrased by the API's own authors."""
    value = spec.raw.get(EXAMPLE_KEY) if isinstance(spec.raw, dict) else None
    if not isinstance(value, list):
        return []
    return [clean_text(v)[:200] for v in value[:8] if isinstance(v, str) and v.strip()]


OUTPUT_FIELDS = 60  # enough for a resource's own fields; the tail is nested detail
# Fields every listing or envelope carries: they say how a reply is framed, not what it holds.
_ENVELOPE = frozenset({"nexttoken", "marker", "nextmarker", "continuetoken", "continue",
                       "nextpagetoken", "nextlink", "responsemetadata", "items", "kind",
                       "apiversion", "metadata", "etag", "selflink", "requestid", "value"})


def spec_output_fields(spec: APISpec, limit: int = OUTPUT_FIELDS) -> list[str]:
    """Names of the fields an operation returns, nearest first: a request often asks for
    something only the reply names ("is point-in-time recovery on" ->
    ``PointInTimeRecoveryStatus``; "which account am I" -> ``Account``)."""
    out: dict[str, None] = {}
    level: list[Any] = [spec.return_schema] if isinstance(spec.return_schema, dict) else []
    for _ in range(4):
        nxt: list[Any] = []
        for schema in level:
            while isinstance(schema, dict) and isinstance(schema.get("items"), dict):
                schema = schema["items"]  # a list's fields are its items' fields
            props = schema.get("properties") if isinstance(schema, dict) else None
            if not isinstance(props, dict):  # a map whose keys are a closed set: those
                keys = (schema.get("propertyNames") or {}) if isinstance(schema, dict) else {}
                for key in keys.get("enum") or [] if isinstance(keys, dict) else []:
                    if isinstance(key, str):  # are its fields (a queue's attributes)
                        out.setdefault(key)
                continue
            for key, sub in props.items():
                if isinstance(key, str) and key.lower() not in _ENVELOPE:
                    out.setdefault(key)
                nxt.append(sub)
                # a key whose documentation lists the names it takes ("Key":
                # deregistration_delay.timeout_seconds, ...): those are the reply's fields too
                for name in (sub.get("examples") or []) if isinstance(sub, dict) else []:
                    if isinstance(name, str) and _KEY_NAME.fullmatch(name):
                        out.setdefault(name)
        if len(out) >= limit or not nxt:
            break
        level = nxt
    return list(out)[:limit]


def build_document(spec: APISpec, service_titles: Iterable[str] | None = None) -> OperationDoc:
    """Turn one operation into a document. ``service_titles`` are human names of the
    service (e.g. "Amazon Elastic Compute Cloud"); by default those the spec carries."""
    if service_titles is None:
        service_titles = spec_service_titles(spec)
    titles = [t for t in service_titles if t]
    description = clean_text(spec.description)
    summary = clean_text(spec.summary) or first_sentence(description)
    # Skip the description's first sentence when it repeats the summary.
    rest = description[len(summary) :] if description.startswith(summary) else description
    text = f"{summary} {rest[:600]}".strip()
    params = []
    for p in spec.parameters[:40]:
        params.append(p.name)
    if spec.return_type:
        params.append(spec.return_type)
    doc = OperationDoc(
        id=spec.id,
        provider=spec.provider,
        service=spec.service,
        name=spec.name,
        method=spec.method,
        endpoint=spec.endpoint,
        summary=summary[:300],
        access=spec.access,
        name_words=spec_name_words(spec),
        service_words=_service_words(spec, titles),
        service_title=titles[0] if titles else spec.service.replace("_", " "),
        service_aliases=titles[1:],
        text=text,
        params=params,
        examples=spec_example_titles(spec),
        outputs=spec_output_fields(spec),
        popularity=spec_popularity(spec),
        deprecated=(spec.deprecated or "deprecated" in summary.lower()[:80]
                    or superseded(description)),
        metric_names=spec_metric_names(spec),
    )
    doc.sha = document_sha(doc)
    return doc


_METRIC_INPUT = re.compile(r"metric", re.IGNORECASE)
# How documentation says an operation is kept only for the old API that replaced it ("This is
# AWS WAF Classic documentation ... For the latest version of AWS WAF, use the WAFV2 API", "is
# superseded by DescribeTrafficSources", "a legacy API with no planned investment").
_SUPERSEDED = re.compile(
    r"for the latest version of|documentation is for version 1 of|(?:is|been) superseded by"
    r"|\bthis is (?:the )?(?:\w+ ){0,4}classic\b|documentation for (?:\w+ ){0,4}classic\b"
    r"|\blegacy api\b", re.IGNORECASE)


def superseded(description: str) -> bool:
    """Does the opening of an operation's documentation send readers to a newer API?"""
    return _SUPERSEDED.search(description[:600]) is not None


def spec_metric_names(spec: APISpec) -> list[str]:
    """The values a metric-name input (``MetricNames``, ``metricName``) is limited to by its
    schema's enum, itself or its items'; empty when the input takes any name or there is none."""
    names: list[str] = []
    for p in spec.parameters:
        if not _METRIC_INPUT.search(p.name):
            continue
        schema = p.json_schema or {}
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        values = schema.get("enum") or (items or {}).get("enum") or []
        names.extend(str(v) for v in values if isinstance(v, str))
    return names[:200]


def document_sha(doc: OperationDoc) -> str:
    """Key of the text the embedding model sees (the vector cache key): a vector is reused
    for as long as that text is unchanged, whatever else changes."""
    return hashlib.sha256(dense_text(doc).encode()).hexdigest()[:32]


def dense_text(doc: OperationDoc) -> str:
    """The short passage the embedding model sees: service, name words, summary.

    Kept short on purpose: embedding cost grows with length and the first sentence carries
    most of the meaning. The service is named by its id (the shipped vectors were made so);
    its human titles reach the keyword fields and the service aliases instead.
    """
    return f"{doc.service.replace('_', ' ')}: {' '.join(doc.name_words)}. " \
        f"{first_sentence(doc.summary, 160)}"


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))
