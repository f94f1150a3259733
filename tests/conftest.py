"""Shared fixtures: an isolated MCP_SRE_HOME per test, moto in server mode with seeded data,
one real sandbox per session (over a few real botocore specs) and a fresh registry per test.
They serve the core's tests and the AWS plugin's (tests/plugins/aws/) alike."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcp_sre.config import Settings, load_settings
from mcp_sre.registry import ToolRegistry
from mcp_sre.sandbox import Sandbox
from mcp_sre_demo.targets import aws_environment, start_moto

if str(Path(__file__).parent) not in sys.path:  # tests/ holds conftest_moto, for every test
    sys.path.insert(0, str(Path(__file__).parent))

FIXTURES = Path(__file__).parent / "fixtures"
SPECS = FIXTURES / "specs"


@pytest.fixture(autouse=True)
def _mcp_sre_logs_reach_caplog() -> Iterator[None]:
    """``configure_logging`` (run by the server and by logging tests) stops ``mcp_sre.*``
    records propagating to the root logger, where ``caplog`` listens; whether an earlier test
    ran it must not decide what a later test's ``caplog`` sees."""
    logger = logging.getLogger("mcp_sre")
    before = logger.propagate
    logger.propagate = True
    yield
    logger.propagate = before


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data directory, also exported for subprocesses."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("MCP_SRE_HOME", str(path))
    return path


@pytest.fixture
def settings(home: Path) -> Settings:
    return load_settings(home=home)


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real AWS emulator (moto in server mode, over HTTP) for the whole session."""
    with start_moto(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def aws_env(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Host AWS settings aimed at moto: endpoint, dummy credentials, region, no user files.
    The sandbox guest never sees any of it."""
    values = aws_environment(moto_endpoint, tmp_path_factory.mktemp("awsconfig"))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("AWS_PROFILE", raising=False)
        for key, value in values.items():
            mp.setenv(key, value)
        yield moto_endpoint


@pytest.fixture(scope="session")
def module_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the sandbox keeps its compiled interpreter: compiled once per session (and kept
    between sessions in ``.pytest_cache`` when the cache plugin is on)."""
    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    return Path(cache.mkdir("mcp-sre-wasm")) if cache else tmp_path_factory.mktemp("wasm")


@pytest.fixture(scope="session")
def plugin_manager():
    """Only the AWS plugins: the sandbox and registry tests run against moto."""
    from mcp_sre.plugin_manager import make_plugin_manager

    return make_plugin_manager(only={"botocore", "aws"})


@pytest.fixture(scope="session")
def lookup(plugin_manager):
    """``operation_lookup`` over a few real botocore service models."""
    from conftest_moto import BotocoreLookup

    return BotocoreLookup(plugin_manager)


@pytest.fixture(scope="session")
def seeded(aws_env: str) -> dict[str, object]:
    """The AWS data the sandbox, registry and AWS plugin tests read (see conftest_moto)."""
    from conftest_moto import seed_aws

    return seed_aws()


@pytest.fixture(scope="session")
def sandbox_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sandbox-home")


@pytest.fixture(scope="session")
def sandbox(sandbox_home: Path, plugin_manager, lookup, module_dir: Path) -> Sandbox:
    """One warm sandbox for the session (its audit log under ``sandbox_home``)."""
    box = Sandbox(load_settings(home=sandbox_home), plugin_manager, lookup,
                  module_dir=module_dir)
    box.warm()
    return box


@pytest.fixture
def reg_settings(home: Path, tmp_path: Path) -> Settings:
    return load_settings(home=home, registry_dir=tmp_path / "tool_registry")


@pytest.fixture
def registry(reg_settings: Settings, sandbox: Sandbox, lookup, plugin_manager) -> ToolRegistry:
    return ToolRegistry(reg_settings, sandbox=sandbox, operation_lookup=lookup,
                        pm=plugin_manager)


WORD_COUNT = '''
def main(text: str, top: int = 3) -> dict:
    counts = {}
    for word in text.lower().split():
        counts[word] = counts.get(word, 0) + 1
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return {"words": len(text.split()), "top": [{"word": w, "count": c} for w, c in best]}
'''
WORD_COUNT_TEST = '''
def test_counts_words():
    result = main(text="a b a c a b", top=2)
    assert result["words"] == 6
    assert result["top"][0] == {"word": "a", "count": 3}
'''
WORD_COUNT_PARAMS = {
    "type": "object",
    "properties": {"text": {"type": "string", "description": "The text to count"},
                   "top": {"type": "integer", "minimum": 1, "description": "How many words"}},
    "required": ["text"],
    "additionalProperties": False,
}
WORD_COUNT_DESC = "Count the words of a text and list the most frequent ones."


@pytest.fixture
def word_count() -> dict[str, object]:
    """A pure-compute tool as an assistant would submit it (register(**word_count))."""
    return {"name": "word_count", "description": WORD_COUNT_DESC, "code": WORD_COUNT,
            "test": WORD_COUNT_TEST, "parameters": WORD_COUNT_PARAMS}

