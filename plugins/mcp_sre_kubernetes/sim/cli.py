"""``mcp-sre k8s-sim``: serve a scenario, or a captured cluster, as a Kubernetes API endpoint on
127.0.0.1."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from mcp_sre.errors import McpSreError
from mcp_sre_kubernetes.sim.scenario import list_scenarios, load_scenario
from mcp_sre_kubernetes.sim.server import DEFAULT_TOKEN, SimServer
from mcp_sre_kubernetes.sim.timeshift import shift_to

__all__ = ["k8s_sim"]


@click.command(name="k8s-sim")
@click.option("--scenario", default="crashloop", show_default=True,
              help=f"Built-in scenario ({', '.join(list_scenarios())}), a scenario YAML file, or "
              "a folder from `kubectl cluster-info dump --output-directory` / `mcp-sre snapshot`.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1; 0 picks a free one.")
@click.option("--kubeconfig-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a kubeconfig that points at the endpoint (token auth, its CA).")
@click.option("--swagger", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Kubernetes swagger to serve (default: the shipped snapshot).")
@click.option("--token", default=DEFAULT_TOKEN, show_default=True,
              help="Bearer token the endpoint requires (a dummy credential).")
@click.option("--no-tls", is_flag=True, help="Serve plain HTTP (kubectl then sends no token).")
@click.option("--shift-to-now", is_flag=True,
              help="Move a dump's times so its capture time is now (ages look as they did).")
def k8s_sim(scenario: str, port: int, kubeconfig_out: Path | None, swagger: Path | None,
            token: str, no_tls: bool, shift_to_now: bool) -> None:
    """Serve a scenario's objects (or a cluster dump) on the real Kubernetes REST paths until
    interrupted.

    Reads, selectors, pagination, logs and discovery work for kubectl and the official
    clients; writes are served too, so tests can show that mcp-sre's policy refused them.
    """
    try:
        loaded = load_scenario(scenario)
        if shift_to_now:
            loaded = shift_to(loaded)
        server = SimServer(loaded, swagger=swagger, port=port, token=token or None,
                           tls=not no_tls)
    except McpSreError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from exc
    if kubeconfig_out:
        server.write_kubeconfig(kubeconfig_out)
    name = server.scenario.name if server.scenario else "empty"
    click.echo(f"k8s-sim: scenario {name!r} on {server.url}", err=True)
    if kubeconfig_out:
        click.echo(f"k8s-sim: kubeconfig written to {kubeconfig_out}; try "
                   f"KUBECONFIG={kubeconfig_out} kubectl get pods -A", err=True)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server.start()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
        click.echo("k8s-sim: stopped", err=True)
