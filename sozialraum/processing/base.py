"""What every Sozialraum algorithm shares: translation, choice parameters, error handling.

Choice parameters ("enums") show plain-language labels in the toolbox and accept their stable
key as well (``NORMALIZATION=minmax`` instead of ``NORMALIZATION=2``), so models, scripts and
``qgis_process`` calls stay readable and survive new options being added.
"""

import concurrent.futures
import functools
import os
import threading

import numpy as np
from qgis.core import (
    QgsApplication,
    QgsFields,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingFeedback,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsVectorLayer,
    QgsVectorLayerExporter,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon

from ..adapters import compat
from ..adapters.crs import reprojection_note, require_defined
from ..adapters.distances import read_points
from ..adapters.method_record import save_method, save_method_in_database
from ..adapters.staging import StagedDatabaseTable
from ..adapters.styling import save_database_style
from ..adapters.network_graph import TOPOLOGY_TOLERANCE
from ..adapters.geopackage import add_results_in_place, copy_with_results, keyed_geopackage, new_geopackage
from ..adapters.layers import (
    column_arrays,
    column_lists,
    cut_field_names,
    frame_kinds,
    open_read_only,
    read_table,
    result_fields,
    span_progress,
    write_points,
    write_with_results,
)
from ..core import field_guess
from ..core.errors import InputError, de_en, names
from ..core.frames import quantities
from ..core.method_record import record_from_dict
from .destinations import Destinations
from .help import help_html, help_tags, help_text, help_url, short_description

# the plugin's package name is its folder's name, known only at run time
GUESSED_FIELD_WRAPPER = __package__ + ".field_widget.GuessedFieldWrapper"
ICON_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "resources", "icons")


def matrix_rows(flat, width, de, en):
    """Rows of ``width`` stripped texts from a flat matrix parameter value; empty rows are skipped.

    A value that does not fill whole rows raises :class:`InputError` with the message ``de``/``en``.
    """
    cells = ["" if compat.is_null(cell) else str(cell).strip() for cell in (flat or [])]
    if not any(cells):
        return []
    if len(cells) % width:
        raise InputError(de, en)
    rows = [tuple(cells[i:i + width]) for i in range(0, len(cells), width)]
    return [row for row in rows if any(row)]


# parameter types that take a vector layer (QgsProcessingParameterDefinition.type())
_LAYER_TYPES = ("source", "vector", "layer")

_GEOMETRY_KINDS = {  # parameter data type -> (geometry type, (German, English) words)
    compat.SOURCE_VECTOR_POINT: (compat.GEOMETRY_POINT, ("Punkte", "points")),
    compat.SOURCE_VECTOR_LINE: (compat.GEOMETRY_LINE, ("Linien", "lines")),
    compat.SOURCE_VECTOR_POLYGON: (compat.GEOMETRY_POLYGON, ("Flächen (Polygone)", "polygons")),
}


def _geometry_words(geometry_type):
    for geometry, words in _GEOMETRY_KINDS.values():
        if geometry == geometry_type:
            return de_en(*words)
    return de_en("keine Geometrie", "no geometry")


class _NullSafeBatches:
    """A sink that hands features on in batches whose columns are each all NULL or all filled.

    QGIS's PostgreSQL writing (seen on 3.22 and 3.40, Processing's own sinks too) takes a column whose values in
    one batch compare equal as a constant, and NULL compares equal to 0: a batch with 0 and NULL in one column
    was written with one of the two everywhere ("cannot be determined" became "0 % unreachable"). The batch is
    flushed whenever the next feature's pattern of NULLs differs, so no batch mixes NULL and values in a column.
    """

    def __init__(self, sink):
        self._sink = sink
        self._pattern = None

    def addFeature(self, feature, flags=0):  # noqa: N802 (QGIS API)
        pattern = tuple(compat.is_null(value) for value in feature.attributes())
        if pattern != self._pattern and self._pattern is not None and not self._sink.flushBuffer():
            return False
        self._pattern = pattern
        return self._sink.addFeature(feature, flags)

    def flushBuffer(self):  # noqa: N802 (QGIS API)
        return self._sink.flushBuffer()

    def lastError(self):  # noqa: N802 (QGIS API)
        return self._sink.errorMessage() if hasattr(self._sink, "errorMessage") else ""


