"""The method record of a result travels with the result, so a report can state how it came about.

Where the record is kept depends on where the result went:

- a GeoPackage: a small table ``sozialraum_method`` (layer name -> JSON) inside the same file. It is
  not registered as a layer, so GIS programs ignore it, and it survives copying the file;
- any other file (Shapefile, GeoJSON, CSV ...): a sidecar file ``<file>.sozialraum.json``;
- a PostGIS table: a table ``sozialraum_method`` (layer name -> JSON) in the same schema;
- a temporary (memory) layer: the layer's custom property ``sozialraum/method``, which is also
  saved with the project.
"""

import contextlib
import json
import os
import pathlib
import re
import sqlite3

from qgis.core import QgsDataSourceUri, QgsProcessingUtils, QgsProviderRegistry

from ..core.method_record import record_from_dict

METHOD_PROPERTY = "sozialraum/method"
TABLE = "sozialraum_method"
SIDECAR = ".sozialraum.json"  # <result file><SIDECAR> holds the record of a result file that is no GeoPackage


def _file_and_layer(uri):
    """``(path, layer name or None)`` of an OGR data source string; ``(None, None)`` for non-files."""
    parts = QgsProviderRegistry.instance().decodeUri("ogr", uri)
    path = parts.get("path") or ""
    if not path or not os.path.isfile(path):
        return None, None
    return path, parts.get("layerName") or None


def _connect(path, write=False):
    """A connection to the GeoPackage ``path`` that is closed on leaving the ``with`` block (sqlite3's own
    context manager only commits); read-only unless ``write``, so reading a record never touches the file."""
    if write:
        return contextlib.closing(sqlite3.connect(path))
    return contextlib.closing(sqlite3.connect("{}?mode=ro".format(pathlib.Path(path).resolve().as_uri()),
                                              uri=True))


def _gpkg_layer_name(path, layer_name):
    if layer_name:
        return layer_name
    with _connect(path) as connection:
        rows = connection.execute("SELECT table_name FROM gpkg_contents ORDER BY rowid").fetchall()
    return rows[0][0] if len(rows) == 1 else os.path.splitext(os.path.basename(path))[0]


def save_method(dest_id, method, context):
    """Keep ``method`` (a dict) with the result ``dest_id`` of a Processing run."""
    text = json.dumps(method, ensure_ascii=False)
    layer = context.temporaryLayerStore().mapLayer(dest_id) if context is not None else None
    if layer is not None:
        layer.setCustomProperty(METHOD_PROPERTY, text)
        return
    if dest_id.startswith("ogr:"):
        uri = _ogr_prefixed_to_uri(dest_id)
    else:
        uri = dest_id
    path, layer_name = _file_and_layer(uri)
    if path is None:
        layer = QgsProcessingUtils.mapLayerFromString(dest_id, context) if context is not None else None
        if layer is not None:
            layer.setCustomProperty(METHOD_PROPERTY, text)
        return
    if path.lower().endswith(".gpkg"):
        name = _gpkg_layer_name(path, layer_name)
        with _connect(path, write=True) as connection, connection:  # closed, and committed
            connection.execute("CREATE TABLE IF NOT EXISTS {} (layer TEXT PRIMARY KEY, method TEXT)".format(TABLE))
            connection.execute("INSERT OR REPLACE INTO {} VALUES (?, ?)".format(TABLE), (name, text))
    else:
        with open(path + SIDECAR, "w", encoding="utf-8") as handle:
            handle.write(text)


def load_method(layer):
    """The method record (dict) kept with ``layer``, or ``None`` if it has none."""
    text = layer.customProperty(METHOD_PROPERTY)
    if text:
        return json.loads(text)
    if layer.providerType() == "postgres":
        return _load_from_database(layer)
    if layer.providerType() != "ogr":
        return None
    path, layer_name = _file_and_layer(layer.source())
    if path is None:
        return None
    if path.lower().endswith(".gpkg"):
        name = _gpkg_layer_name(path, layer_name)
        with _connect(path) as connection:
            exists = connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (TABLE,)).fetchone()
            row = connection.execute("SELECT method FROM {} WHERE layer = ?".format(TABLE), (name,)).fetchone() \
                if exists else None
        return json.loads(row[0]) if row else None
    sidecar = path + SIDECAR
    if os.path.exists(sidecar):
        with open(sidecar, encoding="utf-8") as handle:
            return json.load(handle)
    return None


def _ogr_prefixed_to_uri(dest_id):
    """``ogr:dbname='x.gpkg' table="t" (geom)`` (Processing's form) -> ``x.gpkg|layername=t``."""
    match = re.match(r"ogr:dbname='(?P<path>[^']+)'\s+table=\"(?P<table>[^\"]+)\"", dest_id)
    if not match:
        return dest_id[4:]
    return "{}|layername={}".format(match.group("path"), match.group("table"))


def database_connection(uri):
    """A QGIS connection to the PostgreSQL database of the data source string ``uri`` (with its authcfg or
    service; nothing of it is stored)."""
    return QgsProviderRegistry.instance().providerMetadata("postgres").createConnection(uri, {})


def _sql_text(value):
    return "'{}'".format(str(value).replace("'", "''"))


def _record_table(schema):
    return '"{}"."{}"'.format(schema.replace('"', '""'), TABLE)


def save_method_in_database(uri, schema, table, method):
    """Keep ``method`` for the PostGIS table ``schema.table`` in ``schema.sozialraum_method``."""
    record = _record_table(schema)
    database_connection(uri).executeSql(
        "CREATE TABLE IF NOT EXISTS {record} (layer text PRIMARY KEY, method text NOT NULL); "
        "INSERT INTO {record} (layer, method) VALUES ({name}, {text}) "
        "ON CONFLICT (layer) DO UPDATE SET method = EXCLUDED.method;".format(
            record=record, name=_sql_text(table), text=_sql_text(json.dumps(method, ensure_ascii=False))))


def _load_from_database(layer):
    parts = QgsDataSourceUri(layer.source())
    schema = parts.schema() or "public"
    connection = database_connection(layer.source())
    exists = connection.executeSql("SELECT to_regclass({})".format(_sql_text(_record_table(schema))))
    if not exists or exists[0][0] in (None, ""):
        return None
    rows = connection.executeSql("SELECT method FROM {} WHERE layer = {}".format(
        _record_table(schema), _sql_text(parts.table())))
    return json.loads(rows[0][0]) if rows else None


def load_record(layer):
    """The typed method record (core/method_record.py) kept with ``layer``, or None if it has none."""
    data = load_method(layer)
    return record_from_dict(data) if data else None
