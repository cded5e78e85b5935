import numpy as np
import pandas as pd
import pytest

from sozialraum.core.errors import InputError
from sozialraum.core.typology import (
    district_key,
    join_typology,
    need_class_from_k,
    need_class_from_values,
    need_coverage_typology,
)


def test_district_keys_match_across_types():
    assert district_key(7) == district_key(7.0) == district_key(" 7") == "7"
    assert district_key(None) is None and district_key(float("nan")) is None


def test_join_typology_cells_priorities_and_notes():
    table, coverage_only = join_typology(
        ["A", "B", "C", "D"], [3, 1, np.nan, 2], ["A", "B", "C", "X"], [3, 1, 2, 2], "need", "cover")
    # high need + poor coverage is type 3-3 with priority 1; low need + good coverage 1-1, priority 9
    assert table.loc[0, "typ_code"] == "3-3" and table.loc[0, "prioritaet"] == 1
    assert table.loc[1, "typ_code"] == "1-1" and table.loc[1, "prioritaet"] == 9
    assert table.loc[2, "prioritaet"] is np.nan or str(table.loc[2, "prioritaet"]) == "<NA>"
    assert "need" in table.loc[2, "hinweis"]           # not rated: named field
    assert "D" in table.loc[3, "hinweis"]              # missing from the coverage result
    assert coverage_only == ["X"]


def test_join_typology_refuses_layers_without_a_common_id():
    """IDs that never match (another district scheme, '01' against 'X01') are an error, not 100 % 'no type'."""
    with pytest.raises(InputError) as raised:
        join_typology(["01", "02"], [1.0, 3.0], ["X01", "X02"], [2.0, 2.0], "index_class", "versorgung_klasse")
    assert "'01'" in str(raised.value) and "'X01'" in str(raised.value)


def test_typology_all_nine_cells():
    order = [(3, 3), (3, 2), (3, 1), (2, 3), (2, 2), (2, 1), (1, 3), (1, 2), (1, 1)]
    need = [a for a, _ in order]
    cover = [b for _, b in order]
    codes, labels, priority = need_coverage_typology(need, cover)
    assert priority.tolist() == list(range(1, 10))
    assert codes.tolist() == ["3-3", "3-2", "3-1", "2-3", "2-2", "2-1", "1-3", "1-2", "1-1"]
    assert labels[0] == "hoher Bedarf, geringe Versorgung"
    assert labels[-1] == "geringer Bedarf, gute Versorgung"
    assert need_coverage_typology(3, 3) == ("3-3", "hoher Bedarf, geringe Versorgung", 1)


def test_typology_english_and_missing(english):
    codes, labels, priority = need_coverage_typology([3, None], pd.array([3, pd.NA], dtype="Int64"))
    assert codes.tolist() == ["3-3", None]
    assert labels.tolist() == ["high need, poor coverage", "no data"]
    assert priority[0] == 1 and np.isnan(priority[1])
    with pytest.raises(InputError):
        need_coverage_typology([4], [1])


def test_need_classes_by_terciles():
    assert need_class_from_values([5, 1, 3, 2, 6, 4]).tolist() == [3, 1, 2, 1, 3, 2]
    assert need_class_from_values([5, 1, 3, 2, 6, 4], higher_is_more_need=False).tolist() == [1, 3, 2, 3, 1, 2]
    assert np.isnan(need_class_from_values([1, np.nan, 2, 3])[1])
    with pytest.raises(InputError):
        need_class_from_values([2, 2, 2, 2])


def test_need_classes_from_k_classes():
    assert need_class_from_k([1, 2, 3, 4, 5], 5).tolist() == [1, 1, 2, 3, 3]
    assert need_class_from_k([1, 2, 3, 4], 4).tolist() == [1, 2, 2, 3]
    assert need_class_from_k([1, 2, 3], 3).tolist() == [1, 2, 3]
    assert need_class_from_k([1, 5], 5, higher_is_more_need=False).tolist() == [3, 1]
    with pytest.raises(InputError):
        need_class_from_k([0, 6], 5)
