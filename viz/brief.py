"""The decision brief of a design comparison, as one self-contained HTML page.

It is written for a reader who does not program: plain-language headings, a definition
beside every measure, a ranked chart with intervals, the designs' reasons and costs, and
what the model cannot say. The page is
rendered from ``viz/templates/brief.html.j2``; figures are inline PNGs, so it opens
offline and can be mailed as one file.
"""

from __future__ import annotations

import base64
import math
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader

from sim.grant import award_line
from sim.summary import survival
from viz.figures import ranked_designs, survival_curves

TITLE = "Which funding design keeps more regional consortia working after the grant?"
SURVIVAL_YEARS = 8
COLUMNS = ("Design", "State pays per consortium", "Still sustained", "Scaled back",
           "Dissolved", "Difference from the first design", "State cost per consortium "
           "sustained", "State cost per additional consortium sustained")


def _pct(x: float) -> str:
    return f"{x:.0%}" if math.isfinite(x) else "—"


def _musd(x: float, low: float | None = None, high: float | None = None) -> str:
    if not math.isfinite(x):
        return "not defined"
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return f"${x:.1f}M"
    return f"${x:.1f}M (${low:.1f}M to ${high:.1f}M)"


def _png(draw, *args) -> str:  # noqa: ANN001 - a viz.figures function
    with tempfile.TemporaryDirectory() as tmp:
        path = draw(*args, Path(tmp) / "figure.png")
        return base64.b64encode(path.read_bytes()).decode()


def _revision() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True, cwd=Path(__file__).parent)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _answer(summary: pd.DataFrame, c: Any) -> list[str]:
    first = summary.iloc[0]
    best = summary.loc[summary["sustained"].idxmax()]
    k = c.years_after
    like = (f"the simulated consortia of {c.scenario}" if c.cohort
            else f"simulated consortia like {c.scenario}")
    out = [f"Under {first['design']}, {_pct(first['sustained'])} of {like} were still "
           f"sustained {k} years after the grant ended "
           f"({_pct(first['sustained_low'])} to {_pct(first['sustained_high'])})."]
    if c.cohort:
        n = int(first["consortia"])
        out.append(f"Statewide, that is {first['sustained_count']:.1f} of {n} consortia "
                   f"({first['sustained_count_p05']:.0f} to {first['sustained_count_p95']:.0f} "
                   "in 90% of simulated statewide cohorts); "
                   f"{first['scaled_back_count']:.1f} scale back and "
                   f"{first['dissolved_count']:.1f} dissolve.")
    if best["design"] != first["design"]:
        out.append(f"{best['design']} sustained the most: {_pct(best['sustained'])} "
                   f"({_pct(best['sustained_low'])} to {_pct(best['sustained_high'])}), "
                   f"{best['diff_sustained'] * 100:+.0f} points against {first['design']} on "
                   "the same simulated regions.")
    defined = summary[summary["cost_per_additional_musd"].map(math.isfinite)]
    if not defined.empty:
        cheap = defined.loc[defined["cost_per_additional_musd"].idxmin()]
        out.append(f"Per additional consortium sustained, {cheap['design']} cost the state "
                   f"least: {_musd(cheap['cost_per_additional_musd'])} more than "
                   f"{first['design']} for each extra consortium that kept working.")
    worse = summary[summary["diff_high"] < 0]
    for _, row in worse.iterrows():
        out.append(f"{row['design']} sustained fewer consortia than {first['design']}.")
    return out


