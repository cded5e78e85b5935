"""Field guesses (``core/field_guess.py``), shared by the assistant and the Processing dialogs."""

import pytest

from sozialraum.core.field_guess import (
    CAPACITY,
    GUESSES,
    ID,
    NAME,
    POPULATION,
    TARGET_POPULATION,
    guess,
    guess_field,
    guess_id_field,
)

# the quarters of the demo town (resources/demo/musterstadt.gpkg) as a GeoPackage lists them, fid first
QUARTERS = ["fid", "quartier_id", "name", "stadtbezirk", "ew_gesamt", "ew_u6", "ew_u15", "ew_65plus", "q_alo_2024"]
QUARTERS_NUMERIC = ["fid", "ew_gesamt", "ew_u6", "ew_u15", "ew_65plus", "q_alo_2024"]
KITAS = ["fid", "name", "traeger", "plaetze"]


def test_the_demo_quarters_get_id_name_population_and_target_group():
    assert guess(ID, QUARTERS, QUARTERS_NUMERIC) == "quartier_id"  # not the first field, fid
    assert guess(NAME, QUARTERS, QUARTERS_NUMERIC) == "name"
    assert guess(POPULATION, QUARTERS, QUARTERS_NUMERIC) == "ew_gesamt"
    assert guess(TARGET_POPULATION, QUARTERS, QUARTERS_NUMERIC) == "ew_u15"  # before ew_u6, as the assistant
    assert guess(CAPACITY, QUARTERS, QUARTERS_NUMERIC) == ""


def test_the_demo_kitas_get_name_and_places_but_no_id():
    assert guess(CAPACITY, KITAS, ["fid", "plaetze"]) == "plaetze"
    assert guess(NAME, KITAS, ["fid", "plaetze"]) == "name"
    assert guess(ID, KITAS, ["fid", "plaetze"]) == ""  # fid is no key: it is renumbered on every copy


def test_berlin_open_data_fields():
    # as the Berlin open-data layers name them (../shared/data/berlin: Kitas 2022, care homes 2023, MSS 2013)
    kitas = ["e_nr", "e_name", "e_bez_nr", "e_plz", "e_platz", "e_art", "t_name"]
    assert guess(NAME, kitas, ["e_platz"]) == "e_name" and guess(CAPACITY, kitas, ["e_platz"]) == "e_platz"
    homes = ["ik_nummer", "einrichtung_name", "gc_strasse", "platzzahl", "traegername"]
    assert guess(NAME, homes, ["platzzahl"]) == "einrichtung_name"
    assert guess(CAPACITY, homes, ["platzzahl"]) == "platzzahl"
    areas = ["id", "name", "inhabitants", "s1_percentage_unemployed"]
    assert guess(POPULATION, areas, ["inhabitants", "s1_percentage_unemployed"]) == "inhabitants"
    assert guess(ID, areas, []) == "id"


def test_no_candidate_no_guess():
    for kind in list(GUESSES) + [ID]:
        assert guess(kind, ["fid", "a", "b"], ["fid", "a", "b"]) == ""
        assert guess(kind, [], []) == ""


def test_numbers_only_where_a_count_is_meant():
    # a population stored as text is no population field; a name may be anything
    assert guess(POPULATION, ["einwohner", "ew"], ["ew"]) == "ew"
    assert guess(POPULATION, ["einwohner"], []) == ""
    assert guess(CAPACITY, ["plaetze"], []) == ""
    assert guess(NAME, ["bezeichnung"], []) == "bezeichnung"


def test_the_order_of_the_spellings_decides_not_the_order_of_the_fields():
    assert guess(POPULATION, ["einwohner", "EW_GESAMT"], ["einwohner", "EW_GESAMT"]) == "EW_GESAMT"
    assert guess(TARGET_POPULATION, ["ew_gesamt", "kinder"], ["ew_gesamt", "kinder"]) == "kinder"
    # without a target group: all residents, as the assistant's allocation falls back to the population
    assert guess(TARGET_POPULATION, ["ew_gesamt"], ["ew_gesamt"]) == "ew_gesamt"
    assert guess_field(["Name", "LABEL"], ("label", "name")) == "LABEL"


@pytest.mark.parametrize("names, expected", [
    (["fid", "name", "quartier_id"], "quartier_id"),
    (["FID", "PLR_ID", "PLR_NAME"], "PLR_ID"),
    (["fid", "Kennung", "id"], "Kennung"),  # the first key in the layer's order
    (["fid", "schlüssel"], "schlüssel"),
    (["fid", "plr"], ""),
    (["fid"], ""),
])
def test_id_field(names, expected):
    assert guess_id_field(names) == expected


def test_the_assistant_must_offer_an_id_field_and_takes_the_first_that_is_not_fid():
    assert guess_id_field(["fid", "plr"], any_field=True) == "plr"
    assert guess_id_field(["fid", "name", "quartier_id"], any_field=True) == "quartier_id"
    assert guess_id_field(["fid"], any_field=True) == "fid"
    assert guess_id_field([], any_field=True) == ""
