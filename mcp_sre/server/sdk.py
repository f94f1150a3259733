"""The one home of the MCP SDK's server-side API in mcp-sre (``mcp`` 2.x).

Every server module imports ``Context``, ``FastMCP`` (the SDK's ``MCPServer``), ``ToolError``
and the in-memory client session from here, so an SDK major changes this module and
``server/app.py`` rather than every tool module and test (docs/mcp-sdk-2.md).

Two compatibility paths keep code written against the 1.x names working:

- ``connected_session(server, ...)``: an in-memory client on the initialize handshake (as 1.x
  tests had it), with ``get_server_capabilities()``;
- camelCase reads on the SDK's result types (``result.isError``, ``result.structuredContent``,
  ``tool.inputSchema``...): 2.x names fields in snake_case and keeps camelCase for the wire
  only, so each public ``mcp.types`` model gets a read-only property per camelCase alias (and
  each server notification a ``.root``, as 1.x's wrapper had).
"""

from __future__ import annotations

import typing
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import mcp.types as _types
from mcp import Client
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from pydantic import BaseModel

__all__ = ["Context", "FastMCP", "MCPServer", "NotificationOptions", "SdkClient", "ToolError",
           "UnexpectedToolError", "connected_session"]

FastMCP = MCPServer  # the 1.x name, for modules written against it


def _alias_reader(field: str) -> property:
    return property(lambda self: getattr(self, field), doc=f"Read-only alias of {field}")


def _install_camel_case_reads() -> None:
    """``result.isError`` reads ``result.is_error`` (and so on) on every public SDK model."""
    for name in dir(_types):
        cls = getattr(_types, name)
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            continue
        for field, info in cls.model_fields.items():
            alias = info.alias
            if alias and alias != field and alias.isidentifier() and not alias.startswith("_") \
                    and alias not in cls.__dict__ and not hasattr(cls, alias):
                setattr(cls, alias, _alias_reader(field))
    # 1.x wrapped each notification in a RootModel; handlers read ``message.root``
    for cls in typing.get_args(_types.ServerNotification):
        if not hasattr(cls, "root"):
            cls.root = property(lambda self: self, doc="The notification itself (1.x RootModel)")


_install_camel_case_reads()


class SdkClient(Client):
    """The SDK's ``Client`` with the 1.x ``ClientSession`` reads tests still use."""

    def get_server_capabilities(self) -> _types.ServerCapabilities:
        return self.server_capabilities


@asynccontextmanager
async def connected_session(server: MCPServer, *, mode: str = "legacy",
                            **client_options: Any) -> AsyncIterator[SdkClient]:
    """An in-memory client connected to ``server`` (no network): the initialize handshake
    by default, so legacy notifications (``tools/list_changed``) reach ``message_handler``;
    ``mode="auto"`` speaks the 2026-07-28 protocol. Responses are not cached, as in 1.x."""
    client_options.setdefault("cache", None)
    async with SdkClient(server, mode=mode, **client_options) as client:
        yield client
