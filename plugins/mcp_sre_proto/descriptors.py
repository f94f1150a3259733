"""Read a ``FileDescriptorSet``: an index of messages and enums, proto comments, the
``google.api`` options (decoded from the raw option bytes, so no generated googleapis Python
modules are needed), and JSON schemas that follow the proto3 JSON mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf import descriptor_pb2

__all__ = [
    "DEFAULT_HOST_EXT",
    "HTTP_RULE_EXT",
    "METHOD_SIGNATURE_EXT",
    "DescriptorIndex",
    "decode_fields",
    "field_behavior",
    "field_type_name",
    "http_rule",
    "option_fields",
    "string_options",
]

FD = descriptor_pb2.FieldDescriptorProto
HTTP_RULE_EXT = 72295728  # google.api.http on MethodOptions
METHOD_SIGNATURE_EXT = 1051  # google.api.method_signature on MethodOptions
FIELD_BEHAVIOR_EXT = 1052  # google.api.field_behavior on FieldOptions
DEFAULT_HOST_EXT = 1049  # google.api.default_host on ServiceOptions
_FIELD_BEHAVIOR = {
    1: "OPTIONAL",
    2: "REQUIRED",
    3: "OUTPUT_ONLY",
    4: "INPUT_ONLY",
    5: "IMMUTABLE",
    6: "UNORDERED_LIST",
    7: "NON_EMPTY_DEFAULT",
    8: "IDENTIFIER",
}
_HTTP_VERBS = {2: "GET", 3: "PUT", 4: "POST", 5: "DELETE", 6: "PATCH"}
MAX_SCHEMA_DEPTH = 6

_SCALARS: dict[int, dict[str, Any]] = {
    FD.TYPE_DOUBLE: {"type": "number", "format": "double"},
    FD.TYPE_FLOAT: {"type": "number", "format": "float"},
    FD.TYPE_INT64: {"type": "string", "format": "int64"},
    FD.TYPE_UINT64: {"type": "string", "format": "uint64"},
    FD.TYPE_INT32: {"type": "integer", "format": "int32"},
    FD.TYPE_FIXED64: {"type": "string", "format": "uint64"},
    FD.TYPE_FIXED32: {"type": "integer", "format": "uint32"},
    FD.TYPE_BOOL: {"type": "boolean"},
    FD.TYPE_STRING: {"type": "string"},
    FD.TYPE_BYTES: {"type": "string", "format": "byte"},
    FD.TYPE_UINT32: {"type": "integer", "format": "uint32"},
    FD.TYPE_SFIXED32: {"type": "integer", "format": "int32"},
    FD.TYPE_SFIXED64: {"type": "string", "format": "int64"},
    FD.TYPE_SINT32: {"type": "integer", "format": "int32"},
    FD.TYPE_SINT64: {"type": "string", "format": "int64"},
}
_SCALAR_NAMES = {v: k[len("TYPE_") :].lower() for k, v in FD.Type.items()}

# proto3 JSON mapping of the well-known types: what a JSON caller actually sends.
_WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {
        "type": "string",
        "format": "duration",
        "pattern": r"^-?\d+(\.\d+)?s$",
    },
    "google.protobuf.FieldMask": {"type": "string", "description": "comma-separated field paths"},
    "google.protobuf.Struct": {"type": "object"},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array"},
    "google.protobuf.Empty": {"type": "object", "properties": {}},
    "google.protobuf.Any": {"type": "object", "properties": {"@type": {"type": "string"}}},
    "google.protobuf.DoubleValue": {"type": ["number", "null"]},
    "google.protobuf.FloatValue": {"type": ["number", "null"]},
    "google.protobuf.Int64Value": {"type": ["string", "null"], "format": "int64"},
    "google.protobuf.UInt64Value": {"type": ["string", "null"], "format": "uint64"},
    "google.protobuf.Int32Value": {"type": ["integer", "null"]},
    "google.protobuf.UInt32Value": {"type": ["integer", "null"]},
    "google.protobuf.BoolValue": {"type": ["boolean", "null"]},
    "google.protobuf.StringValue": {"type": ["string", "null"]},
    "google.protobuf.BytesValue": {"type": ["string", "null"], "format": "byte"},
}


# --------------------------------------------------------------------------------------------
# Raw option bytes: protoc keeps extensions we have no Python classes for as unknown fields.
# --------------------------------------------------------------------------------------------


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def decode_fields(buf: bytes) -> list[tuple[int, int, int | bytes]]:
    """Decode one message's wire format into ``(field number, wire type, value)``."""
    out: list[tuple[int, int, int | bytes]] = []
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
            out.append((number, wire, value))
        elif wire == 1:
            out.append((number, wire, buf[i : i + 8]))
            i += 8
        elif wire == 2:
            size, i = _varint(buf, i)
            out.append((number, wire, buf[i : i + size]))
            i += size
        elif wire == 5:
            out.append((number, wire, buf[i : i + 4]))
            i += 4
        else:  # groups: never used by the options we read
            break
    return out


