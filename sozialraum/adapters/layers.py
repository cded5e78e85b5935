"""Layers <-> DataFrames: the bridge between QGIS feature sources and the pure core.

Reading feeds the core only the attributes it needs. A GeoPackage layer read in full is read
column by column through GDAL (its Arrow interface, in C); any other source feature by feature
without geometry, the values turned into plain Python column by column.

Writing copies the source with the result columns appended. Where the output is a new
GeoPackage, the algorithm lets ``native:savefeatures`` copy the features (C++) and this module
then adds the result columns with one SQL ``UPDATE`` (:func:`.geopackage.add_results_in_place`); otherwise
:func:`write_with_results` copies feature by feature, handing the input values through untouched.
Neither keeps a list of features, so memory stays flat.
"""

import os

import numpy as np
import pandas as pd
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsVectorLayer,
)

from ..core.errors import InputError
from ..core.field_guess import guess
from . import compat
from .geopackage import read_with_gdal


def read_table(source, fields, feedback=None, progress_span=(0.0, 30.0), layer=None):
    """Attributes ``fields`` of every feature of ``source`` as a DataFrame indexed by feature id.

    Values keep their Python types (text stays text: the core decides what is numeric and says
    which value is wrong); columns become what pandas makes of those values (NULL -> ``None``,
    or NaN in a numeric column). An empty source raises :class:`InputError`.

    ``layer``: the layer that ``source`` reads in full (no selection, feature limit or filter),
    if known; when GDAL can read it directly (see :func:`read_with_gdal`) the same table comes
    from there, without a pass over the features.
    """
    fields = [f for f in dict.fromkeys(fields) if f]
    actual = resolve_fields(source.fields(), fields)
    missing = [f for f in fields if f not in actual]
    if missing:
        raise InputError(
            "Feld(er) nicht in der Eingabe: {}.".format(", ".join(missing)),
            "Field(s) not in the input: {}.".format(", ".join(missing)),
        )
    stored = [actual[f] for f in fields]
    frame = read_with_gdal(layer, stored) if layer is not None else None
    if frame is None:
        frame = _read_features(source, stored, feedback, progress_span)
    if frame is None or frame.empty:
        raise InputError(
            "Die Eingabe enthält keine Objekte.",
            "The input layer has no features.",
        )
    return frame.rename(columns={actual[f]: f for f in fields if actual[f] != f})


#: Shapefiles (dBase) keep at most 10 characters of a field name.
SHAPEFILE_NAME_LENGTH = 10


def resolve_fields(source_fields, fields):
    """``{name: stored name}`` of the ``fields`` found in ``source_fields``: the name itself, or the name
    cut to 10 characters as a Shapefile stores it (``index_value`` -> ``index_valu``) when that is what
    the layer has and no other wanted field is cut to the same; names not found are left out."""
    cut = [f[:SHAPEFILE_NAME_LENGTH] for f in fields]
    found = {}
    for name, short in zip(fields, cut):
        if source_fields.lookupField(name) >= 0:
            found[name] = name
        elif len(name) > SHAPEFILE_NAME_LENGTH and cut.count(short) == 1 and source_fields.lookupField(short) >= 0:
            found[name] = short
    return found


def span_progress(feedback, span):
    """``progress(fraction)``: reports ``fraction`` (0 .. 1) of a step as its share of ``span=(start, end)``
    percent to ``feedback``."""
    start, end = span
    return lambda fraction: feedback.setProgress(start + (end - start) * fraction)


def guess_in_fields(kind, fields):
    """The field of ``kind`` (:mod:`..core.field_guess`) among the QgsFields ``fields``, or ``""``."""
    return guess(kind, fields.names(), [field.name() for field in fields if field.isNumeric()])


def cut_field_names(names):
    """``[(name, stored name)]`` of the ``names`` a Shapefile would cut (a warning when writing one)."""
    return [(name, name[:SHAPEFILE_NAME_LENGTH]) for name in names if len(name) > SHAPEFILE_NAME_LENGTH]


_PLAIN_TYPES = {int, float, str, bool, type(None)}


