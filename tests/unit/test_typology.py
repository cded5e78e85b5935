import numpy as np
import pytest

from sozialraum.core.errors import InputError
from sozialraum.core.typology import district_key, join_typology


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
