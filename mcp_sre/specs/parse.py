"""Turn fetched bytes into operations through the format and cloud plugins."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mcp_sre.errors import SpecParseError, UnknownFormatError
from mcp_sre.hookspecs import hookimpl
from mcp_sre.specs.fetch import sha256_of
from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource

if TYPE_CHECKING:
    import pluggy

__all__ = ["detect_format", "format_parser", "parse_content"]


Parser = Callable[[bytes, SpecSource, SourceInfo], list[APISpec]]


def format_parser(name: str, parse: Parser) -> Callable[..., list[APISpec] | None]:
    """The ``parse_spec`` hookimpl of a plugin that reads one format: ``parse`` for ``name``,
    ``None`` (not mine) for any other (``parse_spec = format_parser(FORMAT, parse_x)``)."""

    @hookimpl
    def parse_spec(
        fmt: str, content: bytes, source: SpecSource, info: SourceInfo
    ) -> list[APISpec] | None:
        return parse(content, source, info) if fmt == name else None

    return parse_spec


def detect_format(pm: pluggy.PluginManager, content: bytes, source: SpecSource) -> str:
    if source.format:
        return source.format
    fmt = pm.hook.detect_spec_format(content=content, source=source)
    if not fmt:
        head = content[:80].decode("utf-8", "replace").strip().replace("\n", " ")
        raise UnknownFormatError(
            source.name, f"no format plugin recognises this content (starts with {head!r})",
            hint="pass --format, e.g. openapi, swagger, botocore, discovery, proto, graphql",
        )
    return fmt


def parse_content(
    pm: pluggy.PluginManager,
    content: bytes,
    source: SpecSource,
    info: SourceInfo | None = None,
) -> list[APISpec]:
    """Detect, parse and classify. Raises a typed error naming the source and the problem."""
    fmt = detect_format(pm, content, source)
    if info is None:
        info = SourceInfo(name=source.name, url=source.url, format=fmt, sha256=sha256_of(content))
    elif info.format != fmt:
        info = info.model_copy(update={"format": fmt})
    try:
        specs = pm.hook.parse_spec(fmt=fmt, content=content, source=source, info=info)
    except SpecParseError:
        raise
    except RecursionError as exc:
        raise SpecParseError(source.name, "schema nesting too deep (cyclic $ref?)") from exc
    except Exception as exc:  # a plugin bug or broken content must not crash the caller
        raise SpecParseError(source.name, f"{fmt} parser failed: {type(exc).__name__}: {exc}") from exc
    if specs is None:
        raise UnknownFormatError(source.name, f"no plugin parses format {fmt!r}",
                                 hint="install the plugin for this format")
    if not specs:
        raise SpecParseError(source.name, f"the {fmt} document defines no operations")
    for i, spec in enumerate(specs):
        access = pm.hook.classify_operation(spec=spec)
        if access in ("read", "write") and access != spec.access:
            specs[i] = spec.model_copy(update={"access": access})
    return specs
