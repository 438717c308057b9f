"""The workshop dashboard: a Solara page a facilitator projects (docs/workshop.md).

``consortium workshop`` serves :func:`Page`. Every browser session renders its own
``Page``, and the page keeps its own :class:`app.session.Workshop`, so two tabs or two
laptops never share a model (Mesa's SolaraViz shares one model until Reset; that and its
lack of a same-seed side-by-side view are why the page is built from Solara's own
components rather than SolaraViz). The figures are ``viz.live``'s, drawn as PNG.
"""

from __future__ import annotations

import io
import os
import threading
import time
from typing import Any, cast

import solara
from matplotlib.figure import Figure
from PIL import Image

from app.session import LEVERS, Workshop, replicate_pool
from sim.shocks import SHOCKS
from viz import live

SCENARIO_ENV = "CONSORTIUM_WORKSHOP_SCENARIO"
SHOCK_LABELS = {"leader_leaves": "A leader leaves", "employer_exits": "An employer exits",
                "intermediary_loses_funding": "The intermediary loses its funding",
                "new_grant_arrives": "A new grant arrives"}
NO_COMPARE = "(no comparison)"
FEED_LINES = 14
DPI = 80


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def snapshot_png(workshop: Workshop) -> bytes:
    """The current views (networks, then the charts) as one PNG, for export."""
    with workshop.lock:
        images = [Image.open(io.BytesIO(_png(_network(s)))) for s in workshop.sides]
        series = [s.series() for s in workshop.sides]
        images.append(Image.open(io.BytesIO(_png(_charts(workshop, series)))))
    width = max(i.width for i in images)
    out = Image.new("RGB", (width, sum(i.height for i in images)), "white")
    y = 0
    for image in images:
        out.paste(image, (0, y))
        y += image.height
    buffer = io.BytesIO()
    out.save(buffer, format="PNG")
    return buffer.getvalue()


def _network(side: Any) -> Figure:
    return live.network(side.model, side.label, since=side.since)


def _charts(workshop: Workshop, series: list[dict[str, Any]]) -> Figure:
    """The four charts of every side, from each side's ``series()``."""
    phase = workshop.sides[0].model.schedule_.phase
    return live.charts([(s.label, x) for s, x in zip(workshop.sides, series, strict=True)],
                       phase, workshop.months)


def make_frame(workshop: Workshop) -> dict[str, Any]:
    """Everything the page shows, drawn now: the PNGs, the month, the feed, the sliders.

    Built under the session's lock by whoever changed the model (a click or the play
    loop), so rendering the page only places what is already drawn.
    """
    with workshop.lock:
        sides = list(workshop.sides)
        month, months = workshop.month, workshop.months
        phase = sides[0].model.schedule_.phase
        series = [s.series() for s in sides]  # once per frame: charts and difference share it
        return {
            "month": month, "months": months,
            "phase": sides[0].model.grant_phase() if month < months else "post",
            "networks": [_png(_network(s)) for s in sides],
            "timeline": _png(live.timeline(phase, month, months)),
            "charts": _png(_charts(workshop, series)),
            "difference": (_png(live.difference(series[0], series[1],
                                                [s.label for s in sides], phase, months))
                           if len(sides) > 1 else None),
            "replicates": (_png(live.replicates(workshop.replicate_results, workshop.guess))
                           if workshop.replicate_results else None),
            "feed": sides[0].events[-FEED_LINES:][::-1],
            "levers": dict(workshop.levers),
        }


@solara.component
def Image_(fig_png: bytes, classes: list[str]) -> None:
    """A PNG in a wrapper the browser tests can find by class."""
    with solara.Column(classes=classes):
        solara.Image(fig_png)