def option_fields(options: Any) -> dict[int, list[int | bytes]]:
    """All fields of an options message, known and unknown, by field number."""
    fields: dict[int, list[int | bytes]] = {}
    if options is None:
        return fields
    for number, _wire, value in decode_fields(options.SerializeToString()):
        fields.setdefault(number, []).append(value)
    return fields


def _text(value: int | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def http_rule(options: descriptor_pb2.MethodOptions) -> dict[str, Any] | None:
    """Decode ``google.api.http`` into ``{"method", "path", "body", "additional_bindings"}``."""
    raw = option_fields(options).get(HTTP_RULE_EXT)
    return _decode_http_rule(raw[0]) if raw and isinstance(raw[0], bytes) else None


def _decode_http_rule(buf: bytes) -> dict[str, Any] | None:
    rule: dict[str, Any] = {}
    extra: list[dict[str, Any]] = []
    for number, _wire, value in decode_fields(buf):
        if number in _HTTP_VERBS:
            rule["method"], rule["path"] = _HTTP_VERBS[number], _text(value)
        elif number == 8 and isinstance(value, bytes):  # CustomHttpPattern {kind, path}
            custom = {n: _text(v) for n, _w, v in decode_fields(value)}
            rule["method"], rule["path"] = custom.get(1, "").upper(), custom.get(2, "")
        elif number == 7:
            rule["body"] = _text(value)
        elif number == 12:
            rule["response_body"] = _text(value)
        elif number == 11 and isinstance(value, bytes):
            sub = _decode_http_rule(value)
            if sub:
                extra.append(sub)
    if "method" not in rule:
        return None
    if extra:
        rule["additional_bindings"] = extra
    return rule


def field_behavior(options: descriptor_pb2.FieldOptions) -> list[str]:
    values: list[int] = []
    for value in option_fields(options).get(FIELD_BEHAVIOR_EXT, []):
        if isinstance(value, int):
            values.append(value)
        else:  # packed
            i = 0
            while i < len(value):
                v, i = _varint(value, i)
                values.append(v)
    return [_FIELD_BEHAVIOR.get(v, str(v)) for v in values]


def string_options(options: Any, number: int) -> list[str]:
    return [_text(v) for v in option_fields(options).get(number, []) if isinstance(v, bytes)]


# --------------------------------------------------------------------------------------------
# The index: every message and enum of every file, by full name, with its comment.
# --------------------------------------------------------------------------------------------


@dataclass
class DescriptorIndex:
    """Messages, enums and comments of a whole ``FileDescriptorSet``, by full name."""

    messages: dict[str, descriptor_pb2.DescriptorProto] = field(default_factory=dict)
    enums: dict[str, descriptor_pb2.EnumDescriptorProto] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    stubbed: set[str] = field(default_factory=set)

    @classmethod
    def build(
        cls, files: descriptor_pb2.FileDescriptorSet, stub_files: set[str]
    ) -> DescriptorIndex:
        index = cls()
        for f in files.file:
            index._add_file(f, f.name in stub_files)
        return index

    def _add_file(self, f: descriptor_pb2.FileDescriptorProto, stub: bool) -> None:
        comments: dict[tuple[int, ...], str] = {}
        for loc in f.source_code_info.location:
            text = _clean_comment(loc.leading_comments or loc.trailing_comments)
            if text:
                comments[tuple(loc.path)] = text
        prefix = f"{f.package}." if f.package else ""
        for i, enum in enumerate(f.enum_type):
            self._add_enum(prefix + enum.name, enum, (5, i), comments)
        for i, msg in enumerate(f.message_type):
            self._add_message(prefix + msg.name, msg, (4, i), comments, stub)
        for si, svc in enumerate(f.service):
            name = prefix + svc.name
            self._comment(name, (6, si), comments)
            for mi, method in enumerate(svc.method):
                self._comment(f"{name}.{method.name}", (6, si, 2, mi), comments)

    def _comment(self, name: str, path: tuple[int, ...], comments: dict) -> None:
        if path in comments:
            self.comments[name] = comments[path]

    def _add_enum(self, name: str, enum: Any, path: tuple[int, ...], comments: dict) -> None:
        self.enums[name] = enum
        self._comment(name, path, comments)

    def _add_message(
        self, name: str, msg: Any, path: tuple[int, ...], comments: dict, stub: bool
    ) -> None:
        self.messages[name] = msg
        if stub:
            self.stubbed.add(name)
        self._comment(name, path, comments)
        for fi, fld in enumerate(msg.field):
            self._comment(f"{name}.{fld.name}", (*path, 2, fi), comments)
        for ei, enum in enumerate(msg.enum_type):
            self._add_enum(f"{name}.{enum.name}", enum, (*path, 4, ei), comments)
        for ni, nested in enumerate(msg.nested_type):
            self._add_message(f"{name}.{nested.name}", nested, (*path, 3, ni), comments, stub)

    # ----------------------------------------------------------------------------------------

    def is_map(self, fld: descriptor_pb2.FieldDescriptorProto) -> bool:
        entry = self.messages.get(fld.type_name.lstrip("."))
        return bool(fld.type == FD.TYPE_MESSAGE and entry and entry.options.map_entry)

    def type_name(self, fld: descriptor_pb2.FieldDescriptorProto) -> str:
        """The field's type as proto source writes it: ``repeated string``, ``map<string, Foo>``."""
        if self.is_map(fld):
            entry = self.messages[fld.type_name.lstrip(".")]
            key, value = entry.field[0], entry.field[1]
            return f"map<{field_type_name(key)}, {field_type_name(value)}>"
        base = field_type_name(fld)
        return f"repeated {base}" if fld.label == FD.LABEL_REPEATED else base

    def message_schema(self, name: str, _stack: tuple[str, ...] = ()) -> dict[str, Any]:
        """JSON schema of message ``name``; recursion is cut and depth bounded."""
        name = name.lstrip(".")
        if name in _WELL_KNOWN:
            return {**_WELL_KNOWN[name], "x-proto-type": name}
        msg = self.messages.get(name)
        if msg is None or name in self.stubbed:
            return {
                "type": "object",
                "x-proto-type": name,
                "x-proto-stub": True,
                "description": "definition not available (missing import, stubbed)",
            }
        if name in _stack:
            return {"type": "object", "x-proto-type": name, "x-recursive": True}
        if len(_stack) >= MAX_SCHEMA_DEPTH:
            return {"type": "object", "x-proto-type": name, "x-truncated": True}
        props = {f.name: self.field_schema(name, f, (*_stack, name)) for f in msg.field}
        schema: dict[str, Any] = {"type": "object", "x-proto-type": name, "properties": props}
        required = [f.name for f in msg.field if "REQUIRED" in field_behavior(f.options)]
        if required:
            schema["required"] = required
        return schema

    def field_schema(
        self, owner: str, fld: descriptor_pb2.FieldDescriptorProto, stack: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        if self.is_map(fld):
            entry = self.messages[fld.type_name.lstrip(".")]
            schema: dict[str, Any] = {
                "type": "object",
                "additionalProperties": self._single(entry.field[1], stack),
            }
        elif fld.label == FD.LABEL_REPEATED:
            schema = {"type": "array", "items": self._single(fld, stack)}
        else:
            schema = self._single(fld, stack)
        doc = self.comments.get(f"{owner}.{fld.name}")
        if doc:
            schema = {**schema, "description": doc}
        behaviors = field_behavior(fld.options)
        if "OUTPUT_ONLY" in behaviors:
            schema = {**schema, "readOnly": True}
        if fld.options.deprecated:
            schema = {**schema, "deprecated": True}
        return schema

    def _single(self, fld: descriptor_pb2.FieldDescriptorProto, stack: tuple[str, ...]) -> dict:
        if fld.type == FD.TYPE_ENUM:
            enum = self.enums.get(fld.type_name.lstrip("."))
            values = [v.name for v in enum.value] if enum else []
            return {"type": "string", "enum": values, "x-proto-type": fld.type_name.lstrip(".")}
        if fld.type in (FD.TYPE_MESSAGE, FD.TYPE_GROUP):
            return self.message_schema(fld.type_name, stack)
        return dict(_SCALARS.get(fld.type, {"type": "string"}))


def field_type_name(fld: descriptor_pb2.FieldDescriptorProto) -> str:
    if fld.type in (FD.TYPE_MESSAGE, FD.TYPE_ENUM, FD.TYPE_GROUP):
        return fld.type_name.lstrip(".")
    return _SCALAR_NAMES.get(fld.type, "string")


def _clean_comment(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines()]
    return "\n".join(lines).strip()
