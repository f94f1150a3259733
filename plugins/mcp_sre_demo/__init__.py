"""``mcp-sre demo``: the whole product end to end on local targets (an AWS emulator and the
local Kubernetes endpoint), driven through a real MCP client over stdio.

A package outside the core: it seeds cloud emulators and imports a plugin's simulator, which the
core must not. It adds the ``demo`` subcommand through the ``mcp_sre.cli`` entry-point group;
what the demo shows is the list :data:`mcp_sre_demo.steps.STEPS`, which later work extends.
"""
