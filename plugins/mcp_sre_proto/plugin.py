"""The ``proto`` spec format: one ``.proto`` file, every rpc of every service = one APISpec.

Source options (``SpecSource.options``):

* ``include_paths``: extra ``--proto_path`` directories for the file's imports.
* ``stub_missing_imports`` (default ``True``): stub imports that cannot be found as opaque
  messages instead of failing (see :mod:`mcp_sre_proto.compile`).
* ``filename``: the name protoc sees (defaults to the URL's base name).
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

from google.protobuf import descriptor_pb2

from mcp_sre import hookimpl
from mcp_sre.errors import SpecParseError
from mcp_sre.specs.model import APISpec, Parameter, SourceInfo, SpecSource
from mcp_sre.specs.parse import format_parser
from mcp_sre_proto.compile import compile_proto
from mcp_sre_proto.descriptors import (
    DEFAULT_HOST_EXT,
    METHOD_SIGNATURE_EXT,
    DescriptorIndex,
    field_behavior,
    http_rule,
    string_options,
)

__all__ = ["access_of", "detect_spec_format", "looks_like_proto", "parse_proto", "parse_spec"]

FORMAT = "proto"
_SYNTAX = re.compile(r"""^\s*(syntax|edition)\s*=\s*["'](proto[23]|\d{4})["']\s*;""", re.M)
_PACKAGE = re.compile(r"^\s*package\s+[\w.]+\s*;", re.M)
_SERVICE = re.compile(r"^\s*(service|message)\s+\w+\s*\{", re.M)
_RPC = re.compile(r"^\s*rpc\s+\w+\s*\(", re.M)
# Verbs whose rpcs only read (AIP-131/132 Get/List, grpc health Check/Watch, ...); a following
# capital or the end of the name is required so that ``Listen`` or ``Checkpoint`` do not match.
_READ_NAME = re.compile(
    r"^(Get|List|Check|Watch|Search|BatchGet|Query|Describe|Lookup)([A-Z0-9]|$)"
)
_PATH_VAR = re.compile(r"\{([\w.]+)(=[^}]*)?\}")


def looks_like_proto(content: bytes) -> bool:
    """Cheap check on the first 64 KiB: proto syntax lines, never HTML or JSON."""
    head = content[:65536].decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if not head or head[0] in "<{[":
        return False
    if _SYNTAX.search(head):
        return True
    return bool(_PACKAGE.search(head) and (_SERVICE.search(head) or _RPC.search(head)))


@hookimpl
def detect_spec_format(content: bytes, source: SpecSource) -> str | None:
    return FORMAT if looks_like_proto(content) else None


def access_of(method_name: str, http_method: str | None) -> str:
    """read for Get/List/Check/Watch... rpcs or a google.api.http GET; anything else write."""
    if http_method == "GET" or _READ_NAME.match(method_name):
        return "read"
    return "write"


def _filename(source: SpecSource) -> str:
    name = str(source.options.get("filename") or "")
    if not name:
        base = source.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        name = base if base.endswith(".proto") else f"{source.name or 'spec'}.proto"
    name = re.sub(r"[^\w.-]", "_", name)
    return name if name.endswith(".proto") else name + ".proto"


def parse_proto(content: bytes, source: SpecSource, info: SourceInfo) -> list[APISpec]:
    """Compile ``content`` and turn each rpc into an :class:`APISpec`."""
    if not content.strip():
        raise SpecParseError(source.name, "empty proto document")
    includes = source.options.get("include_paths") or []
    if isinstance(includes, str):
        includes = [includes]
    try:
        compiled = compile_proto(
            content,
            source_name=source.name,
            filename=_filename(source),
            include_paths=[str(p) for p in includes],
            stub_missing_imports=bool(source.options.get("stub_missing_imports", True)),
        )
    except subprocess.TimeoutExpired as exc:
        raise SpecParseError(source.name, f"protoc took longer than {exc.timeout:.0f}s") from exc
    index = DescriptorIndex.build(compiled.files, set(compiled.stubs))
    main = compiled.main
    if not main.service:
        raise SpecParseError(
            source.name,
            f"{main.name} defines no service (no rpc to call)",
            hint="a proto source must declare at least one service with rpcs",
        )
    specs: list[APISpec] = []
    for svc in main.service:
        for method in svc.method:
            specs.append(_operation(main, svc, method, index, source, info, compiled.stubs))
    return specs


def _operation(
    main: descriptor_pb2.FileDescriptorProto,
    svc: descriptor_pb2.ServiceDescriptorProto,
    method: descriptor_pb2.MethodDescriptorProto,
    index: DescriptorIndex,
    source: SpecSource,
    info: SourceInfo,
    stubs: dict[str, list[str]],
) -> APISpec:
    pkg = main.package
    full_service = f"{pkg}.{svc.name}" if pkg else svc.name
    service = pkg or source.service or source.name
    grpc_path = f"/{full_service}/{method.name}"
    http = http_rule(method.options)
    in_name, out_name = method.input_type.lstrip("."), method.output_type.lstrip(".")
    path_vars = {var for var, _ in _PATH_VAR.findall(http["path"])} if http else set()
    doc = index.comments.get(f"{full_service}.{method.name}", "")
    streaming = [
        s
        for s, on in (("client", method.client_streaming), ("server", method.server_streaming))
        if on
    ]
    description = doc
    if streaming:
        description += f"{chr(10) * 2 if doc else ''}Streaming: {' and '.join(streaming)}."
    raw: dict[str, Any] = {
        "file": main.name,
        "service": full_service,
        "rpc": method.name,
        "input_type": in_name,
        "output_type": out_name,
        "grpc_path": grpc_path,
        "client_streaming": method.client_streaming,
        "server_streaming": method.server_streaming,
    }
    if http:
        raw["http"] = http
    signatures = string_options(method.options, METHOD_SIGNATURE_EXT)
    if signatures:
        raw["method_signature"] = signatures
    hosts = string_options(svc.options, DEFAULT_HOST_EXT)
    if hosts:
        raw["default_host"] = hosts[0]
    if stubs:
        raw["stubbed_imports"] = stubs
    return APISpec(
        id=APISpec.make_id(source.provider, service, f"{svc.name}.{method.name}"),
        name=f"{svc.name}.{method.name}",
        provider=source.provider,
        service=service,
        method=http["method"] if http else "RPC",
        endpoint=http["path"] if http else grpc_path,
        summary=_summary(doc),
        description=description,
        parameters=_parameters(in_name, index, path_vars),
        return_type=out_name,
        return_schema=index.message_schema(out_name),
        access=access_of(method.name, http["method"] if http else None),  # type: ignore[arg-type]
        pagination=_pagination(in_name, out_name, index),
        deprecated=method.options.deprecated,
        source=info,
        raw=raw,
    )


def _parameters(message: str, index: DescriptorIndex, path_vars: set[str]) -> list[Parameter]:
    msg = index.messages.get(message)
    if msg is None or message in index.stubbed or message.startswith("google.protobuf."):
        return []
    params: list[Parameter] = []
    for fld in msg.field:
        in_path = fld.name in path_vars
        params.append(
            Parameter(
                name=fld.name,
                location="path" if in_path else "message",
                type=index.type_name(fld),
                required=in_path or "REQUIRED" in field_behavior(fld.options),
                description=index.comments.get(f"{message}.{fld.name}", ""),
                json_schema=index.field_schema(message, fld, (message,)),
            )
        )
    return params


def _pagination(in_name: str, out_name: str, index: DescriptorIndex) -> dict[str, Any] | None:
    """AIP-158 list pagination: ``page_token``/``page_size`` in, ``next_page_token`` out."""
    req, resp = index.messages.get(in_name), index.messages.get(out_name)
    if req is None or resp is None:
        return None
    req_fields = {f.name for f in req.field}
    resp_fields = {f.name: f for f in resp.field}
    if "page_token" not in req_fields or "next_page_token" not in resp_fields:
        return None
    pagination: dict[str, Any] = {"input_token": "page_token", "output_token": "next_page_token"}
    if "page_size" in req_fields:
        pagination["limit_key"] = "page_size"
    repeated = [f.name for f in resp.field if f.label == f.LABEL_REPEATED]
    if repeated:
        pagination["result_key"] = repeated[0]
    return pagination


def _summary(doc: str) -> str:
    first = doc.strip().split("\n\n", 1)[0].replace("\n", " ").strip()
    return first[:300]


parse_spec = format_parser(FORMAT, parse_proto)