@solara.component
def Page() -> None:  # noqa: C901 - one page, laid out top to bottom
    """The dashboard: controls on the left; network, timeline, charts and feed on the right."""
    workshop = solara.use_memo(
        lambda: Workshop(os.environ.get(SCENARIO_ENV, "workshop_small")), [])
    # Start the server's replicate workers while the first page is read, so the first
    # "Run 50 replicates" does not wait for them (a no-op once they run).
    solara.use_effect(lambda: threading.Thread(target=replicate_pool, daemon=True).start(),
                      [])
    first = solara.use_memo(lambda: make_frame(workshop), [])
    frame, set_frame = solara.use_state(cast(dict, None))
    frame = frame or first
    playing, set_playing = solara.use_state(False)
    speed = solara.use_reactive(4.0)
    rate = max(speed.value, 0.5)  # months per second, as the play loop started with it
    guess = solara.use_reactive(None)
    compare = solara.use_reactive(NO_COMPARE)
    preset = solara.use_reactive(workshop.preset)
    message = solara.use_reactive("")

    def redraw() -> None:
        set_frame(make_frame(workshop))

    def play_loop(cancel: threading.Event) -> None:
        # Reads only plain values (a new speed restarts the loop). Drawing a frame takes a
        # fraction of a second, so at higher speeds each frame steps several months.
        per_frame = 1
        while playing and not cancel.is_set():
            start = time.perf_counter()
            with workshop.lock:
                workshop.step(per_frame)
                done = workshop.finished
            redraw()
            if done:
                set_playing(False)
                break
            spent = time.perf_counter() - start
            per_frame = max(1, round(rate * spent))
            cancel.wait(max(0.0, per_frame / rate - spent))

    solara.use_thread(play_loop, dependencies=[playing, speed.value], intrusive_cancel=False)

    def pause() -> None:
        set_playing(False)

    def act(f: Any) -> Any:
        def run(*args: Any) -> None:
            with workshop.lock:
                f(*args)
            redraw()
        return run

    def on_lever(name: str) -> Any:
        def set_value(value: float) -> None:
            pause()
            with workshop.lock:
                workshop.set_lever(name, value)
            preset.set("custom")
            redraw()
        return set_value

    def on_preset(name: str) -> None:
        pause()
        preset.set(name)
        if name != "custom":
            with workshop.lock:
                workshop.use_design(name)
        redraw()

    def on_compare(name: str) -> None:
        pause()
        compare.set(name)
        with workshop.lock:
            workshop.set_compare(None if name == NO_COMPARE else name)
        redraw()

    def reset() -> None:
        pause()
        with workshop.lock:
            workshop.reset()
        redraw()

    def run_replicates() -> None:
        pause()
        start = time.perf_counter()
        with workshop.lock:
            workshop.guess = guess.value / 100 if guess.value is not None else None
            workshop.run_replicates(50)
        message.set(f"50 replicates per side in {time.perf_counter() - start:.1f} s")
        redraw()

    month, months, phase_name = frame["month"], frame["months"], frame["phase"]
    network_pngs, timeline_png, charts_png = frame["networks"], frame["timeline"], frame["charts"]
    diff_png, reps_png, feed, levers = (frame["difference"], frame["replicates"], frame["feed"],
                                        frame["levers"])

    solara.Title("consortium-sim workshop")
    with solara.Row(style={"padding": "8px", "align-items": "flex-start",
                           "flex-wrap": "nowrap"}):
        with solara.Column(style={"width": "340px", "flex": "0 0 340px"}):
            with solara.Card("Run"):
                with solara.Row():
                    solara.Button("Pause" if playing else "Play",
                                  on_click=lambda: set_playing(not playing),
                                  color="primary", classes=["play-button"])
                    solara.Button("Step", on_click=act(lambda: workshop.step(1)),
                                  classes=["step-button"])
                    solara.Button("Reset", on_click=reset, classes=["reset-button"])
                solara.SliderFloat("Speed (months per second)", value=speed, min=0.5, max=12,
                                   step=0.5)
            with solara.Card("Funding design"):
                solara.Select("Preset", values=["custom", *workshop.designs()],
                              value=preset.value, on_value=on_preset)
                for name, lever in LEVERS.items():
                    with solara.Column(classes=[f"lever-{name}"]):
                        if lever.integer:
                            solara.SliderInt(lever.label, value=int(levers[name]),
                                             min=int(lever.low), max=int(lever.high),
                                             step=int(lever.step), on_value=on_lever(name))
                        else:
                            solara.SliderFloat(lever.label, value=float(levers[name]),
                                               min=lever.low, max=lever.high, step=lever.step,
                                               on_value=on_lever(name))
            with solara.Card("Shocks"):
                for name in SHOCKS:
                    solara.Button(SHOCK_LABELS[name],
                                  on_click=act(lambda n=name: workshop.shock(n)), block=True,
                                  classes=[f"shock-{name}"])
            with solara.Card("Compare and predict"):
                solara.Select("Compare with a design (same seed)",
                              values=[NO_COMPARE, *workshop.designs()], value=compare.value,
                              on_value=on_compare)
                solara.InputFloat("Room's guess: % that sustain", value=guess, optional=True)
                solara.Button("Run 50 replicates", on_click=run_replicates, color="primary",
                              classes=["replicates-button"])
                if message.value:
                    solara.Text(message.value, classes=["replicates-message"])
            with solara.Card("Export"):
                solara.FileDownload(lambda: snapshot_png(workshop), filename="workshop.png",
                                    label="PNG of the views")
                solara.FileDownload(lambda: workshop.csv(), filename="workshop.csv",
                                    label="CSV of the run")
        with solara.Column(style={"flex": "1 1 auto", "min-width": "0"}):
            with solara.Column(classes=["month-heading"]):
                solara.Text(f"Month {month} of {months}: "
                            f"{live.PHASE_LABELS.get(phase_name, phase_name)}",
                            style={"font-size": "1.8em", "font-weight": "500"})
            Image_(timeline_png, ["timeline-view"])
            with solara.Columns([1] * len(network_pngs)):
                for k, png in enumerate(network_pngs):
                    Image_(png, ["network-view", f"network-view-{k}"])
            with solara.Columns([3, 2]):
                Image_(charts_png, ["charts-view"])
                with solara.Card("What happened", classes=["event-feed"]):
                    for line in feed or ["Press Play or Step to start."]:
                        solara.Text(line, style={"display": "block", "font-size": "1.05em"})
            if diff_png is not None:
                Image_(diff_png, ["difference-view"])
            if reps_png is not None:
                Image_(reps_png, ["replicates-view"])


@solara.component
def Layout(children: list) -> None:
    """A plain page: no app bar or drawer, so nothing covers the views on a projector."""
    with solara.Column(style={"padding": "0"}):
        for child in children:
            solara.display(child)
