"""One coverage run on arrays (core/coverage_run.py): settings from the parameter texts, the nearest
method's classification by the share within d0, the per-point table; hand-computed values."""

import math

import numpy as np
import pytest

from sozialraum.core.coverage_run import Distances, coverage_settings, run_coverage
from sozialraum.core.errors import InputError

FIELDS = {"id_field": "id", "target_field": None, "capacity_field": "plaetze", "name_field": None,
          "demand_field": "kinder"}


def settings(method="nearest", distances="300, 600", norm=None, steps="", breaks="0.9, 0.6", speed=4.5):
    return coverage_settings("sozialraum:servicecoverage", method, distances, norm, steps, breaks, speed, FIELDS)


def test_settings_from_the_parameter_texts():
    chosen = settings("e2sfca", "600, 300", norm=0.0, steps="1, 0.5", speed=6.0)
    assert chosen.thresholds == [300.0, 600.0] and chosen.d0 == 600.0
    assert chosen.norm is None                      # a norm of 0 means: the city mean
    assert chosen.steps == [(300.0, 1.0), (600.0, 0.5)]
    assert chosen.minutes_per_metre == pytest.approx(60.0 / 6000.0)
    assert chosen.record["level"] == "erreichbarkeit_index" and chosen.record["fca_weight"] == "step"
    assert settings().record["level"] == "anteil_600"
    with pytest.raises(InputError):
        settings("e2sfca", "300, 600", steps="1, 0.5, 0.2")  # three weights for two distances


def test_nearest_classes_districts_by_the_share_within_d0():
    # district 0: P = 10 at 100 m and P = 30 with no service in reach; district 1: P = 20 at 400 m
    weight, district = np.array([10.0, 30.0, 20.0]), np.array([0, 0, 1])
    distances = Distances(np.array([0, 2]), np.array([0, 0]), np.array([100.0, 400.0]),
                          np.array([100.0, math.inf, 400.0]), np.array([0, -1, 0]), None, None)
    result = run_coverage(settings(), ["A", "B"], None, weight, district, distances, np.array([5.0]),
                          np.array([0]), ["fid 1"])
    table, points = result.table, result.points
    assert table["versorgungsgrad"].tolist() == [0.25, 1.0]          # 10 of 40, 20 of 20 within 600 m
    assert table["versorgung_klasse"].tolist() == [3, 1]              # breaks 0.9 / 0.6
    assert result.unreached_share == pytest.approx(30.0 / 60.0)
    assert points["gebiet_id"].tolist() == ["A", "A", "B"]
    assert points["einrichtungen_300"].tolist() == [1, 0, 0] and points["einrichtungen_600"].tolist() == [1, 0, 1]
    assert points["naechste_einrichtung"].tolist() == ["fid 1", None, "fid 1"]
    minutes = points["zeit_naechste_min"].to_numpy()
    assert minutes[0] == pytest.approx(100.0 * 60.0 / 4500.0) and np.isnan(minutes[1])
    assert points["erreicht"].tolist() == [True, False, True]
    assert len(result.warnings) == 1 and "50.0 %" in result.warnings[0]
    assert run_coverage(settings(), ["A", "B"], None, weight, district, distances, np.array([5.0]), np.array([0]),
                        ["fid 1"], per_point=False).points is None
