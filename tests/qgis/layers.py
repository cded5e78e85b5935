"""Small layers built in the tests (memory layers) with known values."""

from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsPointXY, QgsVectorLayer
from qgis.PyQt.QtCore import QVariant

_TYPES = {float: QVariant.Double, int: QVariant.Int, str: QVariant.String}


def polygon_layer(rows, crs="EPSG:25832", name="districts", types=None):
    """A memory polygon layer: one 100 m square per row (placed side by side), fields from the dicts.

    ``types`` may fix field types (``{"x": str}``); otherwise the type of the first non-null value.
    """
    layer = QgsVectorLayer("MultiPolygon?crs={}".format(crs), name, "memory")
    names = list(rows[0].keys())
    types = dict(types or {})
    for key in names:
        if key not in types:
            first = next((r[key] for r in rows if r[key] is not None), 0.0)
            types[key] = type(first) if type(first) in _TYPES else float
    provider = layer.dataProvider()
    provider.addAttributes([QgsField(key, _TYPES[types[key]]) for key in names])
    layer.updateFields()
    features = []
    for n, row in enumerate(rows):
        feature = QgsFeature(layer.fields())
        feature.setAttributes([row[key] for key in names])
        x = 400000 + 100 * n
        feature.setGeometry(QgsGeometry.fromPolygonXY([[QgsPointXY(x, 5700000), QgsPointXY(x + 100, 5700000),
                                                        QgsPointXY(x + 100, 5700100), QgsPointXY(x, 5700100),
                                                        QgsPointXY(x, 5700000)]]))
        features.append(feature)
    provider.addFeatures(features)
    return layer


def values(layer, field, key="id"):
    """``{key value: field value}`` of a result layer (NULL as None)."""
    out = {}
    for feature in layer.getFeatures():
        value = feature[field]
        out[feature[key]] = None if value is None or (hasattr(value, "isNull") and value.isNull()) else value
    return out


def point_layer(rows, crs="EPSG:25832", name="points"):
    """A memory point layer: one point per row at its ``x``, ``y``; the other keys become fields."""
    return _geometry_layer("Point", rows, lambda row: QgsGeometry.fromPointXY(QgsPointXY(row["x"], row["y"])), crs,
                           name)


def line_layer(lines, crs="EPSG:25832", name="lines"):
    """A memory line layer: one line per entry of ``lines`` (a list of ``(x, y)``), field ``n`` its number."""
    rows = [{"n": n, "points": points} for n, points in enumerate(lines)]
    return _geometry_layer("LineString", rows,
                           lambda row: QgsGeometry.fromPolylineXY([QgsPointXY(x, y) for x, y in row["points"]]),
                           crs, name)


def _geometry_layer(kind, rows, geometry, crs, name):
    layer = QgsVectorLayer("{}?crs={}".format(kind, crs), name, "memory")
    names = [key for key in rows[0] if key not in ("x", "y", "points")]
    layer.dataProvider().addAttributes([QgsField(key, _TYPES[type(rows[0][key])]) for key in names])
    layer.updateFields()
    features = []
    for row in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes([row[key] for key in names])
        feature.setGeometry(geometry(row))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer
