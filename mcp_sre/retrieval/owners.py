"""Which kind of object a request names, and which operations take such an object.

"the engine version of rds instance orders-db" names an instance: the operation wanted takes
one (DescribeDBInstances' DBInstanceIdentifier), the catalogue DescribeDBEngineVersions, whose
name holds the words asked, takes none. Both sides are read generically: the request's nouns
next to an object's name, the operation's identifier parameters (``<Noun>Id``, ``<Noun>Arn``,
``<Noun>Name``; a bare ``name`` or ``Id`` identifies the operation's own resource).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Container, Iterable, Mapping

from mcp_sre.retrieval.documents import STOPWORDS, camel_words, singular, stem
from mcp_sre.retrieval.heads import FACET_STEMS
from mcp_sre.retrieval.resources import is_plural
from mcp_sre.retrieval.vocabulary import longest_term
from mcp_sre.retrieval.wording import (
    CJK_POINTERS,
    DOTTED_NAME,
    JOINED_WORDS,
    LOWER_ID,
    NAME_END,
    SPAN_TOKEN,
)

__all__ = ["kinds_meant", "named_kinds", "object_names", "taken_kinds"]

# Plain words joined by slashes ("status/error", "min/max/desired"): alternatives when each is
# a word of the index, as "and/or" reads
_ALTERNATIVES = re.compile(r"[A-Za-z]+(?:/[A-Za-z]+)+")

# Last words of a parameter that identifies an object of the noun before it (DBInstanceIdentifier)
_ID_WORDS = frozenset({"name", "names", "id", "ids", "arn", "arns", "identifier", "identifiers",
                       "url", "urls", "code", "codes"})
# parameters of one word that shape a call rather than name an object
_NOT_OBJECTS = frozenset({"filter", "filters", "include", "pretty", "limit", "continue", "marker",
                          "status", "type", "types", "query", "body"})


def taken_kinds(name_words: list[str], params: Iterable[str],
                resource: tuple[str, bool, str, bool]) -> frozenset[str]:
    """Stems of the kinds of object an operation takes by an identifier: the noun before an
    identifier word (HostedZoneId -> zone, stateMachineArn -> machin), the operation's own
    resource for a bare one (name, Id), and a one-word parameter its name holds (Bucket in
    GetBucketLogging, taskDefinition in DescribeTaskDefinition)."""
    own = {stem(w) for w in name_words}
    last, last_plural, prev, _ = resource
    out: set[str] = set()
    for param in params:
        words = camel_words(param)
        if not words:
            continue
        if words[-1] in _ID_WORDS:
            if len(words) > 1:
                out.add(stem(words[-2]))
            elif not last_plural or words[0].endswith("s"):  # a list's bare Id names its parent,
                # not what it lists (ListInvalidationsForDistributionTenant); ids name items
                out.update(w for w in (last, prev) if w)
            elif (len(name_words) > 2 and name_words[0] != "list"
                  and name_words[-2] not in STOPWORDS):  # a read of the plural of one thing:
                out.add(stem(name_words[-2]))  # GetCanaryRuns(Name), the canary's runs
        elif words[-1] not in _NOT_OBJECTS and all(stem(w) in own for w in words):
            out.add(stem(words[-1]))
    return frozenset(out)


_NAME_TOKEN = re.compile(r"/?[a-z0-9][a-z0-9._:/-]*[a-z0-9]")  # a path may open with /
_REGION = re.compile(r"[a-z]{2}(?:-gov)?-[a-z]+-\d")
_POINTED = re.compile(rf"([a-z0-9][a-z0-9._:/-]*[a-z0-9])\s*(?:{'|'.join(CJK_POINTERS)})")
_EN_WORD = re.compile(r"[a-z][a-z0-9]*")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# words between a noun and its object's name that name neither ("the instance named x")
_BETWEEN = frozenset({"named", "called", "the", "a", "an", "our", "my", "this", "that", "id",
                      "name", *CJK_POINTERS, "叫", "名为", "的", "'", '"', "\u201c", "\u201d",
                      "\u300c", "\u300d"})  # and quotes: "the 'live' alias"
# words that tie a plural to the object named after them: where they are or what they use
# (not "run" or "use", which are also nouns: "run command x")
_LINKING = frozenset({"on", "using", "uses", "running", "attached", "mounted", "mounting",
                      "referencing", "references", "behind"})
_LINKED_BY = frozenset({"to", "by"})  # "attached to", "referenced by"
# words after a name that say which of its things, not what it is ("E2QW recent invalidations")
_QUALIFIERS = frozenset({"recent", "latest", "last", "current", "previous", "prev", "old", "new",
                         "past", "active", "pending", "failed", "running", "stuck"})
_CJK_QUALIFIERS = ("最近", "最新", "当前", "目前", "现在", "上次", "之前")


def _is_name(token: str, joined: set[str]) -> bool:
    """An object's name: words joined into a name (the rewriter's, not a concept such as
    scale-down), a host or a path (example.com, /aws/lambda/x), or an id of letters and
    digits (i-0abc12, E2XYZ9QWERTY); not a region, a span of time or a number."""
    if _REGION.fullmatch(token) or SPAN_TOKEN.fullmatch(token) or not re.search(r"[a-z]", token):
        return False
    if token in joined:
        return True
    if _ALTERNATIVES.fullmatch(token):  # "status/error": words, one or the other
        return False
    if any(c in token for c in ".:/") or LOWER_ID.fullmatch(token):
        return True
    digits = sum(c.isdigit() for c in token)
    return digits > 0 and ("-" in token or (len(token) >= 8 and digits >= 2))


def object_names(query: str, terms: Container[str], word_pairs: frozenset[str],
                 resources: Container[str]) -> list[str]:
    """Words joined by dashes, slashes or underscores that follow each other nowhere in the
    index (``word_pairs``: "orders-db", "ingress-nginx-controller", "prod/db-password"), and
    paths ("/aws/lambda/api"), lower-case: they name an object. "scale-down" (scaleDown) and
    "point-in-time" name a concept, and so does known wording (``terms``); but not right after
    a kind of object (``resources``), ending the clause ("ingress api-gateway 用的")."""
    if not word_pairs:
        return []
    out = []
    for match in JOINED_WORDS.finditer(query):
        text = match.group(0)
        if text.lower() in terms or (text.isupper() and not re.search(r"\d", text)):
            continue  # known wording (kube-system), an acronym (LOA-CFA); not a code (L-1216C)
        words = [singular(w) for w in re.split(r"[-_/]", text) if w]
        if _ALTERNATIVES.fullmatch(text) and all(
                w.lower() in _index_words(word_pairs) for w in words):
            continue  # "status/error", "min/max/desired": the one or the other, no name
        if any(f"{a} {b}" not in word_pairs for a, b in itertools.pairwise(words)) or (
                (kind := re.search(r"([A-Za-z]+)\s+$", query[:match.start()]))
                and stem(kind[1].lower()) in resources
                and NAME_END.match(query, match.end())):
            out.append(text.lower())
    # a host or a kind's full name ("api.example.com", "certificates.cert-manager.io")
    # and a path ("/aws/lambda/order-api": a log group)
    out += [m for m in DOTTED_NAME.findall(query.lower())
            if (("." in m and re.search(r"\.[a-z][a-z-]*$", m))
                or (m.startswith("/") and m.strip("/").count("/"))) and m not in out]
    return out


@functools.lru_cache(maxsize=4)
def _index_words(word_pairs: frozenset[str]) -> frozenset[str]:
    """The words of the index's word pairs, once per index rather than per request."""
    return frozenset(w for pair in word_pairs for w in pair.split())


