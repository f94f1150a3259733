"""Sessions: references resolved against earlier turns, compression, expiry, two clients."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from mcp_sre.agents.manager import Entity, SessionStore, resolve
from mcp_sre.agents.manager.sessions import Turn, estimate_tokens


def turn(request: str, *entities: Entity, answer: str = "ok") -> Turn:
    return Turn(seq=0, request=request, resolved=request, answer=answer,
                entities=list(entities))


def pod(name: str, ns: str = "shop") -> Entity:
    return Entity(kind="pod", value=name, namespace=ns)


def test_references_resolve_to_earlier_entities(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite")
    store.append("s1", turn("帮我分析电商平台业务的健康状况",
                            Entity(kind="business", value="电商平台"),
                            Entity(kind="namespace", value="shop")))
    store.append("s1", turn("web-app Pod 一直 CrashLoopBackOff, 根因是什么?",
                            pod("web-app-7d9f"), Entity(kind="namespace", value="prod")))
    store.append("s1", turn("列出CPU>80%的EC2实例", Entity(kind="instance", value="i-0aaa"),
                            Entity(kind="instance", value="i-0bbb")))
    session = store.load("s1")
    logs = resolve("它的日志呢", session)
    assert logs.bindings["pod"].value == "web-app-7d9f" and "web-app-7d9f" in logs.text
    again = resolve("再查一下那个业务", session)
    assert again.bindings["business"].value == "电商平台"
    assert "帮我分析电商平台业务的健康状况" in again.repeated
    second = resolve("the second instance: what is its CPU?", session)
    assert second.bindings["instance"].value == "i-0bbb"
    assert resolve("第一台实例呢", session).bindings["instance"].value == "i-0aaa"
    other = resolve("and the other namespace?", session)
    assert other.bindings["namespace"].value == "shop"  # prod was the last one named
    assert resolve("list EC2 instances", session).bindings == {}  # nothing to resolve


def test_no_history_no_change() -> None:
    assert resolve("它的日志呢", None).text == "它的日志呢"


def test_long_history_is_compressed_within_budget(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite", token_budget=200, keep_turns=2)
    for i in range(12):
        store.append("s", turn(f"question {i} about pod web-{i}", pod(f"web-{i}"),
                               answer=f"answer {i}: " + "details " * 40))
    session = store.load("s")
    assert len(session.turns) <= 4 and session.summary
    assert estimate_tokens(session.summary) <= 200
    kept = {e.value for e in session.entities()}
    assert {"web-0", "web-5", "web-11"} <= kept  # entities survive compression
    assert resolve("它的日志呢", session).bindings["pod"].value == "web-11"


def test_sessions_expire_by_age(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.sqlite", max_age_s=0.2)
    store.append("old", turn("q", pod("a")))
    time.sleep(0.3)
    assert store.load("old").turns == []


def test_two_clients_in_one_session(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    errors: list[Exception] = []

    def client(name: str) -> None:
        store = SessionStore(path)  # each client its own connection
        try:
            for i in range(15):
                store.append("shared", turn(f"{name} {i}", pod(f"{name}-{i}")))
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    turns = SessionStore(path, token_budget=100_000).load("shared").turns
    assert not errors and len(turns) == 30
    assert [t.seq for t in turns] == list(range(1, 31))
