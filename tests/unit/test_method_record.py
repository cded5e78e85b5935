"""The typed, versioned method record (core/method_record.py): round trips and version-1 records."""

import json

import pytest

from sozialraum.core.method_record import (
    VERSION,
    AllocationRecord,
    CatchmentsRecord,
    CoverageRecord,
    HotspotsRecord,
    IndexRecord,
    MethodRecord,
    NeedCoverageRecord,
    StatusDynamicRecord,
    as_record,
    record_from_dict,
    record_from_json,
)

INDEX_V1 = {  # as sozialraum:districtindex wrote it until version 2 (no "version" key)
    "algorithm": "sozialraum:districtindex", "id_field": "quartier_id", "indicators": ["a", "b"], "reverse": ["b"],
    "weights": {"a": 2.0, "b": 1.0}, "normalization": "minmax", "aggregation": "sum", "restandardize": True,
    "population": "ew", "min_population": 300.0, "classification": "quantile", "n_classes": 3,
    "breaks": [-0.5, 0.5], "labels": ["niedrig", "mittel", "hoch"], "language": "de",
    "counts": {"areas": 6, "rated": 5, "not_rated": 1, "no_population": 0, "below_min_population": 1,
               "missing_values": 0, "completed": 0, "per_class": [2, 2, 1]},
    "indicator_statistics": {"a": {"mean": 2.0, "sd": 1.0, "n": 5, "direction": "normal"}},
    "something_new": {"kept": True},
}
MSS_V1 = {
    "algorithm": "sozialraum:statusdynamicindex", "id_field": "plr", "status_fields": ["s1", "s2"],
    "dynamic_fields": ["d1"], "indicators": {"s1": {"mean": 1.0}}, "population_field": "ew", "min_population": 300,
    "n_areas": 10, "n_rated": 8, "class_counts": {"1": 2, "2": 6}, "n_attention": 1,
}


@pytest.mark.parametrize("data, cls", [(INDEX_V1, IndexRecord), (MSS_V1, StatusDynamicRecord),
                                       ({"algorithm": "sozialraum:servicecoverage", "method": "2sfca",
                                         "n_districts": 64, "thresholds_m": [300.0]}, CoverageRecord),
                                       ({"algorithm": "sozialraum:catchments", "n_empty": 2}, CatchmentsRecord),
                                       ({"algorithm": "sozialraum:needcoverage", "types": {"3-3": 4}},
                                        NeedCoverageRecord),
                                       ({"algorithm": "sozialraum:allocation", "method": "tiers", "budget": 1e6,
                                         "factors": [1, 2], "curve": {"population_share": [0, 1]}},
                                        AllocationRecord),
                                       ({"algorithm": "sozialraum:hotspots", "weights": "rook", "n_clusters": 2,
                                         "clusters": [{"cluster_id": 1}]}, HotspotsRecord),
                                       ({"algorithm": "x:y", "z": 1}, MethodRecord)])
def test_every_kind_round_trips_through_json(data, cls):
    record = record_from_dict(data)
    assert type(record) is cls and record.version == VERSION
    again = record_from_json(record.to_json())
    assert again == record and again.to_dict() == record.to_dict()
    assert json.loads(record.to_json())["version"] == VERSION


def test_version_1_index_reads_with_its_counts_and_keeps_unknown_keys():
    record = record_from_dict(INDEX_V1)
    assert record.kind == "index" and record.indicators == ["a", "b"] and record.reverse == ["b"]
    assert record.counts.areas == 6 and record.counts.below_min_population == 1 and record.counts.per_class == [2, 2, 1]
    assert record.min_population == 300.0 and record.population == "ew"
    assert record.extra == {"something_new": {"kept": True}}
    assert record.to_dict()["something_new"] == {"kept": True}


def test_version_1_mss_counts_and_statistics_take_the_common_shape():
    record = record_from_dict(MSS_V1)
    assert record.kind == "mss"
    assert (record.counts.areas, record.counts.rated, record.counts.not_rated) == (10, 8, 2)
    assert record.indicator_statistics == {"s1": {"mean": 1.0}}
    stored = record.to_dict()
    assert "n_areas" not in stored and stored["counts"]["areas"] == 10 and "indicators" not in stored


def test_records_without_an_algorithm_are_recognised_by_their_keys():
    assert record_from_dict({"normalization": "zscore", "indicators": ["a"]}).kind == "index"
    assert record_from_dict({"status_fields": ["s"]}).kind == "mss"
    record = IndexRecord(indicators=["x"])
    assert as_record(record) is record and as_record({"status_fields": []}).kind == "mss"
