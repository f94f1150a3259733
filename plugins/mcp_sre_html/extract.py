"""Find API operations in a parsed HTML page.

**The seam for an LLM-assisted extractor.** Everything page-specific goes through the small
:class:`Extractor` protocol: ``extract(page, source) -> list[ExtractedOperation]``. The built-in
:class:`HeuristicExtractor` recognises the common shapes of hand-written reference pages (a
heading such as ``GET /v1/things``, or a heading followed by a code block or line holding that
signature; parameter tables with name/type/required/description columns; ``<pre>`` examples).
Pages it cannot read (prose-only parameter lists, signatures buried in sentences) are what an
LLM-assisted extractor is for: implement the protocol (for instance by sending the page's blocks
to a model and validating its answer into :class:`ExtractedOperation`) and pass it to
:func:`mcp_sre_html.plugin.parse_html`, or register a plugin whose ``parse_spec`` hookimpl
(``tryfirst=True``, format ``html``) does so. The conversion to ``APISpec`` stays shared.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from pydantic import BaseModel, Field

from mcp_sre.specs.model import SpecSource
from mcp_sre_html.page import Block, HtmlPage

__all__ = [
    "ExtractedOperation",
    "ExtractedParameter",
    "Extractor",
    "HeuristicExtractor",
    "json_type",
    "match_signature",
]

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_SIGNATURE = re.compile(
    r"^\s*(?:\$\s*)?(?P<method>GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+"
    r"(?P<url>(?:https?://[^\s/]+)?/[^\s?#]*)(?:\?\S*)?\s*(?:HTTP/\d(?:\.\d)?)?\s*$"
)
_NAME_COLUMNS = {
    "name",
    "parameter",
    "parameters",
    "param",
    "field",
    "fields",
    "attribute",
    "property",
    "argument",
    "key",
}
_TYPE_COLUMNS = {"type", "data type", "datatype", "schema", "format", "value"}
_REQUIRED_COLUMNS = {"required", "required?", "req", "req.", "mandatory"}
_OPTIONAL_COLUMNS = {"optional", "optional?"}
_DESC_COLUMNS = {"description", "details", "desc", "notes", "meaning", "summary"}
_IN_COLUMNS = {"in", "location", "where", "param type", "parameter type", "kind"}
_TRUE = {"yes", "y", "true", "required", "✓", "✔", "x", "*", "mandatory"}
_CONTEXTS = (  # sub-heading words -> where the parameters of a table go
    ("response", "response"),
    ("returns", "response"),
    ("return", "response"),
    ("path", "path"),
    ("query", "query"),
    ("header", "header"),
    ("cookie", "cookie"),
    ("form", "formData"),
    ("body", "body"),
    ("request", "body"),
    ("payload", "body"),
)
_JSON_TYPES = {
    "string": "string",
    "str": "string",
    "text": "string",
    "int": "integer",
    "integer": "integer",
    "int32": "integer",
    "int64": "integer",
    "long": "integer",
    "number": "number",
    "float": "number",
    "double": "number",
    "decimal": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "array": "array",
    "list": "array",
    "object": "object",
    "map": "object",
    "dict": "object",
    "hash": "object",
}


class ExtractedParameter(BaseModel):
    """One parameter as the page documents it."""

    name: str = Field(description="Parameter name")
    location: str = Field(
        default="",
        description="path, query, header, cookie, body; empty when the page does not say",
    )
    type: str = Field(default="", description="Type text as written on the page")
    required: bool = Field(default=False, description="Whether the page marks it required")
    description: str = Field(default="", description="The page's description")


class ExtractedOperation(BaseModel):
    """One operation found on a page: the extractor's output, the converter's input."""

    title: str = Field(default="", description="Heading text of the operation's section")
    anchor: str = Field(default="", description="Heading id, for a deep link into the page")
    method: str = Field(description="HTTP method, upper case")
    path: str = Field(description="Path template, placeholders as {name}")
    server: str = Field(default="", description="scheme://host when the signature had one")
    description: str = Field(default="", description="Paragraphs of the section")
    parameters: list[ExtractedParameter] = Field(default_factory=list, description="Inputs")
    response_fields: list[ExtractedParameter] = Field(
        default_factory=list, description="Fields of the documented response"
    )
    examples: list[dict[str, Any]] = Field(
        default_factory=list, description="Code blocks: {title, language, code, kind}"
    )


class Extractor(Protocol):
    """Turns a parsed page into operations. Implement this for an LLM-assisted extractor."""

    def extract(self, page: HtmlPage, source: SpecSource) -> list[ExtractedOperation]: ...


def match_signature(text: str) -> tuple[str, str, str] | None:
    """``GET /v1/things/:id`` -> ``("GET", "/v1/things/{id}", "")`` (server when absolute)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    m = _SIGNATURE.match(line)
    if not m:
        return None
    url = m.group("url")
    server = ""
    if url.startswith(("http://", "https://")):
        scheme, rest = url.split("://", 1)
        host, _, path = rest.partition("/")
        server, url = f"{scheme}://{host}", "/" + path
    path = re.sub(r"(?<=/):(\w+)", r"{\1}", url)  # Express/Rails style :id
    path = re.sub(r"<(\w+)>", r"{\1}", path)  # Flask style <id>
    return m.group("method"), path, server


