"""The one home of the MCP SDK's server-side API in mcp-sre.

Every server module imports ``Context``, ``FastMCP``, ``ToolError`` and the in-memory client
session from here, so moving to another SDK major (docs/mcp-sdk-2.md) changes this module and
``server/app.py`` rather than every tool module and test.
"""

from __future__ import annotations

from mcp.server.fastmcp import Context, FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from mcp.server.lowlevel.server import NotificationOptions
from mcp.shared.memory import create_connected_server_and_client_session as connected_session

__all__ = ["Context", "FastMCP", "NotificationOptions", "ToolError", "connected_session"]
