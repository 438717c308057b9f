"""Write docs/sensitivity.md: Morris screening of every parameter, then Sobol' on the leaders.

Two sweeps of the experiments engine, each resumed where an earlier call left it:

1. the committed study ``experiments/studies/sensitivity_morris.toml``: Morris elementary
   effects (Morris 1991; mu* of Campolongo et al. 2007) of every numeric parameter of the
   CCPT baseline, the declared constants and seed-labelled magnitudes included;
2. a Sobol' (Saltelli) study of the ``top_k`` factors with the highest screening score
   (:func:`experiments.analysis.top_factors`), over the bounds the screening gave them and
   from the same root seed. It is generated from the screening and written next to the
   sweeps as ``sensitivity_sobol.toml``. S1 and ST with bootstrap intervals, recomputed at
   base samples N/16 ... N, show whether they have settled (Saltelli et al. 2010).

Each sweep is analysed by :func:`experiments.analysis.analyze`; the page is rendered from
the Jinja2 template ``docs/templates/sensitivity.md.j2`` with figures in
``docs/img/sensitivity_*.png``. The sequence is ten Broeke, van Voorn & Ligtenberg 2016
(JASSS 19(1)5) and science_anchors §6.3. Everything follows from the study file and its
root seed. Run from the repository root (``make sensitivity`` does)::

    python docs/gen_sensitivity.py            # full run into out/sensitivity/, then the page
    python docs/gen_sensitivity.py --quick    # a small smoke run, page and figures in
                                              # out/sensitivity-quick/
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from experiments.analysis import (
    analyze,
    convergence_verdicts,
    markdown_table,
    plot_convergence,
    plot_morris,
    plot_ranking,
    plot_sobol,
    screening_scores,
    top_factors,
)
from experiments.study import (
    DEFAULT_MODEL,
    Study,
    factor_set_left_out,
    load_study,
)
from experiments.sweep import sweep
from sim.outcomes import OUTCOMES
from sim.params import SOURCES, parameter_table

ROOT = Path(__file__).resolve().parent.parent
MORRIS_STUDY = ROOT / "experiments" / "studies" / "sensitivity_morris.toml"
WORK = ROOT / "out" / "sensitivity"
QUICK_WORK = ROOT / "out" / "sensitivity-quick"
DOCS = ROOT / "docs"
TEMPLATES = DOCS / "templates"
TEMPLATE = "sensitivity.md.j2"
PAGE = "sensitivity.md"
SOBOL_STUDY = "sensitivity_sobol.toml"
FIGURES = {"ranking": "sensitivity_ranking.png", "morris": "sensitivity_morris.png",
           "morris_convergence": "sensitivity_morris_convergence.png",
           "sobol": "sensitivity_sobol.png", "convergence": "sensitivity_convergence.png"}
TOP_LABELLED = 5      # factors named in each panel of the mu*-sigma figure
RANKING_SHOWN = 30    # factors in the ranking figure
OUTCOME_TOP = 10      # rows of each outcome's Morris table


@dataclass(frozen=True)
class Settings:
    """Sizes of the two steps; ``None`` keeps the Morris study's own value.

    ``top_k``: factors passed to Sobol' (science_anchors §6.3: "Sobol on the top ~8-12").
    ``sobol_n``: Saltelli base sample N, a power of two; indices are also recomputed at
    N/16 ... N/2 (:func:`experiments.analysis.convergence_sizes`). ``n_boot``: bootstrap
    resamples of every interval.
    """

    trajectories: int | None = None
    morris_replicates: int | None = None
    top_k: int = 8
    sobol_n: int = 256
    sobol_replicates: int = 2
    n_boot: int = 1000


FULL = Settings()
QUICK = Settings(trajectories=2, morris_replicates=1, top_k=4, sobol_n=16,
                 sobol_replicates=1, n_boot=100)


# --- the two studies ---------------------------------------------------------------------
def morris_study(path: Path, settings: Settings) -> Study:
    """The screening study at ``path``, with the sizes ``settings`` override."""
    study = load_study(path)
    if not study.is_consortium or study.design.kind != "morris":
        raise ValueError(f"{path}: needs a Morris design of the consortium model")
    design = study.design
    if settings.trajectories is not None:
        design = design.model_copy(update={"samples": settings.trajectories})
    update: dict[str, Any] = {"design": design}
    if settings.morris_replicates is not None:
        update["replicates"] = settings.morris_replicates
    return study.model_copy(update=update)  # model_copy keeps the resolved base scenario


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def sobol_study_text(morris: Study, factors: list[str], settings: Settings) -> str:
    """The Sobol' study of ``factors``: the screening's base, bounds, outcomes and root seed."""
    by_key = {f.key: f for f in morris.factors}
    k, n = len(factors), settings.sobol_n
    runs = n * (k + 2) * settings.sobol_replicates
    source = morris.path.name if morris.path else "the Morris study"
    lines = [
        f"# Generated by docs/gen_sensitivity.py from the Morris screening {source}; do not",
        "# edit. Sobol' (Saltelli) indices of the factors with the highest screening score",
        "# (experiments.analysis.top_factors), over the bounds the screening gave them and from",
        "# its root seed; S1 and ST only (Saltelli et al. 2010 estimators).",
        f"# Runs: N x (k + 2) points x replicates = {n} x ({k} + 2) x "
        f"{settings.sobol_replicates} = {runs:,}.",
        "",
        f"name = {_toml(Path(SOBOL_STUDY).stem)}",
        f"description = {_toml(f'How much of the variance of the headline outcomes do the {k} '
                               'factors that lead the Morris screening explain, alone and '
                               'with their interactions?')}",
        f"base = {_toml(morris.base_ref)}",
    ]
    if morris.model != DEFAULT_MODEL:
        lines.append(f"model = {_toml(morris.model)}")
    lines += [
        f"replicates = {settings.sobol_replicates}",
        f"seed = {morris.seed}",
        f"crn = {_toml(morris.crn)}",
    ]
    if morris.outcomes:
        lines.append(f"outcomes = {_toml(list(morris.outcomes))}")
    lines += ['timeseries = "none"', ""]
    if morris.settings:
        lines += ["[set]", *[f"{key} = {_toml(v)}" for key, v in morris.settings.items()], ""]
    if morris.model_options:
        lines += ["[model_options]",
                  *[f"{key} = {_toml(v)}" for key, v in morris.model_options.items()], ""]
    lines += ["[design]", 'kind = "sobol"', f"samples = {n}", "second_order = false", ""]
    for key in factors:
        f = by_key[key]
        lines += ["[[factors]]", f"key = {_toml(key)}",
                  f"bounds = {_toml([float(b) for b in f.bounds])}"]
        if f.integer:
            lines.append("integer = true")
        lines.append("")
    return "\n".join(lines)


# --- running -----------------------------------------------------------------------------
def run_sweep(study: Study, out: Path, console: Console, executor: str = "local",
              workers: int | None = None) -> float:
    """Run (or resume) ``study`` into ``out`` with a progress bar; return the seconds taken."""
    start = time.perf_counter()
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(bar_width=28),
                        MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("eta"),
                        TimeRemainingColumn(), TextColumn("{task.fields[failed]} failed"),
                        console=console, transient=False)
    task = progress.add_task(study.name, total=None, failed=0)

    def report(done: int, total: int, failed: int) -> None:
        progress.update(task, completed=done, total=total, failed=failed)

    with progress:
        sweep(study, out, executor=executor, workers=workers,
              resume=(out / "manifest.json").is_file(), progress=report)
    return time.perf_counter() - start


# --- tables --------------------------------------------------------------------------------
def _number(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def parameter_rows() -> dict[str, dict[str, Any]]:
    """The parameter table by key."""
    return {r["key"]: r for r in parameter_table()}


def factor_frame(study: Study) -> pd.DataFrame:
    """One row per factor: key, source, constant, unit, base value and bounds."""
    rows = parameter_rows()
    return pd.DataFrame([{
        "factor": f.key, "source": rows[f.key]["source"],
        "constant": rows[f.key]["tier"] == "constant", "unit": rows[f.key]["unit"],
        "base": study.base_value(f.key), "range": f"{_number(f.bounds[0])} to "
                                                  f"{_number(f.bounds[1])}",
    } for f in study.factors])


def left_out_frame(study: Study) -> pd.DataFrame:
    """The numeric parameters the study holds fixed, with the reason and the source."""
    rows = parameter_rows()
    varied = set(study.factor_keys)
    if study.factor_set is not None:
        left = factor_set_left_out(study.factor_set, study.base_params)
    else:
        left = {k: "not among the study's factors" for k in rows}
    left.update({key: "fixed by the study's [set]" for key in study.settings})
    records = []
    for key, reason in sorted(left.items(), key=lambda kv: _reason_order(kv[1])):
        value = study.base_value(key)
        if key in varied or isinstance(value, bool) or not isinstance(value, int | float):
            continue  # switches and categories are counted, not listed
        row = rows[key]
        records.append({"parameter": key, "value": value, "unit": row["unit"],
                        "source": row["source"], "reason": reason, "reference": row["ref"]})
    return pd.DataFrame(records, columns=["parameter", "value", "unit", "source", "reason",
                                          "reference"])


def _reason_order(reason: str) -> int:
    """The study's own exclusions (the facts) first, then the engine's, then inert rules."""
    for i, start in enumerate(("excluded by the study", "excluded by the engine", "inert")):
        if reason.startswith(start):
            return i
    return 3


def selection_stability(conv: pd.DataFrame, k: int) -> dict[str, Any]:
    """The top ``k`` picked from the first r' trajectories against those from all r.

    ``conv`` is the Morris convergence table (:func:`experiments.analysis.convergence`);
    r' is the largest prefix below r. Returns r', r, the overlap and the factors that differ.
    """
    sizes = sorted(int(n) for n in conv["n"].unique())
    if len(sizes) < 2:
        return {"r_prev": None}
    picks = []
    for n in sizes[-2:]:
        t = conv[conv["n"] == n].pivot_table(index=["outcome", "factor"], columns="index",
                                             values="value", sort=False).reset_index()
        picks.append(top_factors(t, k))
    before, now = picks
    return {"r_prev": sizes[-2], "r": sizes[-1], "overlap": len(set(before) & set(now)),
            "k": len(now), "dropped": [f for f in before if f not in now],
            "added": [f for f in now if f not in before]}


def source_counts(study: Study) -> pd.DataFrame:
    """Numeric parameters by source label: in the schema, varied (constants among them)."""
    rows = parameter_rows()
    varied = set(study.factor_keys)
    out = []
    for source in SOURCES:
        numeric = [k for k, r in rows.items() if r["source"] == source
                   and not isinstance(r["default"], bool)
                   and isinstance(r["default"], int | float)]
        out.append({"source": source, "numeric parameters": len(numeric),
                    "varied": sum(k in varied for k in numeric),
                    "varied constants": sum(k in varied and rows[k]["tier"] == "constant"
                                            for k in numeric),
                    "fixed": sum(k not in varied for k in numeric)})
    frame = pd.DataFrame(out)
    total = frame.drop(columns="source").sum().to_dict()
    return pd.concat([frame, pd.DataFrame([{"source": "all", **total}])], ignore_index=True)


def ranking_frame(scores: pd.DataFrame, factors: pd.DataFrame) -> pd.DataFrame:
    """The screening ranking with each factor's source, constant flag, unit and range."""
    t = scores.merge(factors, on="factor", how="left")
    return t[["rank", "factor", "source", "constant", "unit", "base", "range", "score",
              "outcome", "mu_star", "sigma"]].rename(columns={"outcome": "strongest on",
                                                              "mu_star": "mu*"})