def _database_sink(staged, fields, wkb_type, crs):
    """The staged PostGIS table as a sink: QGIS's exporter (it creates the table), in NULL-safe batches."""
    exporter = QgsVectorLayerExporter(staged.staged_uri, "postgres", fields, wkb_type, crs, True)
    if exporter.errorCode():
        raise QgsProcessingException(de_en("Die PostGIS-Tabelle kann nicht angelegt werden: ",
                                           "The PostGIS table cannot be created: ") + exporter.errorMessage())
    return _NullSafeBatches(exporter)


class _ChildFeedback(QgsProcessingFeedback):
    """Feedback for a child algorithm: its 0-100 % fill ``start``-``end`` of the parent's bar.

    Cancelling the parent cancels the child; the child's warnings and errors reach the parent,
    its info lines ("Results: ...") do not.
    """

    def __init__(self, parent, start, end):
        super().__init__()
        self._parent = parent
        self._start, self._end = start, end
        self.progressChanged.connect(self._forward_progress)
        # direct: the parent is cancelled from the main thread while the child runs in a worker
        parent.canceled.connect(self.cancel, Qt.ConnectionType.DirectConnection)
        if parent.isCanceled():
            self.cancel()

    def _forward_progress(self, progress):
        self._parent.setProgress(self._start + (self._end - self._start) * progress / 100.0)

    def detach(self):
        self._parent.canceled.disconnect(self.cancel)

    def pushWarning(self, warning):
        self._parent.pushWarning(warning)

    def reportError(self, error, fatalError=False):
        self._parent.reportError(error, fatalError)


def shown_decimals(default):
    """Decimals for a number field in a dialog: 0 for a whole default (300), as many as the default has otherwise
    (4.5 -> 1, 0.05 -> 2; at most 4), 2 without a default or for 0."""
    try:
        value = float(default)
    except (TypeError, ValueError):
        return 2
    if value == 0:
        return 2
    if value == int(value):
        return 0
    text = "{:.6f}".format(abs(value)).rstrip("0")
    return min(4, len(text.split(".")[1]))


class PendingResult:
    """An output on its way (:meth:`SozialraumAlgorithm.start_result`): ``finish()`` gives its destination id
    (None after a cancel); ``abort()`` stops a write running in a thread and waits for it."""

    def __init__(self, finish, future=None, stop=None):
        self._finish, self._future, self._stop = finish, future, stop

    @classmethod
    def in_thread(cls, copy, done, feedback, span):
        """``copy(is_canceled, progress)`` in a thread of its own, ``done(what it returned)`` in this one when it
        is over; ``finish()`` hands each step ``copy`` reported (a fraction) on to ``feedback`` within ``span``,
        from this thread, as it waits (those done before it waited, at once)."""
        stop, fractions = threading.Event(), []
        pool = concurrent.futures.ThreadPoolExecutor(1)
        future = pool.submit(copy, lambda: stop.is_set() or feedback.isCanceled(), fractions.append)
        pool.shutdown(wait=False)

        def finish():
            report, told, result = span_progress(feedback, span), 0, None
            while result is None:
                try:
                    result = (future.result(timeout=0.1),)
                except concurrent.futures.TimeoutError:
                    pass
                for fraction in fractions[told:]:
                    report(fraction)
                    told += 1
            return done(result[0])
        return cls(finish, future, stop)

    def finish(self):
        finish, self._finish = self._finish, None
        return None if finish is None else finish()

    def abort(self):
        if self._future is not None and self._finish is not None:
            self._stop.set()
            concurrent.futures.wait([self._future])
        self._finish = None