def named_kinds(lower: str, joined: Iterable[str], terms: Mapping[str, str], *,
                plural_head: bool = False, resources: Container[str] = (),
                located: set[str] | None = None) -> frozenset[str]:
    """Stems of the nouns a request puts next to an object's name ("rds instance orders-db",
    "order-events queue", "节点 node-3"), with the vocabulary's words for them (``terms``:
    节点 -> node, pvc -> persistentvolumeclaim). ``joined``: the request's joined words that
    name objects, lower-case. With a ``plural_head`` ("which pods are running on node x") an
    object after "on" is where to look, not what: it counts no kind, but goes in ``located``
    (an operation about the plural that takes it lists them there: "invalidations on
    distribution x" is ListInvalidations')."""
    joined_names = {j.lower() for j in joined}
    # "coredns 那个 configmap": a word pointed at as "that one" is a name
    joined_names.update(m.group(1) for m in _POINTED.finditer(lower))
    out: set[str] = set()
    for m in _NAME_TOKEN.finditer(lower):
        if not _is_name(m.group(0), joined_names):
            continue
        before = _tokens(lower[:m.start()])[::-1]
        if plural_head and _located(before):
            if located is not None:
                for word in _nouns(before, terms, from_end=True):
                    if word in _LINKING:  # "running image x": the image, not a run
                        break
                    located.update(_kinds(word, terms))
            continue
        after = _tokens(lower[m.end():])
        while after and after[0] in _QUALIFIERS:
            after = after[1:]
        after = _nouns(after, terms, from_end=False)
        if len(after) == 1 and re.fullmatch(r"[a-z]{3,}ed", after[0]):
            after = []  # "x last rotated": what was done to it, no kind of object
        # "sns alerts-prod subscriptions", "bucket x lifecycle rules": what it holds (a second
        # word counts when it is a kind of object: "pipeline seems stuck" says nothing held)
        if after and (is_plural(after[0]) or any(
                is_plural(w) and stem(w) in resources for w in after[1:])):
            after = []
        for word in [*_nouns(before, terms, from_end=True), *after]:
            if stem(word) not in FACET_STEMS:  # "x failover status": no object is a status
                out.update(_kinds(word, terms))
    return frozenset(out)


