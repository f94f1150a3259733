"""Every extension point of mcp-sre.

Built-in plugins (``plugins/mcp_sre_*``) implement these exactly as a third-party package would:
by exposing a module through the ``mcp_sre`` entry-point group. Hooks are grouped by what they
extend. ``firstresult`` hooks stop at the first plugin that returns something other than ``None``;
a plugin returns ``None`` to say "not mine".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    from mcp_sre.specs.fetch import FetchedContent
    from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource
    from mcp_sre.toolcode.calls import SdkCall

hookspec = pluggy.HookspecMarker("mcp_sre")
hookimpl = pluggy.HookimplMarker("mcp_sre")

# --------------------------------------------------------------------------------------------
# Spec formats: turn fetched bytes into APISpec operations
# --------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def detect_spec_format(content: bytes, source: SpecSource) -> str | None:
    """Name the format of ``content`` (e.g. ``"openapi"``), or ``None`` if not recognised.

    Called when a source does not declare its format. Must be cheap: it sees every source.
    """


@hookspec(firstresult=True)
def parse_spec(
    fmt: str, content: bytes, source: SpecSource, info: SourceInfo
) -> list[APISpec] | None:
    """Parse ``content`` of format ``fmt`` into operations, or ``None`` if ``fmt`` is not yours.

    Raise :class:`mcp_sre.errors.SpecParseError` for content that claims the format but is
    broken (malformed, dangling ``$ref``, missing imports that matter). Set each operation's
    ``access`` from what the format knows (HTTP method, GraphQL root type, naming).
    """


@hookspec(firstresult=True)
def fetch_spec_content(source: SpecSource, etag: str | None) -> FetchedContent | None:
    """Fetch a source whose URL uses a scheme the core does not know (e.g. ``botocore:``).

    Return ``None`` if the scheme is not yours. http(s) URLs and file paths are fetched by the
    core. ``etag`` is the validator of the cached copy; return ``not_modified=True`` to reuse it.
    """


# --------------------------------------------------------------------------------------------
# Clouds: where specs live, what is safe, how calls run
# --------------------------------------------------------------------------------------------


@hookspec
def register_doc_sources(register: Callable[[SpecSource], None]) -> None:
    """Call ``register(SpecSource(...))`` for each spec source this plugin knows.

    User configuration may override any of them by name.
    """


@hookspec(firstresult=True)
def classify_operation(spec: APISpec) -> str | None:
    """Return ``"read"`` or ``"write"`` to override the format's classification, else ``None``.

    Cloud plugins know things formats do not: a Kubernetes ``POST .../exec`` or an AWS
    ``Get*`` that changes state. Anything nobody classifies stays as the format set it.
    """


@hookspec(firstresult=True)
def execute_operation(spec: APISpec, params: dict[str, Any], context: dict[str, Any]) -> Any:
    """Run an allowed operation with the host's credentials and return JSON-safe data.

    Called by the host bridge after the policy allowed the call. Return ``None`` if the
    provider is not yours. ``context`` carries per-run settings (region, profile, namespace).
    """


@hookspec
def sandbox_shims() -> dict[str, str]:
    """Return ``{module_name: source}`` of guest modules that make SDK-shaped code work in the
    sandbox by forwarding calls over the bridge (e.g. a ``boto3`` shim)."""


@hookspec
def sensitive_operations() -> list[str]:
    """Return glob patterns of operation ids that are reads but must be refused by default
    (e.g. ``aws/secretsmanager/GetSecretValue``)."""


@hookspec(firstresult=True)
def sdk_call_operation(call: SdkCall) -> str | None:
    """Return the operation id an SDK-shaped call in tool code names, or ``None`` if the
    client is not yours.

    ``call`` (:class:`mcp_sre.toolcode.SdkCall`) is what the code wrote: the factory that made
    the client with its literal arguments, and the method called on it with its literal
    arguments, e.g. factory ``client.CoreV1Api``, method ``delete_namespaced_pod`` ->
    ``kubernetes/core_v1/deleteCoreV1NamespacedPod``. The registry's write check judges the
    operation by its spec's access class, as it does ``sre.call`` ids, and lists it among the
    tool's operations. Name only what your sandbox shim would call.
    """


# --------------------------------------------------------------------------------------------
# Search: how requests name a cloud's services
# --------------------------------------------------------------------------------------------


@hookspec
def retrieval_vocabulary() -> Path | None:
    """A YAML file of search vocabulary for this plugin's APIs, in the format of the core's
    ``mcp_sre/retrieval/vocab.yaml`` (usually ``services``: provider -> service -> strong/weak
    aliases, ``providers`` and ``common_services``; any other section is merged too)."""


# --------------------------------------------------------------------------------------------
# Health: how a provider's answers become health signals
# --------------------------------------------------------------------------------------------


@hookspec
def health_mappings() -> list[Path]:
    """Return YAML files (usually one) in the format of :class:`mcp_sre.agents.health.rules.
    MappingFile`: the ``provider``, when it counts as configured (``env``/``files``), the read
    ``calls`` that gather its resources and signals, and the ``rules`` that say which fields
    of each response are the resource, its labels, metrics (name, value, unit, time), states,
    log lines and traces. Called once per health report; the core names no cloud."""


@hookspec
def local_targets() -> dict[str, tuple[str, Callable[..., Any]]]:
    """Return ``{case file name: (provider, factory)}`` for evaluation cases (``mcp-sre eval
    health``): ``factory(path, workdir, down=False)`` is a context manager that builds the
    file's state on a local target on 127.0.0.1 (an emulator, a simulator, a backfilled
    server) and yields the environment variables that point the host at it; ``down=True``
    yields an address where nothing answers (a source that is down)."""


# --------------------------------------------------------------------------------------------
# Tools: MCP tools contributed by plugins
# --------------------------------------------------------------------------------------------


@hookspec
def register_tools(register: Callable[..., None]) -> None:
    """Call ``register(fn, name=None, description=None)`` to add MCP tools to the server."""


# --------------------------------------------------------------------------------------------
# Evaluation: suites ``mcp-sre eval all`` runs besides the built-in ones
# --------------------------------------------------------------------------------------------


@hookspec
def register_eval_suites(register: Callable[[Any], None]) -> None:
    """Call ``register(suite)`` with :class:`mcp_sre.evaluation.Suite` objects (make them with
    ``callable_suite(name, description, run)`` or ``command_suite(name, description, argv)``)
    so ``mcp-sre eval all`` measures your provider too and gates on it. Called once per run.
    """


# --------------------------------------------------------------------------------------------
# Diagnosis: what the DiagnosticAgent knows about a provider's objects (as data)
# --------------------------------------------------------------------------------------------


@hookspec
def diagnosis_knowledge() -> list[Path]:
    """Return YAML files (or folders of them) that teach the DiagnosticAgent a provider.

    Sections (see ``mcp_sre/agents/diagnosis/knowledge.py``): ``kinds`` (kind -> the operation
    that lists it), ``relations`` (owner references, selectors, references by name, events),
    ``logs`` (how to read current and previous container logs), ``signals`` (anomaly rules),
    ``rules`` (signal -> root-cause / fix text in each language), ``aliases`` and
    ``question_kinds`` (how questions name objects). Called once per diagnoser; lists merge,
    mappings are overridden by later plugins.
    """


@hookspec(firstresult=True)
def replay_cluster(folder: Path) -> Any:
    """Serve a recorded cluster in ``folder`` locally (a scenario file or a dump directory),
    or return ``None`` if the folder is not yours.

    Return a context manager that starts the replay and yields the per-provider context the
    bridge's executor needs (e.g. ``{"kubernetes": {"kubeconfig": "..."}}``); used by
    ``mcp-sre eval diagnosis`` and the diagnosis benchmark.
    """


# --------------------------------------------------------------------------------------------
# Agents the manager plans with
# --------------------------------------------------------------------------------------------


@hookspec
def register_agents(register: Callable[..., None]) -> None:
    """Add agents the ManagerAgent can plan with: call ``register(name, run, description,
    inputs)`` where ``run`` is ``async (AgentTask, AgentContext) -> AgentResult``
    (:mod:`mcp_sre.agents.manager.protocol`). The built-in agents (search, spec, find_tool,
    tool, read, codegen, diagnose, health, ask_user, answer) register through this hook too.
    """


# --------------------------------------------------------------------------------------------
# Safety: secret material in answers
# --------------------------------------------------------------------------------------------


@hookspec
def response_masks() -> list[Callable[[APISpec, Any], Any]]:
    """Return functions ``mask(spec, data) -> data`` that replace secret material in an
    operation's answer (in place, or by returning a masked copy; ``None`` keeps ``data``).

    The host bridge applies every plugin's masks to every answer before the guest sees it,
    whatever the write setting, then the core's own layers (the return schema's
    ``format: password``/``writeOnly`` properties and secret-looking field names; see
    :mod:`mcp_sre.sandbox.masking`). Use :data:`mcp_sre.sandbox.masking.MASK` as the
    replacement. A mask that raises withholds the whole answer.
    """


@hookspec(firstresult=True)
def secret_operation(spec: APISpec) -> str | None:
    """Return why ``spec``'s purpose is a secret (its answer *is* a credential, token,
    password or key, by the spec's own markings), or ``None``.

    The policy refuses such operations like the ``sensitive_operations`` globs -- before the
    write rule, so allowing writes does not unlock them; only ``allow_sensitive`` exempts one.
    Called once per operation and cached; it must be cheap after the first call per service.
    """