class SozialraumAlgorithm(QgsProcessingAlgorithm):
    """Base class: subclasses define ``NAME``, ``GROUP_ID`` and the parameters."""

    NAME = ""
    GROUP_ID = ""
    # numbered so the toolbox lists the groups in the order of the work (it sorts them by name)
    GROUPS = {
        "indizes": ("1 Indizes", "1 Indices"),
        "versorgung": ("2 Versorgung", "2 Service coverage"),
        "entscheidung": ("3 Entscheidung", "3 Decision"),
        "bericht": ("4 Bericht", "4 Report"),
    }
    # parameter name -> tuple of stable keys, in the order of the enum options
    CHOICES = {}

    def createInstance(self):
        return self.__class__()

    def name(self):
        return self.NAME

    def group(self):
        return de_en(*self.GROUPS[self.GROUP_ID])

    def groupId(self):
        return self.GROUP_ID

    def icon(self):
        return QIcon(self.svgIconPath())

    def svgIconPath(self):
        """One icon per group (resources/icons/<group id>.svg)."""
        return os.path.join(ICON_DIR, self.GROUP_ID + ".svg")

    # -- help (resources/help/<name>.<lang>.html, see help.py) ------------------------------------
    def shortHelpString(self):
        if QgsApplication.platform() == "qgis_process":  # a terminal shows tags as they are
            return help_text(self.NAME)
        return help_html(self.NAME)

    def shortDescription(self):
        return short_description(self.NAME)

    def helpUrl(self):
        return help_url(self.NAME)

    def tags(self):
        return help_tags(self.NAME)

    #: field parameter -> the guess (core/field_guess.py) that pre-selects it in the toolbox dialog when a layer is
    #: chosen; the parameters share their keys across the algorithms, so one table serves them all (a subclass
    #: changes or drops an entry). Not named here: multiple fields, fields with a default, target groups per service
    #: type (the names do not tell which service a run is for).
    FIELD_GUESSES = {
        "ID_FIELD": field_guess.ID, "NEED_ID_FIELD": field_guess.ID, "COVERAGE_ID_FIELD": field_guess.ID,
        "NAME_FIELD": field_guess.NAME, "SERVICE_NAME_FIELD": field_guess.NAME,
        "POPULATION_FIELD": field_guess.POPULATION, "CAPACITY_FIELD": field_guess.CAPACITY,
    }

    def addParameter(self, definition, createOutput=True):  # noqa: N802,N803 (QGIS API)
        """Decimal numbers show as many decimals as their default needs (300, 4,5, 0,05), not "300,000000";
        a field parameter named in :attr:`FIELD_GUESSES` gets the guessing widget of ``field_widget.py``
        (named by a dotted path: the metadata stays plain data for ``qgis_process --json``)."""
        wrapper = {}
        if isinstance(definition, QgsProcessingParameterNumber) and definition.dataType() == compat.NUMBER_DOUBLE:
            wrapper["decimals"] = shown_decimals(definition.defaultValue())
        elif isinstance(definition, QgsProcessingParameterField) and not definition.allowMultiple() and \
                self.FIELD_GUESSES.get(definition.name()):
            wrapper.update({"class": GUESSED_FIELD_WRAPPER, "guess": self.FIELD_GUESSES[definition.name()]})
        if wrapper:
            metadata = dict(definition.metadata() or {})
            metadata["widget_wrapper"] = dict(wrapper, **(metadata.get("widget_wrapper") or {}))
            definition.setMetadata(metadata)
        return super().addParameter(definition, createOutput)

    # -- choice parameters -------------------------------------------------------------------
    def add_choice(self, name, description, options, default, optional=False, advanced=False):
        """An enum parameter whose options are ``[(key, label), ...]``; ``default`` is a key.

        The label shows the key in brackets so users see what to write in scripts.
        """
        keys = tuple(key for key, _ in options)
        assert keys == tuple(self.CHOICES[name]), "CHOICES and options disagree for " + name
        labels = ["{} [{}]".format(label, key) for key, label in options]
        parameter = QgsProcessingParameterEnum(name, description, options=labels, allowMultiple=False,
                                               defaultValue=keys.index(default), optional=optional)
        if advanced:
            parameter.setFlags(parameter.flags() | compat.FLAG_ADVANCED)
        self.addParameter(parameter)

    def choice(self, parameters, name, context):
        """The key chosen for enum ``name``: given as key, as index, or as index text."""
        keys = self.CHOICES[name]
        raw = parameters.get(name)
        if isinstance(raw, str) and raw.strip() in keys:
            return raw.strip()
        return keys[self.parameterAsEnum(parameters, name, context)]

    def checkParameterValues(self, parameters, context):
        # before QGIS's own checks open the input files (for writing, where it is not told otherwise)
        translated = self._inputs_read_only(parameters, context)
        # A parameter left out stands for its default (as when the algorithm reads it); QGIS's own check
        # would refuse a left-out field parameter although it has one (qgis_process ... without NEED_FIELD).
        for definition in self.parameterDefinitions():
            if definition.name() not in translated and definition.defaultValue() is not None:
                translated[definition.name()] = definition.defaultValue()
        for name, keys in self.CHOICES.items():
            raw = translated.get(name)
            if isinstance(raw, str) and raw.strip() and not raw.strip().isdigit():
                if raw.strip() not in keys:
                    return False, de_en(
                        "Unbekannter Wert '{}' für {}. Erlaubt: {}.".format(raw, name, ", ".join(keys)),
                        "Unknown value '{}' for {}. Allowed: {}.".format(raw, name, ", ".join(keys)),
                    )
                translated[name] = keys.index(raw.strip())
        return super().checkParameterValues(translated, context)

    # -- the run --------------------------------------------------------------------------------
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS API)
        """Every destination checked before any work, results written staged and moved into place only
        when :meth:`process` is complete (:mod:`.destinations`); a cancel or a failure leaves every
        destination as it was, and a cancel is an error, so a model or batch run cannot take it for a
        success."""
        parameters = self._inputs_read_only(parameters, context)
        self.outputs = Destinations(self, parameters, context)
        try:
            self.core_call(self.outputs.prepare)
            results = self.process(parameters, context, feedback)
            if feedback.isCanceled():
                raise QgsProcessingException(de_en("Abgebrochen: es wurden keine Ergebnisse geschrieben.",
                                                   "Cancelled: no results were written."))
            self._write_records()
            staged_tables = [staged for staged in self.outputs.staged.values()
                             if isinstance(staged, StagedDatabaseTable)]
            results = self.outputs.commit(results)
            self._save_database_styles(staged_tables, results, feedback)
            return results
        except BaseException:
            self.outputs.discard()
            raise
        finally:
            self.outputs = None  # no cycle between the algorithm (owned by QGIS) and its run's objects

    @staticmethod
    def _save_database_styles(tables, results, feedback):
        """The class style of each PostGIS result saved in its database as the table's default style."""
        for table in tables:
            uri = table.final_id(table.staged_uri)
            dest_id = "postgis:" + uri
            if dest_id not in results.values():
                continue
            error = save_database_style(dest_id, QgsVectorLayer(uri, table.table, "postgres"), table.table)
            if error:
                feedback.pushWarning(de_en("Der Stil wurde nicht in der Datenbank gespeichert: ",
                                           "The style was not saved in the database: ") + error)

    def _inputs_read_only(self, parameters, context):
        """``parameters`` with every vector input given as a file path (qgis_process, batch runs, models)
        replaced by that layer opened read-only (QGIS 3.28+), so that reading leaves the file byte-identical.
        Layers of the project are QGIS's own and stay as they are."""
        changed = dict(parameters)
        for definition in self.parameterDefinitions():
            value = parameters.get(definition.name())
            if definition.isDestination() or not isinstance(value, str) or definition.type() not in _LAYER_TYPES:
                continue
            if context.getMapLayer(value) is not None or not os.path.isfile(value.split("|")[0]):
                continue
            layer = open_read_only(value)
            if layer is not None:
                context.temporaryLayerStore().addMapLayer(layer)
                changed[definition.name()] = layer.id()
        return changed

    def process(self, parameters, context, feedback):
        """The algorithm's own work (read parameters, call adapters and core, write): the results dict."""
        raise NotImplementedError

    def file_output(self, parameters, name, context):
        """Where to write the file of destination ``name`` (staged beside its place), or "" if not wanted."""
        return self.outputs.file_path(name)

    # -- running the core ----------------------------------------------------------------------
    @staticmethod
    def core_call(function, *args, **kwargs):
        """Run a core function; bad input becomes a clear ``QgsProcessingException``, not a traceback."""
        try:
            return function(*args, **kwargs)
        except InputError as error:
            raise QgsProcessingException(str(error)) from None

    def source_or_fail(self, parameters, name, context):
        """The feature source ``name``; a missing or unreadable layer raises a clear error.

        The algorithm remembers which parameter the source came from and, when the source is a
        whole layer (no selection, feature limit or filter), which layer: see :meth:`whole_layer`
        and :meth:`write_result`.
        """
        source = self.parameterAsSource(parameters, name, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, name))
        self._check_geometry(name, source)
        value = parameters.get(name)
        if isinstance(value, QgsProcessingFeatureSourceDefinition) and (
                value.selectedFeaturesOnly or value.featureLimit not in (-1, None)
                or getattr(value, "filterExpression", "")):
            layer = None
        else:
            layer = self._input_layer(parameters, name, context)
        self.__dict__.setdefault("_source_origins", []).append((source, name, layer))
        return source

    TOPOLOGY_TOLERANCE = "TOPOLOGY_TOLERANCE"

    def add_topology_tolerance(self):
        """The path network's topology tolerance (advanced): vertices closer than this are one place."""
        parameter = QgsProcessingParameterNumber(
            self.TOPOLOGY_TOLERANCE, de_en("Wegenetz: Knoten-Toleranz in Metern (Punkte näher als dies sind ein Ort; "
                                           "0 = nur gleiche Koordinaten)",
                                           "Path network: topology tolerance in metres (points closer than this are one "
                                           "place; 0 = equal coordinates only)"),
            type=compat.NUMBER_DOUBLE, minValue=0.0, defaultValue=TOPOLOGY_TOLERANCE)
        parameter.setFlags(parameter.flags() | compat.FLAG_ADVANCED)
        self.addParameter(parameter)

    DEMAND = "DEMAND"
    DEMAND_FIELD = "DEMAND_FIELD"

    def add_demand_parameters(self, description):
        """The optional demand points ``DEMAND`` (``description``) and their weight field ``DEMAND_FIELD``."""
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.DEMAND, description, [compat.SOURCE_VECTOR_POINT], optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.DEMAND_FIELD, de_en("Zielbevölkerung je Nachfragepunkt (leer = jeder Punkt zählt 1)",
                                     "Target population per demand point (empty = each point counts 1)"),
            parentLayerParameterName=self.DEMAND, type=compat.FIELD_ANY, optional=True))

    def demand_points(self, parameters, crs, context, feedback, progress_span):
        """``(x, y, weight)`` of the optional demand points ``DEMAND`` in ``crs`` (weight from ``DEMAND_FIELD``,
        else 1 per point), or None without a demand layer; points without a geometry are named and left out."""
        source = self.optional_source(parameters, self.DEMAND, context)
        if source is None:
            return None
        field = self.parameterAsString(parameters, self.DEMAND_FIELD, context) or None
        note = reprojection_note(de_en("Nachfragepunkte", "Demand points"), source.sourceCrs(), crs)
        if note:
            feedback.pushInfo(note)
        points = self.core_call(read_points, source, [field], crs, context.transformContext(), feedback,
                                progress_span, layer=self.whole_layer(source))
        if points.no_geometry:
            feedback.pushWarning(de_en("{} Nachfragepunkt(e) ohne Geometrie werden nicht gezählt (fid {}).",
                                       "{} demand point(s) without a geometry are not counted (fid {}).")
                                 .format(len(points.no_geometry), names(points.no_geometry)))
        if field:
            weight = self.core_call(quantities, points.values[field],
                                    ["fid {}".format(f) for f in points.fid.tolist()], field)
        else:
            weight = np.ones(points.fid.size)
        return points.x, points.y, weight

    #: True for algorithms that measure distances: every layer they read must have a defined CRS.
    MEASURES_DISTANCES = False

    def _check_geometry(self, name, source):
        """The layer of parameter ``name`` has the kind of geometry the parameter asks for (a point layer
        given as path network is refused with a message, not a traceback deep inside) and, where the
        algorithm measures distances, a defined coordinate reference system."""
        definition = self.parameterDefinition(name)
        label = "{} ({})".format(definition.description(), source.sourceName())
        wanted = [_GEOMETRY_KINDS[kind] for kind in definition.dataTypes() if kind in _GEOMETRY_KINDS]
        if wanted and len(wanted) == len(definition.dataTypes()):
            found = QgsWkbTypes.geometryType(source.wkbType())
            if found not in [geometry for geometry, _ in wanted]:
                kinds_de = " oder ".join(words[0] for _, words in wanted)
                kinds_en = " or ".join(words[1] for _, words in wanted)
                raise QgsProcessingException(de_en(
                    "„{}“ braucht {}; der Layer enthält {}. Bitte wählen Sie einen passenden Layer.",
                    "'{}' needs {}; the layer holds {}. Please choose a suitable layer.").format(
                    label, de_en(kinds_de, kinds_en), _geometry_words(found)))
        if self.MEASURES_DISTANCES and QgsWkbTypes.geometryType(source.wkbType()) != compat.GEOMETRY_NULL:
            self.core_call(require_defined, source.sourceCrs(), label)

    def optional_source(self, parameters, name, context):
        """:meth:`source_or_fail` for an optional source: ``None`` when ``name`` is not set."""
        if parameters.get(name) in (None, ""):
            return None
        return self.source_or_fail(parameters, name, context)

    def _input_layer(self, parameters, name, context):
        """The vector layer behind source parameter ``name`` (also when given as a source
        definition, which ``parameterAsVectorLayer`` does not resolve on QGIS 3.22), or ``None``."""
        value = parameters.get(name)
        if isinstance(value, QgsProcessingFeatureSourceDefinition):
            value, _ = value.source.valueAsString(context.expressionContext(), "")
        return self.parameterAsVectorLayer({name: value}, name, context)

    def _origin(self, source):
        """``(parameter name, whole layer or None)`` of a source from :meth:`source_or_fail`."""
        for known, name, layer in self.__dict__.get("_source_origins", []):
            if known is source:
                return name, layer
        return None, None

    def whole_layer(self, source):
        """The layer that ``source`` (from :meth:`source_or_fail`) reads in full, or ``None``
        (a selection, a feature limit or filter, or not a layer): pass it to ``read_table``."""
        return self._origin(source)[1]

    def read_source(self, source, fields, feedback, progress_span=(0.0, 30.0)):
        """The attributes ``fields`` of ``source`` as a DataFrame (fast GDAL read where the whole layer is read)."""
        return self.core_call(read_table, source, fields, feedback, progress_span, layer=self.whole_layer(source))

    def sink_or_fail(self, parameters, name, context, fields, wkb_type, crs):
        """``(sink, dest_id)`` for output ``name``; an unwritable destination raises a clear error."""
        staged = self.outputs.staged.get(name)
        if isinstance(staged, StagedDatabaseTable):
            sink, dest_id = _database_sink(staged, fields, wkb_type, crs), "postgis:" + staged.staged_uri
        else:
            sink, dest_id = self.parameterAsSink(self.outputs.sink_parameters(name), name, context, fields, wkb_type,
                                                 crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, name))
        if name in self.outputs.staged:
            dest_id = self.outputs.register_loading(name, dest_id)
        return sink, dest_id

    def save_method(self, dest_id, method, context):
        """Keep the method record with the result ``dest_id``: written where the result is staged once
        :meth:`process` has returned and closed its outputs (a GeoPackage still open for writing is locked)."""
        record = record_from_dict(method).to_dict()  # the typed, versioned record (core/method_record.py)
        self.outputs.records.append((self.outputs.staged_id(dest_id), record, context))

    def _write_records(self):
        """The method records of this run, where each result is staged (a PostGIS table's in its schema)."""
        tables = {staged.staging_table: staged for staged in self.outputs.staged.values()
                  if isinstance(staged, StagedDatabaseTable)}
        for dest_id, method, context in self.outputs.records:
            table = next((staged for name, staged in tables.items() if '"{}"'.format(name) in dest_id), None)
            if table is not None:
                save_method_in_database(table.uri, table.schema, table.staging_table, method)
            else:
                save_method(dest_id, method, context)

    def write_result(self, parameters, name, context, feedback, source, table, result_columns, progress_start,
                     progress_end=100.0):
        """Copy ``source`` into output ``name`` with ``result_columns`` of ``table`` appended, reporting progress
        from ``progress_start`` to ``progress_end`` (less than 100 where another output follows).

        ``table`` is indexed by feature id (as from ``read_table``). The output a new GeoPackage:
        a whole GeoPackage layer from :meth:`source_or_fail` is copied in bulk by GDAL and SQLite
        (:func:`..adapters.geopackage.copy_with_results`); a selection of one is copied by
        ``native:savefeatures`` (C++) and the results are added with SQL. Otherwise, and where
        an input field is replaced by a result, the features are written one by one, and the log
        says why. All give the same fields, types, values and features (also those with invalid
        geometries, which none checks: the results need no geometry).
        Returns the destination id, or ``None`` when the user cancelled.
        """
        return self.start_result(parameters, name, context, feedback, source, table, result_columns, progress_start,
                                 progress_end).finish()

    def start_result(self, parameters, name, context, feedback, source, table, result_columns, progress_start,
                     progress_end=100.0):
        """:meth:`write_result` begun; its :class:`PendingResult` ``finish()`` gives what that gives.

        Where the bulk copy applies, it runs in a thread of its own (GDAL and SQLite on files of their own:
        no QGIS object, nothing said to ``feedback``; a cancel stops it), so the caller can compute and
        write other outputs meanwhile; ``finish()`` waits for it and reports its progress. Elsewhere
        ``finish()`` writes as before. A caller that fails before ``finish()`` calls ``abort()``."""
        columns = frame_kinds(table, result_columns)
        fields, kept, replaced = result_fields(source.fields(), columns)
        self._warn_cut_names(name, fields.names(), feedback)
        if replaced:
            feedback.pushWarning(de_en("Vorhandene Felder werden durch neue Werte ersetzt: ",
                                       "Existing fields are replaced by new values: ") + ", ".join(replaced))
        input_name, reason = self._copyable_input(parameters, name, context, source)
        if replaced:
            reason = de_en("ein Eingabefeld wird ersetzt", "an input field is replaced")
        elif input_name is not None and self.whole_layer(source) is not None:
            values = column_arrays(table, columns, feedback.isCanceled)
            if values is None:
                return PendingResult(lambda: None)
            copy = functools.partial(copy_with_results, self.whole_layer(source).source(),
                                     self.outputs.file_path(name), table.index.to_numpy(), columns, values)

            def done(dest_id):
                if feedback.isCanceled():
                    return None
                if dest_id is not None:
                    feedback.setProgress(progress_end)
                    return self.outputs.register_loading(name, dest_id)
                return self._write_one_by_one(parameters, name, context, feedback, source, table, columns, fields,
                                              kept, de_en("GDAL kann die Eingabe nicht öffnen",
                                                          "GDAL cannot open the input"), progress_start, progress_end)
            return PendingResult.in_thread(copy, done, feedback, (progress_start, progress_end))
        elif input_name is not None:
            return PendingResult(lambda: self._copy_and_add_results(
                parameters, input_name, name, context, feedback, table, columns, progress_start, progress_end))
        return PendingResult(lambda: self._write_one_by_one(parameters, name, context, feedback, source, table,
                                                            columns, fields, kept, reason, progress_start,
                                                            progress_end))

    def _write_one_by_one(self, parameters, name, context, feedback, source, table, columns, fields, kept, reason,
                          progress_start, progress_end):
        """:meth:`write_result` feature by feature, the log saying why (``reason``)."""
        feedback.pushInfo(de_en("„{}“ wird Objekt für Objekt geschrieben (langsamer): {}.",
                                "'{}' is written feature by feature (slower): {}.").format(
            self.parameterDefinition(name).description(), reason))
        sink, dest_id = self.sink_or_fail(parameters, name, context, fields, source.wkbType(), source.sourceCrs())
        if not write_with_results(source, sink, fields, kept, table, columns, feedback, (progress_start, progress_end)):
            return None
        return dest_id

    def write_points(self, parameters, name, context, feedback, frame, x, y, crs):
        """A new point layer for output ``name``: one point at ``(x[k], y[k])`` (in ``crs``) per row of
        ``frame`` with its columns. Returns the destination id, or ``None`` when the user cancelled."""
        columns = frame_kinds(frame, list(frame.columns))
        fields, _, _ = result_fields(QgsFields(), columns)
        sink, dest_id = self.sink_or_fail(parameters, name, context, fields, compat.WKB_POINT, crs)
        return dest_id if write_points(sink, fields, frame, columns, x, y, feedback) else None

    def _warn_cut_names(self, name, field_names, feedback):
        """A Shapefile keeps 10 characters of a field name: say which names are cut, and that Sozialraum's
        report and index check read them back (other programs may not)."""
        _, file, _ = self.outputs.places.get(name, (None, "", None))
        cut = cut_field_names(field_names) if (file or "").lower().endswith(".shp") else []
        if cut:
            feedback.pushWarning(de_en(
                "Shapefiles kürzen Feldnamen auf 10 Zeichen: {}. Sozialraum liest die gekürzten Namen wieder "
                "(Bericht, Indexprüfung); für volle Namen speichern Sie als GeoPackage (.gpkg).",
                "Shapefiles cut field names to 10 characters: {}. Sozialraum reads the cut names back (report, "
                "index check); for full names save as GeoPackage (.gpkg).").format(
                ", ".join("{} → {}".format(full, short) for full, short in cut)))

    def _copyable_input(self, parameters, name, context, source):
        """``(input parameter, None)`` when output ``name`` can be a bulk copy of ``source`` keeping its
        feature ids (a GeoPackage layer into a new GeoPackage), else ``(None, why not)``."""
        input_name, _ = self._origin(source)
        kind, file, _ = self.outputs.places.get(name, (None, None, None))
        if kind != "file" or not new_geopackage(file or ""):
            return None, de_en("die Ausgabe ist keine neue GeoPackage-Datei", "the output is not a new GeoPackage file")
        if input_name is None or parameters.get(input_name) is None or parameters.get(name) is None or \
                not keyed_geopackage(self._input_layer(parameters, input_name, context)):
            return None, de_en("die Eingabe ist kein GeoPackage-Layer, wie er gespeichert ist",
                               "the input is not a GeoPackage layer as stored")
        return input_name, None

    def _copy_and_add_results(self, parameters, input_name, name, context, feedback, table, columns,
                              progress_start, progress_end):
        """:meth:`write_result` for a GeoPackage copied by ``native:savefeatures``: Processing
        resolves the input (a selection too) as for any child algorithm, the copy keeps the feature
        ids in ``fid``, and the result columns are then added in place.

        The child gets the (staged) destination as a plain path: QGIS 3.40+ made its OUTPUT a file
        destination, which takes an output definition (what the toolbox dialog passes) as an empty
        file name. The layer is marked for loading here as Processing marks a sink of this algorithm.
        """
        import processing

        child = _ChildFeedback(feedback, progress_start, progress_start + 0.9 * (progress_end - progress_start))
        try:
            copied = processing.run("native:savefeatures", {"INPUT": parameters[input_name],
                                                            "OUTPUT": self.outputs.file_path(name)},
                                    context=context, feedback=child, is_child_algorithm=True)
        finally:
            child.detach()
        if feedback.isCanceled():
            return None
        add_results_in_place(copied["OUTPUT"], table.index.tolist(), columns, column_lists(table, columns))
        feedback.setProgress(progress_end)
        return self.outputs.register_loading(name, copied["OUTPUT"])
