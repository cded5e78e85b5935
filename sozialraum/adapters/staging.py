"""Results appear only complete: written beside their place, moved in at the end, removed on failure.

A destination is *staged*:

* a file of its own (GeoPackage, Shapefile with its side files, GeoJSON, HTML, PDF, XLSX, CSV …) is
  written into a hidden folder ``.sozialraum-<random>`` beside it, under its own name (so a GeoPackage's
  layer and a Shapefile's side files are named as they will be). :meth:`StagedFile.commit` moves every
  file of that folder into place with ``os.replace`` (atomic per file, same file system) and removes
  the side files an older Shapefile of the same name had and the new one has not;
* a table in an existing GeoPackage (``ogr:dbname='x.gpkg' table="t"``) is written as a table of
  another name in the same file; :meth:`StagedTable.commit` replaces ``t`` by it through GDAL (which
  keeps the GeoPackage's own bookkeeping: contents, geometry columns, spatial index) and moves its
  method record along.

``discard()`` removes what was staged; the destination keeps what it had before. Nothing here knows
about Processing parameters: :mod:`..processing.destinations` decides what is staged how.
"""

import contextlib
import os
import secrets
import shutil
import sqlite3

from ..core.errors import InputError
from .method_record import SIDECAR, database_connection
from .method_record import TABLE as RECORD_TABLE

STAGING_PREFIX = ".sozialraum-"
#: The side files of a Shapefile (lower case) that belong to its name and go when it is replaced.
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qpj", ".shp.xml")


def _folder_problem(folder):
    """Why nothing can be written into ``folder`` ((de, en) texts), or None."""
    if not os.path.isdir(folder):
        return ("Der Ordner „{}“ existiert nicht. Bitte legen Sie ihn an oder wählen Sie einen anderen.",
                "The folder '{}' does not exist. Please create it or choose another one.")
    return None


class StagedFile:
    """A result file written in a hidden folder beside ``final`` and moved into place by :meth:`commit`."""

    def __init__(self, final):
        self.final = os.path.abspath(final)
        self.folder = os.path.dirname(self.final)
        problem = _folder_problem(self.folder)
        if problem:
            raise InputError(problem[0].format(self.folder), problem[1].format(self.folder))
        try:
            self.staging = os.path.join(self.folder, STAGING_PREFIX + secrets.token_hex(6))
            os.mkdir(self.staging)
        except OSError as error:
            raise InputError(
                "In den Ordner „{}“ kann nicht geschrieben werden ({}). Bitte wählen Sie einen Ordner, in "
                "dem Sie schreiben dürfen.".format(self.folder, error.strerror),
                "Cannot write into the folder '{}' ({}). Please choose a folder you may write to.".format(
                    self.folder, error.strerror)) from None
        self.path = os.path.join(self.staging, os.path.basename(self.final))

    def final_id(self, text):
        """``text`` (a destination id or path) with the staged place replaced by the final one."""
        return text.replace(self.path, self.final)

    def staged_id(self, text):
        return text.replace(self.final, self.path)

    def _stem_parts(self, folder):
        """Files in ``folder`` that belong to a Shapefile of the final name (case-insensitive suffix)."""
        stem = os.path.splitext(os.path.basename(self.final))[0]
        found = []
        for name in os.listdir(folder):
            lower = name.lower()
            if name.startswith(stem) and lower[len(stem):] in SHAPEFILE_PARTS + (".shp" + SIDECAR,):
                found.append(name)
        return found

    def commit(self):
        """Move everything written into place; the staging folder goes."""
        written = os.listdir(self.staging)
        stale = self._stem_parts(self.folder) if self.final.lower().endswith(".shp") else []
        stale.append(os.path.basename(self.final) + SIDECAR)  # an older result's method record
        for name in stale:
            if name not in written and os.path.exists(os.path.join(self.folder, name)):
                os.remove(os.path.join(self.folder, name))  # e.g. an older Shapefile's stale .qix index
        for name in written:
            os.replace(os.path.join(self.staging, name), os.path.join(self.folder, name))
        os.rmdir(self.staging)

    def discard(self):
        shutil.rmtree(self.staging, ignore_errors=True)


def _delete_layer(dataset, name):
    """Delete the layer ``name`` from the GDAL ``dataset`` if it has one."""
    for index in range(dataset.GetLayerCount()):
        if dataset.GetLayerByIndex(index).GetName() == name:
            dataset.DeleteLayer(index)
            return


