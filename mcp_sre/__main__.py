from mcp_sre.cli import main

main()
