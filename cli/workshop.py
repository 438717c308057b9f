"""``consortium workshop``: serve the workshop dashboard (app/workshop.py) in a browser."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from typing import Annotated

import typer
from rich.console import Console

from cli.common import load_params, make_console

LOOPBACK = ("localhost",)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine."""
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def workshop_command(
    scenario: Annotated[str, typer.Argument(
        help="Scenario the dashboard starts from (a shipped name or a TOML file).")
    ] = "workshop_small",
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on; loopback keeps the dashboard on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
                    ] = 8765,
) -> None:
    """Serve the workshop dashboard for facilitators: live network, charts and shocks.

    Every browser tab gets its own model. Runs offline: the page's assets are served from
    the installed packages. Open the printed address in a browser; Ctrl-C stops it. See
    docs/workshop.md for a 60-minute script.

    Example: [bold]consortium workshop workshop_small --port 8765[/bold]
    """
    params = load_params(scenario, None)  # a bad scenario exits 2 before the server starts
    console = make_console()
    if not is_loopback(host):
        Console(stderr=True).print(
            f"[bold yellow]warning:[/bold yellow] listening on {host}: anyone who can reach "
            "this machine on that address can open the dashboard and run models on it.")
    # Solara serves its page assets from the installed solara-assets package (its proxy
    # cache); telemetry is off, so nothing leaves this machine.
    env = {**os.environ, "CONSORTIUM_WORKSHOP_SCENARIO": scenario,
           "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    console.print(f"Workshop on [bold]{params.name}[/bold]: open http://{host}:{port}/ "
                  "(Ctrl-C stops it)")
    cmd = [sys.executable, "-m", "solara", "run", "app.workshop:Page", "--host", host,
           "--port", str(port), "--production", "--no-open", "--no-check-version",
           "--log-level", "warning"]
    try:
        code = subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)