def outcome_tops(morris: pd.DataFrame, n: int) -> dict[str, str]:
    """Per outcome, its ``n`` leading factors by mu* as a Markdown table."""
    tables = {}
    for name, t in morris.groupby("outcome", sort=False):
        t = t.sort_values("mu_star", ascending=False, kind="stable").head(n)
        tables[name] = markdown_table(t[["factor", "mu_star", "mu_star_conf", "mu", "sigma"]]
                                      .rename(columns={"mu_star": "mu*",
                                                       "mu_star_conf": "mu* ± (95%)"}),
                                      max_rows=None)
    return tables


def _interval(value: float, lo: float, hi: float) -> str:
    return f"{value:.3f} [{lo:.3f}, {hi:.3f}]"


def sobol_tables(sobol: pd.DataFrame, verdicts: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per outcome: S1 and ST with 95% intervals and the convergence verdicts, as Markdown."""
    out = {}
    judged = verdicts.set_index(["outcome", "index", "factor"])["verdict"]
    for name, t in sobol.groupby("outcome", sort=False):
        t = t.sort_values("ST", ascending=False, kind="stable")
        rows = [{"factor": r.factor, "S1 [95% CI]": _interval(r.S1, r.S1_lo, r.S1_hi),
                 "ST [95% CI]": _interval(r.ST, r.ST_lo, r.ST_hi),
                 "S1 settled": judged.get((name, "S1", r.factor), "n/a"),
                 "ST settled": judged.get((name, "ST", r.factor), "n/a")}
                for r in t.itertuples()]
        out[name] = {"table": markdown_table(pd.DataFrame(rows), max_rows=None),
                     "sum_s1": float(t["S1"].sum())}
    return out


def convergence_tables(conv: pd.DataFrame, order: list[str]) -> dict[str, str]:
    """Per outcome: each index at every base sample size N, one column per N.

    Rows are S1 then ST, factors in ``order``.
    """
    out = {}
    rank = {f: i for i, f in enumerate(order)}
    for name, t in conv.groupby("outcome", sort=False):
        wide = t.pivot_table(index=["factor", "index"], columns="n", values="value",
                             sort=False).reset_index()
        wide.columns = [c if isinstance(c, str) else f"N={int(c)}" for c in wide.columns]
        wide = wide.sort_values(["index", "factor"], key=lambda c: c.map(rank)
                                if c.name == "factor" else c, kind="stable")
        out[name] = markdown_table(wide, max_rows=None)
    return out


def verdict_counts(verdicts: pd.DataFrame) -> pd.DataFrame:
    """How many indices per outcome and index are stable between the two largest sizes."""
    t = verdicts.assign(stable=verdicts["verdict"] == "stable")
    g = t.groupby(["outcome", "index"], sort=False)["stable"].agg(["sum", "count"])
    return g.reset_index().rename(columns={"sum": "stable", "count": "indices"})


def aleatory_frame(morris_dir: Path, sobol_dir: Path, outcomes: list[str]) -> pd.DataFrame:
    """The stochastic share of each outcome's variance in both sweeps, in ``outcomes`` order."""
    parts = []
    for label, folder in (("Morris", morris_dir), ("Sobol'", sobol_dir)):
        path = folder / "analysis" / "aleatory.csv"
        if path.is_file():
            t = pd.read_csv(path)[["outcome", "aleatory_share"]]
            parts.append(t.rename(columns={"aleatory_share": f"{label} sweep"}))
    if not parts:
        return pd.DataFrame(columns=["outcome"])
    frame = parts[0]
    for p in parts[1:]:
        frame = frame.merge(p, on="outcome", how="outer", sort=False)
    order = {name: i for i, name in enumerate(outcomes)}
    return frame.sort_values("outcome", key=lambda c: c.map(order),
                             kind="stable").reset_index(drop=True)


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the analysis wrote no such table; see "
                                f"{path.parent / 'summary.md'}")
    return pd.read_csv(path)


