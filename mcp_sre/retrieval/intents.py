"""What a request asks to be done: its intents (list, read, audit, permission, the write
actions) and the operation verbs they prefer, read from the vocabulary's intent words.

Most of the work is telling an order from a description: "stopped instances", "新建的 ingress",
"update strategy" and "why was X deleted" all hold an action word and order nothing. The rewriter
(:mod:`mcp_sre.retrieval.rewrite`) calls :meth:`IntentReader.read` once per request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mcp_sre.retrieval.documents import has_cjk, singular, stem, tokenize
from mcp_sre.retrieval.phrases import PhraseMatcher
from mcp_sre.retrieval.term_weights import W_PHRASE, W_SCOPE, TermWeights
from mcp_sre.retrieval.vocabulary import W_WEAK_WORD, Vocabulary
from mcp_sre.retrieval.wording import (
    CJK_A_NOT_A,
    CJK_FAILED,
    CJK_QUESTION_END,
    CJK_QUESTION_WORD,
    CJK_RECORD_NOUNS,
    CJK_STATE_MARKERS,
    CJK_SUBJECT_CAN,
    CJK_WHO_HOLDS,
    CLAUSE_QUESTION,
    DETERMINED,
    FAILED_ACTION,
    FAILED_TO,
    LAST_DONE,
    ORDER_OPENER,
    QUESTION_OPENER,
    RECORD_NOUNS,
    SUBJECT_CAN,
    TARGET_COUNT,
    WHO_HOLDS,
)

__all__ = ["WRITE_INTENTS", "IntentReader", "Intents"]

# Intents that change state; a request with none of them prefers read operations.
WRITE_INTENTS = frozenset({"create", "delete", "update", "stop", "start", "reboot", "scale",
                           "enable", "disable", "attach", "tag", "untag",
                           "share", "write", "act"})
# Intents of a question about what happened or is allowed: the actions they name are not orders.
_QUESTION_INTENTS = frozenset({"audit", "diagnose", "permission"})
# Intents whose past participle names a state ("stopped instances"), not an order.
_LIFECYCLE_INTENTS = ("stop", "start", "reboot", "delete", "create")


@dataclass(slots=True)
class Intents:
    """What :meth:`IntentReader.read` found."""

    names: set[str]  # the intents ("list", "audit", "delete", ...)
    verbs: dict[str, float]  # operation verb stem -> weight
    who: set[str]  # the audit words the request uses ("who", "谁")
    who_holds: bool  # "who is subscribed to topic x": a state, not a trail's question


class IntentReader:
    """Reads a request's intents with the vocabulary's words and what the index says of its
    operation verbs (the share of operations starting with each that read)."""

    def __init__(self, vocab: Vocabulary, terms: PhraseMatcher,
                 operation_verbs: dict[str, float], field_names: frozenset[str],
                 word_pairs: frozenset[str], compound_parts: dict[str, tuple[str, ...]]) -> None:
        self.vocab = vocab
        self._terms = terms
        self._operation_verbs = operation_verbs
        self._field_names = field_names
        self._word_pairs = word_pairs
        self._compound_parts = compound_parts
        intent_words = [w for words, _ in vocab.intents.values() for w in words]
        self.intent_words = PhraseMatcher(intent_words)
        self.intent_set = frozenset(intent_words)
        self.audit_words = frozenset(vocab.intents.get("audit", ([], []))[0])
        # a permission check's words, and the API words its first English one says (can i)
        self.permission_words = frozenset(vocab.intents.get("permission", ([], []))[0])
        self._permission_said = next(
            (vocab.terms[w] for w in vocab.intents.get("permission", ([], []))[0]
             if w in vocab.terms and w.isascii()), "permission")
        self._write_words = frozenset(w for name in WRITE_INTENTS & set(vocab.intents)
                                      for w in vocab.intents[name][0])
        self._cjk_state = self._state_pattern()
        self._lifecycle = frozenset(stem(w) for name in _LIFECYCLE_INTENTS
                                    for w in vocab.intents.get(name, ([], []))[0])

    def _state_pattern(self) -> re.Pattern[str]:
        """Where an action word in Chinese describes rather than orders."""
        acts = sorted({w for name in WRITE_INTENTS & set(self.vocab.intents)
                       for w in self.vocab.intents[name][0] if has_cjk(w)}, key=len, reverse=True)
        # "是不是被禁用", "没有关联到": a state; "新建的 ingress", "删除的 pod": what was done, a
        # modifier of the noun (as "the newly created ingress"): neither is an order
        # "创建 pod 失败", "删不掉": a symptom; "扩缩容记录", "重启次数": a record of it
        act = f"(?:{'|'.join(acts) or '$^'})"
        # "最近 push 的 image": an English action word in a Chinese clause, modifying as 的 does
        english = sorted({w for name in WRITE_INTENTS & set(self.vocab.intents)
                          for w in self.vocab.intents[name][0] if w.isascii() and " " not in w},
                         key=len, reverse=True)
        act_english = f"\\b(?:{'|'.join(map(re.escape, english)) or '$^'})"
        # ... and one naming a record of the action ("change history", "restart count")
        return re.compile(f"(?:{'|'.join(CJK_STATE_MARKERS)}){act}"
                          f"|{act}(?=了?的|了\\s*(?:[，。,.;；!?？！]|$))"
                          f"|{act}(?={CJK_RECORD_NOUNS})|{act_english}\\s*(?=了?的)"
                          f"|{act_english}(?=[\\s-]+{RECORD_NOUNS}\\b)"
                          # "那次 update", "update 详情", "update 失败了": the act as a noun or
                          # a symptom in a Chinese clause, as a Chinese word would be
                          f"|(?<=[这那上一]次)\\s*{act_english}"
                          f"|{act_english}(?=\\s*{CJK_RECORD_NOUNS})"
                          # not "删除卡住的 pod": a failure word before 的 says
                          # which ones, what was ordered did not fail
                          f"|(?:{act}|{act_english})"
                          f"(?=[^，。,.;；]{{0,24}}?(?:{'|'.join(CJK_FAILED)})(?!的))")

    def read(self, query: str, plain: str, names: list[str], phrases: list[str],
             noun_tokens: set[str], terms: TermWeights) -> Intents:
        """The intents of ``query`` (``plain``: lower-case, no quotes, states or flags;
        ``names``: the objects it names). Adds to and caps ``terms`` where an intent says
        what its words mean."""
        lower = query.lower()
        intents: set[str] = set()
        verbs: dict[str, float] = {}
        # an action word inside an object's name ("lambda image-resize") orders nothing
        unnamed = re.sub("|".join(re.escape(n) for n in names), " ", plain) if names else plain
        for failed in (FAILED_ACTION, FAILED_TO):
            unnamed = failed.sub(lambda m: m.group(0).replace(m.group(1), " ", 1), unnamed)
        found = set(self.intent_words.find(self._cjk_state.sub("", unnamed)))
        found -= self._field_name_words(plain, found)
        found -= self._determined_words(unnamed, found)
        for name, (words, _) in self.vocab.intents.items():
            if found.intersection(words):
                intents.add(name)
        subject = SUBJECT_CAN.match(plain)  # "can sa x create deployments", "我能不能删 pod"
        if "permission" in self.vocab.intents and "permission" not in intents and (
                subject or CJK_SUBJECT_CAN.search(query)):
            intents.add("permission")  # as "can i" asks, in the permission words' terms
            terms.add(self._permission_said, W_PHRASE)
            if subject:  # who asks is no kind asked about
                asker = set(tokenize(subject[1]))
                terms.weaken(asker | {p for t in asker for p in self._compound_parts.get(t, ())},
                             W_SCOPE)
        who = found & self.audit_words
        who_holds = bool((who == {"who"} and WHO_HOLDS.search(plain))
                         or (who == {"谁"} and CJK_WHO_HOLDS.search(plain)))
        if who_holds:  # "who is subscribed to topic x": a state, no trail, so "who" names
            intents.discard("audit")  # neither the trail's words nor its service
            terms.weaken({*tokenize(self.vocab.terms.get("who", "")),
                          *tokenize(self.vocab.terms.get("谁", ""))})
        if TARGET_COUNT.search(lower) and "scale" in self.vocab.intents:
            intents.add("scale")
            terms.add("scale", W_PHRASE)
        question = bool(QUESTION_OPENER.match(plain) or CLAUSE_QUESTION.search(plain)
                        or CJK_QUESTION_END.search(query) or CJK_QUESTION_WORD.search(query))
        if CJK_A_NOT_A.search(query):  # "开没开自动轮换": asks for a state, as "is it on" does
            question = True
            terms.add("status", W_WEAK_WORD)
        if not intents and (question or query.endswith(("?", "\uff1f"))):  # a question reads
            intents.add("read")
        if any(pattern.search(plain) for pattern in self.vocab.lists):
            intents = (intents - {"read"}) | {"list"}
        if question:  # asks about a state: the verbs it uses are not orders
            intents = (intents - WRITE_INTENTS) or {"read"}
        if intents & _QUESTION_INTENTS:  # "who/why stopped X": asks what happened, does not act
            for name in WRITE_INTENTS & set(self.vocab.intents):
                words, op_verbs = self.vocab.intents[name]
                # the action is what to look up, not what to run
                terms.weaken({t for w in [*words, *op_verbs] for t in tokenize(w)} - noun_tokens)
            intents -= WRITE_INTENTS
        elif not intents & WRITE_INTENTS:  # "instances that are stopped": a state, not an order
            terms.weaken({stem(w.lower()) for w in re.findall(r"[A-Za-z][a-z]*ed(?![a-z])", query)}
                         & self._lifecycle)  # also stoppedReason
            # "last rotated", "上次轮换": when it was last done, a state
            done = LAST_DONE.findall(lower) + [
                t for p in phrases if has_cjk(p) and any(m + p in lower for m in CJK_STATE_MARKERS)
                for t in tokenize(self.vocab.terms[p])]
            terms.weaken(t for t in {stem(w) for w in done}
                         if self._operation_verbs.get(t, 1.0) < 0.5)
        opener = self._order_verb(plain) if not intents else None
        if opener is not None:
            intents.add("read" if self._operation_verbs[opener] >= 0.5 else "act")
            verbs[opener] = 1.0
        for name in intents - {"act"}:
            for rank, verb in enumerate(self.vocab.intents[name][1]):
                verbs[stem(verb)] = max(verbs.get(stem(verb), 0.0), 1.0 - 0.08 * rank)
        return Intents(names=intents, verbs=verbs, who=who, who_holds=who_holds)

    def _field_name_words(self, plain: str, found: set[str]) -> set[str]:
        """The action words that only ever start or end a field's name in ``plain`` ("update
        strategy" is updateStrategy, "start time" StartTime, "image tag" imageTag): they name a
        setting, not an order."""
        out = set()
        for word in found:
            if " " in word:
                continue
            if has_cjk(word):
                if self._cjk_field_name(word, plain):
                    out.add(word)
                continue
            uses = re.findall(rf"(?:\b([a-z]+)[\s-]+)?\b{re.escape(word)}\b(?:[\s-]+([a-z]+))?",
                              plain)
            if uses and all((after and word + after in self._field_names)
                            or (before and before + word in self._field_names
                                and word in self._write_words)  # "health check" reads
                            for before, after in uses):
                out.add(word)
        return out

    def _determined_words(self, plain: str, found: set[str]) -> set[str]:
        """The write words that only ever follow a determiner ("missing the owner tag", "the
        last update", "its restart"): nouns, no order."""
        out = set()
        for word in found:
            if has_cjk(word) or " " in word or word not in self._write_words:
                continue
            uses = [m.start() for m in re.finditer(rf"\b{re.escape(word)}\b", plain)]
            if uses and all(DETERMINED.search(plain, 0, at) for at in uses):
                out.add(word)
        return out

    def _cjk_field_name(self, word: str, plain: str) -> bool:
        """A Chinese action word right before a noun that, in English, follows that action
        in a field or operation name of the index (滚动更新策略: updateStrategy, 扩缩容活动:
        DescribeScalingActivities): a noun, no order."""
        intent = next((words for name, (words, _) in self.vocab.intents.items()
                       if name in WRITE_INTENTS and word in words), ())
        verbs = {v for w in intent if not has_cjk(w) and " " not in w
                 for v in (w, w + "ing", w[:-1] + "ing", w[:-1] + "ion")}
        nexts = [plain[m.end():] for m in re.finditer(re.escape(word), plain)]
        if not verbs or not nexts:
            return False
        for rest in nexts:
            phrase = next((p for p in self._terms.find(rest[:12])
                           if rest.startswith(p) and p in self.vocab.terms), None)
            if phrase is None:
                return False
            nouns = {singular(w) for w in re.findall(r"[a-z]+", self.vocab.terms[phrase].lower())}
            if not any(v + n in self._field_names or f"{singular(v)} {n}" in self._word_pairs
                       for v in verbs for n in nouns):
                return False
        return True

    def _order_verb(self, plain: str) -> str | None:
        """The stem of a verb the request opens with, when operations start with it and no
        intent lists it ("invoke the function" -> invoke)."""
        m = ORDER_OPENER.match(plain)
        if m is None or m.group(1) in self.intent_set:
            return None
        verb = stem(m.group(1))
        return verb if verb in self._operation_verbs else None
