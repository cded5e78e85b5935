"""Accessibility (BITV 2.0 / WCAG 2.1 AA) of the HTML report and the index check.

The automated check is axe-core in headless Chromium (see ``tests/a11y_check.py``); it skips where
Chromium or axe-core is missing (the QGIS chroots), but fails under ``CI=true``, where ``.ci/run``
installs both (``make a11y-tools``). What axe cannot judge is asserted directly: that the data of
every chart is there as a table, and that sorting works from the keyboard (real Tab, Enter and
Space presses) and tells its state.
"""

import os
import re
from pathlib import Path

import pytest
from a11y_check import Page, axe_violations, describe, missing_tools
from layers import polygon_layer
from test_report import QUARTERS, RATED, coverage_report, english, german, index_result  # noqa: F401  (fixtures)


def _tools(axe):
    reason = missing_tools(axe)
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true: this check must run here; .ci/run installs the tools)")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def axe():
    """Skips (or fails under CI=true) when Chromium or axe-core is missing."""
    _tools(axe=True)


@pytest.fixture(scope="module")
def browser():
    """Skips (or fails under CI=true) when Chromium is missing."""
    _tools(axe=False)


def _assert_no_violations(path):
    violations = axe_violations(path)
    if violations:
        pytest.fail("WCAG 2.1 AA violations in {}:\n{}".format(path, describe(violations)), pytrace=False)