def features_unchecked(source, request):
    """``source.getFeatures(request)`` whatever Processing's invalid-geometry setting says: reading
    attributes and copying features need no valid geometry, so (like QGIS' own attribute tools)
    no feature is dropped or stops the run for it."""
    if isinstance(source, QgsProcessingFeatureSource):
        return source.getFeatures(request, compat.SOURCE_SKIP_GEOMETRY_CHECKS)
    return source.getFeatures(request)


def _read_features(source, fields, feedback, progress_span):
    """:func:`read_table` feature by feature; ``None`` when cancelled before the first feature."""
    source_fields = source.fields()
    indices = [source_fields.lookupField(f) for f in fields]
    request = QgsFeatureRequest().setFlags(compat.REQUEST_NO_GEOMETRY).setSubsetOfAttributes(indices)
    total = source.featureCount()
    step = (progress_span[1] - progress_span[0]) / total if total and total > 0 else 0
    fids, rows = [], []
    for n, feature in enumerate(features_unchecked(source, request)):
        if feedback is not None and n % 1000 == 0:
            if feedback.isCanceled():
                break
            feedback.setProgress(progress_span[0] + n * step)
        fids.append(feature.id())
        rows.append(feature.attributes())
    if not fids:
        return None
    columns = list(zip(*rows))
    data = {}
    for name, i in zip(fields, indices):
        column = columns[i]
        # most columns hold only plain values; only those with NULL, dates etc. need converting
        data[name] = column if set(map(type, column)) <= _PLAIN_TYPES else [_plain(v) for v in column]
    return pd.DataFrame(data, columns=fields, index=pd.Index(fids, name="fid"))


def _plain(value):
    """A QGIS attribute value as plain Python (NULL -> None, QDate etc. -> str)."""
    if compat.is_null(value):
        return None
    if isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


_FIELD_TYPES = {"float": compat.FIELD_DOUBLE, "int": compat.FIELD_INT, "str": compat.FIELD_STRING,
                "bool": compat.FIELD_BOOL}


def result_fields(source_fields, columns):
    """Input fields followed by the result ``columns`` (``[(name, kind), ...]``, kind in float/int/str/bool).

    An input field that carries a result name (e.g. when an index result is indexed again) is
    dropped so the new value replaces it; its name is returned in ``replaced``.
    Float fields get no length or precision: QGIS would round the written values to it.
    Returns ``(QgsFields, kept_input_indices, replaced_names)``.
    """
    new_names = {name.lower() for name, _ in columns}
    fields = QgsFields()
    kept, replaced = [], []
    for i, field in enumerate(source_fields):
        if field.name().lower() in new_names:
            replaced.append(field.name())
            continue
        fields.append(field)
        kept.append(i)
    for name, kind in columns:
        fields.append(QgsField(name, _FIELD_TYPES[kind]))
    return fields, kept, replaced


def column_arrays(frame, columns, is_canceled=None):
    """The result ``columns`` of ``frame`` as numpy arrays of their kind (float64, int64, bool, or object holding
    ``str``), masked where a value is missing (NaN/NA): ``tolist()`` gives plain Python values with None for
    those, a slice at a time if wanted. None when ``is_canceled()`` said so between two columns."""
    arrays = []
    for name, kind in columns:
        if is_canceled is not None and is_canceled():
            return None
        series = frame[name]
        missing = series.isna().to_numpy()
        if kind == "float":
            values = series.to_numpy(dtype="float64", na_value=np.nan)
        elif kind == "int":
            values = series.to_numpy(dtype="int64", na_value=0)
        elif kind == "bool":
            values = series.to_numpy(dtype="bool", na_value=False)
        else:
            values = series.to_numpy(dtype=object, na_value="")
            if set(map(type, values.tolist())) - {str}:  # anything but exactly str is converted
                values = np.array([str(v) for v in values.tolist()], dtype=object)
        arrays.append(np.ma.MaskedArray(values, mask=missing) if missing.any() else values)
    return arrays


def column_lists(frame, columns, is_canceled=None):
    """The result ``columns`` of ``frame`` as lists of plain Python values (NaN/NA -> None); None when
    ``is_canceled()`` said so between two columns (a column of 3 million rows takes a few tenths of a second)."""
    arrays = column_arrays(frame, columns, is_canceled)
    return None if arrays is None else [array.tolist() for array in arrays]


