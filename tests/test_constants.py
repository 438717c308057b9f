"""No behavioural number hides in the rule code: every one is a declared parameter.

The rule code is everything in ``agents/`` and the model's wiring (``sim/model.py``,
``sim/grant.py``). A numeric literal there other than 0 or 1, or a bare index or buffer
offset, must be on the short allow-list below, with the reason it is not a parameter and
the number of times it appears. Anything else fails: make it a parameter in
``sim/params.py`` (a declared constant if it is a scale or weight choice) instead.
"""

from __future__ import annotations

import io
import tokenize
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULE_CODE = sorted(p for pattern in ("*.pyx", "*.pxd", "*.py")
                   for p in (ROOT / "agents").glob(pattern)) + [
    ROOT / "sim" / "model.py", ROOT / "sim" / "grant.py"]
GENERATED_OR_TEXT = {"params.pyx", "params.pxd", "mechanisms.py"}  # the mirror; the id index

ALLOWED: list[tuple[str, str, int, str]] = [
    # (file, literal, occurrences, why it is not a parameter)
    # numerics, not behaviour
    ("agents/commitment.pyx", "2.0", 1, "the 1 - 2C that picks the learning step's room"),
    ("agents/numerics.pxd", "2.0", 1, "numpy's fast path for x**2 in power()"),
    ("agents/numerics.pxd", "0.5", 1, "numpy's fast path for x**0.5 in power()"),
    ("agents/commitment.pyx", "2", 1, "size of a scratch buffer of two rows"),
    ("agents/commitment.pyx", "3", 2, "size of a scratch buffer of three rows"),
    ("agents/leadership.pyx", "1e-9", 2, "guard against dividing by a zero threshold"),
    ("agents/money.pyx", "1e-9", 2, "guard against dividing by a zero core cost"),
    ("agents/programs.pyx", "1e-6", 2, "floor of a sector's engagement, so a sector with "
                                         "none drives the weakest link to ~0, not to 1/0"),
    ("agents/ties.pyx", "0x5555555555555555", 1, "popcount bit mask"),
    ("agents/ties.pyx", "0x3333333333333333", 2, "popcount bit mask"),
    ("agents/ties.pyx", "0x0F0F0F0F0F0F0F0F", 1, "popcount bit mask"),
    ("agents/ties.pyx", "0x0101010101010101", 1, "popcount bit mask"),
    ("agents/ties.pyx", "2", 1, "popcount shift"),
    ("agents/ties.pyx", "4", 1, "popcount shift"),
    ("agents/ties.pyx", "56", 1, "popcount shift"),
    ("agents/ties.pyx", "63", 1, "bits per 64-bit word, rounding up"),
    ("agents/ties.pyx", "64", 5, "bits per 64-bit word"),
    # the values of the named codes themselves
    ("agents/codes.pxd", "2", 3, "Sector, Rung and Phase code 2"),
    ("agents/codes.pxd", "3", 3, "Sector, Rung and Phase code 3"),
    ("agents/codes.pxd", "4", 2, "Rung and Phase code 4"),
    ("agents/codes.pxd", "5", 1, "Rung code 5"),
    ("agents/codes.pxd", "6", 1, "Rung code 6"),
    # units and the calendar
    ("agents/codes.pyx", "12", 1, "months per year: the model steps monthly"),
    ("agents/money.pyx", "1000.0", 1, "thousand USD per million USD"),
    # geometry
    ("agents/organizations.py", "2", 5, "the corridor's centre: half its length and width"),
    ("agents/organizations.py", "0.5", 1, "a node's band centre: half a band along"),
    # sentinels
    ("agents/partnerships.py", "999.0", 1, "idle months of a pair that never interacted"),
    # how many uniforms a pass reads
    ("agents/organizations.py", "2", 1, "per organization: habit, passage"),
    ("agents/ladder.py", "4", 1, "per organization: contact, climb, scare-off, slip"),
    ("agents/partnerships.py", "4", 1, "per pair: interact, signal, form, dissolve"),
    ("agents/partnerships.py", "2", 1, "per candidate pair: attempt, veto"),
    ("agents/institutions.pyx", "2", 1, "a tie's two ends"),
    ("agents/funding.py", "2", 1, "per month: a grant opportunity's arrival, its decision"),
    # definitions
    ("agents/money.pyx", "0.5", 1, "the mean of habits and data alignment (M23 win chance)"),
]


