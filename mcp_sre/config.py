"""Settings: environment variables ``MCP_SRE_*`` over ``$MCP_SRE_HOME/config.yaml`` over defaults.

Everything the server writes at run time lives under one directory, ``MCP_SRE_HOME``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import platformdirs
import yaml
from pydantic import BaseModel, Field, field_validator, model_validator

__all__ = ["PROJECT_ROOT", "Settings", "atomic_write", "file_lock", "load_settings"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _shipped(name: str) -> Path:
    """A folder shipped at the top of the repository (``specs_cache``, ``tool_registry``): in
    the checkout for editable installs, else where a wheel installs its data files (under
    the environment's prefix; under the user base for ``pip install --user``)."""
    in_checkout = PROJECT_ROOT / name
    if in_checkout.is_dir():
        return in_checkout
    installed = Path(sys.prefix) / "share" / "mcp-sre" / name
    if not installed.is_dir():
        import site

        user = Path(site.getuserbase()) / "share" / "mcp-sre" / name
        if user.is_dir():
            return user
    return installed


class Settings(BaseModel):
    """Run-time settings. Every path is derived from ``home`` unless set explicitly."""

    home: Path = Field(description="Data directory for caches, indexes, registry stats, logs")
    max_age_hours: float = Field(default=24.0, description="Spec cache TTL")
    max_spec_bytes: int = Field(default=50 << 20, description="Largest spec accepted, in bytes")
    http_timeout_s: float = Field(default=30.0, description="Timeout for spec downloads")
    offline: bool = Field(default=False, description="Never touch the network; use cache/snapshot")
    snapshot_dir: Path = Field(
        default_factory=lambda: _shipped("specs_cache"),
        description="Shipped spec snapshots (offline seed)",
    )
    registry_dir: Path | None = Field(
        default=None,
        description="Where registered tools are stored: $MCP_SRE_HOME/tool_registry (the "
        "user's data dir), also for an editable install; a checkout's tool_registry/ only "
        "when named (MCP_SRE_REGISTRY_DIR, as the starter-library seeding does)",
    )
    starter_tools: bool = Field(
        default=True,
        description="Copy the shipped starter tools into the default registry "
        "($MCP_SRE_HOME/tool_registry) on first use when it has none; "
        "MCP_SRE_NO_STARTER_TOOLS=1 turns this off",
    )
    starter_dir: Path = Field(
        default_factory=lambda: _shipped("tool_registry"),
        description="The shipped starter tool library (the source of that copy)",
    )
    sources: list[dict[str, Any]] = Field(
        default_factory=list, description="User spec sources; override built-ins by name"
    )
    providers: list[str] = Field(
        default_factory=list,
        description="The clouds a search that names no provider looks in (MCP_SRE_PROVIDERS="
        "aws,kubernetes): the ones you run, so a Kubernetes request does not land on another "
        "cloud's managed Kubernetes; a provider the request names (\"AKS\", \"火山\") is "
        "searched too. Empty: every indexed provider",
    )
    llm_query_rewrite: bool = Field(
        default=False,
        description="Also ask the configured OpenAI-compatible endpoint (MCP_SRE_LLM_*) to "
        "rewrite each search request into API words (adds the model's latency to searches; "
        "MCP_SRE_LLM_QUERY_REWRITE=1)",
    )
    llm_rerank: bool = Field(
        default=False,
        description="Let a model name search words of its own and pick among the top results "
        "of search_apis (the client's model through sampling, else the configured endpoint; "
        "adds two short model calls per search; "
        "MCP_SRE_LLM_RERANK=1, or search_apis(llm_rerank=true) per call)",
    )

    log_format: Literal["json", "console"] = Field(
        default="json", description="Server log format (MCP_SRE_LOG_FORMAT): JSON lines or text")
    log_level: str = Field(default="info", description="debug, info, warning, error "
                           "(MCP_SRE_LOG_LEVEL)")
    log_file: Path | None = Field(
        default=None, description="Append logs here instead of stderr (MCP_SRE_LOG_FILE); "
        "stderr when it cannot be written; never stdout")
    otlp_endpoint: str | None = Field(
        default=None, description="OTLP endpoint for traces (MCP_SRE_OTLP_ENDPOINT or "
        "OTEL_EXPORTER_OTLP_ENDPOINT); no tracing when unset")
    tool_budget: int | None = Field(
        default=20, ge=0, description="Most registered tools listed in tools/list "
        "(MCP_SRE_TOOL_BUDGET); the rest stay callable through find_tool + call_tool; "
        "None (MCP_SRE_TOOL_BUDGET=all, or serve --all-tools) lists them all")

    @field_validator("providers", mode="before")
    @classmethod
    def _provider_list(cls, value: Any) -> Any:
        if isinstance(value, str):  # MCP_SRE_PROVIDERS=aws,kubernetes
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @model_validator(mode="after")
    def _default_registry(self) -> Settings:
        if self.registry_dir is None:  # never the checkout's folder by default
            self.registry_dir = self.home / "tool_registry"
        return self

    @property
    def config_file(self) -> Path:
        return self.home / "config.yaml"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("mcp-sre", appauthor=False))


def load_settings(**overrides: Any) -> Settings:
    """Read settings; keyword overrides win over the environment and the config file."""
    home = Path(overrides.pop("home", None) or os.environ.get("MCP_SRE_HOME") or _default_home())
    data: dict[str, Any] = {}
    config_file = home / "config.yaml"
    if config_file.exists():
        loaded = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        if isinstance(loaded, dict):
            data.update(loaded)
    env_map = {
        "MCP_SRE_MAX_AGE_HOURS": "max_age_hours",
        "MCP_SRE_OFFLINE": "offline",
        "MCP_SRE_SNAPSHOT_DIR": "snapshot_dir",
        "MCP_SRE_REGISTRY_DIR": "registry_dir",
        "MCP_SRE_MAX_SPEC_BYTES": "max_spec_bytes",
        "MCP_SRE_LLM_QUERY_REWRITE": "llm_query_rewrite",
        "MCP_SRE_LLM_RERANK": "llm_rerank",
        "MCP_SRE_LOG_FORMAT": "log_format",
        "MCP_SRE_LOG_LEVEL": "log_level",
        "MCP_SRE_LOG_FILE": "log_file",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "otlp_endpoint",
        "MCP_SRE_OTLP_ENDPOINT": "otlp_endpoint",
        "MCP_SRE_TOOL_BUDGET": "tool_budget",
        "MCP_SRE_PROVIDERS": "providers",
    }
    for env, key in env_map.items():
        if os.environ.get(env):
            value: Any = os.environ[env]
            if key in _FLAGS:
                value = value.lower() in {"1", "true", "yes"}
            elif key == "tool_budget" and value.lower() in {"all", "none"}:
                value = None
            data[key] = value
    if os.environ.get("MCP_SRE_NO_STARTER_TOOLS", "").lower() in {"1", "true", "yes"}:
        data["starter_tools"] = False
    data.update(overrides)
    data["home"] = home
    return Settings(**data)


_FLAGS = frozenset({"offline", "llm_query_rewrite", "llm_rerank"})


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created with its folder) across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write a file so readers see the old content or the new, never half of either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{id(raw)}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
