"""Funding designs: a state's choice of grant levers, as TOML files in ``scenarios/designs/``.

A design says how the state funds a consortium, not what the region is like, so a design
file sets only ``[grant]`` keys (:class:`sim.params.Grant`), with its ``name``,
``description``, a ``rationale`` in plain words and the ``sources`` it rests on (seed
documents 000-004). ``extends = "other.toml"`` starts from another design, resolved next to
the extending file, else among the shipped designs. Every design states its award convention
(``grant.award_convention``: ``fixed_total`` or ``fixed_annual``), itself or through
``extends``, because what a longer grant costs and does depends on it (ODD §2.4).

Any other key, a bad value or a missing convention raises :class:`DesignError`, which
lists every problem found, each with the file, the key and what is wrong; the command line
prints one line per problem and exits with code 2.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.params import Grant, ScenarioParams
from sim.scenario import (
    Problem,
    ScenarioError,
    error_message,
    read_chain,
    resolve_shipped,
    shipped_in,
    with_values,
)

DESIGN_DIR = Path(__file__).resolve().parent.parent / "scenarios" / "designs"
TEXT_KEYS = ("name", "description", "rationale")
CONVENTIONS = ("fixed_total", "fixed_annual")


class DesignError(ScenarioError):
    """A bad design file: which file, which key, what is wrong."""


@dataclass(frozen=True)
class Design:
    """A funding design: the grant levers it sets and why.

    ``grant`` holds every lever the file or its parents set (dotted keys under ``grant.``);
    the levers it leaves alone keep the scenario's values when the design is applied.
    """

    name: str
    description: str
    rationale: str
    sources: tuple[str, ...]
    grant: dict[str, Any]
    path: Path

    @property
    def convention(self) -> str:
        """The award convention the design states: fixed total or fixed annual award."""
        return self.grant["award_convention"]

    def settings(self) -> dict[str, Any]:
        """The design as dotted scenario keys, e.g. ``{"grant.state_years": 5}``."""
        return {f"grant.{k}": v for k, v in self.grant.items()}

    def apply(self, params: ScenarioParams) -> ScenarioParams:
        """``params`` with this design's grant levers, validated; the rest is untouched."""
        return with_values(params, self.settings(), source=self.path)


def shipped_designs() -> dict[str, Path]:
    """Design name -> file, read from ``scenarios/designs/``."""
    return shipped_in(DESIGN_DIR)


def resolve_design(name_or_path: str | Path) -> Path:
    """The path as given if it is a file, else the shipped design of that name."""
    return resolve_shipped(name_or_path, DESIGN_DIR, DesignError, "design")


def _check(data: dict[str, Any], path: Path, problems: list[Problem]) -> None:
    """One design file's own table: grant levers, texts and sources only.

    Each problem is added to ``problems`` and its entry dropped, so the rest is still checked.
    """
    def bad(key: str, problem: str) -> None:
        problems.append(Problem(str(path), key, problem))

    for key, value in list(data.items()):
        if key in ("grant", "sources", *TEXT_KEYS):
            continue
        where = f"[{key}]" if isinstance(value, dict) else key
        bad(key, f"a design sets only [grant] levers; {where} belongs in a scenario file, "
            "to which the design is applied")
        del data[key]
    grant = data.get("grant", {})
    if not isinstance(grant, dict):
        bad("grant", "must be a table of grant levers")
        del data["grant"]
        grant = {}
    for key in list(grant):
        if key not in Grant.model_fields:
            close = difflib.get_close_matches(key, list(Grant.model_fields), n=1, cutoff=0.75)
            hint = f"did you mean grant.{close[0]}? " if close else ""
            bad(f"grant.{key}", f"not a grant lever ({hint}see the [grant] table of "
                "docs/ODD.md §9)")
            del grant[key]
    for key in TEXT_KEYS:
        if key in data and not isinstance(data[key], str):
            bad(key, "must be a string")
            del data[key]
    sources = data.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        bad("sources", "must be a list of strings")
        del data["sources"]


def load_design(name_or_path: str | Path) -> Design:
    """Read and validate a design file; raise :class:`DesignError` listing every problem."""
    path = resolve_design(name_or_path)
    problems: list[Problem] = []
    try:
        data, origins, _ = read_chain(path, error=DesignError, what="design file",
                                      search=DESIGN_DIR, not_inherited=("name",),
                                      check=lambda table, file: _check(table, file, problems))
    except DesignError as exc:  # a file that cannot be read ends the reading
        raise DesignError.of([*problems, *exc.problems]) from None
    reported = {p.key for p in problems}
    grant = data.get("grant", {})
    if "award_convention" not in grant and "grant" not in reported:
        problems.append(Problem(str(path), "grant.award_convention", "every design states "
                                f"its award convention: one of {CONVENTIONS}"))
    try:
        Grant.model_validate(grant, strict=True)
    except ValidationError as exc:
        for err in exc.errors():
            key = "grant." + ".".join(str(part) for part in err["loc"]) if err["loc"] \
                else "grant"
            lever = key.removeprefix("grant.").split(".")[0]
            problems.append(Problem(str(origins.get(f"grant.{lever}", path)), key,
                                    error_message(err)))
    for key in ("rationale", "sources"):
        if not data.get(key) and key not in reported:
            problems.append(Problem(str(path), key, "every design gives its rationale and "
                                    "the sources it rests on"))
    if problems:
        raise DesignError.of(problems)
    return Design(name=data.get("name", path.stem), description=data.get("description", ""),
                  rationale=" ".join(data["rationale"].split()),
                  sources=tuple(data["sources"]), grant=dict(grant), path=path)