def decision_brief(c: Any, summary: pd.DataFrame, command: str) -> str:
    """The brief as one self-contained HTML page.

    ``c`` is a comparison of ``experiments`` (its runs, scenario, replicates, seed, years
    after and horizon) and ``summary`` its summary table; viz takes them as given.
    """
    k = c.years_after
    rows = []
    for _, r in summary.iterrows():
        rows.append([r["design"], _musd(r["cost_total_musd"]),
                     f"{_pct(r['sustained'])} ({_pct(r['sustained_low'])} to "
                     f"{_pct(r['sustained_high'])})",
                     _pct(r["scaled_back"]), _pct(r["dissolved"]),
                     "—" if r["design"] == summary.iloc[0]["design"] else
                     f"{r['diff_sustained'] * 100:+.0f} points ({r['diff_low'] * 100:+.0f} "
                     f"to {r['diff_high'] * 100:+.0f})",
                     _musd(r["cost_per_sustained_musd"], r["cost_per_sustained_low"],
                           r["cost_per_sustained_high"]),
                     _musd(r["cost_per_additional_musd"], r["cost_per_additional_low"],
                           r["cost_per_additional_high"])])
    definitions = [
        ("Still sustained", "The share of simulated consortia that, " f"{k} years after "
         "their own grant ended, still hold regional convenings, keep cross-sector ties "
         "active, have partners paying for the work, and have made it part of how their "
         "organizations operate (budget lines, agreements, routines). The range in brackets "
         "is a 95% interval for the share, allowing for chance from one simulated consortium "
         "to the next."),
        ("Scaled back", "Some of that still happens, but not all: a smaller consortium "
         "that continues in part."),
        ("Dissolved", "Little of it is left: the regional partnership has in effect "
         "ended, though single programs may continue."),
        ("Difference from the first design", "How many more (or fewer) consortia in 100 "
         "sustain under this design than under the first, on the same simulated regions "
         "and the same chance events, so the difference is the design's doing."),
        ("State pays per consortium", "The award under the design's award convention, plus "
         f"what the state pays after the grant through year {k}: backbone positions it keeps "
         "funding, technical assistance and any follow-on grant; and onboarding support "
         "during the grant."),
        ("State cost per consortium sustained", "What the state pays per consortium divided "
         "by the share still sustained: the price of one consortium that keeps working."),
        ("State cost per additional consortium sustained", "The extra the state pays over "
         "the first design, divided by the extra share sustained: the price of each "
         "consortium that keeps working because of the design. Not defined where the design "
         "sustains no more than the first."),
    ]
    curves = {runs.design.name: survival(runs.status[:, :SURVIVAL_YEARS]) for runs in c.runs}
    designs = []
    for runs in c.runs:
        d, cost = runs.design, runs.cost
        designs.append({"name": d.name, "description": d.description,
                        "rationale": d.rationale, "sources": "; ".join(d.sources),
                        "pays": f"{award_line(runs.params)}; through {k} years after the "
                                f"grant ${cost['total']:.2f}M in all (retained positions "
                                f"${cost['retained_backbone']:.2f}M, TA after the grant "
                                f"${cost['post_grant_ta']:.2f}M, onboarding support "
                                f"${cost['onboarding']:.2f}M, follow-on grants "
                                f"${cost['follow_on']:.2f}M)."})
    conventions = sorted({runs.design.convention for runs in c.runs})
    caveats = [
        "Award convention: " + ", ".join(
            f"{runs.design.name} holds the "
            f"{'yearly award' if runs.design.convention == 'fixed_annual' else 'total award'}"
            for runs in c.runs) + ". " + (
            "A longer grant or a taper therefore costs the state more, and some of its "
            "effect is the extra money." if "fixed_annual" in conventions else
            "A longer grant spreads the same money thinner."),
        f"Horizon: every design is read {k} years after its own grant ended, and the "
        f"state's later costs are counted through that year. Later years can differ; the "
        f"chart 'Over time' shows them.",
        "The intervals show run-to-run chance only. They do not show how the answer would "
        "change if the model's assumptions were different; the model's parameters were "
        "fitted to what is known about one $15M consortium, and no single value was pinned "
        "down by that evidence (docs/validation.md §6).",
        "The funding designs themselves were never observed: California ran one design. "
        "The differences between designs are what the model's mechanisms imply, not "
        "measured effects.",
        "Costs of positions, technical assistance and onboarding support are assumptions, "
        "not figures from the CCPT record (grant.position_cost_kusd, "
        "costs.ta_kusd_per_year, costs.onboarding_kusd_per_year).",
        "The model says nothing about students: enrollment, completion or earnings are not "
        "simulated. 'Sustained' is about the regional partnership, not its results for "
        "students.",
    ]
    cohort = c.cohort
    if cohort:
        n = int(summary.iloc[0]["consortia"])
        caveats.insert(2, f"Statewide: each simulated cohort has the {n} consortia of "
                       f"{c.scenario}, drawn to match the seeds' grant counts, lead agencies "
                       "and partner totals; how their regions differ is an assumption "
                       "(docs/cohorts.md). Costs are the cohort's total per consortium. The "
                       "state's system-level coaches are shared, so a design that asks more "
                       "of them gives each consortium less.")
    method = [f"Command: {command}",
              (f"Cohort {c.scenario}; {c.replicates} simulated statewide cohorts of "
               f"{int(summary.iloc[0]['consortia'])} consortia per design on the same seeds "
               if cohort else
               f"Scenario {c.scenario}; {c.replicates} simulated consortia per design on the "
               "same seeds ")
              + f"(root seed {c.seed}); each run lasts {c.horizon_years} years.",
              ("Intervals: Wilson 95% for shares over every consortium run; bootstrap 95% "
               "over the paired statewide cohorts for differences and costs." if cohort else
               "Intervals: Wilson 95% for shares; bootstrap 95% over the paired runs for "
               "differences and costs."),
              f"consortium-sim revision {_revision()}. The model is described in docs/ODD.md "
              "and checked against the evidence in docs/validation.md."]
    env = Environment(loader=PackageLoader("viz", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("brief.html.j2").render(
        title=TITLE,
        subtitle=(f"A comparison of {len(c.runs)} funding designs on the consortia of cohort "
                  f"{c.scenario}, {c.replicates} simulated statewide cohorts per design."
                  if cohort else
                  f"A comparison of {len(c.runs)} funding designs on simulated consortia like "
                  f"{c.scenario}, {c.replicates} per design."),
        question="If the state funds regional career-pathway consortia again, which of these "
                 "designs leaves more consortia still working together after the state's "
                 "money ends, and what does each cost the state?",
        answer=_answer(summary, c), columns=COLUMNS, rows=rows, definitions=definitions,
        ranked_png=_png(ranked_designs, summary.to_dict("records")),
        survival_text="The share of consortia still sustained in each year after each "
                      "design's own grant ended, with 95% intervals.",
        survival_png=_png(survival_curves, curves), designs=designs, caveats=caveats,
        method=method)