# --- the page ------------------------------------------------------------------------------
def render(context: dict[str, Any], templates: Path = TEMPLATES) -> str:
    """The Markdown page from the Jinja2 template and ``context``."""
    env = Environment(loader=FileSystemLoader(templates), autoescape=False,  # Markdown
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    return env.get_template(TEMPLATE).render(**context)


def _outcome_doc(name: str) -> str:
    doc = OUTCOMES[name].__doc__ if name in OUTCOMES else ""
    return " ".join((doc or "").split())


def generate(study_path: Path = MORRIS_STUDY, work: Path = WORK, docs: Path = DOCS,
             settings: Settings = FULL, executor: str = "local", workers: int | None = None,
             console: Console | None = None, command: str = "make sensitivity") -> Path:
    """Run (or resume) both steps into ``work`` and write the page and figures to ``docs``.

    Returns:
        The path of the Markdown page.
    """
    console = console or Console(highlight=False)
    work.mkdir(parents=True, exist_ok=True)
    img = docs / "img"
    img.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}

    # 1. Morris screening of every parameter
    morris = morris_study(study_path, settings)
    morris_dir = work / "morris"
    console.print(f"[bold]1. Morris screening[/bold]: {len(morris.factors)} factors, "
                  f"r = {morris.design.samples}, {morris.replicates} replicates")
    timings["morris_sweep_s"] = run_sweep(morris, morris_dir, console, executor, workers)
    start = time.perf_counter()
    analyze(morris_dir, n_boot=settings.n_boot)
    timings["morris_analysis_s"] = time.perf_counter() - start
    m_table = _read(morris_dir / "analysis" / "morris.csv")
    m_conv = _read(morris_dir / "analysis" / "convergence.csv")
    scores = screening_scores(m_table)
    chosen = top_factors(m_table, settings.top_k)

    # 2. Sobol' indices of the leading factors, with their convergence
    sobol_path = work / SOBOL_STUDY
    sobol_path.write_text(sobol_study_text(morris, chosen, settings), encoding="utf-8")
    sobol = load_study(sobol_path)
    sobol_dir = work / "sobol"
    console.print(f"[bold]2. Sobol' indices[/bold] of {len(chosen)} factors: "
                  f"N = {settings.sobol_n}, {sobol.replicates} replicates")
    timings["sobol_sweep_s"] = run_sweep(sobol, sobol_dir, console, executor, workers)
    start = time.perf_counter()
    analyze(sobol_dir, n_boot=settings.n_boot)
    timings["sobol_analysis_s"] = time.perf_counter() - start
    s_table = _read(sobol_dir / "analysis" / "sobol.csv")
    s_conv = _read(sobol_dir / "analysis" / "convergence.csv")
    s_verdicts = convergence_verdicts(s_conv)
    m_verdicts = convergence_verdicts(m_conv)

    # 3. figures and the page
    start = time.perf_counter()
    factors = factor_frame(morris)
    ranked = ranking_frame(scores, factors)
    plot_ranking(ranked.rename(columns={"strongest on": "outcome"}), img / FIGURES["ranking"],
                 top=RANKING_SHOWN, group="source")
    plot_morris(m_table, img / FIGURES["morris"], top=TOP_LABELLED)
    plot_convergence(m_conv, img / FIGURES["morris_convergence"])
    plot_sobol(s_table, img / FIGURES["sobol"])
    plot_convergence(s_conv, img / FIGURES["convergence"])
    top = ranked.head(settings.top_k)
    n_morris = (morris.design.samples or 0) * (len(morris.factors) + 1) * morris.replicates
    n_sobol = settings.sobol_n * (len(chosen) + 2) * sobol.replicates
    left = left_out_frame(morris)
    context = {
        "command": command,
        "study_file": _relative(study_path),
        "sobol_study_file": _relative(sobol_path),
        "work": _relative(work),
        "quick": settings != FULL,
        "settings": asdict(settings),
        "settings_text": _settings_text(morris, settings),
        "base": morris.base,
        "seed": morris.seed,
        "spread": morris.factor_set.spread if morris.factor_set else None,
        "levels": morris.design.levels,
        "trajectories": morris.design.samples,
        "morris_replicates": morris.replicates,
        "n_factors": len(morris.factors),
        "n_factor_constants": int(factors["constant"].sum()),
        "n_factor_seed": int(factors["source"].isin(["seed", "seed-direction"]).sum()),
        "n_morris_runs": n_morris,
        "n_sobol_runs": n_sobol,
        "sobol_replicates": sobol.replicates,
        "sobol_sizes": sorted(int(n) for n in s_conv["n"].unique()),
        "morris_sizes": sorted(int(n) for n in m_conv["n"].unique()),
        "outcomes": [{"name": n, "doc": _outcome_doc(n)} for n in (morris.outcomes or [])],
        "source_counts": markdown_table(source_counts(morris), max_rows=None),
        "left_out": markdown_table(left, max_rows=None),
        "n_switches": _count_switches(),
        "figures": {k: f"img/{v}" for k, v in FIGURES.items()},
        "ranking": markdown_table(ranked, max_rows=None),
        "top": top.to_dict("records"),
        "top_constants": int(top["constant"].sum()),
        "first_constant": ranked[ranked["constant"]].head(1).to_dict("records"),
        "top_seed": int(top["source"].isin(["seed", "seed-direction"]).sum()),
        "top_k": len(chosen),
        "outcome_tops": outcome_tops(m_table, OUTCOME_TOP),
        "outcome_top_n": OUTCOME_TOP,
        "morris_stable": markdown_table(verdict_counts(m_verdicts), max_rows=None),
        "sobol_factors": markdown_table(factors.set_index("factor").loc[chosen]
                                        .reset_index(), max_rows=None),
        "sobol": sobol_tables(s_table, s_verdicts),
        "sobol_stable": markdown_table(verdict_counts(s_verdicts), max_rows=None),
        "convergence": convergence_tables(s_conv, chosen),
        "aleatory": markdown_table(aleatory_frame(morris_dir, sobol_dir,
                                                  list(morris.outcomes or [])),
                                   max_rows=None),
        "selection": selection_stability(m_conv, settings.top_k),
    }
    page = docs / PAGE
    page.write_text(render(context), encoding="utf-8")
    timings["report_s"] = time.perf_counter() - start
    (work / "timings.json").write_text(json.dumps(timings, indent=2) + "\n", encoding="utf-8")
    _print_timings(console, timings, page)
    return page


