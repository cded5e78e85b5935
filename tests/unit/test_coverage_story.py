"""The coverage story of the report: labels, class meanings, the sentence per quarter, the section (no QGIS)."""

import pandas as pd
import pytest

from sozialraum.core.method_record import as_record
from sozialraum.report import coverage_story as C
from sozialraum.report import model as M
from tests.unit.test_report_model import COLORS, index_method, index_table


def record(**changes):
    base = {"algorithm": "sozialraum:servicecoverage", "method": "e2sfca", "distance": "network",
            "thresholds_m": [300.0, 500.0, 1000.0], "norm": 0.6, "class_breaks": [0.9, 0.6],
            "capacity_field": "plaetze", "n_services": 12, "total_capacity": 840.0, "unreached_share": 0.044,
            "network": {"nodes": 1971, "edges": 3716, "demand_without_service_in_component": 0.01}}
    base.update(changes)
    return as_record(base)


def altstadt(**changes):
    """Musterstadt's Altstadt: no Kita inside, 1.142 places per child in reach against a norm of 0.6."""
    row = {"klass": 1, "anzahl_einrichtungen": 0.0, "kapazitaet": 0.0, "zielbevoelkerung": 66.0,
           "erreichbarkeit": 1.142, "erreichbarkeit_index": 1.78, "anteil_1000": 1.0,
           "anteil_ausser_reichweite": 0.0, "anteil_ohne_netz": 0.0, "fehlplaetze_erreichbarkeit": 0.0,
           "fehlplaetze": 40.0}
    row.update(changes)
    return row


def test_a_quarter_without_services_inside_but_good_access_says_why_it_is_good():
    text = C.coverage_sentence(altstadt(), record(), "de")
    # 1.142 / 0.6 = 1.903 -> 190 % of the norm, >= 90 % -> "gut"
    assert text == ("Im Quartier liegt keine Einrichtung. In höchstens 1.000 m Fußweg sind 1,14 Plätze je Person der "
                    "Zielgruppe erreichbar (nach Entfernung gewichtet), 190 % des Richtwerts von 0,60. Das ergibt "
                    "„gut“ (mindestens 90 % des Richtwerts).")
    english = C.coverage_sentence(altstadt(), record(), "en")
    assert english.startswith("There is no service in the quarter. Within 1,000 m walking distance, 1.14 places")
    assert "190 % of the norm of 0.60" in english and "“good” (at least 90 % of the norm)" in english


def test_missing_places_and_people_beyond_reach_are_named_on_the_basis_of_the_class():
    # the estate: 1 Kita with 104 places, 0.364 places per child in reach = 61 % of 0.6 -> "mittel";
    # missing in reach (0.6 - 0.364) * 576 = 135.9 -> 136
    row = altstadt(klass=2, anzahl_einrichtungen=1.0, kapazitaet=104.0, zielbevoelkerung=576.0, erreichbarkeit=0.364,
                   fehlplaetze_erreichbarkeit=(0.6 - 0.364) * 576, fehlplaetze=242.0, anteil_ausser_reichweite=0.03,
                   anteil_ohne_netz=0.005)
    text = C.coverage_sentence(row, record(), "de")
    assert "Im Quartier liegt 1 Einrichtung mit 104 Plätzen." in text
    assert "61 % des Richtwerts" in text and "„mittel“ (60 % bis unter 90 % des Richtwerts)" in text
    assert "Bis zum Richtwert fehlen in Reichweite 136 Plätze." in text
    assert "3,0 % der Zielgruppe haben keine Einrichtung in höchstens 1.000 m Fußweg." in text
    assert "0,5 % haben keine Wegverbindung zu einer Einrichtung." in text
    assert "242" not in text  # the container count is another basis: shown with its own label, not in the reason


def test_without_a_norm_the_level_is_the_multiple_of_the_city_average():
    text = C.coverage_sentence(altstadt(erreichbarkeit_index=1.8), record(norm=None, method="2sfca",
                                                                          distance="euclidean"), "de")
    assert ("In höchstens 1.000 m Luftlinie sind 1,80-mal so viele Plätze je Person der Zielgruppe erreichbar wie "
            "im Stadtmittel.") in text
    assert "„gut“ (mindestens das 0,90-Fache des Stadtmittels)" in text
    meanings = C.class_meanings(record(norm=None, class_breaks=[1.2, 0.8]), "en")
    assert meanings == {1: "at least 1.20 times the city average", 2: "0.80 to under 1.20 times the city average",
                        3: "under 0.80 times the city average"}


def test_container_and_nearest_methods_explain_their_own_basis():
    ratio = C.coverage_sentence(altstadt(klass=3, anzahl_einrichtungen=2.0, kapazitaet=30.0, zielbevoelkerung=100.0,
                                         versorgungsquote=0.3, fehlplaetze=30.0),
                                record(method="ratio", distance=""), "de")
    # 30 / 100 = 0.30 places per child = 50 % of 0.6 -> "gering"; 0.6 * 100 - 30 = 30 missing inside
    assert "Im Quartier kommen 0,30 Plätze auf jede Person der Zielgruppe, 50 % des Richtwerts von 0,60." in ratio
    assert "jenseits der Quartiersgrenze zählen bei diesem Verfahren nicht" in ratio
    assert "Bis zum Richtwert fehlen im Quartier 30 Plätze." in ratio
    nearest = C.coverage_sentence({"klass": 2, "anteil_500": 0.75, "anteil_1000": 0.8},
                                  record(method="nearest", thresholds_m=[500.0, 1000.0]), "de")
    assert nearest.startswith("80 % der Zielgruppe haben eine Einrichtung in höchstens 1.000 m Fußweg.")
    assert "(60 % bis unter 90 % der Zielgruppe mit einer Einrichtung in höchstens 1.000 m Fußweg)" in nearest


