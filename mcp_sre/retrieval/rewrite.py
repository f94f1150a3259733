"""Query rewriting: Chinese and English SRE vocabulary -> API words, verbs -> intents, names
of services -> service priors, and an optional LLM rewrite through the LLM seam.

The words come from the vocabulary (``vocabulary.py``: the core's ``vocab.yaml`` and the plugins'
files); aliases for every indexed service are also derived from the index itself (service ids and the titles
the spec formats carry), so a newly added spec is recognised by name without editing anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from mcp_sre.retrieval.documents import (
    STOPWORDS,
    has_cjk,
    stem,
    tokenize,
)
from mcp_sre.retrieval.fields import FieldWords
from mcp_sre.retrieval.heads import cjk_nouns, head_noun, head_synonyms
from mcp_sre.retrieval.intents import WRITE_INTENTS, IntentReader
from mcp_sre.retrieval.owners import named_kinds, object_names
from mcp_sre.retrieval.phrases import PhraseMatcher
from mcp_sre.retrieval.resources import fused_words
from mcp_sre.retrieval.term_weights import (
    W_EXPANDED,
    W_ORIGINAL,
    W_PHRASE,
    W_SCOPE,
    W_TRANSLATED,
    TermWeights,
)
from mcp_sre.retrieval.vocabulary import (
    W_STRONG,
    W_WEAK,
    W_WEAK_WORD,
    Vocabulary,
    default_vocabulary,
    short_names,
    spell_short_name,
)
from mcp_sre.retrieval.wording import (
    ACRONYM_PLURAL,
    ARN,
    CODE_ID,
    CONTRACTION,
    COUNT_OVER_TIME,
    DASH,
    DOTTED_NAME,
    FIELD_IDENTIFIER,
    FLAG_NAME,
    HYPHENATED,
    ID_KIND,
    IRREGULAR_NEGATION,
    JOINED_NAME,
    JOINED_WORDS,
    LOOK_IN,
    LOWER_ID,
    MIXED_IDENTIFIER,
    NEGATED,
    OWN_HISTORY,
    POINT_IN_TIME,
    PRESENT,
    QUALIFIED_ACTION,
    QUOTED,
    QUOTED_WORD,
    SCOPE_CJK,
    SCOPE_EN,
    STATE_CONSTANT,
    TIME_WINDOW,
)

__all__ = [
    "MAX_QUERY_CHARS",
    "WRITE_INTENTS",
    "QueryRewriter",
    "RewrittenQuery",
    "api_words",
    "rewrite_prompt",
]

MAX_QUERY_CHARS = 1000

# A service named after the one a request is about ("SNS topic x: its KMS encryption") is an
# attribute of it. Measured: 0.8 gained a Top-1 on gcp, sre8, sre9, awscli-dev and cost multi one
# Top-3; 0.6 also cost volcengine and sre6 ("云服务器 X 的 CPU": the metric service comes second).
W_LATER = 0.8

@dataclass(slots=True)
class RewrittenQuery:
    """A request after rewriting, in the forms the retrievers need."""

    original: str
    text: str  # English words for keyword search (original + translations + expansions)
    dense_text: str  # what the embedding model sees
    terms: dict[str, float] = field(default_factory=dict)  # stem -> weight
    intents: set[str] = field(default_factory=set)
    verbs: dict[str, float] = field(default_factory=dict)  # operation verb stem -> weight
    services: dict[tuple[str, str], float] = field(default_factory=dict)
    providers: dict[str, float] = field(default_factory=dict)
    # providers the request names by a word of the vocabulary's ``providers`` ("azure", "火山",
    # "AKS"); naming a service does not count ("ECS" is AWS's and Volcano Engine's)
    named_providers: frozenset[str] = frozenset()
    words: list[str] = field(default_factory=list)  # the request's own English words, lower-case
    head: str | None = None  # stem of the noun the request is about ("targets" in "lb targets")
    head_synonyms: set[str] = field(default_factory=set)  # other stems naming that noun
    head_phrase: list[str] = field(default_factory=list)  # stems of the head's noun phrase
    truncated: bool = False
    llm_rewrite: str | None = None
    time_window: bool = False  # asks about a span of time ("last 6 hours", "过去24小时", "history")
    # reply fields the request names by their exact identifier ("stoppedReason"), lower-case
    fields: frozenset[str] = frozenset()
    # stems of the nouns the request puts next to an object's name ("rds instance orders-db":
    # instanc), with the vocabulary's words for them (owners.named_kinds)
    named_kinds: frozenset[str] = frozenset()
    # the kinds named where a plural is looked for ("invalidations on distribution x")
    located_kinds: frozenset[str] = frozenset()

    def summary(self) -> str:
        return self.text if self.text == self.original else f"{self.original} => {self.text}"


# Words a metric series over a span is asked with, which name no other history
_SERIES_WORDS = frozenset(stem(w) for w in ("history", "trend"))
_ANY_CASE_DOTTED = re.compile(DOTTED_NAME.pattern, re.IGNORECASE)


def rewrite_prompt(query: str) -> str:
    """What a model is asked to turn a request into API words (search words of its own)."""
    return ("Rewrite this cloud operations request as a short list of English API words "
            "(resource nouns and verbs such as list, describe, get). Answer with the words only.\n"
            f"Request: {query}")


def api_words(answer: str) -> str | None:
    """The words of a model's answer to :func:`rewrite_prompt` (at most 30, no stopwords)."""
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9-]*", answer) if w.lower() not in STOPWORDS]
    return " ".join(words[:30]) or None


