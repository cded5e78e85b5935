"""Layers <-> DataFrames: the bridge between QGIS feature sources and the pure core.

Reading feeds the core only the attributes it needs. A GeoPackage layer read in full is read
column by column through GDAL (its Arrow interface, in C); any other source feature by feature
without geometry, the values turned into plain Python column by column.

Writing copies the source with the result columns appended. Where the output is a new
GeoPackage, the algorithm lets ``native:savefeatures`` copy the features (C++) and this module
then adds the result columns with one SQL ``UPDATE`` (:func:`add_results_in_place`); otherwise
:func:`write_with_results` copies feature by feature, handing the input values through untouched.
Neither keeps a list of features, so memory stays flat.
"""

import contextlib
import os
import sqlite3

import numpy as np
import pandas as pd
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsFields,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProviderRegistry,
    QgsVectorLayer,
)

from ..core.errors import InputError, de_en
from . import compat


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


def _ogr_parts(source):
    """``(path, layer name or None, layer index)`` of a plain OGR file source, else ``None``."""
    parts = QgsProviderRegistry.instance().decodeUri("ogr", source)
    path = parts.get("path")
    if compat.is_null(path) or not path or not os.path.isfile(path):
        return None
    if set(parts) - {"path", "layerName", "layerId"}:
        return None  # subset, geometry type filter, open options, ...: let QGIS read it
    name, index = parts.get("layerName"), parts.get("layerId")
    return (path, None if compat.is_null(name) or not name else name,
            0 if compat.is_null(index) or index is None else int(index))


def keyed_geopackage(layer):
    """True when ``layer`` is a GeoPackage layer as stored (no subset, edits, joined or virtual
    fields) whose feature id is also its field ``fid``.

    Such a layer is read by :func:`read_with_gdal`, and a copy of it keeps the feature ids in its
    ``fid`` column, so results can be matched to the copy by ``fid``.
    """
    if layer is None or not layer.isValid() or layer.providerType() != "ogr":
        return False
    provider = layer.dataProvider()
    if provider.storageType() != "GPKG" or layer.subsetString() or layer.isEditable():
        return False
    if layer.fields().names() != provider.fields().names() or _ogr_parts(layer.source()) is None:
        return False
    keys = provider.pkAttributeIndexes()
    return len(keys) == 1 and provider.fields().at(keys[0]).name() == "fid"


def read_with_gdal(layer, fields):
    """:func:`read_table` of a whole GeoPackage layer through GDAL's Arrow interface, or ``None``
    where that does not apply (not a :func:`keyed_geopackage`, GDAL < 3.6, fields other than
    numbers and text).

    The table is the one the feature-by-feature reader makes: same row order, index (feature
    ids), values and dtypes; text stays text ("01011101" keeps its leading zero).
    """
    read = _gdal_columns(layer, fields)
    if read is None:
        return None
    fids, data, _ = read
    return pd.DataFrame(data, columns=fields, index=pd.Index(fids.tolist(), name="fid"))


def read_point_columns(layer, fields):
    """``(fid, x, y, {field: values})`` of every feature of a whole GeoPackage point layer,
    through GDAL's Arrow interface, in the layer's own CRS; ``None`` where that does not apply
    (see :func:`read_with_gdal`; also geometries other than single 2D or 3D points, or any
    feature without one: the feature-by-feature reader handles and reports those).

    ``values``: lists of plain Python values (``None`` for NULL), as the feature loop gives them.
    """
    if layer is None or layer.geometryType() != compat.GEOMETRY_POINT:
        return None
    read = _gdal_columns(layer, fields, geometry=True)
    if read is None:
        return None
    fids, columns, wkb = read
    x, y = _wkb_points(wkb)
    if x is None:
        return None
    # plain Python values, as from the feature loop: numpy scalars do not become attribute values
    values = {name: column.tolist() if isinstance(column, np.ndarray) else column for name, column in columns.items()}
    return fids, x, y, values