def test_labels_say_what_is_measured_and_on_which_basis():
    columns = ["versorgungsquote", "erreichbarkeit", "anteil_300", "anteil_1000", "anteil_ausser_reichweite",
               "anteil_ohne_netz", "fehlplaetze_erreichbarkeit", "fehlplaetze"]
    labels = {column: label for column, label, _, _ in C.column_labels(record(), columns, "de")}
    assert labels["anteil_ausser_reichweite"] == "Anteil ohne Einrichtung in höchstens 1.000 m Fußweg (%)"
    assert labels["anteil_ohne_netz"] == "Anteil ohne Wegverbindung zu einer Einrichtung (%)"
    assert labels["fehlplaetze_erreichbarkeit"] == "fehlende Plätze in Reichweite nach Richtwert"
    assert "nur Plätze im Quartier gezählt" in labels["fehlplaetze"]
    assert labels["erreichbarkeit"].endswith("(in höchstens 1.000 m Fußweg, nach Entfernung gewichtet)")
    assert [c for c, _, _, _ in C.column_labels(record(), columns, "de")] == [
        "versorgungsquote", "erreichbarkeit", "anteil_300", "anteil_1000", "anteil_ausser_reichweite",
        "anteil_ohne_netz", "fehlplaetze_erreichbarkeit", "fehlplaetze"]


def test_method_paragraphs_come_from_the_record():
    text = " ".join(C.method_paragraphs(record(steps=[[300.0, 1.0], [500.0, 0.68], [1000.0, 0.22]]), "de"))
    assert "2SFCA, Luo & Wang 2003" in text and "E2SFCA, Luo & Qi 2009" in text
    assert "bis 300 m: 1,00; bis 500 m: 0,68; bis 1.000 m: 0,22" in text
    # the default weights are recorded as a sentence; the report states them as numbers in its language
    default = " ".join(C.method_paragraphs(record(steps="thirds of d0, weights 1 / 0.68 / 0.22"), "de"))
    assert "bis 333 m: 1,00; bis 667 m: 0,68; bis 1.000 m: 0,22" in default
    assert "1.971 Knoten, 3.716 Kanten" in text and "Richtwert: 0,60 Plätze" in text
    assert "auf derselben Grundlage wie die Klasse" in text and "„Ohne Wegverbindung“" in text
    straight = " ".join(C.method_paragraphs(record(method="ratio", distance="euclidean", norm=None), "en"))
    assert "container approach" in straight and "Distances are straight lines." in straight
    assert C.method_paragraphs(None, "de") == []


def test_the_section_counts_classes_and_keeps_small_quarters_unpublished():
    # Q4 ("Hafen", 120 inhabitants) is below the minimum population: its class is not published
    coverage = pd.DataFrame({"id": ["Q1", "Q2", "Q3", "Q10", "Q4"], "versorgung_klasse": [1, 3, 2, 3, 3],
                             "anzahl_einrichtungen": [0, 1, 2, 0, 0], "zielbevoelkerung": [50, 60, 70, 80, 5],
                             "erreichbarkeit": [0.7, 0.2, 0.45, 0.1, 0.0], "anteil_1000": [1.0, 0.9, 1.0, 0.5, 0.0],
                             "hinweis": ["", "", "", "", ""]})
    model = M.build_model(index_table(), index_method(), "id", name_field="name", colors=COLORS,
                          coverages=[("Kitas", coverage, "id", record())])
    section = model["coverage_sections"][0]
    assert [(c["klass"], c["count"]) for c in section["classes"]] == [(1, 1), (2, 1), (3, 2)]
    assert section["n_unpublished"] == 1 and section["fills"]["Q4"] == M.NOT_RATED_COLOR
    assert section["fills"]["Q1"] == C.COVERAGE_COLORS[0] and section["fills"]["Q2"] == C.COVERAGE_COLORS[2]
    # poorly served, greatest need first (Q10 rank 1, Q2 rank 3); the protected Q4 is not listed
    assert [p["anchor_key"] for p in section["poor"]] == ["Q10", "Q2"]
    figures = {f["label"]: f["value"] for f in section["figures"]}
    assert figures["der Zielbevölkerung ohne Einrichtung in höchstens 1.000 m Fußweg"] == "4,4 %"
    assert figures["der Zielbevölkerung ohne Wegverbindung zu einer Einrichtung"] == "1,0 %"
    assert figures["Plätze"] == "840"
    hafen = {q["id"]: q for q in model["quarters"]}["Q4"]
    assert hafen["coverage"] == [] and hafen["coverage_table"] is None
    q1 = {q["id"]: q for q in model["quarters"]}["Q1"]
    assert q1["coverage_table"]["sentences"][0]["text"].startswith("Im Quartier liegt keine Einrichtung.")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_class_has_a_meaning_in_both_languages(lang):
    for changes in ({}, {"norm": None}, {"method": "nearest"}, {"method": "ratio"}):
        meanings = C.class_meanings(record(**changes), lang)
        assert sorted(meanings) == [1, 2, 3] and all(meanings.values())
