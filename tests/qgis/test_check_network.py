"""sozialraum:checknetwork on a network whose answer is known by construction."""

import pytest
from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsPointXY, QgsVectorLayer
from qgis.PyQt.QtCore import QVariant

X0, Y0 = 400000.0, 5700000.0


def layer(kind, items, fields=()):
    result = QgsVectorLayer("{}?crs=EPSG:25832".format(kind), kind, "memory")
    result.dataProvider().addAttributes([QgsField(name, QVariant.Double) for name in fields])
    result.updateFields()
    features = []
    for geometry, values in items:
        feature = QgsFeature(result.fields())
        feature.setAttributes(list(values))
        feature.setGeometry(geometry)
        features.append(feature)
    result.dataProvider().addFeatures(features)
    return result


def line(*points):
    return QgsGeometry.fromPolylineXY([QgsPointXY(X0 + x, Y0 + y) for x, y in points]), ()


NETWORK = [
    line((0, 0), (100, 0), (200, 0)),        # A, west-east
    line((100, -100), (100, 0), (100, 100)),  # B, south-north, shares (100, 0) with A in both middles
    line((150, -50), (150, 50)),             # C, a bridge over A: no shared vertex at (150, 0)
    line((1000, 1000), (1100, 1000)),        # D, far away
    line((0, 50), (99.5, 50)),               # E, ends 0.5 m short of B
]


def test_components_dead_ends_and_crossings_of_a_known_network(run):
    demand = layer("Point", [(QgsGeometry.fromPointXY(QgsPointXY(X0 + x, Y0 + y)), (w,))
                             for x, y, w in [(10, 5, 6.0), (190, -5, 2.0), (1050, 1010, 1.0), (50, 55, 1.0)]],
                   ["kinder"])
    result = run("checknetwork", {"NETWORK": layer("LineString", NETWORK), "DEMAND": demand, "DEMAND_FIELD": "kinder",
                                  "OUTPUT": "memory:", "OUTPUT_PROBLEMS": "memory:"})
    assert result["N_EDGES"] == 4 + 1 + 1 + 1  # A and B cut at their shared vertex, C, D, E whole
    assert result["N_COMPONENTS"] == 4  # A+B, C, D, E
    assert result["MAIN_SHARE"] == pytest.approx(5 / 11)  # 5 of the 11 nodes
    assert result["N_DEAD_ENDS"] == 10  # every node but the crossing of A and B
    assert result["N_CROSSINGS"] == 1  # C over A at (150, 0)
    assert result["DEMAND_OFF_MAIN"] == pytest.approx(2.0 / 10.0)  # (1050, 1010) on D and (50, 55) on E
    edges = list(result["OUTPUT"].getFeatures())
    assert sum(f["laenge_m"] for f in edges) == pytest.approx(200 + 200 + 100 + 100 + 99.5)
    assert sorted(f["komponente"] for f in edges if f["im_hauptnetz"]) == [0, 0, 0, 0]
    problems = {(f["art"], round(f.geometry().asPoint().x() - X0, 3), round(f.geometry().asPoint().y() - Y0, 3)):
                f["abstand_m"] for f in result["OUTPUT_PROBLEMS"].getFeatures()}
    crossing = [key for key in problems if key[1:] == (150.0, 0.0)]
    assert len(crossing) == 1 and ("Kreuzung" in crossing[0][0] or "crossing" in crossing[0][0])
    gap = [value for key, value in problems.items() if key[1:] == (99.5, 50.0)]
    assert gap == [pytest.approx(0.5)]
    assert [value for key, value in problems.items() if key[1:] == (150.0, -50.0)] == [pytest.approx(50.0)]


def test_lines_joined_within_the_tolerance_are_one_part(run):
    network = layer("LineString", [line((0, 0), (100, 0)), line((100.05, 0), (200, 0))])
    joined = run("checknetwork", {"NETWORK": network, "OUTPUT": "memory:"})
    apart = run("checknetwork", {"NETWORK": network, "TOPOLOGY_TOLERANCE": 0.0, "OUTPUT": "memory:"})
    assert (joined["N_COMPONENTS"], joined["N_DEAD_ENDS"]) == (1, 2)
    assert (apart["N_COMPONENTS"], apart["N_DEAD_ENDS"]) == (2, 4)
