"""The in-memory search index: documents, per-field BM25, optional embeddings, and the
per-document arrays (service, provider, verb, flags) the scorer needs, vectorised.

Persistence and incremental rebuilds live in :mod:`mcp_sre.retrieval.store`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mcp_sre.retrieval.bm25 import FieldedBM25
from mcp_sre.retrieval.documents import STOPWORDS, camel_words, singular, stem
from mcp_sre.retrieval.owners import taken_kinds
from mcp_sre.retrieval.resources import is_plural, resource_of
from mcp_sre.retrieval.vocabulary import W_STRONG, W_WEAK

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from mcp_sre.retrieval.documents import OperationDoc
    from mcp_sre.retrieval.resources import Compounds
    from mcp_sre.retrieval.vocabulary import Vocabulary

__all__ = ["SearchIndex", "derivation_key", "derive_service_aliases"]

# the fields of a SearchIndex that are not derived from its documents
_GIVEN = frozenset({"docs", "bm25", "embeddings"})
_UNSTABLE = re.compile(r"v\d+(alpha|beta)\d*", re.IGNORECASE)
# a reply with this many fields tells all a reply can (SearchIndex.reply is 1 from there on)
_FULL_REPLY = 40
# an input that opens a span of time (StartTime/EndTime, startDate, sinceSeconds, timespan,
# interval.startTime, laterTime/earlierTime, createdAfter, TimeWindow): the operation reads
# data over time
_TIME_PARAM = re.compile(r"(?:start|end|begin|from|later|earlier)_?(?:time|date)|since|timespan"
                         r"|time_?(?:range|window)|(?:created|creation_?time)_?(?:after|before)",
                         re.IGNORECASE)


@dataclass
class SearchIndex:
    """Everything a query needs, held in memory; built once per index version."""

    docs: list[OperationDoc]
    bm25: FieldedBM25
    embeddings: np.ndarray | None = None  # (n_docs, dim) float32, L2-normalised rows
    keys: list[tuple[str, str]] = field(default_factory=list)  # (provider, service) table
    service_of: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    providers: list[str] = field(default_factory=list)
    provider_of: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    verb_of: list[str] = field(default_factory=list)
    name_len: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    penalty: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    common: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    is_read: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    popular: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    # how much an operation's reply tells (its field count, log-scaled, 1 at _FULL_REPLY):
    # DescribeTasks' 60 fields answer more questions about a task than ListTasks' ARNs
    reply: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    # 1 where a plugin's vocabulary describes how requests name the provider's services
    # (0 for an API a user added): the reranker leans on the dense model where it is 0
    described: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    # 1 where the operation's input opens a span of time (``_TIME_PARAM``)
    time_range: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    # the resource an operation acts on: stem of its last name word before By/For, whether
    # that is plural (a list operation counts as plural), and the word before a facet word
    resource: list[tuple[str, bool, str, bool]] = field(default_factory=list)
    # 1 where the reply's first field is a plural (TargetHealthDescriptions, AlarmHistoryItems):
    # the operation returns many items, whatever its name's number (DescribeTargetHealth)
    many: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    # per service (as ``keys``), the stems of the resources its operations act on (and the
    # word before a facet): a service named for something it holds none of is not the answer
    service_resources: list[frozenset[str]] = field(default_factory=list)
    resource_stems: frozenset[str] = frozenset()  # all of them
    aliases: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    # stem of each verb operation names start with -> the share of those operations that read
    verb_reads: dict[str, float] = field(default_factory=dict)
    # one word for two that operation names spell apart: "datasets" -> (data, set) for DataSets
    joined_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # every reply field name, lower-case: "update strategy" names updateStrategy, no order
    field_names: frozenset[str] = frozenset()
    replies: list[frozenset[str]] = field(default_factory=list)  # each one's, lower-case
    # every identifier the specs use (operation, parameter and reply field names), lower-case:
    # one a request writes that no spec uses ("BurstCreditBalance") is a metric's name
    identifiers: frozenset[str] = frozenset()
    # two words that follow each other in an operation's name, a reply field or a parameter
    # ("scale down", "point in"): a request's "scale-down" is a concept, "orders-db" a name
    word_pairs: frozenset[str] = frozenset()
    # initials of three to five words the specs spell out ("pitr" -> point in time recovery,
    # "pdb" -> pod disruption budget): what a request's abbreviation stands for
    initialisms: dict[str, str] = field(default_factory=dict)
    # reply fields of two or more words by their first two (singular, no stop words): ("item",
    # "count") -> [("itemcount", ("item", "count"))]; a request spelling one out asks for it
    field_words: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = field(
        default_factory=dict)
    # words some reply field names by its name or id (SnsTopicArn, LogGroupName): a kind
    # of object, whose fields a request spelling it out does not ask for
    field_kinds: frozenset[tuple[str, ...]] = frozenset()
    head_compounds: Compounds = ()  # the vocabulary's, for the request's nouns alike
    # stems of the words of each operation's name and reply field names (EngineVersion ->
    # engin, version): what a request asks about an object that the operation answers
    answer_words: list[frozenset[str]] = field(default_factory=list)
    # stems of the kinds of object each operation takes by an identifier (owners.taken_kinds)
    takes: list[frozenset[str]] = field(default_factory=list)
    kinds_taken: frozenset[str] = frozenset()  # all of them

    def derived(self) -> dict[str, Any]:
        """What :meth:`from_docs` derives from the documents (all but them, the keyword
        index and the vectors): seconds to compute, a fraction of one to load back."""
        return {f.name: getattr(self, f.name) for f in dataclass_fields(self)
                if f.name not in _GIVEN}

    @classmethod
    def from_docs(
        cls,
        docs: Sequence[OperationDoc],
        vocab: Vocabulary,
        bm25: FieldedBM25 | None = None,
        embeddings: np.ndarray | None = None,
        derived: dict[str, Any] | None = None,
    ) -> SearchIndex:
        """The index over ``docs``; ``derived``: a :meth:`derived` saved for these same docs
        and vocabulary (the store keys it so), used instead of deriving again."""
        docs = list(docs)
        bm25 = bm25 or FieldedBM25.build(docs, vocab.compounds)
        if derived is not None:
            return cls(docs=docs, bm25=bm25, embeddings=embeddings, **derived)
        keys: dict[tuple[str, str], int] = {}
        providers: dict[str, int] = {}
        service_of = np.zeros(len(docs), np.int32)
        provider_of = np.zeros(len(docs), np.int32)
        name_len = np.zeros(len(docs), np.float32)
        penalty = np.zeros(len(docs), np.float32)
        common = np.zeros(len(docs), np.float32)
        is_read = np.array([d.access == "read" for d in docs], np.float32)
        popular = np.array([d.popularity for d in docs], np.float32)
        fields = np.array([len(d.outputs) for d in docs], np.float64)
        reply = np.minimum(1.0, np.log1p(fields) / np.log1p(_FULL_REPLY)).astype(np.float32)
        described = np.array([d.provider in vocab.providers for d in docs], np.float32)
        time_range = np.array([any(_TIME_PARAM.search(p) for p in d.params) for d in docs],
                              np.float32)
        verbs: list[str] = []
        for i, d in enumerate(docs):
            service_of[i] = keys.setdefault((d.provider, d.service), len(keys))
            provider_of[i] = providers.setdefault(d.provider, len(providers))
            # words repeating the service (apps, v1 in readAppsV1...) say nothing about the op
            service_words = set(camel_words(d.service))
            words = [w for w in d.name_words if w not in STOPWORDS and w not in service_words]
            name_len[i] = max(1, len(words))
            verbs.append(stem(d.verb))
            flag = 0.0
            if d.deprecated or d.verb == "watch":
                flag += 1.0
            if _UNSTABLE.search(d.service):
                flag += 0.5
            penalty[i] = flag
            if d.service in vocab.common.get(d.provider, ()):
                common[i] = 1.0
        compounds = vocab.head_compounds
        index = cls(
            docs=docs, bm25=bm25, embeddings=embeddings, keys=list(keys),
            service_of=service_of, providers=list(providers), provider_of=provider_of,
            verb_of=verbs, name_len=name_len, penalty=penalty, common=common,
            is_read=is_read, popular=popular, reply=reply, described=described, time_range=time_range,
            resource=[resource_of(d.name_words, compounds) for d in docs], head_compounds=compounds,
        )
        index.aliases = derive_service_aliases(docs, vocab.title_noise)
        held: list[set[str]] = [set() for _ in keys]
        for i, (last, _, prev, _) in enumerate(index.resource):
            held[service_of[i]].update(w for w in (last, prev) if w)
        index.service_resources = [frozenset(h) for h in held]
        index.resource_stems = frozenset().union(*index.service_resources)
        index.takes = [taken_kinds(d.name_words, d.params, r)
                       for d, r in zip(docs, index.resource, strict=True)]
        index.kinds_taken = frozenset().union(*index.takes)
        counts: dict[str, list[float]] = {}
        for verb, read in zip(verbs, is_read, strict=True):
            counts.setdefault(verb, []).append(float(read))
        index.verb_reads = {v: sum(r) / len(r) for v, r in counts.items() if v}
        index.joined_words = joined_name_words(docs)
        index.replies = [frozenset(f.lower() for f in d.outputs) for d in docs]
        index.field_names = frozenset().union(*index.replies)
        index.identifiers = index.field_names | {
            i.lower() for d in docs for i in (d.name, *d.params)}
        words_of = identifier_words(docs)
        index.many = np.array([bool(d.outputs) and is_plural((words_of[d.outputs[0]] or [""])[-1])
                               for d in docs], np.float32)
        index.word_pairs = adjacent_word_pairs(words_of)
        index.answer_words = answer_words(docs, words_of)
        index.initialisms = initialisms(words_of, set(verbs))
        index.field_words, index.field_kinds = spelt_fields(
            {f for d in docs for f in d.outputs}, words_of)
        return index

    def __len__(self) -> int:
        return len(self.docs)


def derivation_key(digests: dict[str, str], order: Sequence[str], vocab: Vocabulary,
                   doc_format: int) -> str:
    """What :meth:`SearchIndex.derived` depends on: the documents (their sources' digests, in
    order, and the document format), the parts of the vocabulary :meth:`~SearchIndex.from_docs`
    reads, and the code that derives them, so a change to any of them derives again."""
    from mcp_sre.retrieval import documents, owners, resources, rewrite, vocabulary  # deriving code

    def canonical(value: object) -> object:
        return sorted(value, key=repr) if isinstance(value, (set, frozenset)) else repr(value)

    h = hashlib.sha256(json.dumps(
        [doc_format, list(order), digests, vocab.compounds, vocab.head_compounds,
         vocab.title_noise, vocab.providers, vocab.common],
        sort_keys=True, default=canonical).encode())
    for module in (sys.modules[__name__], documents, owners, resources, rewrite, vocabulary):
        try:
            h.update(Path(str(module.__file__)).read_bytes())
        except OSError:  # no source to read (a frozen build): never reuse across processes
            h.update(str(id(module)).encode())
    return h.hexdigest()


def joined_name_words(docs: Sequence[OperationDoc]) -> dict[str, tuple[str, ...]]:
    """Two to four consecutive words of an operation name, written as one (the stem of
    "datasets" for DataSets, "keypair" for KeyPair, "clusterrolebinding" for ClusterRoleBinding,
    as command lines and manifests spell kinds): a request spelling them together still names
    each."""
    out: dict[str, tuple[str, ...]] = {}
    for d in docs:
        words = d.name_words
        for size in range(2, 5):
            for i in range(len(words) - size + 1):
                run = words[i : i + size]
                if all(len(w) > 2 and w.isalpha() for w in run):
                    out.setdefault(stem("".join(run)), tuple(stem(w) for w in run))
    return out


def identifier_words(docs: Sequence[OperationDoc]) -> dict[str, list[str]]:
    """The words of every distinct operation name, reply field and parameter name, split once
    for the derivations below."""
    out: dict[str, list[str]] = {}
    for d in docs:
        for identifier in (d.name, *d.outputs, *d.params):
            if identifier not in out:
                out[identifier] = camel_words(identifier)
    return out


def answer_words(docs: Sequence[OperationDoc],
                 words_of: dict[str, list[str]] | None = None) -> list[frozenset[str]]:
    """Per operation, the stems of its name's and its reply field names' words."""
    words_of = words_of if words_of is not None else identifier_words(docs)
    stems: dict[str, frozenset[str]] = {}
    out = []
    for d in docs:
        words = {stem(w) for w in d.name_words}
        for f in d.outputs:
            if (ws := stems.get(f)) is None:
                ws = stems[f] = frozenset(stem(w) for w in words_of[f] if w not in STOPWORDS)
            words.update(ws)
        out.append(frozenset(words))
    return out


# An initialism stands for a phrase when that phrase is at least this share of the runs of
# words with those initials, over at least _INITIALISM_MIN identifiers.
_INITIALISM_SHARE, _INITIALISM_MIN = 0.6, 5


def initialisms(words_of: dict[str, list[str]], verbs: Collection[str]) -> dict[str, str]:
    """Initials of three to five consecutive words of the specs' identifiers (names, reply
    fields, parameters) -> those words, where one phrase holds most of the runs with those
    initials ("pitr": PointInTimeRecoveryStatus, RestoreTableToPointInTime). Runs opening
    with an operation verb (PutVoiceConnector) are actions, not names; a phrase containing its
    own initials ("vpc": VpcPeeringConnection) is no expansion of them."""
    runs: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for words in words_of.values():
        singulars = [singular(w) for w in words]
        for size in range(3, 6):
            for i in range(len(words) - size + 1):
                run = singulars[i : i + size]
                if all(w.isalpha() for w in run) and stem(run[0]) not in verbs:
                    runs["".join(w[0] for w in run)][" ".join(run)] += 1
    out: dict[str, str] = {}
    for letters, phrases in runs.items():
        phrase, count = max(phrases.items(), key=lambda kv: kv[1])
        if (count >= _INITIALISM_MIN and count >= _INITIALISM_SHARE * sum(phrases.values())
                and letters not in phrase.split() and letters not in STOPWORDS):
            out[letters] = phrase
    return out


_ID_WORDS = frozenset({"name", "arn", "id", "identifier"})


def spelt_fields(fields: Collection[str], words_of: dict[str, list[str]]
                 ) -> tuple[dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]],
                            frozenset[tuple[str, ...]]]:
    """Reply field names of two or more words, lower-case, by their first two words (singular,
    stop words left out: PointInTimeRecoveryStatus -> point, time); and the words of the
    fields that name an object ((sn, topic) for SnsTopicArn)."""
    out: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    kinds: set[tuple[str, ...]] = set()
    seen: set[str] = set()
    for f in fields:
        lower = f.lower()
        if lower in seen:
            continue
        seen.add(lower)
        words = tuple(singular(w) for w in words_of[f] if w not in STOPWORDS and w.isalpha())
        if len(words) < 2:
            continue
        out[(words[0], words[1])].append((lower, words))
        if words[-1] in _ID_WORDS:
            kinds.add(words[:-1])
    return dict(out), frozenset(kinds)


def adjacent_word_pairs(words_of: dict[str, list[str]]) -> frozenset[str]:
    """Two words that follow each other in an operation's name, a reply field's or a
    parameter's (``words_of``: each identifier's words; "scale down" from scaleDown, "dead
    letter" from DeadLetterConfig), in the singular (not stems: "orders db" is no
    "OrderableDB")."""
    out: set[str] = set()
    for words in words_of.values():
        singulars = [singular(w) for w in words]
        out.update(f"{a} {b}" for a, b in itertools.pairwise(singulars))
    return frozenset(out)


_VERSION_SUFFIX = re.compile(r"\s*v\d+$")


def derive_service_aliases(
    docs: Sequence[OperationDoc], noise: Collection[str] = (),
) -> dict[tuple[str, str], dict[str, float]]:
    """Names by which a request can refer to each service, from the index itself: the
    service id and the titles the spec carried, less their ``noise`` words (the vocabulary's
    ``title_noise``: "service", a brand). A single word that many services use in
    operation names (batch, config, health) is only a weak hint."""
    name_word_services: dict[str, set[tuple[str, str]]] = defaultdict(set)
    titles: dict[tuple[str, str], set[str]] = defaultdict(set)
    deprecated: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for d in docs:
        key = (d.provider, d.service)
        deprecated[key].append(d.deprecated)
        for w in d.name_words:
            name_word_services[w].add(key)
        if d.service_title:
            titles[key].add(d.service_title)
        titles[key].update(d.service_aliases)
    retired = {key for key, flags in deprecated.items() if sum(flags) > len(flags) / 2}
    aliases: dict[tuple[str, str], dict[str, float]] = {}
    names: dict[tuple[str, str], set[str]] = {}
    for key, key_titles in titles.items():
        candidates = {_own_name(key[1])}
        for title in key_titles:
            words = [w for w in re.findall(r"[A-Za-z0-9]+", title)]
            stripped = [w for w in words if w.lower() not in noise]
            if stripped:
                candidates.add(" ".join(stripped).lower())
            if len(words) > 1:
                candidates.add(" ".join(words).lower())
            for w in stripped:  # brand words: DocumentDB, CloudFront, EC2, IAM
                if len(w) > 1 and (any(c.isdigit() for c in w) or any(c.isupper() for c in w[1:])):
                    candidates.add(w.lower())
                    candidates.add(" ".join(camel_words(w)))
        for alias in list(candidates):  # "quota" names Service Quotas as "quotas" does
            last = alias.rsplit(" ", 1)[-1]
            if len(last) > 4 and last.endswith("s") and not last.endswith(("ss", "us", "is")):
                candidates.add(alias[:-1])
        names[key] = candidates
    # a service's own id names it, not a sibling whose title holds it ("ecr" of ECR Public)
    own = {(key[0], _own_name(key[1])): key for key in names}
    for key, candidates in names.items():
        found: dict[str, float] = {}
        successor = _successor_names(key, candidates, names, retired)
        for alias in candidates | successor:
            alias = alias.strip()
            if len(alias) < 2 or alias in STOPWORDS:
                continue
            generic = " " not in alias and len(name_word_services.get(alias, ())) > 2
            sibling = own.get((key[0], alias), key) != key and alias not in successor
            found[alias] = W_WEAK if generic or sibling else W_STRONG
        aliases[key] = found
    return aliases


def _own_name(service: str) -> str:
    """A service id as a request writes it ("ecr-public" -> "ecr public")."""
    return service.lower().replace("_", " ").replace("-", " ")


def _successor_names(key: tuple[str, str], candidates: set[str],
                     names: dict[tuple[str, str], set[str]],
                     retired: set[tuple[str, str]]) -> set[str]:
    """The names of an older API that a versioned one ("wafv2") takes over: those of a service
    of the same provider whose documentation says it is replaced (WAF Classic). A versioned API
    beside a current one (API Gateway V2 beside the REST API) keeps only its own names."""
    out: set[str] = set()
    for alias in candidates:
        bare = _VERSION_SUFFIX.sub("", alias)
        if bare != alias and any(other != key and other[0] == key[0] and bare in names[other]
                                 for other in retired):
            out.add(bare)
    return out
