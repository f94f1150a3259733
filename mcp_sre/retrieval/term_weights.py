"""The words a request gives keyword search, each with a weight: how much of the request's
meaning it carries (its own words, translations, expansions, the words of a name or a scope)."""

from __future__ import annotations

from collections.abc import Iterable

from mcp_sre.retrieval.documents import tokens_with_compounds
from mcp_sre.retrieval.vocabulary import W_WEAK_WORD

__all__ = ["W_EXPANDED", "W_ORIGINAL", "W_PHRASE", "W_SCOPE", "W_TRANSLATED", "TermWeights"]

W_ORIGINAL = 1.0
W_TRANSLATED = 1.0  # Chinese mapped to English: the only lexical signal such a query has
W_EXPANDED = 0.45  # English expansions of one word (synonyms)
W_PHRASE = 0.8  # English expansions of a multi-word phrase: specific, so trusted more
W_SCOPE = 0.45  # the container a request is scoped to ("in namespace billing"): see SCOPE_EN


class TermWeights(dict[str, float]):
    """Stem -> weight of the words a request gives keyword search; a word said twice keeps
    its highest weight, and a word can be capped (a name's words, a scope's)."""

    def __init__(self, compounds: list, compound_parts: dict[str, tuple[str, ...]]) -> None:
        super().__init__()
        self._compounds = compounds
        self._parts = compound_parts

    def add(self, words: str, weight: float) -> None:
        for tok in tokens_with_compounds(words, self._compounds):
            # one word for a compound ("rolebindings") also names its parts, as
            # "role bindings" does: an operation name spells them apart (RoleBinding)
            for part in (tok, *self._parts.get(tok, ())):
                self[part] = max(self.get(part, 0.0), weight)

    def weaken(self, words: Iterable[str], weight: float = W_WEAK_WORD) -> None:
        """At most ``weight`` for those of ``words`` the request has."""
        for tok in words:
            if tok in self:
                self[tok] = min(self[tok], weight)
