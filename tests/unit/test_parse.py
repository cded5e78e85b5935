import pytest

from sozialraum.core.errors import InputError
from sozialraum.core.parse import parse_labels, parse_number_list, parse_weights


def test_number_list_point_and_comma_styles():
    assert parse_number_list("-1.5, -0.5, 0.5, 1.5") == [-1.5, -0.5, 0.5, 1.5]
    assert parse_number_list("-1,5; -0,5; 0,5; 1,5") == [-1.5, -0.5, 0.5, 1.5]
    assert parse_number_list("") == []
    assert parse_number_list(None) == []


def test_number_list_rejects_text():
    with pytest.raises(InputError) as info:
        parse_number_list("1, zwei", "BREAKS")
    assert "zwei" in info.value.de and "BREAKS" in info.value.en


def test_weights_in_order_and_by_name():
    assert parse_weights("1,1,2", ["a", "b", "c"]) == {"a": 1.0, "b": 1.0, "c": 2.0}
    assert parse_weights("c=2; a=0,5", ["a", "b", "c"]) == {"c": 2.0, "a": 0.5}
    assert parse_weights("  ", ["a"]) is None


def test_weights_errors_name_the_problem():
    with pytest.raises(InputError, match="3"):
        parse_weights("1,2", ["a", "b", "c"])
    with pytest.raises(InputError) as info:
        parse_weights("x=1", ["a", "b"])
    assert "'x'" in info.value.de
    with pytest.raises(InputError):
        parse_weights("1,0", ["a", "b"])
    assert parse_weights("0, -2", ["a", "b"], positive=False) == {"a": 0.0, "b": -2.0}


def test_labels():
    assert parse_labels("gering; mittel ; hoch") == ["gering", "mittel", "hoch"]
    assert parse_labels("") is None