def _settings_text(morris: Study, settings: Settings) -> str:
    reps = morris.replicates
    return (f"Morris r = {morris.design.samples}, {reps} replicate{'s' if reps > 1 else ''}; "
            f"top {settings.top_k}; Sobol' N = {settings.sobol_n}, "
            f"{settings.sobol_replicates} replicate{'s' if settings.sobol_replicates > 1 else ''}"
            f"; {settings.n_boot} bootstrap resamples")


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _count_switches() -> int:
    return sum(isinstance(r["default"], bool) or not isinstance(r["default"], int | float)
               for r in parameter_table())


def _print_timings(console: Console, timings: dict[str, float], page: Path) -> None:
    table = Table(title="Time taken", title_style="bold", header_style="bold")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    for step, seconds in timings.items():
        table.add_row(step.removesuffix("_s").replace("_", " "), f"{seconds:.1f}")
    console.print(table)
    console.print(f"Wrote [bold]{page}[/bold]")


app = typer.Typer(add_completion=False)


@app.command()
def main(
    quick: Annotated[bool, typer.Option(
        "--quick", help="A small smoke run (2 trajectories, Sobol' N = 16, one replicate) "
                        "into out/sensitivity-quick/, page and figures included.")] = False,
    study: Annotated[Path, typer.Option(help="The Morris study.")] = MORRIS_STUDY,
    work: Annotated[Path | None, typer.Option(
        help="Work directory for the sweeps (default out/sensitivity/, or "
             "out/sensitivity-quick/ with --quick).")] = None,
    docs: Annotated[Path | None, typer.Option(
        help="Folder for the page and img/ (default docs/, or the work directory with "
             "--quick).")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes "
                                                        "(default: every core).")] = None,
    executor: Annotated[str, typer.Option(help="local, sequential or dask.")] = "local",
    fresh: Annotated[bool, typer.Option(
        "--fresh", help="Delete the work directory's sweeps first instead of resuming "
                        "them (needed after the model or the study changed).")] = False,
) -> None:
    """Run the Morris screening and the Sobol' step, then write the sensitivity page."""
    settings = QUICK if quick else FULL
    work = work or (QUICK_WORK if quick else WORK)
    docs = docs or (work if quick else DOCS)
    if fresh:
        for sub in ("morris", "sobol"):
            shutil.rmtree(work / sub, ignore_errors=True)
    command = "python docs/gen_sensitivity.py" + (" --quick" if quick else "")
    generate(study, work, docs, settings, executor, workers, command=command)


if __name__ == "__main__":
    app()

