"""The noun a request is about (its head), guessed from its English noun phrases or its
mapped Chinese nouns: a weak reranking feature, so a guess is fine where a rule would not be."""

from __future__ import annotations

import re
from collections.abc import Container, Mapping, Sequence

from mcp_sre.retrieval.documents import STOPWORDS, fuse_compounds, has_cjk, singular, stem
from mcp_sre.retrieval.phrases import PhraseMatcher
from mcp_sre.retrieval.resources import is_plural
from mcp_sre.retrieval.wording import (
    ASIDE,
    CJK_NAMING_CLAUSE,
    CJK_SEEN_CLAUSE,
    CODE_WORD,
    DOTTED_NAME,
    SPAN_TOKEN,
    without_examples,
)

__all__ = ["FACET_STEMS", "cjk_nouns", "head_compounds", "head_noun", "head_synonyms"]

# Words that end the first noun phrase of an English request.
_PHRASE_END_WORDS = """and or with in of for to from by on at that which who whose where when
    are is was were be have has had can could should will would do does did not across between
    over under into per via than as assigned attached associated using exist exists behind
    within inside"""
_PHRASE_END = frozenset(_PHRASE_END_WORDS.split())


# Intent words that ask a question rather than give an order ("which pods", "is it up"):
# the noun after an order ("..., show the events") is what a request is about.
_QUESTION_WORDS = frozenset({"what", "which", "is", "are", "how many", "who", "status", "every",
                             "all", "new"})


_CLAUSE_QUESTIONS = frozenset({"which", "what"})
_ARTICLES = frozenset({"a", "an", "the", "my", "our", "your", "its", "their", "this", "that",
                       "these", "those", "each", "every", "all", "any", "some"})
_ORDER_AFTER = frozenset({"to", "please", "and", "then", "also", "just", "now"})
_PUNCT = frozenset(",;:.!?+&")


_SPAN_OPENERS = frozenset({"last", "past", "previous", "recent", "next"})


def _noun_phrase(tokens: list[str], verbs: set[str], weak: Container[str] = (),
                 pairs: Container[str] = (), kinds: Container[str] = ()) -> list[str]:
    """The first noun phrase of ``tokens``: it starts at the first content word (an intent
    word counts after an article: "a tag") and ends at punctuation, a preposition or other
    phrase end, a stopword, or a participle ("the events recorded for it", "pods running on
    node x"; an -ing word the specs join to the word before it is a noun: "API mapping" is in
    ``pairs``), unless it qualifies a kind of object that follows ("failed executions"; the
    stems of ``kinds``). A phrase of ``weak`` words only ("information about a dimension")
    does not count."""
    phrase: list[str] = []
    prev = ""
    for i, word in enumerate(tokens):
        if ("-" in word and any(c.isdigit() for c in word)) or CODE_WORD.fullmatch(word):
            held = _noun_phrase(tokens[i + 1:], verbs, weak, pairs, kinds) if phrase else []
            if many := next((n for n, w in enumerate(held, 1) if is_plural(w)), 0):
                return held[:many]  # "rest api a1b2c3 stages", "queue x jobs stuck": what
                # the named object holds
            word = ","  # an id (i-123, e2qwerty), not a noun
        nxt = tokens[i + 1] if i + 1 < len(tokens) else "."
        if SPAN_TOKEN.fullmatch(word) or (word in _SPAN_OPENERS and (
                SPAN_TOKEN.fullmatch(nxt) or nxt.isdigit())):
            word = ","  # "last 1h", "past 30 minutes": a span of time
        if (phrase and len(word) > 4 and word.endswith("ed") and word.isalpha()
                and nxt not in STOPWORDS and not nxt.endswith("ing") and stem(nxt) in kinds):
            phrase, prev = [], word  # "state machine x failed executions": what it qualifies
            continue
        if phrase and (word in _PUNCT or word in _PHRASE_END or word in STOPWORDS
                       or (len(word) > 4 and word.endswith("ed"))
                       # "pods running on node x": a participle; not "scaling group"
                       or (len(word) > 5 and word.endswith("ing")
                           and (nxt in _PUNCT or nxt in _PHRASE_END or nxt in STOPWORDS)
                           and f"{singular(prev)} {word}" not in pairs)):
            if all(stem(w) in weak for w in phrase):
                phrase = []
                continue
            break
        if not phrase and (word in _PUNCT or word in STOPWORDS or word in _PHRASE_END
                           or word.isdigit() or (word in verbs and prev not in _ARTICLES)):
            prev = word
            continue
        phrase.append(word)
        prev = word
    return phrase


