"""The report: every pattern named, every estimate with its interval, failures visible."""

import html
import re
from importlib import resources

from validation.patterns import PATTERNS, by_id

CI = re.compile(r"-?\d+\.\d+ \[-?\d+\.\d+, -?\d+\.\d+\]")


def test_report_files_name_every_pattern(full_small):
    res, files = full_small
    md, page = files["markdown"].read_text(), files["html"].read_text()
    for p in PATTERNS:
        assert f"| {p.id} |" in md, p.id
        assert f"id='{p.id}'" in page, p.id
    assert "<link" not in page and "src='http" not in page and "<script" not in page
    assert page.count("data:image/png;base64,") == sum(
        r.effect is not None for r in res.results)
    assert files["runs"].exists()
    assert f"N = {res.replicates}" in md


def test_every_estimate_in_the_report_has_an_interval(full_small):
    res, files = full_small
    md = files["markdown"].read_text()
    table = md.split("## Patterns", 1)[1].split("## Details", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| SF") or
            line.startswith("| P")]
    assert len(rows) == len(PATTERNS)
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        pattern = by_id(cells[0])
        estimate = cells[7]
        if pattern.testable:
            assert CI.fullmatch(estimate) or estimate == "n/a", (pattern.id, estimate)
        else:
            assert estimate == "not testable"
    details = md.split("## Details", 1)[1].split("## Replicate guidance", 1)[0]
    words = ("- Evidence", "- Source", "- Why", "- Not testable", "- Note")
    for line in details.splitlines():
        if line.startswith(words):  # quotes and parameter values, not estimates
            continue
        for m in re.finditer(r"(?<![pα] )= (-?\d+\.\d+)", line):
            assert CI.match(line[m.start(1):]), line


def test_verdicts_keep_failures_visible(full_small):
    res, files = full_small
    md = files["markdown"].read_text()
    for r in res.results:
        if r.status == "fail":
            assert f"### {r.pattern.id}: {r.pattern.title} — fail" in md
    absent = [r for r in res.results if not r.pattern.testable]
    assert absent and all(r.status == "not testable" for r in absent)


def test_the_html_page_is_rendered_from_the_packaged_templates(full_small):
    res, files = full_small
    page = files["html"].read_text()
    templates = resources.files("validation") / "templates"
    css = (templates / "report.css").read_text()
    assert (templates / "report.html.j2").is_file()
    assert f"<style>\n{css}</style>" in page
    quoted = next(p for p in PATTERNS if '"' in p.evidence)
    assert html.escape(quoted.evidence) in page     # quotes as &quot;, like the Markdown's text
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</body></html>")


def test_the_report_counts_the_three_roles_apart_and_names_every_failure(full_small):
    res, files = full_small
    md, page = files["markdown"].read_text(), files["html"].read_text()
    counts = res.counts()
    header = md.split("## Roles", 1)[0]
    for name in ("validation", "verification", "calibration"):
        c = counts[name]
        line = f"- {name.capitalize()} patterns: {c['pass']} pass, {c['fail']} fail."
        assert line in header and html.escape(line[2:]) in page
    assert (f"{counts['input']['not testable']} inputs of the model and "
            f"{counts['not represented']['not testable']} patterns it does not represent"
            in header)
    failing = next(line for line in header.splitlines() if line.startswith("- Failing:"))
    for r in res.results:
        assert (f" {r.pattern.id}," in failing or f" {r.pattern.id};" in failing
                or f" {r.pattern.id}." in failing) == (r.status == "fail"), r.pattern.id
    roles = md.split("## Roles", 1)[1].split("## Why this many replicates", 1)[0]
    sections = roles.split("### ")[1:]
    assert [s.split(":", 1)[0] for s in sections] == ["Validation", "Verification",
                                                      "Calibration"]
    for section in sections:
        name = section.split(":", 1)[0].lower()
        ids = {line.split(" | ")[0].lstrip("| ") for line in section.splitlines()
               if line.startswith(("| SF", "| P"))}
        assert ids == {p.id for p in PATTERNS if p.testable and p.role == name}
    assert page.count("<h3>") >= 3 and "why this role" in page
    assert "Why verification: By construction" in md
