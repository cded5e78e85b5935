"""Coordinate systems for distances in metres.

Catchments are given in metres, so every distance is measured in one projected coordinate system
with metre units: the districts' own CRS when it is one, otherwise a suitable metric CRS chosen
from the centre of the districts:

* in Germany (6°–15° E, 47°–55.1° N) ETRS89 / UTM zone 32N (EPSG:25832) west of 12° E and zone 33N
  (EPSG:25833) east of it, the official systems of the German states;
* elsewhere the WGS 84 / UTM zone of the centre, EPSG:326zz (north) or EPSG:327zz (south),
  zone ``zz = floor((lon + 180) / 6) + 1``.

Within a UTM zone the scale error is below 0.1 %: a 1000 m catchment is wrong by less than a metre.
Other layers are reprojected on reading (``QgsFeatureRequest.setDestinationCrs``), never modified.
"""

import math

from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsFeatureRequest, QgsPointXY

from ..core.errors import InputError, de_en
from . import compat

WGS84 = "EPSG:4326"


# What a GeoPackage says for a layer without a coordinate system (srs_id 0 and -1 of the GeoPackage standard):
# QGIS reads them as valid systems, in degrees or without units, so they must be recognised by name.
_UNDEFINED_GPKG_SRS = ("Undefined geographic SRS", "Undefined cartesian SRS", "Undefined Cartesian SRS")


def is_defined(crs):
    """True for a valid CRS that says where the coordinates lie (not GeoPackage's 'undefined' systems)."""
    return crs.isValid() and not (not crs.authid() and crs.description() in _UNDEFINED_GPKG_SRS)


def require_defined(crs, layer_name):
    """Raise InputError unless the layer ``layer_name``'s ``crs`` is defined (:func:`is_defined`)."""
    if not is_defined(crs):
        raise InputError(
            "Der Layer „{}“ hat kein gültiges Koordinatenbezugssystem (KBS), so lassen sich keine Entfernungen "
            "messen. Bitte weisen Sie ihm eines zu: Layereigenschaften › Quelle › KBS zuweisen (für "
            "Daten deutscher Kommunen meist ETRS89 / UTM, EPSG:25832 oder 25833).".format(layer_name),
            "The layer '{}' has no valid coordinate reference system (CRS), so no distances can be measured. "
            "Please assign one: Layer Properties › Source › Assign CRS.".format(layer_name))


def is_metric(crs):
    """True for a valid projected CRS whose map units are metres."""
    return crs.isValid() and not crs.isGeographic() and crs.mapUnits() == compat.DISTANCE_METERS


def metric_epsg(lon, lat):
    """EPSG code of a metric CRS around ``(lon, lat)`` in degrees (see the module docstring)."""
    if 6.0 <= lon <= 15.0 and 47.0 <= lat <= 55.1:
        return 25832 if lon < 12.0 else 25833
    zone = min(60, max(1, int(math.floor((lon + 180.0) / 6.0)) + 1))
    return (32600 if lat >= 0 else 32700) + zone


def _centre_lon_lat(crs, extent, transform_context):
    centre = QgsPointXY(extent.center())
    if crs.authid() == WGS84:
        return centre.x(), centre.y()
    transform = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem(WGS84), transform_context)
    point = transform.transform(centre)
    return point.x(), point.y()


DISTRICTS = ("Quartiere", "districts")


def working_crs(crs, extent, transform_context, what=DISTRICTS):
    """The CRS to measure in, and a message when it differs from ``crs``, the CRS of the layer ``what``.

    ``what`` names that layer in messages as ``(German plural, English plural)``.
    Returns ``(target_crs, message)``; ``message`` is None when ``crs`` is already metric.
    """
    if not crs.isValid():
        raise InputError(
            "Der Layer „{}“ hat kein gültiges Koordinatenbezugssystem. Bitte weisen Sie ihm eines zu "
            "(Layereigenschaften → Quelle).".format(what[0]),
            "The layer '{}' has no valid coordinate reference system. Please assign one "
            "(Layer Properties → Source).".format(what[1]),
        )
    if is_metric(crs):
        return crs, None
    lon, lat = _centre_lon_lat(crs, extent, transform_context)
    target = QgsCoordinateReferenceSystem("EPSG:{}".format(metric_epsg(lon, lat)))
    unit = de_en("geografisch (Grad)", "geographic (degrees)") if crs.isGeographic() else de_en(
        "nicht in Metern", "not in metres")
    message = de_en(
        "Die {} liegen in {} ({}). Entfernungen in Metern brauchen ein metrisches Koordinatensystem: "
        "gerechnet wird in {} ({}). Alle Layer werden dafür umprojiziert; die Ausgabe liegt wieder im "
        "Koordinatensystem der Eingabe.",
        "The {} are in {} ({}). Distances in metres need a metric coordinate system: the distances are "
        "computed in {} ({}). All layers are reprojected for that; the output is back in the input's "
        "coordinate system.",
    ).format(de_en(*what), crs.authid() or crs.description(), unit, target.authid(), target.description())
    return target, message


def reprojection_note(what, layer_crs, target):
    """A log line when a layer of kind ``what`` is reprojected to ``target``, else None."""
    if not layer_crs.isValid():
        return de_en(
            "{}: kein Koordinatenbezugssystem angegeben; angenommen wird {} wie bei den Quartieren.",
            "{}: no coordinate reference system given; assumed to be {} as the districts.",
        ).format(what, target.authid())
    if layer_crs == target:
        return None
    return de_en("{}: umprojiziert von {} nach {}.", "{}: reprojected from {} to {}.").format(
        what, layer_crs.authid() or layer_crs.description(), target.authid())


def request_in(source, target_crs, transform_context, request=None):
    """``request`` (default a new one) that hands out the geometries of ``source`` in ``target_crs``.

    A source without a valid CRS is read as it is (see :func:`reprojection_note`).
    """
    request = QgsFeatureRequest() if request is None else request
    if source.sourceCrs().isValid() and source.sourceCrs() != target_crs:
        request.setDestinationCrs(target_crs, transform_context)
    return request
