"""Built-in mcp-sre plugin: proto (gRPC service definitions compiled with grpc_tools.protoc)."""

from mcp_sre_proto.plugin import detect_spec_format, parse_spec

__all__ = ["detect_spec_format", "parse_spec"]
