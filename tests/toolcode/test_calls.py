"""What the review sees of SDK-shaped code: each client method call with the factory that made
the client, as written, for the plugins to name (``sdk_call_operation``)."""

from __future__ import annotations

import ast

from mcp_sre.toolcode.calls import SdkCall, operations_in, sdk_calls

CODE = '''
import mod
from pkg import client
svc = mod.client("svc")
s = mod.Session(profile="x")

def main(name: str):
    api = client.ThingApi()
    api.delete_thing(name, "ns")
    svc.get_paginator("list_things")
    mod.Session().client("other").list_others()
    s.client("third").read_third()
    helper = dict(a=1)
    helper.get("a")
    return sre.call("p/s/ListThings")
'''


def test_client_calls_are_collected_with_their_factories() -> None:
    found = {(c.factory, c.factory_args, c.method, c.method_args)
             for _, c in sdk_calls(ast.parse(CODE))}
    assert ("client.ThingApi", (), "delete_thing", (None, "ns")) in found
    assert ("mod.client", ("svc",), "get_paginator", ("list_things",)) in found
    assert ("mod.Session().client", ("other",), "list_others", ()) in found
    assert ("s.client", ("third",), "read_third", ()) in found
    assert ("dict", (), "get", ("a",)) in found  # a plugin says it is not a client
    assert not any(f.startswith("sre.") for f, *_ in found)


def test_operations_come_from_the_bridge_and_from_whoever_names_sdk_calls() -> None:
    def namer(call: SdkCall) -> str | None:
        if call.factory.endswith("ThingApi"):
            return f"p/things/{call.method}"
        return None

    assert operations_in(CODE) == ["p/s/ListThings"]
    assert operations_in(CODE, namer) == ["p/things/delete_thing", "p/s/ListThings"]