def read_line_parts(layer):
    """``(fid, part_feature, part_count, x, y)`` of every feature of a whole GeoPackage line layer,
    through GDAL's Arrow interface, in the layer's own CRS: the vertices of every part
    (``part_count[k]`` of them, part ``k`` belongs to the feature at position
    ``part_feature[k]`` of ``fid``) one after the other in ``x``, ``y``. ``None`` where that does
    not apply (see :func:`read_with_gdal`; also curves, M values, big-endian WKB, features
    without geometry or with only empty parts: the feature-by-feature reader handles those).
    Empty parts are left out, as the feature-by-feature reader does.
    """
    if layer is None or layer.geometryType() != compat.GEOMETRY_LINE:
        return None
    read = _gdal_columns(layer, [], geometry=True)
    if read is None:
        return None
    fids, _, wkb = read
    parsed = _wkb_lines(wkb)
    return None if parsed is None else (fids,) + parsed


def _gdal_columns(layer, fields, geometry=False):
    """``(fids, {field: column}, wkb)`` of a whole :func:`keyed_geopackage` layer through GDAL's
    Arrow interface: the feature ids as int64, each field as :func:`_plain_column` gives it, and
    with ``geometry`` the geometries as an object array of WKB (else ``None``). ``None`` where
    that does not apply: another layer, GDAL < 3.6, fields other than numbers and text, and with
    ``geometry`` an empty layer (the feature-by-feature reader reports it).
    """
    if not keyed_geopackage(layer):
        return None
    for name in fields:
        field = layer.fields().field(name)
        if not (field.isNumeric() or field.type() == compat.FIELD_STRING):
            return None
    try:
        batches = _arrow_batches(*_ogr_parts(layer.source()), fields, geometry=geometry)
    except (ImportError, RuntimeError):  # no GDAL Python bindings with Arrow (GDAL < 3.6), or GDAL errors
        return None
    if batches is None or (geometry and not batches):
        return None
    if not batches:
        return np.zeros(0, dtype=np.int64), {name: [] for name in fields}, None
    wkb = None
    if geometry:
        names = [name for name in batches[0] if name not in fields and name != "fid"]
        if len(names) != 1:
            return None
        wkb = np.concatenate([np.asarray(batch[names[0]], dtype=object) for batch in batches])
    columns = {}
    for name in fields:
        column = _plain_column(np.ma.concatenate([batch[name] for batch in batches]))
        if column is None:
            return None
        columns[name] = column
    fids = np.concatenate([np.asarray(batch["fid"]) for batch in batches]).astype(np.int64)
    return fids, columns, wkb


#: WKB types of lines: type -> (multi, coordinates per vertex); 2D and Z (ISO and extended codes)
_WKB_LINE_TYPES = {2: (False, 2), 5: (True, 2), 1002: (False, 3), 1005: (True, 3),
                   0x80000002: (False, 3), 0x80000005: (True, 3)}


def _uint32(raw, at):
    """Little-endian unsigned 32-bit integers at byte offsets ``at`` of ``raw``."""
    return (raw[at[:, None] + np.arange(4)].astype(np.uint32) << (8 * np.arange(4, dtype=np.uint32))).sum(
        axis=1, dtype=np.uint64).astype(np.int64)


def _wkb_lines(wkb):
    """The parts of an array of WKB (multi-)line strings, see :func:`read_line_parts`, or ``None``."""
    if wkb.size == 0 or any(value is None for value in wkb):
        return None
    blobs = [bytes(value) for value in wkb]
    size = np.fromiter((len(b) for b in blobs), dtype=np.int64, count=len(blobs))
    if (size < 9).any():
        return None
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    begin = np.cumsum(size) - size
    if (raw[begin] != 1).any():
        return None
    kinds = _uint32(raw, begin + 1)
    multi, dims = np.zeros(kinds.size, dtype=bool), np.zeros(kinds.size, dtype=np.int64)
    for code, (is_multi, coordinates) in _WKB_LINE_TYPES.items():
        multi[kinds == code], dims[kinds == code] = is_multi, coordinates
    if (dims == 0).any():
        return None
    # the line strings: the geometry itself, or each part of a multi-line
    n_parts = np.where(multi, _uint32(raw, begin + 5), 1)
    feature = np.repeat(np.arange(kinds.size), n_parts)
    at = np.where(multi, begin + 9, begin)  # where the first line string starts
    line_at = np.empty(feature.size, dtype=np.int64)
    first_part = np.cumsum(n_parts) - n_parts
    cursor, remaining = at.copy(), n_parts.copy()
    k = 0
    while (remaining > k).any():
        have = np.flatnonzero(remaining > k)
        here = cursor[have]
        if (raw[here] != 1).any() or ((here + 9) > (begin + size)[have]).any():
            return None
        line_at[first_part[have] + k] = here
        count = _uint32(raw, here + 5)
        cursor[have] = here + 9 + 8 * dims[have] * count
        k += 1
    if (cursor != begin + size).any():  # every byte accounted for, else not what we think it is
        return None
    count = _uint32(raw, line_at + 5)
    keep = count > 0
    if not np.isin(np.arange(kinds.size), feature[keep]).all():
        return None  # a feature with only empty parts: the feature-by-feature reader reports it
    feature, line_at, count = feature[keep], line_at[keep], count[keep]
    step = 8 * dims[feature]
    first_vertex = np.cumsum(count) - count
    vertex_part = np.repeat(np.arange(count.size), count)
    offset = line_at[vertex_part] + 9 + (np.arange(vertex_part.size) - first_vertex[vertex_part]) * step[vertex_part]
    x = raw[offset[:, None] + np.arange(8)].copy().view("<f8").ravel().astype("float64")
    y = raw[offset[:, None] + 8 + np.arange(8)].copy().view("<f8").ravel().astype("float64")
    return feature, count, x, y


