"""The ``consortium`` typer app: every command group registered on one app.

The console script ``consortium`` calls :data:`app`.
"""

from __future__ import annotations

import sys
import warnings
from typing import Annotated, TextIO

import typer

from cli import (
    calibrate,
    cohorts,
    compare,
    designs,
    discover,
    explain,
    robustness,
    run,
    sweep,
    validate,
    workshop,
)
from cli.common import reflow

app = typer.Typer(
    name="consortium",
    help=(
        "Simulate whether a regional cross-sector career-pathway consortium survives the end "
        "of its state grant.\n\n"
        "Example: [bold]consortium run ccpt_baseline --replicates 30 --seed 20140701[/bold]"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"consortium-sim {version('consortium-sim')}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print the version and exit.")] = False) -> None:
    """The command group's own options (its help is the app's)."""
    warnings.showwarning = _show_warning


def _show_warning(message: Warning | str, category: type[Warning], filename: str,
                  lineno: int, file: TextIO | None = None, line: str | None = None) -> None:
    """A warning as one ``warning: ...`` line on stderr, without the source line."""
    (file or sys.stderr).write(f"warning: {message}\n")
app.add_typer(run.scenarios_app, name="scenarios")
app.add_typer(designs.designs_app, name="designs")
app.add_typer(cohorts.cohorts_app, name="cohorts")
app.command()(run.run)
app.command("sweep")(sweep.sweep_command)
app.command("analyze")(sweep.analyze_command)
app.command("calibrate")(calibrate.calibrate_command)
app.command("validate")(validate.validate_command)
app.command("compare")(compare.compare_command)
app.command("discover")(discover.discover_command)
app.command("robustness")(robustness.robustness_command)
app.command("explain")(explain.explain_command)
app.command("workshop")(workshop.workshop_command)

for _typer_app in (app, run.scenarios_app, designs.designs_app, cohorts.cohorts_app):
    for _info in _typer_app.registered_commands:
        if _info.help is None and _info.callback is not None:
            _info.help = reflow(_info.callback.__doc__)