def allowed(rel: str, literal: str) -> tuple[int, list[str]]:
    """How often ``literal`` may appear in ``rel``, and why."""
    entries = [(n, why) for f, lit, n, why in ALLOWED if (f, lit) == (rel, literal)]
    return sum(n for n, _ in entries), [why for _, why in entries]


def literals(path: Path) -> Counter:
    """Numeric literals other than 0 and 1 that are not bare indices or buffer offsets."""
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
              if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE)]
    found: Counter = Counter()
    for n, tok in enumerate(tokens):
        if tok.type != tokenize.NUMBER:
            continue
        text = tok.string.rstrip("ULul")
        value = int(text, 16) if text.lower().startswith("0x") else float(text)
        if value in (0.0, 1.0):
            continue
        before = tokens[n - 1].string if n else ""
        after = tokens[n + 1].string if n + 1 < len(tokens) else ""
        if before in ("[", ",") and after in ("]", ",", "*") and _in_subscript(tokens, n):
            continue  # u[2, k], counts[2 * n + i], ends[2]
        found[text] += 1
    return found


def _in_subscript(tokens: list, n: int) -> bool:
    depth = {"(": 0, "[": 0}
    for tok in reversed(tokens[:n]):
        if tok.string in ")]":
            depth["(" if tok.string == ")" else "["] -= 1
        elif tok.string in "([":
            depth[tok.string] += 1
            if depth[tok.string] > 0:
                return tok.string == "["
    return False


def rule_files() -> list[Path]:
    return [p for p in RULE_CODE if p.name not in GENERATED_OR_TEXT]


@pytest.mark.parametrize("path", rule_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_hidden_behavioural_number(path: Path) -> None:
    rel = str(path.relative_to(ROOT))
    found = literals(path)
    for literal, count in found.items():
        limit, reasons = allowed(rel, literal)
        assert count == limit, (
            f"{rel}: the literal {literal} appears {count} times, allowed {limit}"
            + (f" ({'; '.join(reasons)})" if reasons else "")
            + ": make it a parameter in sim/params.py, or justify it on the allow-list")


def test_allow_list_has_no_stale_entries() -> None:
    for rel, literal, count, reason in ALLOWED:
        assert reason and count > 0, (rel, literal)
        assert literals(ROOT / rel)[literal] == allowed(rel, literal)[0], (rel, literal)


def test_the_check_catches_a_hidden_number(tmp_path: Path) -> None:
    path = tmp_path / "rule.py"
    path.write_text("def payoff(x, u, counts, n):\n"
                    "    return 0.5 * x + u[2, 0] + counts[2 * n] + 1.0  # 0.3 in a comment\n")
    assert literals(path) == Counter({"0.5": 1})


# --- readable calls ------------------------------------------------------------------------
MAX_ARGUMENTS = 8


def long_calls(path: Path) -> list[tuple[int, str, int]]:
    """Calls and definitions in ``path`` with more than MAX_ARGUMENTS positional arguments.

    Counts the arguments at the top level between a name's parenthesis and its match, so
    Cython signatures (``const double[:, ::1] u``) count like calls. Arguments passed by
    keyword (``name=value``) cannot be swapped by mistake and do not count.
    """
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
              if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE,
                                tokenize.INDENT, tokenize.DEDENT)]
    out = []
    for n, tok in enumerate(tokens[:-1]):
        if tok.type != tokenize.NAME or tokens[n + 1].string != "(":
            continue
        depth, positional, current = 0, 0, []
        for inner in tokens[n + 1:]:
            if inner.string in "([{":
                depth += 1
            elif inner.string in ")]}":
                depth -= 1
            if depth == 0 or (depth == 1 and inner.string == ","):
                keyword = len(current) > 1 and current[1] == "=" and current[0].isidentifier()
                positional += bool(current) and not keyword
                current = []
                if depth == 0:
                    break
            elif depth >= 1 and not (depth == 1 and inner.string == "("):
                current.append(inner.string)
        if positional > MAX_ARGUMENTS:
            out.append((tok.start[0], tok.string, positional))
    return out


@pytest.mark.parametrize("path", rule_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_call_takes_more_than_eight_arguments(path: Path) -> None:
    assert long_calls(path) == []


def test_the_count_sees_a_long_call(tmp_path: Path) -> None:
    path = tmp_path / "rule.pyx"
    path.write_text("def f(const double[:, ::1] u, a, b):\n"
                    "    h(a, b, c, d, e, f, g, h, i=1, j=2, k=3)\n"
                    "    return g(a, b, (1, 2), u[0, 1], a, b, a, b, a)\n")
    assert long_calls(path) == [(3, "g", 9)]
