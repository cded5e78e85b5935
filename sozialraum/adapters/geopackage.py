"""GeoPackages read and written in bulk: GDAL's Arrow interface, WKB parsed with numpy, SQLite.

A GeoPackage layer read in full (:func:`keyed_geopackage`) is read column by column through
GDAL's Arrow interface (in C), its point or line geometries parsed from WKB with numpy
(:func:`read_point_columns`, :func:`read_line_parts`); results are added to a copied
GeoPackage with one SQL transaction (:func:`add_results_in_place`). Every function returns
``None`` (or is not called) where its fast way does not apply; :mod:`.layers` then reads or
writes feature by feature with the same result.
"""

import contextlib
import itertools
import os
import sqlite3
import urllib.parse

import numpy as np
import pandas as pd
from qgis.core import QgsProcessingException, QgsProviderRegistry

from ..core.errors import de_en
from . import compat


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
    values = wkb.tolist()
    if not values or None in values:
        return None, None
    first = bytes(values[0])
    if len(first) < 5 or first[0] != 1:
        return None, None
    size = _WKB_POINT_TYPES.get(int.from_bytes(first[1:5], "little"))
    if size is None:
        return None, None
    raw = np.frombuffer(b"".join(values), dtype=np.uint8)  # bytes-like values are joined as they are
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


def add_results_in_place(dest_id, keys, columns, values, key="fid"):
    """Append the result ``columns`` (``[(name, kind)]``, their ``values`` as lists of plain
    Python values, one per row of ``keys``) to the GeoPackage layer ``dest_id``, a copy of the
    source whose ``key`` column holds the source's feature ids ``keys``. Rows without results
    keep NULL.

    The columns are declared as GDAL declares them (REAL, MEDIUMINT, TEXT, BOOLEAN), so QGIS
    reads the same field types as from a feature-by-feature copy. One transaction: on any error
    the layer stays as it was. Every row of the layer must find its results, else
    ``QgsProcessingException``.
    """
    parts = _ogr_parts(dest_id)
    if parts is None:
        raise QgsProcessingException("not a GeoPackage layer: " + dest_id)
    path, table = parts[0], parts[1]
    rows = zip(*values, keys)
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


#: OGR field type (and subtype) of each result kind, as the feature-by-feature writer creates them.
_OGR_KINDS = {"float": ("OFTReal", None), "int": ("OFTInteger", None), "str": ("OFTString", None),
              "bool": ("OFTInteger", "OFSTBoolean")}


def copy_with_results(layer, path, keys, columns, values, is_canceled=None, progress=None):
    """A new GeoPackage ``path`` holding the whole :func:`keyed_geopackage` ``layer`` (or its source) with the
    result ``columns`` (``[(name, kind)]``, their ``values`` as lists or as numpy arrays masked where
    a value is missing, one value per row of ``keys``, the feature ids) appended: the dest id
    ``path|layername=<file name>``, or ``None`` where GDAL cannot open the layer or ``is_canceled()``
    stopped the copy (the caller discards the file).
    ``progress(fraction)`` hears of each step done (results handed over, rows copied, index). Given the
    layer's source, it touches no QGIS object, so it can run in a thread of its own.

    No feature passes through QGIS or Python: GDAL creates the layer (the input's fields with
    their definitions, then the result fields, as the feature-by-feature writer declares them,
    and an empty spatial index with the triggers that keep it in step), SQLite copies the rows
    from the attached input (read-only) joined with the results by ``fid`` in one
    ``INSERT ... SELECT`` (rows without results keep NULL). Features, ids, fields and values are
    those of a feature-by-feature copy (tests/qgis/test_fast_write.py).

    The spatial index: the copy has the input's features with the input's ids and geometries,
    so its R-tree is the input's R-tree: its three tables are copied as they are (0.8 s for
    1,000,000 points, where GDAL 3.6 takes 22 s and 3.10 5 s to build one point by point or in
    bulk; see :func:`_copy_spatial_index` for when that applies). Otherwise GDAL builds it.
    """
    from osgeo import gdal, ogr

    progress = progress or (lambda fraction: None)
    path_in, layer_name, layer_index = _ogr_parts(layer if isinstance(layer, str) else layer.source())
    source = gdal.OpenEx(path_in, gdal.OF_VECTOR | gdal.OF_READONLY)
    if source is None:
        return None
    source_layer = source.GetLayerByName(layer_name) if layer_name else source.GetLayer(layer_index)
    if source_layer is None or source_layer.GetFIDColumn() != "fid":
        return None
    table, geometry = source_layer.GetName(), source_layer.GetGeometryColumn()
    name = os.path.splitext(os.path.basename(path))[0]
    options = ["FID=fid"] + (["GEOMETRY_NAME=" + geometry] if geometry else [])
    target = gdal.GetDriverByName("GPKG").Create(path, 0, 0, 0, gdal.GDT_Unknown)
    target_layer = target.CreateLayer(name, source_layer.GetSpatialRef(), source_layer.GetGeomType(), options)
    definition = source_layer.GetLayerDefn()
    inputs = [definition.GetFieldDefn(i) for i in range(definition.GetFieldCount())]
    for field in inputs:
        target_layer.CreateField(field)
    copied = ["fid"] + ([geometry] if geometry else []) + [field.GetName() for field in inputs]
    for column, kind in columns:
        field_type, subtype = _OGR_KINDS[kind]
        field = ogr.FieldDefn(column, getattr(ogr, field_type))
        if subtype:
            field.SetSubType(getattr(ogr, subtype))
        target_layer.CreateField(field)
    target_layer = target = None  # closed: SQLite takes over
    inputs = definition = source_layer = source = None
    with contextlib.closing(sqlite3.connect(_uri(path), isolation_level=None, uri=True)) as connection:
        # a new file, moved to its place only when complete: no journal, no waiting for the disk (a crash
        # mid-way loses the output, not the input)
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA temp_store = MEMORY")
        if is_canceled is not None:  # SQLite asks every 10,000 steps; a cancel interrupts the statement
            connection.set_progress_handler(lambda: 1 if is_canceled() else 0, 10000)
        connection.execute("ATTACH DATABASE ? AS input", (_uri(path_in) + "?mode=ro",))
        try:
            indexed = _fill(connection, name, table, geometry, copied, [c for c, _ in columns], keys, values,
                            progress)
        except sqlite3.OperationalError:
            if is_canceled is not None and is_canceled():
                return None
            raise
        connection.execute("DETACH DATABASE input")
    if is_canceled is not None and is_canceled():
        return None
    progress(0.9)
    if geometry and not indexed:  # GDAL builds the index from the geometries
        target = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_UPDATE)
        target.ExecuteSQL("SELECT CreateSpatialIndex({}, {})".format(_literal(name), _literal(geometry)))
        target = None
    return "{}|layername={}".format(path, name)


