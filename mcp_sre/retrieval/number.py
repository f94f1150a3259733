"""Grammatical number: does a request ask for one item or for the list?

English inflects ("nodes" is the list); Chinese does not, so a noun is plural after a word
that says so ("所有 Pod"), one where a name stands beside it ("PVC data-mysql-0"), and either
otherwise; a short kind name ("netpol", "pvc") does not inflect in English either. The
reranker's ``plurality`` feature compares that with the number of each operation's resource.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Container, Iterator
from typing import TYPE_CHECKING

import numpy as np

from mcp_sre.retrieval.documents import STOPWORDS, fuse_compounds, has_cjk, stem
from mcp_sre.retrieval.resources import fused_words
from mcp_sre.retrieval.wording import (
    CJK_ANY,
    CJK_PLURAL,
    CJK_POINTERS,
    CJK_WHICH,
    QUOTED,
    STATE_BEFORE,
)

if TYPE_CHECKING:
    from mcp_sre.retrieval.index import SearchIndex
    from mcp_sre.retrieval.rewrite import RewrittenQuery

__all__ = ["SET", "facet_named", "plurality"]


def facet_named(q: RewrittenQuery, facet: str) -> bool:
    """Does the request ask for the facet itself ("status" in "is the check passing")?"""
    return q.terms.get(facet, 0.0) >= 0.8


_NAME_TOKEN = r"[a-z0-9][\w./:-]*"
_POINTER = "|".join(CJK_POINTERS)
_LIST_LAST = re.compile(r"(?:列一下|列出来|列个表|列举一下|列一列)\s*[。.!！?？]*$")
_SCOPE_WORDS = frozenset({"ns", "namespace", "-n", "-a"})


def _uses(lower: str, word: str) -> Iterator[re.Match[str]]:
    """Where ``word`` stands on its own in ``lower``, not inside a name (node-3, checkout-hpa)."""
    return re.finditer(rf"(?<![a-z0-9./:_-]){re.escape(word)}(?![a-z0-9./:_-])", lower)


def _name_like(token: str, known: Container[str]) -> bool:
    """A token that names an object: it has a digit or a joiner, or is no word of any
    operation's name (cart, shop), nor a stop word."""
    return bool(re.search(r"[\d./:_-]", token)) or (stem(token) not in known
                                                     and token not in STOPWORDS)


def _named(lower: str, word: str, known: Container[str]) -> bool | None:
    """In a Chinese request, is the English noun ``word`` given a name right after it ("PVC
    data-mysql-0") or before it ("tls-shop secret")? False when no English token stands next
    to it ("LimitRange 默认的"); None when one does that is a known word, or ``word`` is only
    part of a name (node-3). Said twice, it is named if it is named once ("HPA 不扩容, 看下
    hpa checkout")."""
    seen: set[bool | None] = set()
    for m in _uses(lower, word):
        after = re.match(rf"\s*({_NAME_TOKEN})", lower[m.end():])
        before = re.search(rf"({_NAME_TOKEN})\s*(?:{_POINTER})?\s*$", lower[:m.start()])
        if before is not None and before.group(1) in _SCOPE_WORDS:
            before = None  # "dev ns resourcequota": the namespace is where to look
        if before is None:  # "kube-controller-manager 的 lease": a joined name's (the lease is
            # named after its holder), not "ns payments 的 pdb": where to look
            before = re.search(rf"(?<![\w./:-])(?<!\bns )(?<!namespace )(?<!-n )"
                               rf"({_NAME_TOKEN}[-_.:/]{_NAME_TOKEN})\s*的\s*$", lower[:m.start()])
        if not after and not before:
            seen.add(False)
        elif any(t and _name_like(t.group(1), known) for t in (after, before)):
            return True
        else:
            seen.add(None)
    return False if seen == {False} else None


def _only_scoped(lower: str, word: str, known: Container[str], short: bool = True) -> bool:
    """Is the English noun ``word`` followed only by where to look ("pvc -A", "netpol in ns
    x", "a LimitRange in namespace x") or, a ``short`` name, by nothing, with no name before
    it ("web-api hpa")? A full word at the end is as often one ("describe a target group")."""
    found = False  # the word may be only part of a name ("checkout-hpa")
    for m in _uses(lower, word):
        before = re.search(rf"({_NAME_TOKEN})\s*$", lower[:m.start()])
        if (before and _name_like(before.group(1), known)) or not (
                _SCOPE_NEXT if short else _SCOPE_ONLY_NEXT).match(lower[m.end():]):
            return False
        found = True
    return found


_SCOPE = r"-n\b|-a\b|--all|in\s+(?:ns|namespace|all)\b|(?:ns|namespace|across)\b"
_SCOPE_ONLY_NEXT = re.compile(rf"\s*(?:{_SCOPE})")  # where to look follows
_SCOPE_NEXT = re.compile(rf"\s*(?:$|[,.;:?!—(]|{_SCOPE})")  # ... or nothing does


# facets that hold many entries whatever the number of the word before them (AlarmHistory)
SET = stem("sets")  # a set of things is those things
_COLLECTION_FACETS = frozenset(stem(w) for w in ("history", "set", "summaries", "logs"))


