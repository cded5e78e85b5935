"""The assistant's pure part (``ui/assistant/plan.py``): choices -> steps, saved analyses, guesses. No QGIS, no Qt."""

import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "sozialraum_plugin"


def _plan_module():
    """``ui.assistant.plan`` imported as part of the plugin package (its imports are relative), as QGIS does."""
    if PACKAGE not in sys.modules:
        spec = importlib.util.spec_from_file_location(PACKAGE, ROOT / "__init__.py",
                                                      submodule_search_locations=[str(ROOT)])
        module = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = module
        spec.loader.exec_module(module)
    return importlib.import_module(PACKAGE + ".ui.assistant.plan")


P = _plan_module()


def kitas(**changes):
    service = P.ServiceChoice(name="Kitas", services="kitas.gpkg|layername=kitas", capacity_field="plaetze",
                              demand="adressen.gpkg", demand_field="ew_u6", network="wege.gpkg",
                              distances="300, 500 1000", method="e2sfca", norm=0.6)
    for key, value in changes.items():
        setattr(service, key, value)
    return service


def choices(**changes):
    base = P.WizardChoices(
        districts="quartiere.gpkg|layername=quartiere", id_field="quartier_id", name_field="name",
        population_field="ew_gesamt", indicators=[P.IndicatorChoice("q_sgb2_2024", label="SGB-II-Quote"),
                                                  P.IndicatorChoice("q_alo_2024", weight=2.0, earlier="q_alo_2022")],
        services=[kitas(), kitas(name="Pflegeheime", services="pflege.gpkg", demand_field="ew_65plus", norm=0.0)],
        report={"TITLE": "Sozialbericht", "ORGANISATION": "Stadt", "LOGO": None, "LANGUAGE": "de"},
        data_date="31.12.2024", report_folder="/tmp/bericht", results_folder="/tmp/ergebnisse")
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def test_the_pure_part_imports_neither_qgis_nor_qt():
    code = ("import sys; sys.path.insert(0, {root!r}); import tests.unit.test_assistant_plan; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('qgis', 'PyQt5', 'PyQt6')); "
            "print(bad); sys.exit(1 if bad else 0)").format(root=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT))
    assert done.returncode == 0, done.stdout + done.stderr


def test_several_service_types_become_one_coverage_step_each_and_the_report_takes_all():
    steps = P.plan(choices())
    assert [s.key for s in steps] == ["index", "coverage_1", "coverage_2", "report"]
    assert [s.title for s in steps[1:3]] == ["Versorgung Kitas", "Versorgung Pflegeheime"]
    kita = steps[1].parameters
    assert kita == {
        "DISTRICTS": "quartiere.gpkg|layername=quartiere", "ID_FIELD": "quartier_id",
        "SERVICES": "kitas.gpkg|layername=kitas", "CAPACITY_FIELD": "plaetze", "SERVICE_NAME_FIELD": None,
        "TARGET_POPULATION_FIELD": None, "DEMAND": "adressen.gpkg", "DEMAND_FIELD": "ew_u6", "NETWORK": "wege.gpkg",
        "DISTANCE": "300, 500, 1000", "METHOD": "e2sfca", "NORM": 0.6,
        "OUTPUT": "/tmp/ergebnisse/versorgung_kitas.gpkg"}
    assert steps[2].parameters["NORM"] is None  # 0 = the town mean
    report = steps[3].parameters
    assert report["COVERAGE"] == [P.FromStep("coverage_1", "OUTPUT"), P.FromStep("coverage_2", "OUTPUT")]
    assert report["COVERAGE_TITLES"] == "Kitas; Pflegeheime"
    assert report["DATA_DATE"] == "31.12.2024" and report["INDICATOR_LABELS"] == "q_sgb2_2024=SGB-II-Quote"
    assert report["INPUT"] == P.FromStep("index", "OUTPUT") and "PREVIOUS" not in report
    assert report["OUTPUT_PDF"] == "/tmp/bericht/sozialbericht.pdf"