def column_values(frame, columns):
    """Per row, the result values as plain Python lists (NaN/NA -> None), in ``columns`` order."""
    lists = column_lists(frame, columns)
    return [list(row) for row in zip(*lists)] if lists else [[] for _ in range(len(frame))]


def write_with_results(source, sink, fields, kept, frame, columns, feedback=None, progress_span=(60.0, 100.0)):
    """Copy every feature of ``source`` into ``sink`` with the result ``columns`` of ``frame`` appended.

    ``frame`` is indexed by feature id (as from :func:`read_table`). Features are matched by id,
    so the copy is right whatever order the provider returns them in. When every input field is
    kept, the results are appended to the source feature itself, so its values never pass
    through Python.
    """
    position = {fid: n for n, fid in enumerate(frame.index.tolist())}
    values = column_values(frame, columns)
    total = len(position)
    step = (progress_span[1] - progress_span[0]) / total if total else 0
    in_place = kept == list(range(source.fields().count()))
    first, width = len(kept), len(columns)
    nothing = [None] * width
    out = QgsFeature(fields)
    every = min(1000, max(1, total // 100))  # progress and cancel at least every 1 % of the features
    for n, feature in enumerate(features_unchecked(source, QgsFeatureRequest())):
        if feedback is not None and n % every == 0:
            if feedback.isCanceled():
                return False
            feedback.setProgress(progress_span[0] + n * step)
        row = position.get(feature.id())
        extra = values[row] if row is not None else nothing
        if in_place:
            feature.padAttributes(width)
            for j, value in enumerate(extra):
                feature.setAttribute(first + j, value)
            out = feature
        else:
            attributes = feature.attributes()
            out.setAttributes([attributes[i] for i in kept] + extra)
            out.setGeometry(feature.geometry())
        if not sink.addFeature(out, compat.SINK_FAST_INSERT):
            raise QgsProcessingException(sink.lastError() if hasattr(sink, "lastError") else "write error")
    if feedback is not None:
        feedback.setProgress(progress_span[1])
        if feedback.isCanceled():  # a cancel while the last features were written still counts
            return False
    return True


def write_points(sink, fields, frame, columns, x, y, feedback=None):
    """One point feature per row of ``frame`` at ``(x[k], y[k])`` with the ``columns`` as attributes
    (``fields`` as from :func:`result_fields`); False when the user cancelled."""
    feature = QgsFeature(fields)
    for row, px, py in zip(column_values(frame, columns), np.asarray(x).tolist(), np.asarray(y).tolist()):
        if feedback is not None and feedback.isCanceled():
            return False
        feature.setAttributes(row)
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(px, py)))
        if not sink.addFeature(feature, compat.SINK_FAST_INSERT):
            raise QgsProcessingException(sink.lastError() if hasattr(sink, "lastError") else "write error")
    return True


def frame_kinds(frame, columns):
    """``[(name, kind)]`` for ``columns`` of ``frame`` from their dtypes (float/int/str/bool)."""
    kinds = []
    for name in columns:
        dtype = frame[name].dtype
        if pd.api.types.is_bool_dtype(dtype):
            kind = "bool"
        elif pd.api.types.is_integer_dtype(dtype):
            kind = "int"
        elif pd.api.types.is_float_dtype(dtype):
            kind = "float"
        else:
            kind = "str"
        kinds.append((name, kind))
    return kinds


def open_read_only(path):
    """The vector layer at the file ``path`` (``file.gpkg|layername=x`` too) opened read-only, so reading it
    leaves the file byte-identical; None where QGIS cannot open layers read-only (before 3.28) or the
    layer is not valid (then Processing opens it as usual and says what is wrong)."""
    if not compat.CAN_FORCE_READ_ONLY:
        return None
    options = QgsVectorLayer.LayerOptions()
    options.forceReadOnly = True
    options.loadDefaultStyle = False
    layer = QgsVectorLayer(path, os.path.splitext(os.path.basename(path.split("|")[0]))[0], "ogr", options)
    return layer if layer.isValid() else None