#: Most values handed to SQLite in one INSERT (999: the limit of SQLite before 3.32).
_MOST_VALUES = 999

#: Rows turned into Python values and handed to SQLite at a time (about): the values of a few tens of
#: thousands of rows at once, not of all rows (3M rows: some 30 million Python objects, a gigabyte).
_ROWS_AT_ONCE = 65_536


def _missing_throughout(column):
    """True where ``column`` (a list, or a numpy array masked where values are missing) has no value at all."""
    if isinstance(column, np.ndarray):
        return bool(np.ma.getmaskarray(column).all())
    return column.count(None) == len(column)


def _plain(part):
    """A slice of a column as a list of plain Python values (masked -> None)."""
    return part.tolist() if isinstance(part, np.ndarray) else list(part)


def _stage_results(connection, keys, values):
    """The result ``values`` (per column a list, or a numpy array masked where values are missing, as from
    :func:`.layers.column_arrays`; a value per row of ``keys``) into the temporary table ``results``
    (``fid`` and a column ``r<k>`` per column ``k`` that has a value); returns per column what the copy
    selects for it, from ``results AS r``.

    A column without any value is selected as NULL, and the rows go in many per INSERT: both only
    save Python's time handing values to SQLite (1,000,000 rows of the per-point layer: 1.2 s instead
    of 2.4 s); the values written stay the same (tests/qgis/test_fast_write.py). Arrays become Python
    values :data:`_ROWS_AT_ONCE` rows at a time, so they never all exist at once. (Text as numbers with
    a table of the texts was slower: the look-ups cost more than the handing over saves.)
    """
    staged, selected = [keys], []
    for k, column in enumerate(values):
        if _missing_throughout(column):
            selected.append("NULL")
        else:
            staged.append(column)
            selected.append("r.r{}".format(k))
    connection.execute("CREATE TEMP TABLE results (fid INTEGER PRIMARY KEY{})".format(
        "".join(", r{}".format(k) for k, expression in enumerate(selected) if expression != "NULL")))
    width = len(staged)
    per_insert = max(1, min(256, _MOST_VALUES // width))
    row = "(" + ", ".join("?" * width) + ")"
    insert = "INSERT INTO temp.results VALUES "
    many, step = insert + ", ".join([row] * per_insert), per_insert * width
    at_once = per_insert * max(1, _ROWS_AT_ONCE // per_insert)
    for a in range(0, len(keys), at_once):
        flat = list(itertools.chain.from_iterable(zip(*(_plain(column[a:a + at_once]) for column in staged))))
        full = len(flat) // step * step
        connection.executemany(many, (flat[b:b + step] for b in range(0, full, step)))
        if full < len(flat):
            connection.execute(insert + ", ".join([row] * ((len(flat) - full) // width)), flat[full:])
    return selected


def _fill(connection, name, table, geometry, copied, result_names, keys, values, progress):
    """:func:`copy_with_results`' one transaction: the results into temporary tables
    (:func:`_stage_results`), the rows of the input joined with them into the new layer, its feature
    count, its spatial index where the input's can be copied (:func:`_copy_spatial_index`). Returns
    True when the spatial index is complete.

    The triggers GDAL put on the new table (the spatial index's, which call GDAL's SQL functions, and
    the feature count's, one UPDATE per row) are taken off for the copy and put back as they were; where
    the index is not copied, GDAL's empty one is taken away (table, triggers, extension entry: GDAL 3.6
    takes an empty index of a full table as corrupt and will neither drop nor build it) and the caller
    has GDAL build one."""
    triggers = connection.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (name,)).fetchall()
    connection.execute("BEGIN")
    try:
        for trigger, _ in triggers:
            connection.execute("DROP TRIGGER main.{}".format(_quoted(trigger)))
        selected = _stage_results(connection, keys, values)
        progress(0.3)
        connection.execute("INSERT INTO main.{} ({}) SELECT {} FROM input.{} AS s LEFT JOIN temp.results AS r "
                           "ON r.fid = s.fid ORDER BY s.fid".format(
                               _quoted(name), ", ".join(_quoted(c) for c in copied + result_names),
                               ", ".join(["s." + _quoted(c) for c in copied] + selected), _quoted(table)))
        progress(0.7)
        connection.execute("UPDATE gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM main.{}) "
                           "WHERE lower(table_name) = lower(?)".format(_quoted(name)), (name,))
        indexed = bool(geometry) and _copy_spatial_index(connection, table, name, geometry)
        index = _rtree(name, geometry)
        if geometry and not indexed:  # no index rather than an empty one (GDAL takes an empty one as corrupt)
            connection.execute("DROP TABLE IF EXISTS main.{}".format(_quoted(index)))
            connection.execute("DELETE FROM gpkg_extensions WHERE lower(table_name) = lower(?) AND "
                               "extension_name = 'gpkg_rtree_index'", (name,))
        for trigger, sql in triggers:
            if indexed or not trigger.startswith(index + "_"):
                connection.execute(sql)
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return indexed


def _rtree(table, geometry):
    """The name of a GeoPackage spatial index (R-tree) of ``table``'s column ``geometry`` (GeoPackage 1.2, F.3)."""
    return "rtree_{}_{}".format(table, geometry)


def _copy_spatial_index(connection, table, name, geometry):
    """Copy the spatial index of the attached ``input.table`` into the new layer ``main.name`` (empty so far),
    which holds the input's features with their ids and geometries; True when done.

    An SQLite R-tree keeps its nodes in three tables (``_node``: the nodes as blobs, root = 1;
    ``_rowid``: leaf of each feature id; ``_parent``: parent of each node), which refer to nothing
    but the ids and boxes of the features, so copied they form the same, valid index of the copy
    (checked with SQLite's ``rtreecheck`` in the tests). Only where the input has an R-tree of the same
    node size, with one entry per feature with a geometry that is not empty (so it is in step with the table); else
    False and nothing is changed."""
    source, target = _rtree(table, geometry), _rtree(name, geometry)
    exists = "SELECT count(*) FROM {}.sqlite_master WHERE type = 'table' AND name = ?"
    if connection.execute(exists.format("input"), (source + "_node",)).fetchone()[0] != 1 or \
            connection.execute(exists.format("main"), (target + "_node",)).fetchone()[0] != 1:
        return False
    size = "SELECT length(data) FROM {}.{} WHERE nodeno = 1"
    root = connection.execute(size.format("input", _quoted(source + "_node"))).fetchone()
    if root is None or root != connection.execute(size.format("main", _quoted(target + "_node"))).fetchone():
        return False
    entries = connection.execute("SELECT count(*) FROM input.{}".format(_quoted(source + "_rowid"))).fetchone()[0]
    features = connection.execute("SELECT count(*) FROM input.{} WHERE {}".format(
        _quoted(table), _not_empty(_quoted(geometry)))).fetchone()[0]
    if entries != features:
        return False
    for part, columns in (("_node", "nodeno, data"), ("_rowid", "rowid, nodeno"), ("_parent", "nodeno, parentnode")):
        connection.execute("DELETE FROM main.{}".format(_quoted(target + part)))
        connection.execute("INSERT INTO main.{0} ({1}) SELECT {1} FROM input.{2}".format(
            _quoted(target + part), columns, _quoted(source + part)))
    return True


def _not_empty(column):
    """An SQL condition: the GeoPackage geometry blob ``column`` is there and not empty.

    Empty is flag 0x10 of the blob's fourth byte (GeoPackage 1.2, 2.1.3), so a geometry that is not
    empty has that byte in one of the ranges 0x00-0x0F, 0x20-0x2F, ..., 0xE0-0xEF, tried in this order
    (GDAL writes 0x01 for a point, 0x03 for a polygon with its envelope: the first range). Compared as
    one-byte blobs, without turning each byte into text (3,000,000 points: 0.5 s instead of 1.7 s)."""
    flags = "substr({}, 4, 1)".format(column)
    return "{} IS NOT NULL AND ({})".format(column, " OR ".join(
        "{} BETWEEN x'{:X}0' AND x'{:X}F'".format(flags, high, high) for high in range(0, 16, 2)))


def _uri(path):
    """``path`` as an SQLite file URI (to open the input read-only)."""
    return "file:" + urllib.parse.quote(os.path.abspath(path))


def _literal(text):
    return "'{}'".format(text.replace("'", "''"))
