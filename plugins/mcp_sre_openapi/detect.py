"""Cheap recognition of OpenAPI 3 and Swagger 2 documents from their bytes.

The version key is top-level but may sit anywhere: generators that sort keys put
``"swagger": "2.0"`` at the very end of a 4 MB Kubernetes spec and ``openapi:`` in the middle of
Stripe's. So the key is found with a plain substring search (memchr-fast, milliseconds on a few
MB) and only its occurrences are checked: a YAML key must start a line (top level), a JSON key
must follow ``{`` or ``,`` and carry the right version string.
"""

from __future__ import annotations

import re

__all__ = ["looks_like"]

_VERSION = {
    "openapi": re.compile(rb"""\s*:\s*["']?3\."""),
    "swagger": re.compile(rb"""\s*:\s*["']?2\.0(?:["']|\s|,|}|$)"""),
}
_MAX_HITS = 1000  # a document quoting the key that often is not worth scanning further


def looks_like(content: bytes, fmt: str) -> bool:
    """Whether ``content`` declares format ``fmt`` (``openapi`` 3.x or ``swagger`` 2.0)."""
    version = _VERSION[fmt]
    word = fmt.encode()
    is_json = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"
    if is_json:
        needle = b'"' + word + b'"'
    else:
        if content.startswith(word) and version.match(content, len(word)):
            return True
        needle = b"\n" + word
    pos = content.find(needle)
    for _ in range(_MAX_HITS):
        if pos < 0:
            return False
        end = pos + len(needle)
        if version.match(content, end) and (not is_json or _after_open_or_comma(content, pos)):
            return True
        pos = content.find(needle, end)
    return False


def _after_open_or_comma(content: bytes, pos: int) -> bool:
    before = content[max(0, pos - 256) : pos].rstrip()
    return before.endswith((b"{", b","))