class StagedTable:
    """A result table in the existing GeoPackage ``path``: written as another table, renamed by :meth:`commit`."""

    def __init__(self, path, table):
        self.path = os.path.abspath(path)
        self.table = table
        self.staging_table = "{}_sozialraum_{}".format(table, secrets.token_hex(4))
        if not os.access(self.path, os.W_OK) or not os.access(os.path.dirname(self.path), os.W_OK):
            raise InputError(
                "Die GeoPackage-Datei „{}“ kann nicht geändert werden (schreibgeschützt).".format(self.path),
                "The GeoPackage file '{}' cannot be changed (read-only).".format(self.path))

    def final_id(self, text):
        return text.replace('table="{}"'.format(self.staging_table), 'table="{}"'.format(self.table)).replace(
            "layername={}".format(self.staging_table), "layername={}".format(self.table))

    def staged_id(self, text):
        if not os.path.basename(self.path) in text:
            return text
        return text.replace('table="{}"'.format(self.table), 'table="{}"'.format(self.staging_table)).replace(
            "layername={}".format(self.table), "layername={}".format(self.staging_table))

    def commit(self):
        """Replace the table by the staged one (GDAL keeps the GeoPackage's bookkeeping); move its record."""
        from osgeo import gdal

        dataset = gdal.OpenEx(self.path, gdal.OF_VECTOR | gdal.OF_UPDATE)
        if dataset is None:
            raise OSError("GDAL cannot open {} for writing".format(self.path))
        try:
            _delete_layer(dataset, self.table)
            layer = dataset.GetLayerByName(self.staging_table)
            if layer is None or layer.Rename(self.table) != 0:
                raise OSError("GDAL could not rename {} to {} in {}".format(self.staging_table, self.table,
                                                                          self.path))
        finally:
            dataset = None
        with contextlib.closing(sqlite3.connect(self.path)) as connection, connection:
            if connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (RECORD_TABLE,)).fetchone():
                connection.execute("DELETE FROM {} WHERE layer = ?".format(RECORD_TABLE), (self.table,))
                connection.execute("UPDATE {} SET layer = ? WHERE layer = ?".format(RECORD_TABLE),
                                   (self.table, self.staging_table))

    def discard(self):
        from osgeo import gdal

        dataset = gdal.OpenEx(self.path, gdal.OF_VECTOR | gdal.OF_UPDATE)
        if dataset is None:
            return
        _delete_layer(dataset, self.staging_table)
        dataset = None
        with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(self.path)) as connection, \
                connection:
            if connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (RECORD_TABLE,)).fetchone():
                connection.execute("DELETE FROM {} WHERE layer = ?".format(RECORD_TABLE), (self.staging_table,))


def write_bytes(path, data):
    """Write ``data`` (bytes, e.g. a whole XLSX or CSV file) to the staged file ``path``."""
    with open(path, "wb") as handle:
        handle.write(data)


def write_text(path, text):
    """Write ``text`` (UTF-8) to the staged file ``path``."""
    write_bytes(path, text.encode("utf-8"))


def _quoted_table(schema, table):
    return '"{}"."{}"'.format(schema.replace('"', '""'), table.replace('"', '""'))


class StagedDatabaseTable:
    """A result table in PostGIS: written as ``<table>_sozialraum_<random>`` in the same schema, renamed in one
    transaction by :meth:`commit` (the old table dropped, the method record moved along), dropped by
    :meth:`discard`."""

    def __init__(self, uri, schema, table):
        from qgis.core import QgsDataSourceUri

        self.uri, self.schema, self.table = uri, schema, table
        self.staging_table = "{}_sozialraum_{}".format(table[:40], secrets.token_hex(4))
        staged = QgsDataSourceUri(uri)
        staged.setDataSource(schema, self.staging_table, staged.geometryColumn() or "geom", staged.sql(),
                             staged.keyColumn())
        self.staged_uri = staged.uri(False)

    def final_id(self, text):
        return text.replace('"{}"'.format(self.staging_table), '"{}"'.format(self.table))

    def staged_id(self, text):
        return text.replace('"{}"."{}"'.format(self.schema, self.table),
                            '"{}"."{}"'.format(self.schema, self.staging_table))

    def commit(self):
        connection = database_connection(self.uri)
        record = _quoted_table(self.schema, RECORD_TABLE)
        connection.executeSql(
            "BEGIN; DROP TABLE IF EXISTS {final}; ALTER TABLE {staged} RENAME TO \"{name}\"; "
            "DO $$ BEGIN IF to_regclass('{record_reg}') IS NOT NULL THEN "
            "DELETE FROM {record} WHERE layer = '{name_sql}'; "
            "UPDATE {record} SET layer = '{name_sql}' WHERE layer = '{staged_sql}'; END IF; END $$; COMMIT;".format(
                final=_quoted_table(self.schema, self.table), staged=_quoted_table(self.schema, self.staging_table),
                name=self.table.replace('"', '""'), record=record, record_reg=record.replace("'", "''"),
                name_sql=self.table.replace("'", "''"), staged_sql=self.staging_table.replace("'", "''")))

    def discard(self):
        try:
            connection = database_connection(self.uri)
            record = _quoted_table(self.schema, RECORD_TABLE)
            connection.executeSql(
                "DROP TABLE IF EXISTS {staged}; DO $$ BEGIN IF to_regclass('{record_reg}') IS NOT NULL THEN "
                "DELETE FROM {record} WHERE layer = '{staged_sql}'; END IF; END $$;".format(
                    staged=_quoted_table(self.schema, self.staging_table), record=record,
                    record_reg=record.replace("'", "''"), staged_sql=self.staging_table.replace("'", "''")))
        except Exception:  # noqa: BLE001 -- the run failed already; a leftover staging table is named in the log
            from qgis.core import Qgis, QgsMessageLog

            QgsMessageLog.logMessage("could not drop the staging table {}.{}".format(self.schema, self.staging_table),
                                     "Sozialraum", Qgis.MessageLevel.Warning)