def test_the_check_finds_known_violations(axe, tmp_path):
    """The check is not vacuous: a page with one mistake of each kind fails on exactly those rules."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body><main><h1>A</h1><h3>skips h2</h3>"
        '<p style="color: #999999; background: #ffffff">pale text</p>'
        '<svg role="img" width="10" height="10"><rect width="10" height="10"/></svg>'
        "<table><tr><th></th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table></main></body></html>",
        encoding="utf-8")
    found = {v["id"] for v in axe_violations(bad)}
    assert {"html-has-lang", "heading-order", "color-contrast", "svg-img-alt", "empty-table-header"} <= found
    good = tmp_path / "good.html"
    good.write_text('<!DOCTYPE html><html lang="de"><head><title>x</title></head><body><main><h1>A</h1>'
                    "<h2>B</h2><p>Text</p></main></body></html>", encoding="utf-8")
    assert axe_violations(good) == []


def test_german_report_passes_wcag_aa(axe, german):
    _assert_no_violations(german["OUTPUT_HTML"])


def test_english_report_passes_wcag_aa(axe, english):
    _assert_no_violations(english["OUTPUT_HTML"])


def test_report_with_coverage_and_need_coverage_sections_passes_wcag_aa(axe, coverage_report):
    """The coverage section (class maps, legends, method) and the need x coverage map with its 3x3 legend."""
    _assert_no_violations(coverage_report[0]["OUTPUT_HTML"])


def test_index_check_passes_wcag_aa(axe, run, tmp_path):
    """The page of sozialraum:indexdiagnostics (its content is reworked separately; the violations are listed)."""
    rows = [{"id": "Q{}".format(i), "a": float(v), "b": 2.0 * v + (i % 2), "pop": 1000}
            for i, v in enumerate([1, 3, 4, 8, 9, 5])]
    html = tmp_path / "pruefung.html"
    run("indexdiagnostics", {"INPUT": polygon_layer(rows), "ID_FIELD": "id", "INDICATORS": ["a", "b"],
                             "POPULATION_FIELD": "pop", "N_RANDOM": 20, "OUTPUT": "memory:", "OUTPUT_HTML": str(html)})
    _assert_no_violations(html)


def _profile(html, name):
    """The profile article of the quarter called ``name`` (as written in the HTML)."""
    match = re.search(r'<article class="profile" id="q\d+">\s*<h3>{}<.*?</article>'.format(re.escape(name)), html,
                      re.S)
    assert match, name
    return match.group(0)


def _chart_table(profile):
    """The rows (lists of cell texts) of the data table under the chart of a ``profile``."""
    table = profile[profile.index("<details"):profile.index("</details>")]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_every_chart_has_its_data_as_a_table(german, english):
    """Each quarter's bar chart is followed by a table of the same numbers: the quarter's value, the mean of
    the rated quarters (a: (30+10+22+14+25)/5 = 20.2, b: (4+1+3+2.5+2)/5 = 2.5) and the comparison."""
    html = Path(german["OUTPUT_HTML"]).read_text(encoding="utf-8")
    assert '<html lang="de">' in html
    profile = _profile(html, "Große Straße")   # a = 22 (above 20.2: less favourable), b = 3 (above 2.5)
    assert 'role="img" aria-label="Lage von Große Straße in der Stadt"' in profile
    rows = _chart_table(profile)
    assert rows[0] == ["Indikator", "Große Straße", "Mittel der bewerteten Quartiere", "Vergleich"]
    assert [(r[0], float(r[1].replace(",", ".")), float(r[2].replace(",", ".")), r[3]) for r in rows[1:]] == [
        ("Arbeitslosenquote (%)", 22.0, 20.2, "ungünstiger als das Mittel"),
        ("Kinderarmut (%)", 3.0, 2.5, "ungünstiger als das Mittel")]
    rows = _chart_table(_profile(Path(english["OUTPUT_HTML"]).read_text(encoding="utf-8"), "Mühlenviertel"))
    assert [row[3] for row in rows[1:]] == ["more favourable than average", "same as average"]  # a = 14, b = 2.5


def test_maps_and_charts_have_text_alternatives_and_tables_have_header_scopes(german, english):
    for result, words in ((german, ("Karte: Sozialindex", "Rangliste")), (english, ("Map: Social index", "ranking"))):
        html = Path(result["OUTPUT_HTML"]).read_text(encoding="utf-8")
        for svg in re.findall(r"<svg[^>]*>", html):
            assert 'aria-hidden="true"' in svg or re.search(r'role="img" aria-label="[^"]+"', svg), svg
        assert 'aria-label="{}'.format(words[0]) in html
        assert '<a href="#rangliste">{}</a>'.format(words[1]) in html   # the map's data: the ranking table
        assert not re.search(r"<th(?! scope=\"(col|row)\")[ >]", html)
        assert re.search(r'<a class="skip" href="#inhalt">', html) and '<main id="inhalt">' in html


NAMES = "Array.prototype.map.call(document.querySelector('table.sortable').tBodies[0].rows, " \
        "function (row) { return row.cells[2].textContent.trim(); })"
SORT_STATE = "Array.prototype.map.call(document.querySelectorAll('table.sortable thead th'), " \
             "function (th) { return th.getAttribute('aria-sort'); })"


@pytest.mark.parametrize("lang, heading", [("de", "Einwohner"), ("en", "Inhabitants")])
def test_sorting_works_from_the_keyboard_and_tells_its_state(browser, german, english, lang, heading):
    """Tab from the top of the page reaches every heading of the ranking as a button; Enter sorts by
    inhabitants (the known numbers, ascending), Space reverses; ``aria-sort`` marks that one column."""
    result = german if lang == "de" else english
    by_population = [name for _, name, *_ in sorted(RATED, key=lambda q: q[2])]
    assert len(QUARTERS) > len(RATED)   # the quarter not rated is not in the ranking
    with Page(result["OUTPUT_HTML"]) as page:
        columns = page.js("Array.prototype.map.call(document.querySelectorAll('table.sortable thead th'), "
                          "function (th) { return th.textContent; })")
        reached = []
        for _ in range(60):
            page.press("Tab")
            focused = page.js("(function (e) { return [e.tagName, e.textContent, "
                              "!!e.closest('table.sortable thead th')]; })(document.activeElement)")
            if focused[2]:
                reached.append(focused[1])
            if focused[1] == heading and focused[2]:
                break
        assert reached == columns[:columns.index(heading) + 1] and focused[0] == "BUTTON"
        page.press("Enter")
        assert page.js(NAMES) == by_population
        state = page.js(SORT_STATE)
        assert state[columns.index(heading)] == "ascending" and state.count(None) == len(columns) - 1
        page.press(" ")
        assert page.js(NAMES) == by_population[::-1]
        assert page.js(SORT_STATE)[columns.index(heading)] == "descending"
