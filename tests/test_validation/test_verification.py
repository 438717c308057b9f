"""Verification patterns as tests: each check that a rule works as built must hold.

A verification pattern (``validation.patterns``) is true by construction or judged against
the quote its rule was built from, so the report counts it apart from validation. It stays
a real assertion here: a paired-direction or band test over common-random-number
replicates. The robust ones already run in the quick suite (20 replicates); the others run
here with 40 replicates per arm, P5a with 150, since its within-run contrast rests on the
few bridges a run has, SF24b with 150, since shared vision varies little across runs
(Spearman about 0.3 with the funding gap covered), and SF32 with 300, since the
association between habits at grant end and grants won later is weak (about 0.16). SF18 is a known
failure: no employer burns out at the baseline, so the ask rule built from the '20-80'
quote never binds. It is an expected failure, and the test breaks if it starts to pass.
"""

import pytest

from validation.patterns import PATTERNS
from validation.suite import run_suite
from validation.text import effect_text

REPLICATES = 40
MORE = {"P5a": 150, "SF24b": 150, "SF32": 300}
KNOWN_FAILURES = {"SF18": "no employer reaches the burnout exit at the baseline's ask load"}
VERIFICATION = [p for p in PATTERNS if p.role == "verification" and p.testable]


@pytest.fixture(scope="module")
def slow() -> dict:
    """Results of the verification patterns the quick suite does not run."""
    out = {}
    chosen = [p for p in VERIFICATION if not p.robust]
    for n in sorted({MORE.get(p.id, REPLICATES) for p in chosen}):
        res = run_suite(replicates=n, patterns=[p for p in chosen
                                                if MORE.get(p.id, REPLICATES) == n])
        out.update({r.pattern.id: r for r in res.results})
    return out


@pytest.mark.parametrize("pattern", [
    pytest.param(p, id=p.id, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[p.id])]
                 if p.id in KNOWN_FAILURES else [])
    for p in VERIFICATION])
def test_verification_pattern_holds(pattern, quick, slow):
    results = {r.pattern.id: r for r in quick.results} if pattern.robust else slow
    r = results[pattern.id]
    assert r.status == "pass", f"{pattern.id}: {effect_text(r)} ({r.status})"


def test_every_verification_pattern_is_tested_here():
    assert len(VERIFICATION) >= 20
    assert set(KNOWN_FAILURES) <= {p.id for p in VERIFICATION}
    assert all(p.role_why for p in VERIFICATION)