def _located(before: list[str]) -> bool:
    """Does "on", or a verb linking the plural to it, stand before the name and its noun ("pods
    running on node x": where they run; "pods running image x", "volumes attached to instance
    x": which of them)? Not "in": the messages in a queue are the queue's (its attributes count
    them). ``before``: the tokens before the name, nearest first."""
    for token in before[:4]:
        if token in _LINKING:
            return True
        if not _EN_WORD.fullmatch(token) or (
                token in STOPWORDS and token not in _BETWEEN and token not in _LINKED_BY):
            return False
    return False


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]*[a-z][a-z0-9]*|[\u4e00-\u9fff]+|[^\sa-z0-9\u4e00-\u9fff]", text)


def _nouns(tokens: list[str], terms: Mapping[str, str], *, from_end: bool) -> list[str]:
    """Up to two English words, or one Chinese term, next to a name (``tokens`` in the order
    read away from it), skipping the few words that stand between a noun and its name."""
    out: list[str] = []
    for token in tokens:
        if token in _BETWEEN and not out:
            continue
        if _CJK_RUN.fullmatch(token):
            if not out:  # "x 这个日志组里": the noun after the pointer word
                run = token.removesuffix("的") if from_end else _unpointed(token)
                term = longest_term(run, terms, from_end=from_end)
                if term:
                    out.append(term)
            break
        if not _EN_WORD.fullmatch(token) or token in STOPWORDS or len(out) == 2:
            break
        out.append(token)
    return out


def _unpointed(run: str) -> str:
    """``run`` without a pointer word (这个, 那台) or a word saying which of its things (最近,
    "recent": "canary x 最近几次运行") it opens with; what a qualifier is put before as
    "的" follows it ("当前部署的是": what is deployed) is no noun."""
    for pointer in CJK_POINTERS:
        if run.startswith(pointer):
            return run[len(pointer):]
    for qualifier in _CJK_QUALIFIERS:
        if run.startswith(qualifier):
            rest = run[len(qualifier):]
            return "" if re.match(r"[\u4e00-\u9fff]{1,4}的", rest) else rest
    return run


def _kinds(word: str, terms: Mapping[str, str]) -> set[str]:
    """The word's stem (an English word), and the first and last words of what the
    vocabulary says it means (pvc -> persistentvolumeclaim, 节点 -> node)."""
    out = set() if _CJK_RUN.search(word) else {stem(word)}
    expansion = [w for w in re.findall(r"[a-z0-9]+", terms.get(word, "").lower())
                 if w not in STOPWORDS]
    if expansion:
        out.update({stem(expansion[0]), stem(expansion[-1])})
    return out


def kinds_meant(named: frozenset[str], taken: frozenset[str]) -> frozenset[str]:
    """``named`` with what a short form no operation takes stands for: the kinds in ``taken``
    (every kind an operation takes) it begins ("repo" -> repositori, "dist" -> distribut)."""
    short = [k for k in named if k not in taken and len(k) >= 3]
    if not short:
        return named
    return named | {t for t in taken for k in short if t.startswith(k) and len(t) > len(k) + 1}
