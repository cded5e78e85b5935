"""Where every algorithm's results go: the one place that decides it.

Before any work (:meth:`Destinations.prepare`):

* each destination must differ from every input (after resolving paths: the same GeoPackage file
  replaced by an output, or the same table, would destroy the input) and from every other
  destination;
* each destination's folder must exist and take files (a staging folder is made there at once).

While the algorithm runs, layers and files are written *staged* (:mod:`..adapters.staging`): beside
their place under their own name. :meth:`Destinations.commit` moves them into place only when the
run is complete and gives the final ids back (results, layers to load into the project);
:meth:`Destinations.discard` removes what was staged after a cancel or a failure, so a destination
holds its previous content or nothing.

Temporary layers (``TEMPORARY_OUTPUT``, ``memory:``) need no staging: Processing drops them when a
run fails. A PostGIS table is written as a table of another name in the same schema and renamed in one
transaction; other databases (SpatiaLite, MS SQL, Oracle) are written directly.
"""

import os
import re

from qgis.core import (
    QgsDataSourceUri,
    QgsProcessingContext,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMapLayer,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterVectorLayer,
    QgsProviderRegistry,
)

from ..adapters import compat
from ..adapters.staging import StagedDatabaseTable, StagedFile, StagedTable
from ..core.errors import InputError

_OGR_TABLE = re.compile(r"^ogr:dbname='(?P<path>(?:[^']|'')+)'\s+table=\"(?P<table>(?:[^\"]|\"\")+)\"")
_DIRECT = ("postgres:", "postgis:", "spatialite:", "mssql:", "oracle:")


def _same_file(a, b):
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _layer_place(layer):
    """``(file, layer name or None)`` of a file-based layer, else None."""
    if layer is None or layer.providerType() not in ("ogr", "gdal", "delimitedtext"):
        return None
    parts = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
    path = parts.get("path") or ""
    return (path, parts.get("layerName") or None) if path else None


_POSTGRES = ("postgres://", "postgis:", "postgres:")


def _without_prefix(uri):
    for prefix in _POSTGRES:
        if uri.startswith(prefix):
            return uri[len(prefix):]
    return uri


def database_table(uri):
    """``(service or host:port, database, schema, table)`` of a database layer source or destination
    (``postgres://…``, ``postgis:…`` or a plain connection string), for telling two tables apart."""
    parts = QgsDataSourceUri(_without_prefix(uri))
    server = parts.service() or "{}:{}".format(parts.host() or "localhost", parts.port() or "5432")
    return server, parts.database(), parts.schema() or "public", parts.table()


def output_place(destination):
    """``(kind, file, table)`` of a resolved output layer string: ``memory``, ``direct`` (a database,
    written as it is), ``table`` (a table of a GeoPackage that may hold others) or ``file``."""
    if not destination or destination.startswith("memory:"):
        return "memory", None, None
    if destination.startswith(_DIRECT):
        return "direct", None, None
    match = _OGR_TABLE.match(destination)
    if match:
        return "table", match.group("path").replace("''", "'"), match.group("table").replace('""', '"')
    path, _, options = destination.partition("|")
    layer = re.search(r"layername=([^|]+)", options)
    if layer and os.path.exists(path):
        return "table", path, layer.group(1)
    return "file", path, None


