"""``mcp-sre demo``: the whole product end to end on local targets (an AWS emulator and the
local Kubernetes endpoint), driven through a real MCP client over stdio."""
