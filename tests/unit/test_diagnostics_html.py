"""The index-check page: labels, quarter names, readable settings, language and accessible structure (parsed)."""

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from sozialraum.core import errors
from sozialraum.core.diagnostics import run_diagnostics
from sozialraum.core.index import IndexSpec
from sozialraum.report.diagnostics_html import CELL_TEXT, correlation_color, diagnostics_html, settings_rows

LABELS = {"alo": "Arbeitslosenquote", "sgb2": "SGB-II-Quote", "kinder": "Kinder in SGB-II-Haushalten",
          "einkommen": "Einkommen"}
NAMES = {"Q0": "Altstadt", "Q1": "Nordstadt", "Q2": None, "Q3": "  ", "Q4": "Hafen"}


class Page(HTMLParser):
    """Headings, table cells (tag, attributes, text) per table, svg labels and the visible text of a page."""

    def __init__(self, text):
        super().__init__()
        self.html_lang = None
        self.headings, self.tables, self.svg_labels, self.text = [], [], [], []
        self._cell = None
        self._skip = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("th", "td", "caption"):
            self._cell = [tag, attrs, ""]
            if tag != "caption":
                self.tables[-1][-1].append(self._cell)
        elif tag == "svg":
            self.svg_labels.append((attrs.get("role"), attrs.get("aria-label")))
        elif tag in ("style", "title"):
            self._skip = True

    def handle_endtag(self, tag):
        if tag in ("th", "td", "caption"):
            self._cell = None
        elif tag in ("style", "title"):
            self._skip = False

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell[2] += data.strip()


def town():
    """Twelve quarters: sgb2 = 2 * alo + tiny noise (near-identical to alo), kinder and einkommen (reversed) follow
    alo loosely (r about 0.7 after the direction); Q11 has 100 inhabitants and is not rated."""
    alo = np.array([2.0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14])
    return pd.DataFrame({
        "id": ["Q{}".format(i) for i in range(12)],
        "alo": alo,
        "sgb2": 2 * alo + np.resize([0.3, -0.2, 0.1, -0.1], 12),
        "kinder": 3 * alo + np.array([8.0, -10, 5, 12, -9, 3, -7, 10, -12, 6, -4, 0]),
        "einkommen": 3000 - 100 * alo + np.array([400.0, -300, -350, 250, 500, -450, 100, -200, 350, -400, 150, 0]),
        "ew": [1000] * 11 + [100],
    })


@pytest.fixture(scope="module")
def report():
    spec = IndexSpec(indicators=["alo", "sgb2", "kinder", "einkommen"], reverse=["einkommen"],
                     weights={"alo": 2.0, "sgb2": 1.0, "kinder": 1.5, "einkommen": 1.0}, population="ew",
                     min_population=300)
    return run_diagnostics(town(), spec, "id", n_random=10, seed=4, labels=LABELS)


def captions(text):
    return re.findall(r"<caption>(.*?)</caption>", text)


def table(page, text, caption_start):
    position = [n for n, c in enumerate(captions(text)) if c.startswith(caption_start)]
    assert len(position) == 1, caption_start
    return page.tables[position[0]]


def test_settings_read_as_words_in_the_page_language():
    parameters = {"indicators": ["alo", "q"], "reverse": ["q"], "weights": {"alo": 2.0, "q": 1.5},
                  "normalization": "minmax", "aggregation": "geometric", "restandardize": False,
                  "population": "ew", "min_population": 300.0, "missing": "reweight", "min_share": 0.6,
                  "classification": "stddev", "n_classes": 5, "stddev_cuts": [-1.5, -0.5, 0.5, 1.5], "rated": 58,
                  "n_random": 200, "seed": 1, "top_classes": 1}
    labels = {"alo": "Arbeitslosenquote", "q": "q"}
    german = dict(settings_rows(parameters, labels, "de"))
    assert german["Indikatoren (Feld)"] == "Arbeitslosenquote (alo); q"
    assert german["Umgekehrte Richtung (höher = weniger Bedarf)"] == "q"
    assert german["Gewichte"] == "Arbeitslosenquote: 2; q: 1,5"
    assert german["Normierung"] == "Min-Max-Skalierung auf 0–100"
    assert german["Zusammenfassung"] == "gewichtetes geometrisches Mittel"
    assert german["Ergebnis erneut z-standardisiert"] == "nein"
    assert german["Mindesteinwohnerzahl für eine Bewertung"] == "300"
    assert german["Fehlende Werte"].endswith("(mindestens 60 % des Gesamtgewichts musste vorhanden sein).")
    assert german["Klassenbildung"] == "Standardabweichungen, Grenzen bei -1,5; -0,5; 0,5; 1,5 Standardabweichungen"
    assert german["Zufällige Gewichtungen"].startswith("200, je Gewicht mit einem gleichverteilten Faktor zwischen "
                                                      "0,5 und 1,5")
    english = dict(settings_rows(dict(parameters, restandardize=True, population=None, reverse=[]), labels, "en"))
    assert english["Weights"] == "Arbeitslosenquote: 2; q: 1.5"
    assert english["Result z-standardised again"] == "yes"
    assert english["Reversed (higher = less need)"] == "none"
    assert english["Population field"] == "none" and "Minimum population to be rated" not in english
    assert english["Classification"] == "standard deviations, breaks at -1.5, -0.5, 0.5, 1.5 standard deviations"