def test_service_names_must_be_given_and_distinct():
    assert P.problems(choices()) == []
    found = P.problems(choices(services=[kitas(), kitas(name="kitas "), kitas(name=" ")]))
    assert any("denselben Namen (kitas)" in p for p in found) and any("braucht einen Namen" in p for p in found)
    assert any("Entfernungen" in p for p in P.problems(choices(services=[kitas(distances="300, -1")])))
    assert any("Zielgruppe je Nachfragepunkt" in p for p in P.problems(choices(services=[kitas(demand_field="")])))


def test_a_saved_analysis_round_trips_through_json_with_layers_by_source():
    original = choices(previous="layer-id-3")
    sources = {"layer-id-3": "/daten/2023/sozialindex.gpkg"}
    data = json.loads(json.dumps(P.choices_to_dict(original, lambda ref: sources.get(ref, ref))))
    assert data["sozialraum_analysis"] == P.ANALYSIS_VERSION
    loaded = P.choices_from_dict(data)
    assert loaded.previous == "/daten/2023/sozialindex.gpkg"
    loaded.previous = original.previous
    assert loaded == original
    assert P.plan(loaded) == P.plan(original)


def test_a_newer_file_with_unknown_keys_still_loads_and_a_foreign_file_is_refused():
    data = P.choices_to_dict(choices())
    data["choices"]["colour_scheme"] = "new in a later version"
    data["choices"]["services"][0]["opening_hours"] = True
    assert P.choices_from_dict(data).services[0].name == "Kitas"
    with pytest.raises(ValueError, match="keine gespeicherte Sozialraum-Analyse"):
        P.choices_from_dict({"type": "FeatureCollection"})


def test_next_year_moves_the_fields_on_and_compares_with_last_years_result():
    last = choices(last_index_result="/ergebnisse/2024/sozialindex.gpkg")
    names = ["quartier_id", "name", "ew_gesamt", "q_sgb2_2025", "q_alo_2025", "q_alo_2023", "q_alo_2022"]
    again, moved = P.next_year(last, names)
    assert [i.field for i in again.indicators] == ["q_sgb2_2025", "q_alo_2025"]
    assert again.indicators[1].earlier == "q_alo_2023"  # moved with its indicator: still two years apart
    assert again.indicators[0].label == "SGB-II-Quote" and again.indicators[1].weight == 2.0
    assert moved == [("q_sgb2_2024", "q_sgb2_2025"), ("q_alo_2024", "q_alo_2025"), ("q_alo_2022", "q_alo_2023")]
    assert again.data_date == "31.12.2025"
    assert again.previous == "/ergebnisse/2024/sozialindex.gpkg"
    assert again.results_folder == "" and again.last_index_result == ""  # never overwrite last year's files
    assert P.parameters_for_report(again)["PREVIOUS"] == "/ergebnisse/2024/sozialindex.gpkg"
    # a two-year cycle: 2024 -> 2026; a field without a year or one that exists stays
    two, moved = P.next_year(last, ["q_sgb2_2026", "q_alo_2026", "ew_gesamt"])
    assert [i.field for i in two.indicators] == ["q_sgb2_2026", "q_alo_2026"]
    same, moved = P.next_year(last, ["q_sgb2_2024", "q_alo_2024"])
    assert moved == [] and same.data_date == "31.12.2024"
    assert same.indicators[1].earlier == "q_alo_2022"  # never moved onto the indicator itself
    # a missing earlier field moves by as many years as its indicator: the pair stays two years apart
    pair, _ = P.next_year(last, ["q_sgb2_2025", "q_alo_2025", "q_alo_2024", "q_alo_2023"])
    assert (pair.indicators[1].field, pair.indicators[1].earlier) == ("q_alo_2025", "q_alo_2023")