def plurality(index: SearchIndex, q: RewrittenQuery, candidates: np.ndarray) -> np.ndarray:
    """Does the request name the operation's resource in the same number? +1 when it does
    (instances vs DescribeInstances), -1 when the request is plural and the operation reads
    one item; when only the word before a facet matches (TargetHealth), 0.5, or 1 if the
    request also names the facet (health check status -> GetHealthCheckStatus). Chinese does
    not inflect: a noun is plural after a word that says so (所有 Pod), one with a name next to
    it (PVC data-mysql-0), any of them with no English token beside it (LimitRange 默认的); and
    there, a plural also rules out one item's facet (所有节点及其状态 is no NodeStatus)."""
    forms: dict[str, set[bool]] = {}
    # Chinese does not inflect: "Pod" is either, unless a word says many ("所有 Pod")
    cjk = has_cjk(q.original)
    lower = QUOTED.sub(" ", q.original).lower()  # 'RuntimeClass not found' is no noun asked
    markers = CJK_PLURAL if q.named_kinds else CJK_PLURAL + CJK_WHICH
    at = min((i for m in markers if (i := lower.find(m)) >= 0), default=-1) if cjk else -1
    if cjk and ((not q.named_kinds and (CJK_ANY.search(lower) or q.time_window))
                or _LIST_LAST.search(lower)):
        at = 0  # "有失败的吗", "最近 24 小时失败的 job": whichever are so, or were over a span;
        # "managed node group 列一下": what is before the word that lists
    many = {True} if at >= 0 else {True, False}
    known = index.bm25.fields["name"].vocab
    chosen = {b for a, b in itertools.pairwise(q.words) if a in ("which", "what")}
    in_state = set(STATE_BEFORE.findall(lower))
    # the words as written: the rewriter spells short names out ("pdb" -> poddisruptionbudget)
    written = dict(zip(q.words, re.findall(r"[a-z0-9]+", lower), strict=False))
    for w, plural in fused_words([w for w in q.words if w not in STOPWORDS], index.head_compounds):
        after = at == 0 or (at > 0 and lower.find(written.get(w, w), at) >= 0)  # "所有 Pod"
        if cjk and not after:  # "PVC data-mysql-0": one, named; "LimitRange 默认的": any
            named = _named(lower, written.get(w, w), known)
            form = {True, False} if named is None else {not named}
            if not named and (plural or written.get(w, w) in in_state) and not re.search(
                    rf"(?<![a-z0-9]){re.escape(written.get(w, w))}\s+[a-z]", lower):
                form = {True}  # "pending CSRs 有没有": English inflects, in Chinese too; its
                # last word only ("Secrets Manager 里": a name's)
        elif (not cjk and not plural and not q.named_kinds
              and _only_scoped(lower, written.get(w, w), known, written.get(w, w) != w)):
            form = {True}  # "netpol in ns payments", "pvc -A": a short name does not inflect,
            # and a kind with only where to look is the list (kubectl get netpol -n x)
        elif not cjk and not q.named_kinds and (any(w.startswith(c) for c in chosen)
                                                or written.get(w, w) in in_state):
            form = {True}  # "which ingress class is the default": one picked from the list;
            # "pending csr": whichever are so
        else:
            form = {True} if after else {plural}
        forms.setdefault(stem(w), set()).update(form)
        if parts := index.joined_words.get(stem(w)):  # "ingressclass": the class it ends with,
            # "clusterrolebinding": the role binding
            forms.setdefault(fuse_compounds(list(parts), index.head_compounds)[-1],
                             set()).update(form)
    if cjk and many == {True} and q.head:  # so is the noun asked about (节点 -> node)
        forms.setdefault(q.head, set()).update(many)
    out = np.zeros(len(candidates), np.float32)
    if not forms:
        return out
    for i, c in enumerate(candidates):
        last, last_plural, prev, prev_plural = index.resource[int(c)]
        seen = forms.get(last)
        if seen is not None:
            if (prev and "list" in q.intents and forms.get(prev) == {True} and not prev_plural
                    and not index.many[int(c)]):
                continue  # "list the CSRs and their status": no one CSR's status
            if last_plural in seen:
                out[i] = 1.0
            elif (True in seen and not last_plural and not index.many[int(c)]
                  and last not in _COLLECTION_FACETS):  # "logs": the one log holds them
                out[i] = -1.0
        elif prev and (seen := forms.get(prev)) is not None:
            if prev_plural in seen:
                out[i] = 1.0 if facet_named(q, last) else 0.5
            elif (cjk and True in seen and not prev_plural and last not in _COLLECTION_FACETS
                  and not index.many[int(c)]):
                # "所有节点及其状态": not one node's status (an alarm history is many). Not for
                # English plurals: "queues with more than 1000 messages" needs each queue's
                # attributes (GetQueueAttributes), which no list returns. Nor where the reply
                # is many items (TargetHealthDescriptions: each target's health)
                out[i] = -1.0
    return out