class Destinations:
    """The destinations of one run of ``algorithm`` (see the module docstring)."""

    def __init__(self, algorithm, parameters, context):
        self.algorithm = algorithm
        self.parameters = parameters
        self.context = context
        self.staged = {}  # parameter name -> StagedFile | StagedTable
        self.places = {}  # parameter name -> (kind, file, table), see output_place
        self.records = []  # (staged id, method record, context) to write once the outputs are closed

    # -- before the run ---------------------------------------------------------------------------
    def prepare(self):
        """Check every destination against the inputs and each other, and stage the files (raises InputError)."""
        inputs = self._input_places()
        # resolved in a scratch context: resolving registers an output for loading in the context it is given
        scratch = QgsProcessingContext()
        scratch.setProject(self.context.project())
        scratch.setExpressionContext(self.context.expressionContext())
        places = []
        for definition in self.algorithm.destinationParameterDefinitions():
            name = definition.name()
            if self.parameters.get(name) in (None, ""):
                continue
            if isinstance(definition, QgsProcessingParameterFileDestination):
                path = self.algorithm.parameterAsFileOutput(self.parameters, name, scratch)
                kind, file, table = ("file", path, None) if path else ("memory", None, None)
            else:
                kind, file, table = output_place(self.algorithm.parameterAsOutputLayer(self.parameters, name, scratch))
            self.places[name] = (kind, file, table)
            label = definition.description()
            if kind == "direct":
                destination = self.algorithm.parameterAsOutputLayer(self.parameters, name, scratch)
                table = database_table(destination)
                self._check_database_output(label, table, inputs)
                if destination.startswith(_POSTGRES):
                    self.staged[name] = StagedDatabaseTable(_without_prefix(destination), table[2], table[3])
                continue
            if kind == "memory":
                continue
            if kind == "table" and not os.path.exists(file):
                kind = "newtable"  # a table of a GeoPackage this run creates: staged as a new file
            for input_label, (input_file, input_layer) in inputs:
                if input_file == "database":
                    continue
                if _same_file(file, input_file) and (kind == "file" or input_layer in (None, table)):
                    raise InputError(
                        "Die Ausgabe „{}“ ({}) ist zugleich die Eingabe „{}“ und würde sie zerstören. Bitte "
                        "wählen Sie für die Ausgabe eine andere Datei{}.".format(
                            label, file, input_label, "" if kind == "file" else " oder Tabelle"),
                        "The output '{}' ({}) is also the input '{}' and would destroy it. Please choose "
                        "another file{} for the output.".format(
                            label, file, input_label, "" if kind == "file" else " or table"))
            for other_label, other_kind, other_file, other_table in places:
                if _same_file(file, other_file) and "file" in (kind, other_kind) or (
                        _same_file(file, other_file) and table == other_table):
                    raise InputError(
                        "Die Ausgaben „{}“ und „{}“ gehen in dieselbe Datei {}. Bitte wählen Sie zwei "
                        "verschiedene.".format(other_label, label, file),
                        "The outputs '{}' and '{}' go to the same file {}. Please choose two different "
                        "ones.".format(other_label, label, file))
            places.append((label, kind, file, table))
            self.staged[name] = self._stage(kind, file, table)

    def _stage(self, kind, file, table):
        """The staged place of one output; tables of one new GeoPackage share its staged file."""
        if kind == "table":
            return StagedTable(file, table)
        for staged in self.staged.values():
            if isinstance(staged, StagedFile) and _same_file(staged.final, file):
                return staged
        return StagedFile(file)

    def _unique_staged(self):
        return list({id(staged): staged for staged in self.staged.values()}.values())

    @staticmethod
    def _check_database_output(label, table, inputs):
        """A database output table must not be a database input table (written directly, it would replace it)."""
        for input_label, place in inputs:
            if place == ("database", table):
                raise InputError(
                    "Die Ausgabe „{}“ ({}.{}) ist zugleich die Eingabe „{}“ und würde sie zerstören. Bitte wählen "
                    "Sie für die Ausgabe eine andere Tabelle.".format(label, table[2], table[3], input_label),
                    "The output '{}' ({}.{}) is also the input '{}' and would destroy it. Please choose another "
                    "table for the output.".format(label, table[2], table[3], input_label))

    def _input_places(self):
        """``[(label, (file, layer name or None))]`` of every file-based input, ``[(label, ("database",
        table))]`` of every database input."""
        found = []
        for definition in self.algorithm.parameterDefinitions():
            name = definition.name()
            value = self.parameters.get(name)
            if definition.isDestination() or value in (None, ""):
                continue
            label = definition.description()
            if isinstance(definition, QgsProcessingParameterFile):
                path = self.algorithm.parameterAsFile(self.parameters, name, self.context)
                if path:
                    found.append((label, (path, None)))
                continue
            if isinstance(definition, QgsProcessingParameterMultipleLayers):
                layers = self.algorithm.parameterAsLayerList(self.parameters, name, self.context)
            elif isinstance(definition, (QgsProcessingParameterFeatureSource, QgsProcessingParameterVectorLayer,
                                         QgsProcessingParameterMapLayer)):
                if isinstance(value, QgsProcessingFeatureSourceDefinition):
                    value, _ = value.source.valueAsString(self.context.expressionContext(), "")
                layers = [self.algorithm.parameterAsLayer({name: value}, name, self.context)]
            else:
                continue
            for layer in layers:
                if layer is not None and layer.providerType() == "postgres":
                    found.append((label, ("database", database_table(layer.source()))))
                elif _layer_place(layer):
                    found.append((label, _layer_place(layer)))
        return found

    # -- during the run -----------------------------------------------------------------------------
    def sink_parameters(self, name):
        """The parameters to create output ``name``'s sink with: its staged place, nothing loaded
        automatically (:meth:`register_loading` does that for the final id)."""
        staged = self.staged.get(name)
        if staged is None:
            return self.parameters
        original = self.parameters.get(name)
        _, _, table = self.places[name]
        if isinstance(staged, StagedDatabaseTable):
            target = "postgis:" + staged.staged_uri
        elif isinstance(staged, StagedFile) and table:
            target = "ogr:dbname='{}' table=\"{}\" (geom)".format(staged.path.replace("'", "''"),
                                                                  table.replace('"', '""'))
        elif isinstance(staged, StagedFile):
            target = staged.path
        else:
            target = "ogr:dbname='{}' table=\"{}\" (geom)".format(staged.path.replace("'", "''"),
                                                                  staged.staging_table.replace('"', '""'))
        definition = QgsProcessingOutputLayerDefinition(target)
        if isinstance(original, QgsProcessingOutputLayerDefinition):
            definition.createOptions = original.createOptions
        return dict(self.parameters, **{name: definition})

    def file_path(self, name):
        """Where to write the file of output ``name`` (staged), or "" when not wanted."""
        staged = self.staged.get(name)
        if staged is not None:
            return staged.path
        return self.algorithm.parameterAsFileOutput(self.parameters, name, self.context) or ""

    def register_loading(self, name, dest_id):
        """Mark output ``name`` (written staged as ``dest_id``) for loading under its final id when its
        definition asks for it, named as Processing names this algorithm's output; returns the final id.

        The final id is what the algorithm reports and styles: the layer is loaded from there after
        :meth:`commit`. (Re-keying a staged registration later is not possible: the context owns the
        post-processors and deletes those of keys it drops.)"""
        final = self.final_id(dest_id)
        definition = self.parameters.get(name)
        if isinstance(definition, QgsProcessingOutputLayerDefinition) and definition.destinationProject is not None:
            layer_name = definition.destinationName or self.algorithm.parameterDefinition(name).description()
            self.context.addLayerToLoadOnCompletion(final, QgsProcessingContext.LayerDetails(
                layer_name, definition.destinationProject, name, compat.LAYER_HINT_VECTOR))
        return final

    # -- after the run ------------------------------------------------------------------------------
    def final_id(self, text):
        """``text`` (a layer id or path) with staged places replaced by final ones."""
        for staged in self._unique_staged():
            text = staged.final_id(text)
        return text

    def staged_id(self, text):
        """The inverse of :meth:`final_id`: where a result with the final id ``text`` is being written."""
        for staged in self._unique_staged():
            text = staged.staged_id(text)
        return text

    def commit(self, results):
        """Move every staged result into place; returns ``results`` with final paths (the file outputs')."""
        for staged in self._unique_staged():
            staged.commit()
        results = {key: self.final_id(value) if isinstance(value, str) else value for key, value in results.items()}
        self.staged = {}  # in place now: nothing left to discard
        return results

    def discard(self):
        """Remove everything staged (Processing loads nothing of a failed run)."""
        for staged in self._unique_staged():
            staged.discard()
        self.staged = {}