#: Well-known binary of a point: byte order (1 = little endian), type, x, y (and z): type -> size
_WKB_POINT_TYPES = {1: 21, 1001: 29, 0x80000001: 29}


def _wkb_points(wkb):
    """``(x, y)`` arrays from an array of WKB points (all of one kind, little endian, not
    empty), else ``(None, None)``."""
    if wkb.size == 0 or any(value is None for value in wkb):
        return None, None
    first = bytes(wkb[0])
    if len(first) < 5 or first[0] != 1:
        return None, None
    size = _WKB_POINT_TYPES.get(int.from_bytes(first[1:5], "little"))
    if size is None:
        return None, None
    raw = np.frombuffer(b"".join(bytes(value) for value in wkb), dtype=np.uint8)
    if raw.size != size * wkb.size:
        return None, None
    rows = raw.reshape(wkb.size, size)
    if not (rows[:, :5] == rows[0, :5]).all():  # one byte order and type throughout
        return None, None
    x = rows[:, 5:13].copy().view("<f8").ravel().astype("float64")
    y = rows[:, 13:21].copy().view("<f8").ravel().astype("float64")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):  # POINT EMPTY is NaN NaN
        return None, None
    return x, y


def _arrow_batches(path, layer_name, layer_index, fields, geometry=False):
    """The columns ``fields`` and ``fid`` of a GeoPackage layer as GDAL's Arrow batches of numpy
    (masked) arrays, the geometry (as WKB) only if asked for; ``None`` if GDAL cannot open the
    layer."""
    from osgeo import gdal

    dataset = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY)
    if dataset is None:
        return None
    ogr_layer = dataset.GetLayerByName(layer_name) if layer_name else dataset.GetLayer(layer_index)
    if ogr_layer is None or not hasattr(ogr_layer, "GetArrowStreamAsNumPy") or ogr_layer.GetFIDColumn() != "fid":
        return None
    definition = ogr_layer.GetLayerDefn()
    present = {definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())}
    if any(f not in present and f != "fid" for f in fields):
        return None
    ogr_layer.SetIgnoredFields(sorted(present - set(fields)) + ([] if geometry else ["OGR_GEOMETRY"]) + ["OGR_STYLE"])
    return list(ogr_layer.GetArrowStreamAsNumPy(options=["USE_MASKED_ARRAYS=YES"]))


def _plain_column(array):
    """A column from GDAL as :func:`_read_features` has it: an array without NULLs, a list
    of plain values with ``None`` where there are NULLs; ``None`` for other types."""
    values = np.ma.getdata(array)
    kind = values.dtype.kind
    if kind == "S":
        values = np.char.decode(values, "utf-8").astype(object)
    elif kind in "iu":
        values = values.astype("int64")
    elif kind == "f":
        values = values.astype("float64")
    else:  # yes/no fields come out garbled from GDAL 3.6's Arrow reader, dates differ: QGIS reads those
        return None
    missing = np.ma.getmaskarray(array)
    if not missing.any():
        return values
    values = values.astype(object)
    values[missing] = None
    return values.tolist()


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