def test_page_shows_labels_names_and_readable_settings(report):
    text = diagnostics_html(report, "Musterstadt", NAMES)
    page = Page(text)
    statistics = table(page, text, "Verteilung der Indikatoren")
    assert [row[0][2] for row in statistics[1:]] == [LABELS[f] for f in ("alo", "sgb2", "kinder", "einkommen")]
    matrix = table(page, text, "Korrelation je Indikatorpaar")
    assert [cell[2] for cell in matrix[0][1:]] == [LABELS[f] for f in ("alo", "sgb2", "kinder", "einkommen")]
    ranks = table(page, text, "Rang je Quartier")
    assert [cell[2] for cell in ranks[0][:2]] == ["Quartier (id)", "Name"]
    shown = {row[0][2]: row[1][2] for row in ranks[1:]}
    # Q11 has 100 inhabitants (< 300): not rated, not in the rank table; empty names stay empty
    assert set(shown) == {"Q{}".format(i) for i in range(11)}
    assert shown["Q0"] == "Altstadt" and shown["Q4"] == "Hafen" and shown["Q2"] == "" and shown["Q3"] == ""
    settings = {row[0][2]: row[1][2] for row in table(page, text, "Einstellungen des geprüften Index")[1:]}
    assert settings["Gewichte"] == ("Arbeitslosenquote: 2; SGB-II-Quote: 1; Kinder in SGB-II-Haushalten: 1,5; "
                                    "Einkommen: 1")
    assert settings["Umgekehrte Richtung (höher = weniger Bedarf)"] == "Einkommen"
    assert settings["Normierung"] == "z-Standardisierung (Standardabweichung der Gesamtheit)"
    assert settings["Bewertete Quartiere"] == "11"
    # the not-rated quarter's reason is in the robustness table (the hint on unrated areas points to 'note')
    assert report.robustness.set_index("id").loc["Q11", "note"].startswith("Einwohnerzahl 100 unter Mindestwert")


def test_german_page_has_no_keys_or_python_values_and_english_page_no_german_words(report):
    german = " ".join(Page(diagnostics_html(report, "Musterstadt", NAMES)).text)
    for key in ("zscore", "minmax", "percentile", "stddev", "exclude", "restandardize", "normalization",
                "min_population", "n_random", "top_classes", "True", "False", "None", "nan"):
        assert not re.search(r"\b{}\b".format(key), german), key
    assert "{'" not in german and "[]" not in german
    assert "'Arbeitslosenquote' und 'SGB-II-Quote' messen fast dasselbe" in german
    # hints are written when the check runs, the page when it is rendered: both in the message language
    errors.set_language("en")
    try:
        spec = IndexSpec(indicators=["alo", "sgb2", "kinder", "einkommen"], reverse=["einkommen"], population="ew",
                         min_population=300)
        labels = {"alo": "Unemployment rate", "sgb2": "Welfare rate", "kinder": "Children on welfare",
                  "einkommen": "Income"}
        page = Page(diagnostics_html(run_diagnostics(town(), spec, "id", n_random=5, labels=labels), "Town", NAMES))
    finally:
        errors.set_language("de")
    english = " ".join(page.text)
    assert page.html_lang == "en"
    assert "'Unemployment rate' and 'Welfare rate' measure almost the same" in english
    for word in ("messen", "und", "Gewichte", "Hinweise", "Quartiere", "Gebieten", "ja", "nein", "keine",
                 "Normierung", "Einstellung"):
        assert not re.search(r"\b{}\b".format(word), english), word


def contrast(foreground, background):
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours."""
    def luminance(color):
        channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_page_structure_is_accessible(report):
    text = diagnostics_html(report, "Musterstadt", NAMES)
    page = Page(text)
    assert page.html_lang == "de"
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:]))  # no skipped level
    assert "<main>" in text and len(captions(text)) == len(page.tables)
    for rows in page.tables:
        assert all(cell[1].get("scope") == "col" for cell in rows[0])  # first row: column headers
        for row in rows[1:]:
            assert row[0][0] == "th" and row[0][1].get("scope") == "row" and row[0][2]
            assert all(cell[0] == "td" for cell in row[1:])
    # every rank chart is an image with its data in words (and the same numbers are in the table's columns)
    ranks = table(page, text, "Rang je Quartier")
    assert len(page.svg_labels) == len(ranks) - 1
    for (role, label), row in zip(page.svg_labels, ranks[1:]):
        low, high = row[4][2].split("–")
        assert role == "img" and label == "Ränge {} bis {}, mittlerer Rang {}".format(low, high, row[3][2])
    # correlation cells: the cell text keeps at least 4.5:1 contrast on every background colour
    assert min(contrast(CELL_TEXT, correlation_color(r)) for r in np.linspace(-1, 1, 401)) >= 4.5