# Words that name an aspect of a thing rather than the thing: "Pod 的状态" (the pods'
# status) asks about pods; ComponentStatus is the status of components.
FACET_STEMS = frozenset(stem(w) for w in ("status", "state", "configuration", "config", "details",
                                           "detail", "information", "info"))


# Words that name an aspect of what follows "of" ("the current value of the vCPU quota", "the
# status of deployment web"): the noun after "of" is what the request is about.
_OF_FACETS = FACET_STEMS | {stem(w) for w in ("value", "number", "count", "list")}


def _past_facet(tokens: list[str], phrase: list[str], verbs: set[str], weak: Container[str],
                pairs: Container[str], kinds: Container[str]) -> list[str]:
    """The noun phrase after "of" when ``phrase`` ends in an aspect word followed by it."""
    if not phrase or stem(phrase[-1]) not in _OF_FACETS:
        return phrase
    for i, word in enumerate(tokens[:-1]):
        if word == phrase[-1] and tokens[i + 1] == "of":
            return _noun_phrase(tokens[i + 2:], verbs, weak, pairs, kinds) or phrase
    return phrase


def head_compounds(compounds: Sequence[tuple[tuple[str, ...], str, bool]]
                   ) -> list[tuple[tuple[str, ...], str, bool]]:
    """The compounds that name one thing for head-noun matching: not those ending in a
    facet (component status), whose head is the facet of the word before it."""
    return [c for c in compounds if c[0][-1] not in FACET_STEMS]


def _asked_possession(tokens: list[str]) -> int | None:
    """Where "have" asks what a thing has: "does service x have any endpoints", "vpc y has no
    S3 endpoint" ask for the endpoints; not "which nodes have DiskPressure" (a filter)."""
    start = 0  # the clause's first word
    for i, word in enumerate(tokens):
        if word in _PUNCT:
            start = i + 1
        if word not in ("have", "has") or start >= len(tokens):
            continue
        opener, nxt = tokens[start], tokens[i + 1] if i + 1 < len(tokens) else ""
        if (opener in ("does", "do", "did") or nxt in ("no", "any")) and opener != "which":
            return i
        return None
    return None


def head_noun(lower: str, cjk: list[str], intents: PhraseMatcher,
               weak: Container[str] = (),
               compounds: Sequence[tuple[tuple[str, ...], str, bool]] = (),
               pairs: Container[str] = (), kinds: Container[str] = ()) -> list[str]:
    """The noun a request is about: the last word of the noun phrase after its last order
    ("why is my pod crashing, show the events" -> event), else of its first noun phrase
    ("which load balancer targets are unhealthy" -> target), or for Chinese the last mapped
    phrase ("负载均衡器的监听器" -> listener; ``cjk``, see :func:`cjk_nouns`). A guess; used as weak
    reranking features. Returns the stems of that noun phrase, the head last (empty when
    there is none); known compounds fused ("daemon sets" -> daemonset)."""
    if cjk:
        return cjk
    verbs = set(intents.find(lower))
    lower = ASIDE.sub(",", DOTTED_NAME.sub(",", lower))  # "event (maintenance or outage)"
    lower = without_examples(lower)  # "limits, e.g. rules per listener"
    tokens = re.findall(r"[a-z0-9][a-z0-9-]*|[,;:.!?+&]", lower)
    # an order: an intent word that is not a question, first or after a clause boundary
    orders = [i for i, w in enumerate(tokens) if w in verbs and w not in _QUESTION_WORDS
              and (i == 0 or tokens[i - 1] in _PUNCT or tokens[i - 1] in _ORDER_AFTER)]
    # a question after a clause ("apply fails with ..., which webhooks are registered") asks
    # about its noun as an order would; not after a colon ("RDS x: what version is it on"
    # asks about x)
    orders += [i for i, w in enumerate(tokens) if w in _CLAUSE_QUESTIONS and i
               and tokens[i - 1] in _PUNCT and tokens[i - 1] != ":"]
    # "kinesis x: how many open shards": a count of things is about them, after a colon too
    orders += [i + 1 for i, w in enumerate(tokens[:-1]) if w == "how" and tokens[i + 1] == "many"
               and i and tokens[i - 1] in _PUNCT]
    orders.sort()
    phrase = _noun_phrase(tokens[orders[-1] + 1:], verbs, weak, pairs, kinds) if orders else []
    if not phrase and (have := _asked_possession(tokens)) is not None:
        phrase = _noun_phrase(tokens[have + 1:], verbs, weak, pairs, kinds)
    if not phrase:
        phrase = _noun_phrase(tokens, verbs, weak, pairs, kinds)
    phrase = _past_facet(tokens, phrase, verbs, weak, pairs, kinds)
    return fuse_compounds([stem(w.split("-")[-1]) for w in phrase], compounds)


