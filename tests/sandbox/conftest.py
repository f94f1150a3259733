"""Sandbox fixtures: one compiled interpreter per session (kept in pytest's cache between
sessions), real botocore specs for a few services, and moto for the AWS calls."""

from __future__ import annotations

import sys
from pathlib import Path

import botocore
import pytest

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # tests/ holds conftest_moto
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_moto import seed_aws

from mcp_sre.config import load_settings
from mcp_sre.errors import NotFoundError
from mcp_sre.plugins import make_plugin_manager
from mcp_sre.sandbox import Sandbox
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import parse_content

__all__ = ["BotocoreLookup"]

SERVICES = ("ec2", "cloudwatch", "logs", "s3", "secretsmanager", "kms", "ssm", "sts", "lambda",
            "rds")


class BotocoreLookup:
    """``operation_lookup`` over the installed botocore models of a few services, parsed by the
    real botocore format plugin (the catalog does the same for all of AWS)."""

    def __init__(self, pm, services=SERVICES) -> None:
        data = Path(botocore.__file__).parent / "data"
        self.specs: dict[str, APISpec] = {}
        for service in services:
            versions = sorted(p for p in (data / service).iterdir() if p.is_dir())
            model = versions[-1] / "service-2.json.gz"
            source = SpecSource(name=f"aws-{service}", provider="aws", url=str(model),
                                format="botocore")
            for spec in parse_content(pm, model.read_bytes(), source):
                self.specs[spec.id] = spec

    def __call__(self, op_id: str) -> APISpec:
        try:
            return self.specs[op_id]
        except KeyError:
            raise NotFoundError(f"no operation {op_id!r}") from None

    def names(self, provider: str, service: str) -> list[str]:
        return [s.name for s in self.specs.values()
                if s.provider == provider and s.service == service]


@pytest.fixture(scope="session")
def plugin_manager():
    return make_plugin_manager(only={"botocore", "aws"})


@pytest.fixture(scope="session")
def lookup(plugin_manager) -> BotocoreLookup:
    return BotocoreLookup(plugin_manager)


@pytest.fixture(scope="session")
def sandbox_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sandbox-home")


@pytest.fixture(scope="session")
def sandbox(sandbox_home: Path, plugin_manager, lookup, module_dir: Path) -> Sandbox:
    box = Sandbox(load_settings(home=sandbox_home), plugin_manager, lookup,
                  module_dir=module_dir)
    box.warm()
    return box


@pytest.fixture(scope="session")
def seeded(aws_env: str) -> dict[str, object]:
    return seed_aws()
