"""Flatten an HTML page into the blocks an API reference is made of: headings, paragraphs,
tables and code blocks, in document order. Uses only the stdlib ``html.parser``.

The flat list is the common input of every extractor (the heuristic one here, an LLM-assisted one
later): it keeps what a reader sees and drops scripts, styles and markup.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["Block", "HtmlPage", "parse_page"]

BlockKind = Literal["heading", "paragraph", "table", "code"]
_SKIP = {"script", "style", "noscript", "template", "svg", "button", "iframe", "object"}
_TEXT_BLOCKS = {
    "p",
    "li",
    "dt",
    "dd",
    "blockquote",
    "figcaption",
    "caption",
    "summary",
    "div",
    "section",
    "article",
    "main",
    "aside",
    "header",
    "footer",
    "nav",
    "ul",
    "ol",
    "dl",
    "form",
    "details",
    "body",
    "td",
    "th",
    "tr",
    "table",
    "hr",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BREAKS_HEADING = _HEADINGS | {"p", "div", "table", "pre", "ul", "ol", "li", "dl", "section"}
_LANG = re.compile(r"(?:language|lang|highlight|brush)[-:]?\s*([\w+#-]+)")
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")


class Block(BaseModel):
    """One visible unit of the page."""

    kind: BlockKind = Field(description="heading, paragraph, table or code")
    text: str = Field(default="", description="Visible text (code keeps its whitespace)")
    level: int = Field(default=0, description="Heading level 1-6; 0 for other blocks")
    anchor: str = Field(default="", description="id of the heading (or of an anchor inside it)")
    language: str = Field(default="", description="Code block language from its class, if any")
    rows: list[list[str]] = Field(default_factory=list, description="Table cells, row by row")
    header: list[str] = Field(default_factory=list, description="Table header cells, if any")


class HtmlPage(BaseModel):
    """A parsed page: its title and blocks in document order."""

    title: str = Field(default="", description="<title> text")
    blocks: list[Block] = Field(default_factory=list, description="Visible blocks, in order")


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = HtmlPage()
        self._skip = 0
        self._title: list[str] | None = None
        self._text: list[str] = []
        self._heading: tuple[int, str] | None = None  # (level, anchor)
        self._pre: list[str] | None = None
        self._pre_lang = ""
        self._table: list[list[str]] | None = None
        self._table_header: list[str] = []
        self._row: list[str] | None = None
        self._row_is_header = False
        self._in_thead = False
        self._cell: list[str] | None = None

    # -- helpers -------------------------------------------------------------------------------

    def _flush_text(self) -> None:
        text = _SPACES.sub(" ", "".join(self._text)).strip()
        self._text = []
        if not text:
            return
        if self._heading is not None:
            level, anchor = self._heading
            self.page.blocks.append(Block(kind="heading", text=text, level=level, anchor=anchor))
        else:
            self.page.blocks.append(Block(kind="paragraph", text=text))

    @staticmethod
    def _lang(attrs: list[tuple[str, str | None]]) -> str:
        cls = " ".join(v or "" for k, v in attrs if k in ("class", "data-lang", "data-language"))
        m = _LANG.search(cls)
        if m:
            return m.group(1).lower()
        return next((v or "" for k, v in attrs if k in ("data-lang", "data-language")), "")

    # -- tables: cells and rows close implicitly, as browsers do ------------------------------

    def _table_start(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self._row, self._row_is_header = [], self._in_thead
            self._cell = []
            self._row_is_header = self._row_is_header or tag == "th"
        elif tag == "tr":
            self._end_row()
            self._row, self._row_is_header = [], self._in_thead
        elif tag == "thead":
            self._end_row()
            self._in_thead = True
        elif tag == "tbody":
            self._end_row()
            self._in_thead = False
        # a nested <table> is read as part of the enclosing cell

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(_SPACES.sub(" ", "".join(self._cell)).strip())
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None and self._table is not None:
            if self._row_is_header and not self._table_header and not self._table:
                self._table_header = self._row
            elif any(self._row):
                self._table.append(self._row)
        self._row = None

    # -- events --------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip or tag in _SKIP:
            if tag in _SKIP:
                self._skip += 1
            return
        if tag == "title":
            self._title = []
            return
        attr = dict(attrs)
        if self._pre is not None:
            if tag == "code" and not self._pre_lang:
                self._pre_lang = self._lang(attrs)
            if tag == "br":
                self._pre.append("\n")
            return
        if self._table is not None and tag in ("td", "th", "tr", "thead", "tbody", "table"):
            self._table_start(tag)
            return
        if self._cell is not None:
            if tag == "br":
                self._cell.append(" ")
            return
        if self._heading is not None and tag in _BREAKS_HEADING:  # <h2>Title<p>text, unclosed
            self._flush_text()
            self._heading = None
        if tag in _HEADINGS:
            self._flush_text()
            self._heading = (int(tag[1]), attr.get("id") or "")
        elif tag == "pre":
            self._flush_text()
            self._pre, self._pre_lang = [], self._lang(attrs)
        elif tag == "table":
            self._flush_text()
            self._table, self._table_header = [], []
            self._row, self._cell, self._in_thead = None, None, False
        elif self._heading is not None and attr.get("id") and not self._heading[1]:
            self._heading = (self._heading[0], attr["id"] or "")
        elif tag == "br":
            self._text.append(" ")
        elif tag in _TEXT_BLOCKS and self._heading is None:
            self._flush_text()

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag in _SKIP:
                self._skip -= 1
            return
        if tag == "title" and self._title is not None:
            self.page.title = _SPACES.sub(" ", "".join(self._title)).strip()
            self._title = None
        elif tag == "pre" and self._pre is not None:
            code = "".join(self._pre).strip("\n")
            if code.strip():
                self.page.blocks.append(Block(kind="code", text=code, language=self._pre_lang))
            self._pre = None
        elif self._pre is not None:
            return
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "thead":
            self._end_row()
            self._in_thead = False
        elif tag == "table" and self._table is not None:
            self._end_row()
            if self._table or self._table_header:
                self.page.blocks.append(
                    Block(kind="table", rows=self._table, header=self._table_header)
                )
            self._table = None
        elif tag in _HEADINGS and self._heading is not None:
            self._flush_text()
            self._heading = None
        elif tag in _TEXT_BLOCKS and self._heading is None and self._cell is None:
            self._flush_text()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._title is not None:
            self._title.append(data)
        elif self._pre is not None:
            self._pre.append(data)
        elif self._cell is not None:
            self._cell.append(data)
        elif self._table is None:
            self._text.append(data)


def parse_page(html: str) -> HtmlPage:
    """Parse ``html`` into an :class:`HtmlPage`. Never raises on malformed markup."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    parser._flush_text()
    return parser.page