class HeuristicExtractor:
    """Operations from headings and signatures; see the module docstring for what it reads."""

    lookahead = 3  # blocks after a heading searched for a signature

    def extract(self, page: HtmlPage, source: SpecSource) -> list[ExtractedOperation]:
        blocks = page.blocks
        ops: list[ExtractedOperation] = []
        i = 0
        while i < len(blocks):
            start = self._operation_start(blocks, i)
            if start is None:
                i += 1
                continue
            op, body_from = start
            end = self._section_end(blocks, i, body_from)
            self._fill(op, blocks[body_from:end])
            ops.append(op)
            i = end
        return ops

    def _operation_start(
        self, blocks: list[Block], i: int
    ) -> tuple[ExtractedOperation, int] | None:
        block = blocks[i]
        if block.kind != "heading":
            return None
        sig = match_signature(block.text)
        if sig:
            method, path, server = sig
            return ExtractedOperation(
                title=block.text, anchor=block.anchor, method=method, path=path, server=server
            ), i + 1
        for j in range(i + 1, min(i + 1 + self.lookahead, len(blocks))):
            nxt = blocks[j]
            if nxt.kind == "heading":
                break
            if nxt.kind in ("code", "paragraph") and (sig := match_signature(nxt.text)):
                method, path, server = sig
                op = ExtractedOperation(
                    title=block.text, anchor=block.anchor, method=method, path=path, server=server
                )
                rest = "\n".join(nxt.text.strip().splitlines()[1:]).strip()
                if rest and nxt.kind == "code":  # signature line followed by a request example
                    op.examples.append(
                        {"title": "", "language": nxt.language, "code": rest, "kind": "request"}
                    )
                op.description = "\n\n".join(
                    b.text for b in blocks[i + 1 : j] if b.kind == "paragraph"
                )
                return op, j + 1
        return None

    def _section_end(self, blocks: list[Block], i: int, body_from: int) -> int:
        level = blocks[i].level
        for j in range(body_from, len(blocks)):
            b = blocks[j]
            if b.kind == "heading" and (b.level <= level or match_signature(b.text)):
                return j
        return len(blocks)

    def _fill(self, op: ExtractedOperation, body: list[Block]) -> None:
        """Paragraphs before the first sub-heading describe the operation; tables and code
        blocks take their meaning from the sub-heading above them."""
        context = subtitle = ""
        intro = [op.description] if op.description else []
        later: list[str] = []
        for block in body:
            if block.kind == "heading":
                subtitle, context = block.text, _context_of(block.text)
            elif block.kind == "paragraph":
                (later if subtitle else intro).append(block.text)
            elif block.kind == "table":
                params = _table_parameters(block, "" if context == "response" else context)
                if context == "response":
                    op.response_fields.extend(params)
                else:
                    op.parameters.extend(params)
            elif block.kind == "code":
                kind = "response" if context == "response" else "request"
                op.examples.append(
                    {
                        "title": subtitle,
                        "language": block.language,
                        "code": block.text,
                        "kind": kind,
                    }
                )
        op.description = "\n\n".join(p for p in intro or later[:1] if p)


def _context_of(heading: str) -> str:
    words = re.findall(r"[a-z]+", heading.lower())
    for word, context in _CONTEXTS:
        if word in words:
            return context
    return "other"


def _column(header: list[str], names: set[str]) -> int | None:
    for idx, cell in enumerate(header):
        if cell.strip().lower().rstrip(":") in names:
            return idx
    return None


def _table_parameters(table: Block, context: str) -> list[ExtractedParameter]:
    header = table.header or (table.rows[0] if table.rows else [])
    rows = table.rows if table.header else table.rows[1:]
    name_col = _column(header, _NAME_COLUMNS)
    if name_col is None:
        return []  # not a parameter table (status codes, changelog, ...)
    type_col = _column(header, _TYPE_COLUMNS)
    req_col = _column(header, _REQUIRED_COLUMNS)
    opt_col = _column(header, _OPTIONAL_COLUMNS)
    desc_col = _column(header, _DESC_COLUMNS)
    in_col = _column(header, _IN_COLUMNS)

    def cell(row: list[str], col: int | None) -> str:
        return row[col].strip() if col is not None and col < len(row) else ""

    params: list[ExtractedParameter] = []
    for row in rows:
        raw_name = cell(row, name_col)
        name = raw_name.split()[0].strip("`'\"*:") if raw_name else ""
        if not name:
            continue
        typ, desc = cell(row, type_col), cell(row, desc_col)
        if req_col is not None:
            required = cell(row, req_col).lower().strip(".") in _TRUE
        elif opt_col is not None:
            required = cell(row, opt_col).lower().strip(".") not in _TRUE
        else:  # "string, required" / "Required. The id" / "name (required)"
            text = f"{raw_name} {typ} {desc.split('.', 1)[0]}".lower()
            required = bool(re.search(r"\brequired\b", text)) and not re.search(
                r"\b(not required|optional)\b", text
            )
        typ = re.sub(r"[,;(]?\s*\b(required|optional)\b\)?", "", typ, flags=re.I).strip(" ,;")
        params.append(
            ExtractedParameter(
                name=name,
                location=cell(row, in_col).lower() or context,
                type=typ,
                required=required,
                description=desc,
            )
        )
    return params


def json_type(doc_type: str) -> str:
    """Map a documented type (``Integer``, ``array of strings``, ``bool``) to a JSON type."""
    words = re.findall(r"[a-z0-9]+", doc_type.lower())
    if not words:
        return "string"
    if words[0] in ("array", "list") or doc_type.strip().endswith("[]"):
        return "array"
    return _JSON_TYPES.get(words[0], "string")
