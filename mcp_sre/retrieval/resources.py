"""The resource an operation acts on, read from its name words (DescribeInstances ->
instance, plural; readAppsV1NamespacedDaemonSetStatus -> status of a daemonset): built into
the index per operation, and compared with the request's nouns by the reranker."""

from __future__ import annotations

from collections.abc import Sequence

from mcp_sre.retrieval.documents import fuse_compounds, stem

__all__ = ["Compounds", "fused_words", "is_plural", "resource_of"]

Compounds = Sequence[tuple[tuple[str, ...], str, bool]]

# Last name words that name an aspect of a resource rather than the resource itself.
_FACETS = frozenset({"status", "state", "attributes", "attribute", "configuration", "config",
                     "details", "detail", "summary", "summaries", "history", "metadata", "log",
                     "logs", "scale", "resize", "binding", "eviction", "proxy", "template",
                     "health", "set", "sets"})
_PREPOSITIONS = frozenset({"by", "for", "from", "in", "with", "to", "of", "on"})


# singular words ending in s that no ending tells from a plural (aliases, replicas do)
_SINGULAR_S = frozenset({"alias", "atlas", "bias", "canvas", "lens", "news", "series"})


def is_plural(word: str) -> bool:
    """An English plural (targets, statuses), not a word that only ends in s (status, alias)."""
    return (len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))
            and word not in _SINGULAR_S and stem(word) != word)


def resource_of(name_words: list[str], compounds: Compounds = ()) -> tuple[str, bool, str, bool]:
    """(stem, plural?) of an operation's resource word and of the word before it when the
    resource word is a facet (ComponentStatus -> status, component). A list operation counts
    as plural (Kubernetes names them listCoreV1NamespacedPod). ``compounds`` (the
    vocabulary's head compounds) are one word (DaemonSetStatus -> status, daemonset), as in
    the rewritten request."""
    words = _resource_words(name_words)
    if not words:
        return "", False, "", False
    listing = bool(name_words) and name_words[0] == "list"
    (last, last_plural), *before = reversed(fused_words(words, compounds))
    prev, prev_plural = before[0] if before and last in _FACETS else ("", False)
    return stem(last), listing or last_plural, stem(prev), bool(prev) and (listing or prev_plural)


def fused_words(words: list[str], compounds: Compounds) -> list[tuple[str, bool]]:
    """(word, plural?) for ``words`` with ``compounds`` (the vocabulary's head compounds)
    joined into one word, as plural as its last part (config, maps -> configmaps): the
    rewriter fuses the request's alike."""
    stems = [stem(w) for w in words]
    fused = fuse_compounds(stems, compounds)
    if fused == stems:
        return [(w, is_plural(w)) for w in words]
    out: list[tuple[str, bool]] = []
    i = 0
    for token in fused:
        j = i
        while j < len(words) and stem("".join(words[i:j + 1])) != token and stems[j] != token:
            j += 1
        j = min(j, len(words) - 1)
        out.append(("".join(words[i:j + 1]), is_plural(words[j])))
        i = j + 1
    return out


def _resource_words(name_words: list[str]) -> list[str]:
    """The resource part of an operation name: its words after the verb, up to By/For."""
    words = name_words[1:]
    for j, w in enumerate(words):
        if w in _PREPOSITIONS and j:
            return words[:j]
    return words
