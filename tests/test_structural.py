"""Structural sensitivity: the alternative trust and exit rules (science_anchors §6.3).

Scenario files choose ``trust.rule = "beta_reputation"`` (T3) instead of the asymmetric
update (T1, T2) and ``commitment.exit_rule = "logit"`` instead of the threshold exit (C4).
The default rules must not notice that the alternatives exist.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from agents import _org_kernels, ties
from cli.main import app
from sim.model import ConsortiumModel
from sim.params import ScenarioParams, parameter_table
from sim.run import run
from sim.scenario import ScenarioError, load_scenario, with_values

BETA = 'trust.rule="beta_reputation"'
LOGIT = 'commitment.exit_rule="logit"'
VARIANTS = {"beta_reputation": [BETA], "logit": [LOGIT], "both": [BETA, LOGIT]}
SHORT = "outcomes.horizon_years=8"  # four grant years and four after

# Outcomes that are shares, indicators or levels in [0, 1], and the status code.
UNIT_OUTCOMES = ("sustained_2y", "scaled_back_2y", "dissolved_2y", "sustained_4y",
                 "regional_collaboration_2y", "regional_collaboration_4y",
                 "largest_component_share_2y", "funding_gap_filled_2y",
                 "institutionalization_grant_end", "institutionalization_2y",
                 "employer_pledges_met_grant_end", "mean_trust_grant_end")


# --- scenario files ----------------------------------------------------------------------
def test_rules_default_to_the_asymmetric_update_and_threshold_exits() -> None:
    p = ScenarioParams()
    assert p.trust.rule == "asymmetric" and p.commitment.exit_rule == "threshold"


def test_scenario_file_chooses_the_alternative_rules(tmp_path: Path) -> None:
    path = tmp_path / "structural.toml"
    path.write_text('extends = "ccpt_baseline.toml"\n\n[trust]\nrule = "beta_reputation"\n'
                    "beta_forgetting = 0.9\n\n[commitment]\nexit_rule = \"logit\"\n"
                    "exit_slope = 60.0\n", encoding="utf-8")
    p = load_scenario(path)
    assert p.trust.rule == "beta_reputation" and p.commitment.exit_rule == "logit"
    assert p.trust.beta_forgetting == 0.9 and p.commitment.exit_slope == 60.0
    assert p.region.n_districts == load_scenario("ccpt_baseline").region.n_districts
    again = load_scenario("ccpt_baseline", [BETA, LOGIT])
    assert again.trust.rule == "beta_reputation" and again.commitment.exit_rule == "logit"


@pytest.mark.parametrize(("text", "key"), [
    ('[trust]\nrule = "bayesian"\n', "trust.rule"),
    ('[commitment]\nexit_rule = "probit"\n', "commitment.exit_rule"),
    ("[trust]\nrule = 1\n", "trust.rule"),
    ("[trust]\nbeta_forgetting = 1.0\n", "trust.beta_forgetting"),
    ("[commitment]\nexit_slope = -1\n", "commitment.exit_slope"),
])
def test_bad_rule_choices_are_scenario_errors(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.key == key and Path(info.value.file).name == "bad.toml"
    if "rule" in key:
        assert "asymmetric" in info.value.problem or "threshold" in info.value.problem


@pytest.mark.parametrize("args", [
    ["--set", "trust.rule=bayesian"],
    ["--set", 'commitment.exit_rule="probit"'],
])
def test_bad_rule_on_the_command_line_exits_2(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "ccpt_baseline", *args, "--out", str(out)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "rule" in lines[0]
    assert "Traceback" not in result.output and not out.exists()


def test_rule_parameters_say_which_rule_they_belong_to() -> None:
    when = {row["key"]: row["when"] for row in parameter_table() if row["when"]}
    assert when == {
        "trust.beta_forgetting": ("trust.rule", "beta_reputation"),
        "trust.beta_prior_weight": ("trust.rule", "beta_reputation"),
        "trust.beta_negative_weight": ("trust.rule", "beta_reputation"),
        "commitment.exit_slope": ("commitment.exit_rule", "logit"),
    }
    rows = {row["key"]: row for row in parameter_table()}
    for key in ("trust.rule", "commitment.exit_rule"):
        assert rows[key]["unit"] == "choice" and rows[key]["source"] == "literature"


# --- runs ----------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_ccpt_baseline_runs_under_each_alternative(variant: str) -> None:
    params = load_scenario("ccpt_baseline", [*VARIANTS[variant], SHORT])
    for seed in range(3):
        first = run(params, seed)
        out = first.outcomes
        assert all(math.isfinite(v) for v in out.values()), out
        for name in UNIT_OUTCOMES:
            assert 0.0 <= out[name] <= 1.0, (name, out[name])
        assert out["status_2y"] in (0.0, 1.0, 2.0) and out["status_4y"] in (0.0, 1.0, 2.0)
        assert all(v >= 0.0 for v in out.values())
        again = run(params, seed)
        assert again.outcomes == out
    assert run(params, 3).outcomes != out


def test_alternatives_change_the_run() -> None:
    series = {name: run(load_scenario("ccpt_baseline", [*over, SHORT]), 5).record.series
              for name, over in {"default": [], **VARIANTS}.items()}
    for name in VARIANTS:
        assert not np.array_equal(series[name]["taking_part_share"],
                                  series["default"]["taking_part_share"]), name


def test_default_rules_ignore_the_alternative_parameters() -> None:
    """Parameters of a rule that is not chosen change nothing, to the last bit."""
    base = load_scenario("ccpt_baseline", [SHORT])
    other = with_values(base, {"trust.beta_forgetting": 0.3, "trust.beta_prior_weight": 7.0,
                               "trust.beta_negative_weight": 0.5,
                               "commitment.exit_slope": 3.0})
    a, b = run(base, 9), run(other, 9)
    for name, values in a.record.series.items():
        assert np.array_equal(values, b.record.series[name], equal_nan=True), name


def test_beta_state_stays_consistent_through_a_run() -> None:
    """Every place that writes personal trust keeps it the Beta mean of the evidence:
    construction, the tie month, new and dissolved ties, leader turnover, lost positions
    and broken pledges (T3)."""
    params = load_scenario("ccpt_baseline", [BETA, LOGIT])
    model = ConsortiumModel(params, 2)
    t, tp = model.ties, params.trust
    events = 0
    while model.month < model.months:
        tie = t.tie
        assert (t.positive >= 0).all() and (t.negative >= 0).all()
        assert np.isfinite(t.positive).all() and np.isfinite(t.negative).all()
        assert (t.positive[~tie] == 0).all() and (t.negative[~tie] == 0).all()
        assert np.allclose(t.personal[tie], ties.beta_mean(t.positive, t.negative, tp)[tie],
                           rtol=0.0, atol=1e-12)
        assert ((t.personal >= 0) & (t.personal <= 1)).all()
        assert ((t.institutional >= 0) & (t.institutional <= 1)).all()
        events = model.turnover_events
        model.step()
    assert events > 0
    assert model.series["ties"].min() > 0


def test_beta_prior_ties_start_at_the_same_trust() -> None:
    """Pre-existing ties start at the same personal trust under both rules (same draws)."""
    base = load_scenario("ccpt_baseline")
    a = ConsortiumModel(base, 4)
    b = ConsortiumModel(with_values(base, {"trust.rule": "beta_reputation"}), 4)
    assert np.array_equal(a.ties.tie, b.ties.tie)
    tie = a.ties.tie
    assert np.allclose(a.ties.personal[tie], b.ties.personal[tie], atol=1e-12)
    assert np.allclose(a.ties.institutional, b.ties.institutional, atol=1e-12)
    assert (b.ties.positive[tie] + b.ties.negative[tie] > 0).any()
    assert not a.ties.positive.any() and not a.ties.negative.any()


@pytest.mark.parametrize("rule", ["threshold", "logit"])
def test_exit_pass_gets_uniforms_only_under_the_logit_rule(rule: str, monkeypatch) -> None:
    seen = []
    original = _org_kernels.participation

    def spy(*args):
        seen.append(args[-1])
        return original(*args)

    monkeypatch.setattr(_org_kernels, "participation", spy)
    params = load_scenario("ccpt_baseline", [f'commitment.exit_rule="{rule}"',
                                             "outcomes.horizon_years=1"])
    model = ConsortiumModel(params, 0)
    model.run()
    assert len(seen) == 12
    if rule == "threshold":
        assert all(u is None for u in seen)
    else:
        assert all(u.shape == (model.n,) and ((u >= 0) & (u < 1)).all() for u in seen)
