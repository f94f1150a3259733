"""Which reply fields a request asks for without writing their identifiers: fields it spells
out in words ("item count" is ItemCount, "last ping" LastPingDateTime) and fields that count
what it asks how many of ("how many messages": ApproximateNumberOfMessages). The index holds
the fields (``SearchIndex.field_words``, ``field_kinds``); the reranker's ``fields`` feature
then marks the operations that return them, and the candidates include them."""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Mapping

from mcp_sre.retrieval.documents import STOPWORDS, has_cjk, singular, stem
from mcp_sre.retrieval.vocabulary import longest_term
from mcp_sre.retrieval.wording import COUNT_NOUN, HOW_MANY, without_examples

__all__ = ["FieldWords"]

FieldsByPair = dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]]

# words of a reply field a request may leave out when it spells the field: at most two, each
# one that frames a value ("last ping": LastPingDateTime), not one that names another
# ("automated snapshot" is no AutomatedSnapshotRetentionPeriod)
_LEFT = 2
_FRAMES = frozenset(singular(w) for w in (
    "status", "state", "summary", "description", "detail", "info", "setting", "configuration",
    "config", "value", "date", "time", "timestamp", "enabled", "specification", "spec",
    "count", "number"))
# a field that identifies an object ("listener arn x"): the request names one, asks for none
_IDS = frozenset({"arn", "id", "identifier"})
_CLAUSE = re.compile(r"[,;:!?]|\.(?!\w)")
# words a field's name may use for the request's ("last delivery": LatestDeliveryTime)
_ALIKE = {"last": "latest", "latest": "last", "recent": "latest"}


class FieldWords:
    """The index's reply fields as words. ``by_pair``: fields of two or more words by their
    first two; ``kinds``: the words a field names by their name or id (LogGroupName: log,
    group); ``joined``: one word for a run of an operation's name ("loggroup") -> its parts."""

    def __init__(self, by_pair: FieldsByPair | None = None,
                 kinds: frozenset[tuple[str, ...]] = frozenset(),
                 joined: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.by_pair = by_pair or {}
        self.kinds = kinds
        self.joined = joined or {}
        self.counting: dict[str, set[str]] = {}  # a noun -> the fields that count it
        for entries in self.by_pair.values():
            for lower, words in entries:
                noun = (words[-1] if words[-2] == "number" else
                        words[-2] if words[-1] in ("count", "number") else None)
                if noun:
                    self.counting.setdefault(noun, set()).add(lower)

    def counted(self, text: str, terms: Mapping[str, str] | None = None) -> set[str]:
        """"how many messages", "有几个 open shard": the fields that count the noun (or what
        the vocabulary's ``terms`` spell it out as: msgs -> messages)."""
        terms = terms or {}
        text = without_examples(text, " ")  # not "上限, 比如多少个 target group"
        words = [w for m in HOW_MANY.finditer(text) for w in m.groups() if w]
        words += COUNT_NOUN.findall(text)  # "approx msg count"
        nouns: set[str] = set()
        for word in words:  # a Chinese noun: the longest term it opens with (消息 of 消息堆积)
            key = (longest_term(word, terms, from_end=False) or word) if has_cjk(word) else word
            nouns.update(singular(n) for n in [word, *terms.get(key, "").split()[-1:]])
        return {f for noun in nouns for f in self.counting.get(noun, ())}

    def spelt(self, english: str, named: Collection[str] = ()) -> set[str]:
        """Reply fields ``english`` spells out in words (clause by clause): "item count"
        (ItemCount), "point in time recovery" (PointInTimeRecoveryDescription): a field's first
        two words or more, at most two left over that frame a value. Not a kind of object,
        which the name features weigh: a run of an operation's name, words a field names by
        their name or id ("log group": LogGroupName), or a kind the request names an object of
        (``named``, stems)."""
        out: set[str] = set()
        if not self.by_pair:
            return out
        for clause in _CLAUSE.split(english):
            words = [singular(w) for w in re.findall(r"[a-z0-9]+", clause) if w not in STOPWORDS]
            for i, (first, second) in enumerate(itertools.pairwise(words)):
                alike = {(first, second), (_ALIKE.get(first, first), second)}
                for field_name, spelt in [e for pair in alike for e in self.by_pair.get(pair, ())]:
                    size = 2
                    while (size < len(spelt) and i + size < len(words)
                           and words[i + size] == spelt[size]):
                        size += 1
                    if (len(spelt) - size <= _LEFT and _FRAMES.issuperset(spelt[size:])
                            and spelt[-1] not in _IDS  # "listener arn:...": names one
                            and spelt[:size] not in self.kinds
                            and stem(spelt[size - 1]) not in named
                            and stem("".join(spelt[:size])) not in self.joined):
                        out.add(field_name)
        return out

