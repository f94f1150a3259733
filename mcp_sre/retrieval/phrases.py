"""Finding known phrases (vocabulary terms, intent words, service aliases) in a request:
Chinese by longest substring, English on word boundaries, each character claimed once."""

from __future__ import annotations

import re

from mcp_sre.retrieval.documents import STOPWORDS, has_cjk

__all__ = ["PhraseMatcher"]


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """One regex for many English phrases, longest first, on word boundaries."""
    english = sorted({p for p in phrases if p and not has_cjk(p)}, key=len, reverse=True)
    if not english:
        return None
    body = "|".join(re.escape(p) for p in english)
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")


# a space between a Chinese character and a Latin one is optional in writing ("公网 IP",
# "公网IP"): both sides of a Chinese match are compared without it
_CJK_LATIN_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[a-z0-9])|(?<=[a-z0-9])\s+(?=[\u3400-\u9fff])")


def _cjk_compact(text: str) -> str:
    """``text`` without the spaces between Chinese and Latin characters."""
    return _CJK_LATIN_SPACE.sub("", text)


class PhraseMatcher:
    """Finds known phrases in a request: CJK by longest substring (spaces between Chinese
    and Latin characters ignored), English on word boundaries. Each character of the request
    is claimed by at most one phrase."""

    def __init__(self, phrases: list[str]) -> None:
        cjk: dict[str, str] = {}
        for p in sorted({p for p in phrases if has_cjk(p)}):
            cjk.setdefault(_cjk_compact(p), p)
        self.cjk = sorted(cjk.items(), key=lambda kv: len(kv[0]), reverse=True)
        self.english = _phrase_pattern(phrases)

    def find(self, lower: str) -> list[str]:
        """Phrases in ``lower`` in the order they appear; English ones also in its
        stopword-free form, so "remove a tag from" meets "remove tag"."""
        found: list[tuple[int, str]] = []
        compact = _cjk_compact(lower) if self.cjk else lower
        taken = [False] * len(compact)
        for key, phrase in self.cjk:
            start = compact.find(key)
            while start >= 0:
                end = start + len(key)
                if not any(taken[start:end]):
                    found.append((start, phrase))
                    taken[start:end] = [True] * (end - start)
                start = compact.find(key, end)
        if self.english is not None:
            found.extend((m.start(), m.group(0)) for m in self.english.finditer(lower))
            seen = {p for _, p in found}
            bare = " ".join(w for w in re.findall(r"[a-z0-9][a-z0-9.-]*", lower) if w not in STOPWORDS)
            found.extend((len(lower) + m.start(), m.group(0)) for m in self.english.finditer(bare)
                         if m.group(0) not in seen)
        return [p for _, p in sorted(found)]