def _column_lists(frame, columns):
    """The result ``columns`` of ``frame`` as lists of plain Python values (NaN/NA -> None)."""
    lists = []
    for name, kind in columns:
        series = frame[name]
        missing = series.isna().to_numpy()
        if kind == "float":
            values = series.to_numpy(dtype="float64", na_value=np.nan).tolist()
        elif kind == "int":
            values = series.to_numpy(dtype="int64", na_value=0).tolist()
        elif kind == "bool":
            values = series.to_numpy(dtype="bool", na_value=False).tolist()
        else:
            values = [str(v) for v in series.to_numpy(dtype=object, na_value="")]
        if missing.any():
            values = [None if gone else value for value, gone in zip(values, missing.tolist())]
        lists.append(values)
    return lists


def column_values(frame, columns):
    """Per row, the result values as plain Python lists (NaN/NA -> None), in ``columns`` order."""
    lists = _column_lists(frame, columns)
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
    for n, feature in enumerate(features_unchecked(source, QgsFeatureRequest())):
        if feedback is not None and n % 1000 == 0:
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
    return True


def new_geopackage(destination):
    """True when the output ``destination`` (as Processing resolves it) is a GeoPackage file of its own."""
    plain = not destination.startswith(("memory:", "ogr:", "postgres:", "spatialite:")) and "|" not in destination
    return plain and destination.lower().endswith(".gpkg")


# The triggers that keep a GeoPackage's spatial index in step call these GDAL SQL functions. They
# run only when a geometry or a fid changes, which adding result columns never does, but SQLite
# needs the names to compile an UPDATE of the table; should one run after all, it fails loudly.
_SPATIAL_INDEX_FUNCTIONS = ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")
_GPKG_TYPES = {"float": "REAL", "int": "MEDIUMINT", "str": "TEXT", "bool": "BOOLEAN"}  # as GDAL declares them


def _geometry_unchanged(*_):
    raise sqlite3.OperationalError("spatial index trigger ran while only attributes were updated")


def _quoted(name):
    return '"{}"'.format(name.replace('"', '""'))


def add_results_in_place(dest_id, frame, columns, key="fid"):
    """Append the result ``columns`` (``[(name, kind)]``) of ``frame`` to the GeoPackage layer
    ``dest_id``, a copy of the source whose ``key`` column holds the source's feature ids (the
    index of ``frame``). Rows without results keep NULL.

    The columns are declared as GDAL declares them (REAL, MEDIUMINT, TEXT, BOOLEAN), so QGIS
    reads the same field types as from a feature-by-feature copy. One transaction: on any error
    the layer stays as it was. Every row of the layer must find its results, else
    ``QgsProcessingException``.
    """
    parts = _ogr_parts(dest_id)
    if parts is None:
        raise QgsProcessingException("not a GeoPackage layer: " + dest_id)
    path, table = parts[0], parts[1]
    keys = frame.index.tolist()
    rows = zip(*_column_lists(frame, columns), keys)
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as connection:
        if table is None:
            tables = connection.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'").fetchall()
            table = tables[0][0] if len(tables) == 1 else os.path.splitext(os.path.basename(path))[0]
        for name in _SPATIAL_INDEX_FUNCTIONS:
            connection.create_function(name, -1, _geometry_unchanged)
        # a new file: no journal on disk (a crash mid-way loses the output, not the input)
        connection.execute("PRAGMA journal_mode = MEMORY")
        connection.execute("BEGIN")
        try:
            for name, kind in columns:
                connection.execute("ALTER TABLE {} ADD COLUMN {} {}".format(
                    _quoted(table), _quoted(name), _GPKG_TYPES[kind]))
            update = "UPDATE {} SET {} WHERE {} = ?".format(
                _quoted(table), ", ".join("{} = ?".format(_quoted(name)) for name, _ in columns), _quoted(key))
            updated = connection.executemany(update, rows).rowcount
            count = connection.execute("SELECT count(*) FROM {}".format(_quoted(table))).fetchone()[0]
            if updated != count:
                raise QgsProcessingException(de_en(
                    "Die Ergebnisse passen nur zu {} von {} kopierten Objekten.",
                    "The results match only {} of {} copied features.").format(updated, count))
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise


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