class QueryRewriter:
    """Rewrites requests with the shipped vocabulary plus aliases learned from the index.

    ``llm``: optional callable ``(prompt) -> str`` (the LLM seam); its answer is added as extra
    English words, never replacing the request.
    """

    def __init__(
        self,
        vocabulary: Vocabulary | None = None,
        service_aliases: dict[tuple[str, str], dict[str, float]] | None = None,
        llm: Callable[[str], str] | None = None,
        operation_verbs: dict[str, float] | None = None,
        joined_words: dict[str, tuple[str, ...]] | None = None,
        field_names: frozenset[str] = frozenset(),
        identifiers: frozenset[str] = frozenset(),
        word_pairs: frozenset[str] = frozenset(),
        initialisms: dict[str, str] | None = None,
        resources: frozenset[str] = frozenset(),
        field_words: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] | None = None,
        field_kinds: frozenset[tuple[str, ...]] = frozenset(),
    ) -> None:
        self.vocab = vocabulary or default_vocabulary()
        # verbs operations start with -> the share of them that read (the index's)
        self._operation_verbs = operation_verbs or {}
        self._field_names = field_names  # the index's reply field names, lower-case
        self._identifiers = identifiers  # and its operation and parameter names
        self._word_pairs = word_pairs  # "scale down": words that follow each other in the index
        self._initialisms = initialisms or {}  # "pitr" -> point in time recovery (the index's)
        self._resources = resources  # stems of the kinds of object operations act on
        self.llm = llm
        self.services: dict[tuple[str, str], dict[str, float]] = {}
        for key, aliases in (service_aliases or {}).items():
            self.services.setdefault(key, {}).update(aliases)
        for key, aliases in self.vocab.services.items():  # curated aliases win
            self.services.setdefault(key, {}).update(aliases)
        self._alias_index: dict[str, list[tuple[tuple[str, str], float]]] = {}
        for key, aliases in self.services.items():
            for alias, weight in aliases.items():
                self._alias_index.setdefault(alias, []).append((key, weight))
        # Chinese words that ask to list or read claim their characters, so no term is found
        # inside them (列表 "a list" holds 表 "table")
        asks = {w for name in ("list", "read") for w in self.vocab.intents.get(name, ([], []))[0]
                if has_cjk(w) and w not in self.vocab.terms}
        self._terms = PhraseMatcher([*self.vocab.terms, *asks])
        self._aliases = PhraseMatcher(list(self._alias_index))
        # aliases that are a service's own name ("sqs"): never weakened as a scope (_scope_words)
        self._service_names = frozenset(
            alias for alias, keys in self._alias_index.items()
            if any(alias.replace(" ", "") == service.replace("_", "").lower()
                   for (_, service), _ in keys))
        # ... of which those that are no noun of any spec ("eks", not "api" or "node"): a name
        # holding one still names the service ("prod-eks"), while "payments-api" names no API
        self._brands = frozenset(a for a in self._service_names
                                 if not set(tokenize(a)) & resources)
        self._provider_words = {a: p for p, aliases in self.vocab.providers.items() for a in aliases}
        self._providers = PhraseMatcher(list(self._provider_words))
        self._compound_parts: dict[str, tuple[str, ...]] = dict(joined_words or {})
        self._compound_parts.update({token: parts for parts, token, fused in self.vocab.compounds
                                     if not fused})
        self._fields = FieldWords(field_words, field_kinds, self._compound_parts)
        self._short_names = short_names(self.vocab)  # hpa -> horizontalpodautoscaler
        self._intents = IntentReader(self.vocab, self._terms, self._operation_verbs,
                                     field_names, word_pairs, self._compound_parts)

    def rewrite(self, query: str, model_words: str | None = None) -> RewrittenQuery:
        """``query`` in the forms the retrievers need; ``model_words``: API words a model gave
        for it (:func:`api_words`), weighed as the request's own words (the second search of
        the model's rerank, :mod:`mcp_sre.retrieval.llm_rerank`), instead of the seam's."""
        truncated = len(query) > MAX_QUERY_CHARS
        query = IRREGULAR_NEGATION.sub(lambda m: "can not" if m.group(1) else "will not",
                                       query[:MAX_QUERY_CHARS])
        query = " ".join(CONTRACTION.sub(lambda m: " not" if m.group(2) else "", query).split())
        # "add-on", "node-group": one kind the specs write as one word (Addon, Nodegroup)
        query = HYPHENATED.sub(lambda m: m[1] + m[2] if stem(f"{m[1]}{m[2]}".lower())
                               in self._resources else m[0], query)
        lower = query.lower()
        states = [m.group(0).lower() for m in STATE_CONSTANT.finditer(query)]
        # what orders and head nouns are read from: no state constants, no command-line flags
        plain = STATE_CONSTANT.sub(" ", query)
        if self.vocab.flags is not None:
            plain = self.vocab.flags.sub(" ", plain)
        plain = DASH.sub(", ", QUOTED.sub(", ", plain)).lower()  # no orders or nouns in quotes
        terms = TermWeights(self.vocab.compounds, self._compound_parts)
        add, weaken = terms.add, terms.weaken

        # case kept: identifiers (TagOption, enableDnsHostnames) split; flag names (-n) dropped
        add(FLAG_NAME.sub(" ", ACRONYM_PLURAL.sub(lambda m: m[0].lower(), query)), W_ORIGINAL)
        spelled: list[str] = []  # what short forms spell out, in which a field may be named
        for word in set(re.findall(r"(?<![a-z0-9])[a-z]{3,5}(?![a-z0-9])", lower)):
            if (word in self._initialisms and word not in self.vocab.terms
                    and word not in self._alias_index):  # "sns" names a service
                add(self._initialisms[word], W_PHRASE)  # "PITR": what the specs spell out
                spelled.append(self._initialisms[word])
        quoted = {t for q in QUOTED.findall(query) for t in tokenize(q)}
        weaken(quoted - set(tokenize(QUOTED.sub(" ", query))))  # 'Task timed out': what to find
        for tok, weight in self.vocab.weak_words.items():
            weaken((tok,), weight)
        weaken({t for state in states for t in tokenize(state.replace("_", " "))})
        time_window = bool(TIME_WINDOW.search(query))
        if time_window and PRESENT.search(query) and all(
                POINT_IN_TIME.fullmatch(m.group(0)) for m in TIME_WINDOW.finditer(query)):
            time_window = False  # "昨天被 detach 了, 现在是什么状态": when it happened, the state now
        names = [*object_names(query, self.vocab.terms, self._word_pairs, self._resources),
                 *(t.lower() for t in CODE_ID.findall(query)),
                 *LOWER_ID.findall(query),
                 # "the 'live' alias": one quoted word beside a noun names that object
                 *(q.lower() for q in QUOTED_WORD.findall(query))]
        id_kinds: set[str] = set()  # the kinds ids name by their prefix, and what it says
        id_said: list[str] = []
        if names:
            outside = set(tokenize(_ANY_CASE_DOTTED.sub(" ", CODE_ID.sub(
                " ", LOWER_ID.sub(" ", JOINED_WORDS.sub(" ", query))))))
            # the kind an id opens with ("vpc-0f1e2d", "subnet-1a2b") is a noun of the request
            prefixes = {m[1] for name in names if (m := ID_KIND.fullmatch(name))}
            kinds = {t for prefix in prefixes for t in tokenize(prefix)}
            for prefix in prefixes:
                if said := self.vocab.id_prefixes.get(prefix):  # i-0abc: an ec2 instance
                    if not time_window:  # over a span: its metrics, elsewhere
                        add(said, W_EXPANDED)
                    id_kinds.add(stem(said.split()[-1]))
                    id_said.append(said)
            # as written too: "L-1216C47A" splits where its case changes
            written_names = [query[i:i + len(n)] if (i := lower.find(n)) >= 0 else n for n in names]
            name_tokens = {t for name in [*names, *written_names] for t in tokenize(name)}
            # "RDS instance orders-db": a name, no Orderable options; what the vocabulary
            # adds is kept, and a service's own name in it ("prod-eks")
            weaken(name_tokens - outside - self._brands - kinds)
        for pattern, said in self.vocab.value_kinds:  # "m7g.4xlarge": an instance type,
            if values := pattern.findall(lower):  # whose own words name nothing
                weaken({t for v in values for t in tokenize(v)} - set(tokenize(said)))
                add(said, W_PHRASE)
                id_kinds.add(stem(said.split()[-1]))
                id_said.append(said)
        arns = list(ARN.finditer(query))  # an ARN's pieces name one object, but its service
        around = set(tokenize(ARN.sub(" ", query))) if arns else set()  # and resource type
        for arn in arns:
            weaken(set(tokenize(arn[0])) - {*tokenize(arn[1]), *tokenize(arn[2] or "")} - around)
        if actions := QUALIFIED_ACTION.findall(query):  # "can x do s3:PutObject": a permission
            weaken({t for a in actions for t in tokenize(a.split(":")[1])}
                   - set(tokenize(QUALIFIED_ACTION.sub(" ", query))))
        # where to look: every scope pattern's matches, the first pattern's first adding its
        # term ("-A": every namespace, "-n shop": one); scoped: the container's words
        scopes = [(m.group(0), scope) for pattern, scope in self.vocab.scopes
                  for m in pattern.finditer(query)]
        scoped, scope_term = scopes[0] if scopes else ("", "")
        if scope_term:
            add(scope_term, W_PHRASE)
        translated: list[str] = []
        phrases = [p for p in self._terms.find(lower) if p in self.vocab.terms]
        noun_tokens: set[str] = set()  # what a noun phrase says (扩缩容活动: scaling activities)
        for phrase in phrases:
            expansion = self.vocab.terms[phrase]
            cjk = has_cjk(phrase)
            precise = " " in phrase or phrase in self.vocab.precise
            add(expansion, W_TRANSLATED if cjk else W_PHRASE if precise else W_EXPANDED)
            if phrase not in self._intents.intent_set:
                noun_tokens.update(tokenize(expansion))
            if cjk:
                translated.append(expansion)
            elif precise and " " not in phrase:  # "pitr": its words may spell a field
                spelled.append(expansion)
        scope_words = self._scope_words(plain, phrases)
        if scoped:  # "ml 命名空间": the namespace's words and its name
            scope_words |= {t for p in self._terms.find(scoped.lower())
                            if has_cjk(p) and p in self.vocab.terms  # not intent words (所有)
                            for t in tokenize(self.vocab.terms[p])}
            scope_words |= set(tokenize(scoped)) - set(tokenize(scope_term))
        weaken(scope_words, W_SCOPE)
        weaken(self._unwanted(lower))  # "do not show me the value"
        read = self._intents.read(query, plain, names, phrases, noun_tokens, terms)
        intents, verbs, who = read.names, read.verbs, read.who
        # "who changed parameter x, its previous versions": the object's own history answers
        # who, as the trail does, and is no metric's series
        own_history = bool(names) and bool(OWN_HISTORY.search(lower))
        if own_history:
            add("history", W_EXPANDED)  # "previous versions": what a history holds
            if "audit" in intents:
                intents = (intents - {"audit"}) | {"read"}
        audit_words = self._intents.audit_words
        services: dict[tuple[str, str], float] = {}
        aliases = self._aliases.find(lower)
        # the services the first alias names, or the one named as where to look ("(AWS
        # Config)", "via CloudTrail"), whatever is named before it
        first: set[tuple[str, str]] = {k for a in aliases if any(LOOK_IN.search(lower, 0, m.start()) for m in
                                           re.finditer(rf"{re.escape(a)}\b", lower))
                 for k, w in self._alias_index.get(a, []) if w >= W_STRONG}
        for alias in aliases:
            keys = self._alias_index.get(alias, [])
            if read.who_holds and alias in audit_words:
                continue
            if own_history and alias in audit_words:  # the trail: a second place to look
                for key, weight in keys:
                    services[key] = max(services.get(key, 0.0), weight * W_LATER)
                continue
            if not first and any(w >= W_STRONG for _, w in keys):
                first = {k for k, w in keys if w >= W_STRONG}
            for key, weight in keys:
                if ("audit" in intents and alias not in audit_words) or (
                        "permission" in intents and alias not in self._intents.permission_words):
                    weight = min(weight, W_WEAK)  # "who changed the security group": the trail
                    # "can i delete pods": the check, not the pods' service
                elif first and key not in first:
                    weight *= W_LATER  # "SNS topic x: its KMS encryption": about the topic
                services[key] = max(services.get(key, 0.0), weight)
        # an exact synonym says its kind ("leader": leader election lease): that kind's
        # service, as a hint (the request may name another: "which pod is the leader")
        said = " , ".join(self.vocab.terms[p] for p in phrases
                          if p in self.vocab.precise and p not in self._intents.intent_set)
        for alias in set(self._aliases.find(said)) - set(aliases):
            for key, weight in self._alias_index.get(alias, []):
                services[key] = max(services.get(key, 0.0), min(weight, W_WEAK))
        for alias in self._aliases.find(" , ".join(id_said)):  # i-0abc: EC2's, but as a hint
            for key, weight in self._alias_index.get(alias, []):  # (its CPU is CloudWatch's)
                services[key] = max(services.get(key, 0.0), min(weight, W_WEAK))
        providers: dict[str, float] = {}
        named: set[str] = set()
        for (provider, _), weight in services.items():
            providers[provider] = max(providers.get(provider, 0.0), weight)
        for alias in self._providers.find(lower):
            providers[self._provider_words[alias]] = 1.0
        # a provider word inside a name ("kube-system", "metrics.k8s.io") does not name it; a
        # service the request names strongly ("EKS" in "the k8s version of EKS cluster x") does
        for alias in self._providers.find(JOINED_NAME.sub(" ", lower)):
            named.add(self._provider_words[alias])
        if named:
            named |= {p for (p, _), w in services.items() if w >= W_STRONG}
        written = [w.lower() for w in FIELD_IDENTIFIER.findall(query)]  # stoppedReason
        mixed = [w.lower() for w in MIXED_IDENTIFIER.findall(query)]  # HTTPCode_Target_5XX_Count
        if time_window and "search" not in intents and not own_history and (  # "search x for 'timed out' to
                COUNT_OVER_TIME.search(lower)  # count them": the text asked, no metric
                or self._unknown_identifier([*written, *mixed])):
            add("metric statistics", W_EXPANDED)  # a count, or a quantity no spec names
            # ("BurstCreditBalance over the last 24 hours"), over a span: a metric series,
            weaken(_SERIES_WORDS)  # whose "history" is no other history (DescribeAlarmHistory)
        elif time_window:  # what changed over a span is a history ("alarms that flipped
            add("history", W_WEAK_WORD)  # state in the last 24 hours": DescribeAlarmHistory)
        llm_text = model_words or (self._llm_rewrite(query) if self.llm else None)
        if llm_text:
            add(llm_text, W_ORIGINAL if model_words else W_EXPANDED)
        # where to look ("... ns web") is no part of what is asked about
        cjk = (cjk_nouns(plain, self._terms, self.vocab.terms, self._intents.intent_set,
                         self.vocab.weak_words, self.vocab.head_compounds) if translated else [])
        phrase = head_noun(plain.replace(scoped.lower(), " ") if scoped else plain, cjk,
                           self._intents.intent_words, self.vocab.weak_words,
                           self.vocab.head_compounds, self._word_pairs, self._resources)
        phrase = [stem(self._short_names[w]) if w in self._short_names else w for w in phrase]
        head = phrase[-1] if phrase else None
        if "audit" in intents:  # "who deleted the bucket": about the events, not the bucket
            head, phrase = stem("events"), []
        located: set[str] = set()
        kinds = named_kinds(lower, names, self.vocab.terms, plural_head=any(
            stem(w) == head and plural for w, plural in fused_words(
                re.findall(r"[a-z]+", lower), self.vocab.head_compounds)),
            resources=self._resources, located=located) | id_kinds
        # "node group ng-1": the kind is the compound its words form (Nodegroup)
        kinds |= {token for parts, token, _ in self.vocab.compounds if set(parts) <= kinds}
        where = {stem(w) for text, _ in scopes
                 for t in tokenize(text) for w in (t, self._short_names.get(t, t))}
        if head not in where:  # "in ns team-a", "in that namespace": where to look, not an
            located |= kinds & where  # object asked about
            kinds -= where
        if "permission" in intents and not who:  # "can sa x create deployments": who and what
            head, phrase, kinds = None, [], frozenset()  # on are the question's terms, the check
            # is asked ("who is allowed to invoke x" asks for x's policy)
        if "search" in intents:  # "search log group x for 'timed out'": where to search
            weaken([w for w in terms  # and a compound of those words (loggroup)
                    if kinds.issuperset(self._compound_parts.get(w) or (w,))], W_SCOPE)
        english = " ".join(w for w in lower.split() if not has_cjk(w))
        unquoted = QUOTED.sub(" ", query).lower()  # the request's own words: no quoted text
        text = " ".join(part for part in [english, *translated, llm_text or ""] if part).strip()
        dense = query if not translated else f"{query} ({' '.join(translated)})"
        return RewrittenQuery(
            original=query, text=text or query, dense_text=dense, terms=terms, intents=intents,
            verbs=verbs, services=services, providers=providers, truncated=truncated,
            named_providers=frozenset(named),
            words=[spell_short_name(w, self._short_names)
                   for w in re.findall(r"[a-z0-9]+", unquoted)], head=head,
            head_synonyms=head_synonyms(head, phrases, self.vocab.terms)
            | ({stem("events")} if "search" in intents else set()),  # a search finds entries
            head_phrase=phrase,
            llm_rewrite=llm_text, time_window=time_window,
            fields=frozenset(w for w in written if w in self._field_names)
            | (self._fields.spelt(" , ".join([english, *translated, *spelled]), kinds)
               | (set() if time_window else self._fields.counted(lower, self.vocab.terms))  # (a series)
               if not intents & WRITE_INTENTS else set()),
            named_kinds=kinds, located_kinds=frozenset(located - kinds),
        )

    def _unknown_identifier(self, written: list[str]) -> bool:
        """Is one of the identifiers the request writes (lower-case: bytesouttodestination)
        what no operation, parameter or reply field of the index is called? Then it names a
        metric."""
        return bool(self._identifiers) and any(
            w not in self._identifiers and w not in self._alias_index  # nor a service (ElastiCache)
            for w in written)

    def _unwanted(self, lower: str) -> set[str]:
        """The words of what a request says not to fetch (``NEGATED``), less those it also
        uses elsewhere ("the secret's rotation, do not show the secret value": secret stays)."""
        said = [m.group(1) or m.group(2) for m in NEGATED.finditer(lower)]
        if not said:
            return set()
        def words(text: str) -> set[str]:
            return set(tokenize(text)) | {t for p in self._terms.find(text) if has_cjk(p)
                                          for t in tokenize(self.vocab.terms[p])}
        return set().union(*(words(s) for s in said)) - words(NEGATED.sub(" ", lower))

    def _scope_words(self, plain: str, phrases: list[str]) -> set[str]:
        """The words of the containers a request is scoped to (``SCOPE_EN``/``SCOPE_CJK``),
        less the name of a service ("in SQS queue orders" keeps "sqs")."""
        nouns = [m.group(1) or m.group(3) for m in SCOPE_EN.finditer(plain)]
        for m in SCOPE_CJK.finditer(plain):
            if m.group(2):  # an English noun
                nouns.append(m.group(2))
                continue
            nouns += [self.vocab.terms[p] for p in phrases if has_cjk(p) and m.group(1).endswith(p)]
        if not nouns:  # most requests: no alias search needed
            return set()
        named = {t for alias in self._aliases.find(plain) if alias in self._service_names
                 for t in tokenize(alias)}
        return {t for noun in nouns for t in tokenize(noun)} - named

    def _llm_rewrite(self, query: str) -> str | None:
        try:
            answer = self.llm(rewrite_prompt(query)) if self.llm else None
        except Exception:  # the seam is optional: a failing LLM must not break search
            return None
        return api_words(answer or "")
