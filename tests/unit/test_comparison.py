"""The comparison with an earlier result (report/comparison.py), on hand-made results of known ranks."""

import pandas as pd

from sozialraum.core.method_record import as_record
from sozialraum.report import comparison as C
from sozialraum.report import model as M
from tests.unit.test_report_model import COLORS, index_method, index_table


def earlier_table():
    """Last year: Q2 rank 1 (class 5), Q10 rank 2 (class 4), Q9 rank 3, Q1 rank 4; Q4 too small; no Q3 yet."""
    return pd.DataFrame({
        "id": ["Q2", "Q10", "Q9", "Q1", "Q4"],
        "name": ["Große Straße", "Zehn", "Neun", 'Am "Eck"', "Hafen"],
        "ew": [2000, 1000, 900, 1500, 110],
        "a": [31.0, 29.0, 20.0, 14.0, 10.0],
        "b": [30.0, 42.0, 50.0, 72.0, None],
        "index_value": [1.7, 1.2, 0.1, -1.6, None],
        "index_rank": [1, 2, 3, 4, None],
        "index_class": [5, 4, 3, 1, None],
        "rated": [True, True, True, True, False],
        "note": ["", "", "", "", "zu wenige Einwohner"],
    })


def models(lang="de", **earlier_changes):
    now = M.build_model(index_table(), index_method(), "id", lang=lang, name_field="name", colors=COLORS)
    before = M.build_model(earlier_table(), index_method(**earlier_changes), "id", lang=lang, name_field="name",
                           colors=COLORS, data_date="31.12.2023")
    return now, before


def test_rank_and_class_changes_new_and_dropped_quarters():
    now, before = models()
    result = C.compare(now, before, as_record(index_method()), as_record(index_method()), "de")
    rows = {r["id"]: r for r in result["rows"]}
    assert set(rows) == {"Q10", "Q2", "Q1", "Q4"}          # in both results
    # Q10: rank 2 -> 1 (+1, towards more need), class 4 -> 5; Q2: rank 1 -> 3 (-2), class 5 -> 3
    assert (rows["Q10"]["delta"], rows["Q10"]["class_change"], rows["Q10"]["more_need"]) == (1, True, True)
    assert (rows["Q2"]["delta"], rows["Q2"]["delta_text"], rows["Q2"]["more_need"]) == (-2, "-2", False)
    assert (rows["Q1"]["delta"], rows["Q1"]["delta_text"], rows["Q1"]["class_change"]) == (0, "±0", False)
    # the 120-inhabitant quarter is protected in both years: no rank, no class
    assert rows["Q4"]["delta"] is None and rows["Q4"]["class_now"] == "–" and rows["Q4"]["rank_now"] is None
    assert [r["id"] for r in result["changed"]] == ["Q10", "Q2"]
    assert [r["id"] for r in result["risers"]] == ["Q10"] and [r["id"] for r in result["fallers"]] == ["Q2"]
    assert result["new"] == ["Mitte"] and result["dropped"] == ["Neun"]
    assert result["summary"] == ("Verglichen mit 31.12.2023 (4 Quartiere in beiden Ergebnissen): 2 Quartiere "
                                 "wechselten die Klasse, davon 1 in eine Klasse mit mehr Bedarf. 1 Quartiere sind "
                                 "neu, 1 entfallen.")
    assert result["notes"] == []


def test_a_different_method_is_stated_and_different_class_counts_are_not_compared():
    now, before = models(normalization="minmax")
    result = C.compare(now, before, as_record(index_method()), as_record(index_method(normalization="minmax")),
                       "en")
    assert any("only partly comparable" in note for note in result["notes"])
    fewer = index_method(n_classes=3, labels=["low", "medium", "high"], breaks=[-0.5, 0.5])
    before3 = M.build_model(earlier_table().assign(index_class=[3, 3, 2, 1, None]), fewer, "id", lang="en",
                            name_field="name", colors=COLORS[:3])
    result = C.compare(now, before3, as_record(index_method()), as_record(fewer), "en")
    assert result["changed"] == [] and any("different numbers of classes" in n for n in result["notes"])
    assert {r["id"]: r["delta"] for r in result["rows"]}["Q2"] == -2  # ranks still compare
