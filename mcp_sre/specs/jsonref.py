"""JSON ``$ref`` resolution over one loaded spec document, shared by every format plugin.

Specs such as the Kubernetes swagger hold thousands of schemas but an operation needs only a
few, so nothing is resolved up front: :class:`RefResolver` expands the ``$ref``s under a node
only when asked (when an operation's parameter, body or response schema is built) and memoises
what it expanded. Expansion is bounded so that the output stays small and always finite:

- a ``$ref`` back to a schema that is already being expanded (A -> B -> A) is *cut*: it becomes
  ``{"$ref": ..., "x-cycle": true, "title": ..., "type": ...}`` at the point of recursion;
- past ``max_depth`` nested ``$ref`` expansions a ``$ref`` is left in place with
  ``"x-truncated": true`` plus the target's title and type, so a reader still knows what it is;
  when the result would exceed ``max_chars`` (about its JSON size) the depth is lowered until it
  fits, so a huge schema (a Kubernetes Pod) comes back shallower, never cut off half-way.

Expanded sub-trees are shared between results (that is what the memo is for): treat them as
read-only.

Local refs (``#/definitions/X``, ``#/components/schemas/X``, ``#/parameters/X``; RFC 6901
pointers with ``~0``/``~1`` escapes and percent-encoding) are always followed. External refs
(``other.yaml#/X``, ``https://...``) are followed only when a ``loader`` is given (it maps an
absolute URI, resolved against ``base_uri``, to a loaded document); otherwise, by default they
raise :class:`SpecParseError` saying so, or with ``external="stub"`` they are left in place
marked ``"x-external": true``. A ``$ref`` to nothing raises :class:`SpecParseError` naming it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import unquote, urljoin

import yaml

from mcp_sre.errors import SpecParseError

__all__ = [
    "CYCLE_KEY",
    "EXTERNAL_KEY",
    "TRUNCATED_KEY",
    "Loader",
    "RefResolver",
    "load_document",
    "parse_pointer",
    "ref_name",
]

CYCLE_KEY = "x-cycle"
TRUNCATED_KEY = "x-truncated"
EXTERNAL_KEY = "x-external"

Loader = Callable[[str], Any]
"""Maps an absolute document URI (no fragment) to its loaded content."""

_Key = tuple[str, str]  # (document URI, JSON pointer), the identity of a ref target


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

_YamlBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SpecYamlLoader(_YamlBase):  # type: ignore[misc, valid-type]
    """Safe loader (C-accelerated when available) that keeps timestamps as strings, so parsed
    documents stay JSON-safe (``version: 2023-08-16`` must not become a ``date``)."""


_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s\[\]{},]+")
_MAX_EXPANDED_NODES = 5_000_000

_SpecYamlLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def load_document(content: bytes | str, source: str) -> Any:
    """Load JSON (content starting with ``{`` or ``[``) or YAML. Malformed content raises
    :class:`SpecParseError` naming ``source`` with the line and column of the problem."""
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SpecParseError(source, f"content is not UTF-8 text (byte {exc.start})") from exc
    else:
        text = content
    head = text.lstrip()[:1]
    if head in ("{", "["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecParseError(
                source, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from exc
        except RecursionError as exc:
            raise SpecParseError(source, "malformed JSON: nesting too deep") from exc
    try:
        doc = yaml.load(text, Loader=_SpecYamlLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        raise SpecParseError(source, f"malformed YAML{where}: {problem}") from exc
    except yaml.YAMLError as exc:
        raise SpecParseError(source, f"malformed YAML: {exc}") from exc
    except RecursionError as exc:
        raise SpecParseError(source, "malformed YAML: nesting too deep") from exc
    if _ANCHOR.search(text):
        _check_aliases(doc, source)
    return doc


def _check_aliases(doc: Any, source: str) -> None:
    """YAML aliases share objects, so a few KB can stand for billions of nodes (or refer to
    themselves) and hang whoever walks the document. Count the expanded size once, sharing
    counts by object identity, and refuse documents that explode or loop."""
    sizes: dict[int, int] = {}

    def size(node: Any) -> int:
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            return 1
        known = sizes.get(id(node))
        if known == -1:
            raise SpecParseError(source, "malformed YAML: an alias refers to itself")
        if known is not None:
            return known
        sizes[id(node)] = -1
        total = 1 + sum(size(child) for child in children)
        if total > _MAX_EXPANDED_NODES:
            raise SpecParseError(
                source, f"YAML aliases expand to more than {_MAX_EXPANDED_NODES:,} nodes"
            )
        sizes[id(node)] = total
        return total

    try:
        size(doc)
    except RecursionError as exc:
        raise SpecParseError(source, "malformed YAML: nesting too deep") from exc


# --------------------------------------------------------------------------------------------
# Pointers
# --------------------------------------------------------------------------------------------


def parse_pointer(fragment: str) -> list[str]:
    """Split a URI fragment holding a JSON pointer (``/a/b~1c``) into unescaped tokens."""
    fragment = unquote(fragment)
    if not fragment:
        return []
    if not fragment.startswith("/"):
        raise ValueError(f"not a JSON pointer: {fragment!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in fragment[1:].split("/")]


def ref_name(ref: str) -> str:
    """The last pointer token of a ref: ``#/definitions/io.k8s.api.core.v1.Pod`` ->
    ``io.k8s.api.core.v1.Pod``; the document name for a whole-document ref."""
    uri, _, fragment = ref.partition("#")
    try:
        tokens = parse_pointer(fragment)
    except ValueError:
        return fragment
    if tokens:
        return tokens[-1]
    return uri.rstrip("/").rsplit("/", 1)[-1]


# --------------------------------------------------------------------------------------------
# Resolver
# --------------------------------------------------------------------------------------------


class RefResolver:
    """Lazy, memoised, cycle-cutting, depth-bounded ``$ref`` expansion over ``document``.

    ``source`` names the spec in errors. ``base_uri`` is the document's own URI, against which
    external refs are resolved before ``loader`` is called. ``max_depth`` (refs deep) and
    ``max_chars`` (approximate JSON size) bound what :meth:`resolve` returns by default.
    ``rewrite`` maps a ref as written to a standard one, for formats with their own ref syntax
    (Google discovery writes bare schema names: ``rewrite=lambda r: f"#/schemas/{r}"``); stubs
    keep the ref as written.
    """

    def __init__(
        self,
        document: Any,
        *,
        source: str,
        base_uri: str = "",
        loader: Loader | None = None,
        external: Literal["error", "stub"] = "error",
        max_depth: int = 4,
        max_chars: int = 48_000,
        rewrite: Callable[[str], str] | None = None,
    ) -> None:
        self.source = source
        self.base_uri = base_uri
        self.loader = loader
        self.external = external
        self.max_depth = max_depth
        self.max_chars = max_chars
        self.rewrite = rewrite
        self._docs: dict[str, Any] = {base_uri: document}
        self._targets: dict[_Key, Any] = {}
        self._memo: dict[tuple[_Key, int], tuple[Any, int]] = {}

    # ---- lookup ------------------------------------------------------------------------

    def key(self, ref: str, base: str | None = None) -> _Key:
        """Absolute identity of ``ref`` written in the document at ``base``."""
        base = self.base_uri if base is None else base
        if self.rewrite is not None:
            ref = self.rewrite(ref)
        uri, _, fragment = ref.partition("#")
        return (urljoin(base, uri) if uri else base, fragment)

    def is_external(self, ref: str, base: str | None = None) -> bool:
        return self.key(ref, base)[0] not in self._docs and self.loader is None

    def lookup(self, ref: str, base: str | None = None) -> Any:
        """The raw (unexpanded) target of ``ref``. Raises :class:`SpecParseError` for a
        dangling or malformed ref, or an external one that cannot be followed."""
        return self._target(self.key(ref, base), ref)

    def _document(self, uri: str, ref: str) -> Any:
        if uri in self._docs:
            return self._docs[uri]
        if self.loader is None:
            raise SpecParseError(
                self.source,
                f"external $ref {ref!r} is not followed (only local '#/...' refs are)",
                hint="inline the referenced document, or give the parser a loader",
            )
        try:
            doc = self.loader(uri)
        except SpecParseError:
            raise
        except Exception as exc:
            raise SpecParseError(
                self.source, f"external $ref {ref!r}: cannot load {uri!r}: {exc}"
            ) from exc
        self._docs[uri] = doc
        return doc

    def _target(self, key: _Key, ref: str) -> Any:
        if key in self._targets:
            return self._targets[key]
        node = self._document(key[0], ref)
        try:
            tokens = parse_pointer(key[1])
        except ValueError as exc:
            raise SpecParseError(self.source, f"malformed $ref {ref!r}: {exc}") from exc
        for token in tokens:
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise SpecParseError(
                    self.source,
                    f"dangling $ref {ref!r}: the document has nothing at {token!r}",
                )
        self._targets[key] = node
        return node

    def deref(self, node: Any, base: str | None = None) -> tuple[Any, str]:
        """Follow a chain of ``$ref``-only wrappers (a parameter, response or request body
        written as ``{"$ref": ...}``) without expanding inside. Returns the target and the URI
        of the document it lives in (pass it on as ``base`` to :meth:`resolve`)."""
        base = self.base_uri if base is None else base
        seen: set[_Key] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if self.external == "stub" and self.is_external(ref, base):
                return {**node, EXTERNAL_KEY: True}, base
            key = self.key(ref, base)
            if key in seen:
                raise SpecParseError(self.source, f"$ref loop through {ref!r}")
            seen.add(key)
            node, base = self._target(key, ref), key[0]
        return node, base

    # ---- expansion ---------------------------------------------------------------------

    def resolve(
        self,
        node: Any,
        base: str | None = None,
        *,
        max_depth: int | None = None,
        max_chars: int | None = None,
    ) -> Any:
        """A copy of ``node`` with its ``$ref``s expanded, cycles cut and deeper refs left as
        marked stubs. Sub-trees may be shared with other results.

        Expands ``max_depth`` refs deep, or fewer if the result would exceed ``max_chars``
        (about its JSON size): a huge schema comes back shallow rather than truncated unevenly.
        """
        base = self.base_uri if base is None else base
        depth = self.max_depth if max_depth is None else max_depth
        budget = self.max_chars if max_chars is None else max_chars
        while True:
            out, size = self._expand(node, base, depth, ())
            if size <= budget or depth <= 0:
                return out
            depth -= 1

    def _expand(
        self, node: Any, base: str, depth: int, stack: tuple[_Key, ...]
    ) -> tuple[Any, int]:
        """Expanded ``node`` and its approximate JSON size."""
        if isinstance(node, str):
            return node, len(node) + 2
        if isinstance(node, list):
            items = [self._expand(v, base, depth, stack) for v in node]
            return [v for v, _ in items], 2 + sum(n + 1 for _, n in items)
        if not isinstance(node, dict):
            return node, 5
        ref = node.get("$ref")
        if not isinstance(ref, str):
            return self._expand_dict(node, base, depth, stack)
        if self.external == "stub" and self.is_external(ref, base):
            out: Any = {**node, EXTERNAL_KEY: True}
            return out, len(ref) + 40
        key = self.key(ref, base)
        if key in stack:
            out = self._stub(key, ref, CYCLE_KEY)
            size = len(ref) + 60
        elif depth <= 0:
            out = self._stub(key, ref, TRUNCATED_KEY)
            size = len(ref) + 60
        else:
            memo_key = (key, depth)
            hit = self._memo.get(memo_key)
            if hit is None:
                target = self._target(key, ref)
                hit = self._memo[memo_key] = self._expand(target, key[0], depth - 1, (*stack, key))
            out, size = hit
        if len(node) > 1 and isinstance(out, dict):
            # Siblings of $ref (OpenAPI 3.1, or a description next to it) refine the target.
            extra, extra_size = self._expand_dict(
                {k: v for k, v in node.items() if k != "$ref"}, base, depth, stack
            )
            out = {**out, **extra}
            size += extra_size
        return out, size

    def _expand_dict(
        self, node: dict[str, Any], base: str, depth: int, stack: tuple[_Key, ...]
    ) -> tuple[dict[str, Any], int]:
        out: dict[str, Any] = {}
        size = 2
        for k, v in node.items():
            out[k], n = self._expand(v, base, depth, stack)
            size += len(k) + 4 + n
        return out, size

    def _stub(self, key: _Key, ref: str, marker: str) -> dict[str, Any]:
        """What stands for a ref that is not expanded: the ref, the reason, and enough of the
        target (title, type) to read the schema without it."""
        stub: dict[str, Any] = {"$ref": ref, marker: True}
        target = self._target(key, ref)
        if isinstance(target, dict):
            stub["title"] = target.get("title") or ref_name(ref)
            if "type" in target:
                stub["type"] = target["type"]
        return stub
