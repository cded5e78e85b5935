"""Tests of sozialraum.core.frames: numeric fields from messy tables, unique area IDs."""

import numpy as np
import pandas as pd
import pytest

from sozialraum.core import errors
from sozialraum.core.errors import InputError
from sozialraum.core.frames import check_unique_ids, numeric_columns


def test_numbers_as_text_with_decimal_point_and_comma():
    frame = pd.DataFrame({
        "id": ["a", "b", "c", "d", "e", "f"],
        "q": [" 12 ", "12,5", "1.234,5", "-0,75", "1e3", "3.5"],
    })
    values = numeric_columns(frame, ["q"], "id")["q"].tolist()
    assert values == [12.0, 12.5, 1234.5, -0.75, 1000.0, 3.5]


@pytest.mark.parametrize("text", ["1.234", "12.500", "1,234", "-2.000.000", "999,000"])
def test_numbers_as_text_that_read_two_ways_are_refused(text):
    """'1.234' is 1234 with a German thousands point and 1.234 with a decimal point: neither is assumed."""
    frame = pd.DataFrame({"id": ["a", "b"], "q": ["20", text]})
    with pytest.raises(InputError) as raised:
        numeric_columns(frame, ["q"], "id")
    assert "'q'" in str(raised.value) and text in str(raised.value) and "'b'" in str(raised.value)


@pytest.mark.parametrize("text, value", [("0,234", 0.234), ("1234", 1234.0), ("1.234,0", 1234.0), ("12.34", 12.34),
                                         ("1,2345", 1.2345), ("1.2345", 1.2345)])
def test_numbers_as_text_that_read_one_way_are_read(text, value):
    frame = pd.DataFrame({"q": [text]})
    assert numeric_columns(frame, ["q"])["q"].tolist() == [value]


def test_nulls_and_empty_text_stay_missing():
    frame = pd.DataFrame({"q": ["4", None, "", "  ", "NULL", np.nan]})
    values = numeric_columns(frame, "q")["q"].to_numpy()
    assert values[0] == 4.0
    assert np.isnan(values[1:]).all()


def test_numeric_nullable_and_bool_columns_become_float64():
    frame = pd.DataFrame({
        "n": pd.array([1, None, 3], dtype="Int64"),
        "i": [1, 2, 3],
        "b": [True, False, True],
    }, index=[10, 20, 30])
    result = numeric_columns(frame, ["n", "i", "b"])
    assert list(result.columns) == ["n", "i", "b"]
    assert (result.dtypes == "float64").all()
    assert list(result.index) == [10, 20, 30]
    assert np.isnan(result.at[20, "n"])
    assert result["b"].tolist() == [1.0, 0.0, 1.0]


def test_result_is_a_copy():
    frame = pd.DataFrame({"q": [1.0, 2.0]})
    result = numeric_columns(frame, ["q"])
    result.loc[0, "q"] = 99.0
    assert frame.at[0, "q"] == 1.0


def test_text_that_is_no_number_names_field_value_and_area():
    frame = pd.DataFrame({"id": ["Nord", "Süd", "Ost"], "q": ["1", "zwölf", "3"]})
    with pytest.raises(InputError) as caught:
        numeric_columns(frame, ["q"], id_column="id")
    for text in (caught.value.de, caught.value.en):
        assert "'q'" in text and "zwölf" in text and "Süd" in text


def test_several_bad_values_are_counted():
    frame = pd.DataFrame({"id": [1, 2, 3], "q": ["x", "y", "3"]})
    with pytest.raises(InputError) as caught:
        numeric_columns(frame, ["q"], id_column="id")
    assert "2 values" in caught.value.en


def test_missing_field_is_named():
    frame = pd.DataFrame({"q": [1.0]})
    with pytest.raises(InputError) as caught:
        numeric_columns(frame, ["q", "alo"])
    assert "'alo'" in caught.value.en and "'q'" in caught.value.en  # names the available field too


def test_field_with_only_nulls_raises():
    frame = pd.DataFrame({"q": [None, "", None]})
    with pytest.raises(InputError, match="'q'"):
        numeric_columns(frame, ["q"])


def test_infinite_value_raises():
    frame = pd.DataFrame({"id": ["a", "b"], "q": [1.0, np.inf]})
    with pytest.raises(InputError) as caught:
        numeric_columns(frame, ["q"], "id")
    assert "'b'" in caught.value.en


def test_dates_are_not_numbers():
    frame = pd.DataFrame({"d": pd.to_datetime(["2024-01-01", "2024-02-01"])})
    with pytest.raises(InputError, match="'d'"):
        numeric_columns(frame, ["d"])


def test_message_language_follows_setting():
    frame = pd.DataFrame({"q": ["x"]})
    errors.set_language("en")
    try:
        with pytest.raises(InputError) as caught:
            numeric_columns(frame, ["q"])
        assert str(caught.value).startswith("Field")
    finally:
        errors.set_language("de")
    assert str(caught.value).startswith("Feld")


def test_unique_ids_pass():
    check_unique_ids(pd.DataFrame({"id": ["a", "b", 3]}), "id")


def test_duplicate_ids_are_listed():
    frame = pd.DataFrame({"id": ["a", "b", "a", "c", "c", "d"]})
    with pytest.raises(InputError) as caught:
        check_unique_ids(frame, "id")
    assert "'a', 'c'" in caught.value.en and "'b'" not in caught.value.en


@pytest.mark.parametrize("ids", [["a", None, "c"], [1.0, np.nan, 2.0], ["a", "  ", "c"]])
def test_null_ids_raise(ids):
    with pytest.raises(InputError, match="1"):
        check_unique_ids(pd.DataFrame({"id": ids}), "id")


def test_unknown_id_field_raises():
    with pytest.raises(InputError, match="'schluessel'"):
        check_unique_ids(pd.DataFrame({"id": [1]}), "schluessel")


def test_quantities_read_text_and_name_bad_features():
    from sozialraum.core.frames import quantities

    assert quantities(["12,5", 3, "1.234,5"], ["a", "b", "c"], "plaetze").tolist() == [12.5, 3.0, 1234.5]
    assert quantities([], [], "plaetze").size == 0
    with pytest.raises(InputError, match="'b'"):
        quantities([1, None, 2], ["a", "b", "c"], "plaetze")
    with pytest.raises(InputError, match="negativ"):
        quantities([1, -2], ["a", "b"], "plaetze")
    with pytest.raises(InputError, match="viele"):
        quantities([1, "viele"], ["a", "b"], "plaetze")
    assert quantities([1, None], ["a", "b"], "plaetze", allow_missing=True)[1] != 0  # NaN stays NaN


@pytest.mark.parametrize("locale, language", [("de", "de"), ("de_DE", "de"), ("de-AT", "de"), ("en_US", "en"),
                                              ("fr_FR", "en"), ("pl", "en"), ("", "en")])
def test_german_for_german_locales_english_for_all_others(locale, language):
    try:
        errors.set_language(locale)
        assert errors.language() == language
    finally:
        errors.set_language("de")