def test_field_guesses_and_label_suggestions():
    assert P.earlier_field("q_alo_2024", ["q_alo_2024", "q_alo_2022"]) == "q_alo_2022"
    assert P.earlier_field("q_alo_2024", ["q_alo_2024", "q_alo_2023"]) == ""
    assert P.earlier_field("alo", ["alo"]) == ""
    assert P.weights_text([P.IndicatorChoice("a"), P.IndicatorChoice("b", weight=0.5)]) == "b=0.5"
    assert P.distance_values("300, 500;1000") == [300.0, 500.0, 1000.0]
    assert P.distance_values("300, -5") == [] and P.distance_values("300, x") == []
    assert P.suggest_label("q_sgb2_2024") == "SGB-II-Quote"
    assert P.suggest_label("q_kinder_sgb2_2024") == "Kinder in SGB-II-Haushalten"
    assert P.suggest_label("anteil_alleinerz_2022") == "Alleinerziehende"
    assert P.suggest_label("q_alo_2024", alias="Arbeitslose je 100 EW") == "Arbeitslose je 100 EW"
    assert P.suggest_label("wohnflaeche_je_ew") == "Wohnflaeche je ew"
    assert P.data_date_guess(["q_alo_2022", "q_alo_2024", "name"]) == "31.12.2024"
    assert P.data_date_guess(["name"]) == ""
    assert P.slug("Kitas & Horte") == "kitas_horte" and P.slug("Pflegeheime für Ältere") == "pflegeheime_fuer_aeltere"
    assert P.labels_text([P.IndicatorChoice("a", label="A; x=y"), P.IndicatorChoice("b")]) == "a=A, x-y"


def test_funding_by_need_and_funding_areas_are_optional_steps_before_the_report():
    wanted = choices(allocation={"POPULATION_FIELD": "ew_u15", "METHOD": "tiers", "FACTORS": "1, 1.2, 1.5, 2, 3",
                                 "BUDGET": 1e6, "BASE_SHARE": 0.2, "UNIT": 0.01}, hotspots=True)
    steps = P.plan(wanted)
    assert [s.key for s in steps] == ["index", "coverage_1", "coverage_2", "allocation", "hotspots", "report"]
    allocation, hotspots, report = (s.parameters for s in steps[3:])
    assert allocation["INPUT"] == P.FromStep("index", "OUTPUT") and allocation["NEED_FIELD"] == "index_class"
    assert allocation["OUTPUT"] == "/tmp/ergebnisse/mittelverteilung.gpkg" and allocation["BUDGET"] == 1e6
    assert hotspots["FIELD"] == "index_value" and hotspots["INDICATORS"] == ["q_sgb2_2024", "q_alo_2024"]
    assert hotspots["OUTPUT_AREAS"] == "/tmp/ergebnisse/gebietskulisse.gpkg"
    assert report["ALLOCATION"] == P.FromStep("allocation", "OUTPUT")
    assert report["HOTSPOTS"] == P.FromStep("hotspots", "OUTPUT")
    # the MSS status: four classes, its own fields; proportional allocation on the value
    mss = choices(index_type=P.STATUS_DYNAMIC, allocation=dict(wanted.allocation, METHOD="proportional"),
                  hotspots=True)
    assert P.parameters_for_allocation(mss)["NEED_FIELD"] == "status_index"
    assert P.parameters_for_hotspots(mss)["FIELD"] == "status_index" and P.n_classes(mss) == 4
    assert any("5 Faktoren" in p for p in P.problems(choices(allocation=dict(wanted.allocation, FACTORS="1, 2"))))
    assert any("Budget" in p for p in P.problems(choices(allocation=dict(wanted.allocation, BUDGET=0))))
    assert P.default_factors(5) == "1, 1.2, 1.5, 2, 3" and P.default_factors(3) == "1, 2, 3"
    assert P.default_factors(4) == "1, 1.7, 2.3, 3"