def head_synonyms(head: str | None, phrases: list[str], terms: dict[str, str]) -> set[str]:
    """Other names of the head noun from the vocabulary: the first new word of a one-word
    entry ("entries: events records" -> event), the last new word of a phrase's ("dependency
    map: service graph" -> graph; "error logs: filter log events errors" -> event)."""
    out: set[str] = set()
    if head is None:
        return out
    for phrase in phrases:
        words = re.findall(r"[a-z0-9]+", phrase)
        if has_cjk(phrase) or not words or stem(words[-1]) != head:
            continue
        own = {stem(w) for w in words}
        expansion = [stem(w) for w in re.findall(r"[a-z0-9]+", terms[phrase].lower())
                     if stem(w) not in own]
        if expansion:
            out.add(expansion[0] if len(words) == 1 else expansion[-1])
    return out


def cjk_nouns(lower: str, phrases: PhraseMatcher, terms: Mapping[str, str],
              intents: Container[str], weak: Container[str],
              compounds: Sequence[tuple[tuple[str, ...], str, bool]] = ()) -> list[str]:
    """The nouns of a request written (partly) in Chinese, in order: each mapped Chinese
    phrase's first API word, and each English word that is not an order, a stopword, a
    number or an id ("查看 Deployment api 的副本数" -> deploy, api, replica). Trailing
    facets are dropped, and so are predicates (过期 in "证书快过期了", 失败 in "有没有失败的");
    earlier nouns are what the reranker falls back on when no operation is named by the
    last one ("deployment web" is a deployment)."""
    seq: list[str] = []
    # "..., hosted zone 是 example.com": a clause that only names an object, not the ask
    clauses = [c for c in re.split(r"[，,；;。]", lower) if c.strip()]
    asked = [c for c in clauses if not CJK_NAMING_CLAUSE.fullmatch(c)
             and not CJK_SEEN_CLAUSE.match(c)]
    lower = ",".join(asked) if asked else lower
    lower = DOTTED_NAME.sub(",", lower)  # a version or host (v2.3.1, api.example.com)
    lower = ASIDE.sub(",", lower)  # "事件源（SQS/Kinesis）": examples, not the noun asked about
    lower = without_examples(lower)  # "账户上限，比如多少个 target group"
    for m in re.finditer(r"[a-z0-9][a-z0-9-]*|[^\x00-\x7f]+", lower):
        part = m.group(0)
        if has_cjk(part):
            for phrase in phrases.find(part):
                after = part[part.find(phrase) + len(phrase):] if phrase in part else ""
                if after[:1] in ("了", "过") or after == "的":  # 快过期了, 有没有失败的:
                    continue  # what the noun does or is, not the noun
                words = (re.findall(r"[a-z0-9]+", terms[phrase])
                         if has_cjk(phrase) and phrase in terms else [])
                nouns = [w for w in words if not (len(w) > 4 and w.endswith("ed"))]
                if words:  # its first noun: 托管节点组 "managed nodegroup" -> nodegroup
                    seq.append(stem((nouns or words)[0]))
        elif not (not part[0].isascii() or part in STOPWORDS or part in intents
                  or part.isdigit()
                  or ("-" in part and any(c.isdigit() for c in part))
                  or stem(part) in weak):
            seq.append(stem(part.split("-")[-1]))
    while len(seq) > 1 and seq[-1] in FACET_STEMS:
        seq.pop()
    return fuse_compounds(seq, compounds)
