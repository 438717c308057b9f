"""The knock-out table: Markdown from a template, the heat map, the CSV of effects.

``docs/gen_knockouts.py`` runs ``validation.knockout_effects.run_knockouts`` and writes what
these functions return to ``docs/knockouts.md``, ``docs/img/knockouts.png`` and
``docs/knockouts.csv``. The heat map is drawn on a matplotlib ``Figure`` (no pyplot).
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
from jinja2 import Environment, PackageLoader

from validation.knockout_effects import ALPHA, CORRECTION, Effect, KnockoutResult
from validation.knockouts import ALL_IDS, KNOCKOUTS, KnockOut
from validation.statistics import STATISTICS
from validation.text import num, p_text

CLIP = 3.0  # standardized effects beyond this are drawn at it


def effect_text(e: Effect) -> str:
    """``outcome`` Δ [low, high] (baseline → knocked out), p adjusted."""
    return (f"`{e.outcome}` {_signed(e.diff)} [{_signed(e.low)}, {_signed(e.high)}] "
            f"({num(e.baseline)} → {num(e.knocked)}; d = {num(e.standardized, 2)}, "
            f"p<sub>adj</sub> {p_text(e.p_adjusted)})")


def _signed(x: float) -> str:
    text = num(x)
    return text if text.startswith("-") or not math.isfinite(x) or x == 0 else f"+{text}"


def _overrides(ko: KnockOut) -> str:
    text = "<br>".join(f"`{s}`" for s in ko.setting())
    return text + ("<br>*partial*" if not ko.complete else "")


def _mechanism_cell(ko: KnockOut) -> str:
    return f"**{ko.key}** {ko.title}" if not ko.part else f"**{ko.key}** (part of {ko.mechanism})"


def _rows(res: KnockoutResult) -> list[dict[str, str]]:
    ran = {ko.key for ko in res.knockouts}
    rows = []
    for mid in ALL_IDS:
        ko = KNOCKOUTS[mid]
        if not ko.represented:
            rows.append({"mechanism": _mechanism_cell(ko), "knockout": "—",
                         "measurable": "not represented", "effects": ko.why})
            continue
        if ko.key not in ran:
            rows.append({"mechanism": _mechanism_cell(ko), "knockout": _overrides(ko),
                         "measurable": "not run", "effects": ""})
        for k in [ko, *(p for p in res.knockouts if p.mechanism == mid and p.part)]:
            if k.key not in ran:
                continue
            rows.append({"mechanism": _mechanism_cell(k), "knockout": _overrides(k),
                         "measurable": "**yes**" if res.measurable(k.key) else "no",
                         "effects": "<br>".join(effect_text(e) for e in res.largest(k.key))})
    return rows


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.1f} minutes" if seconds >= 90 else f"{seconds:.0f} s"


def markdown(res: KnockoutResult, command: str = "make knockouts") -> str:
    """The knock-out table as Markdown (``validation/templates/knockouts.md.j2``)."""
    represented = [ko for ko in res.knockouts if not ko.part]
    parts = [ko for ko in res.knockouts if ko.part]
    inert = [ko for ko in res.knockouts if not res.measurable(ko.key)]
    inert_whole = [ko.key for ko in inert if not ko.part]
    env = Environment(loader=PackageLoader("validation", "templates"), autoescape=False,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    revision = (res.revision or {}).get("revision") or ""
    context: dict[str, Any] = {
        "command": command, "scenario": res.scenario, "replicates": res.replicates,
        "seed": res.seed, "alpha": ALPHA, "correction": CORRECTION.capitalize(),
        "n_outcomes": len(res.outcomes), "n_tests": len(res.effects),
        "n_arms": len(res.knockouts) + 1, "n_knockouts": len(res.knockouts),
        "n_parts": len(parts), "started": res.started, "revision": revision[:12],
        "dirty": bool((res.revision or {}).get("dirty")),
        "wall_time": _duration(res.wall_time_s),
        "n_represented": len(represented),
        "n_measurable": sum(res.measurable(ko.key) for ko in represented),
        "inert_list": ", ".join(inert_whole) or "none",
        "n_not_represented": sum(not ko.represented for ko in KNOCKOUTS.values()),
        "parts_measurable": sum(res.measurable(ko.key) for ko in parts),
        "clip": f"{CLIP:g}", "rows": _rows(res),
        "inert": [{"key": ko.key, "knockout": ", ".join(f"`{s}`" for s in ko.setting()),
                   "effect": effect_text(res.largest(ko.key, 1)[0])} for ko in inert],
        "details": [{"key": ko.key, "why": ko.why, "note": ko.note,
                     "rules": ", ".join(f"`{r}`" for r in ko.rules)}
                    for ko in res.knockouts],
        "outcomes": [{"name": n, "description": STATISTICS[n].description}
                     for n in res.outcomes],
    }
    return env.get_template("knockouts.md.j2").render(**context)


def effects_csv(res: KnockoutResult) -> str:
    """Every effect, one row per knock-out and outcome."""
    return res.table().to_csv(index=False, float_format="%.6g")


def heatmap_png(res: KnockoutResult) -> bytes:
    """Standardized effects, knock-outs by outcomes; cells that do not move are grey."""
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    keys = [ko.key for ko in res.knockouts]
    d = np.full((len(keys), len(res.outcomes)), np.nan)
    moved = np.zeros_like(d, dtype=bool)
    index = {(e.knockout, e.outcome): e for e in res.effects}
    for i, key in enumerate(keys):
        for j, name in enumerate(res.outcomes):
            e = index[(key, name)]
            d[i, j] = np.clip(e.standardized, -CLIP, CLIP) if not math.isnan(
                e.standardized) else np.nan
            moved[i, j] = e.measurable
    fig = Figure(figsize=(0.42 * len(res.outcomes) + 3.2, 0.27 * len(keys) + 3.2), dpi=110)
    ax = fig.add_subplot()
    ax.imshow(np.where(moved, np.nan, 0.0), cmap=ListedColormap(["#e6e6e6"]), aspect="auto")
    image = ax.imshow(np.where(moved, d, np.nan), cmap="RdBu", vmin=-CLIP, vmax=CLIP,
                      aspect="auto")
    ax.set_xticks(range(len(res.outcomes)), res.outcomes, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(keys)), keys, fontsize=7)
    ax.set_xticks(np.arange(-0.5, len(res.outcomes)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(keys)), minor=True)
    ax.grid(which="minor", color="white", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    colorbar = fig.colorbar(image, ax=ax, shrink=0.5, pad=0.02)
    colorbar.set_label("d (knocked out − baseline) / pooled SD", fontsize=7)
    colorbar.ax.tick_params(labelsize=7)
    ax.set_title(f"Knock-outs in {res.scenario}: {res.replicates} paired replicates, "
                 f"{CORRECTION.capitalize()}-adjusted α = {ALPHA:g}", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
