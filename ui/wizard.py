"""Sozialraum-Assistent: the common workflow of a social planner in six pages.

Quartiere -> Indikatoren -> Verfahren -> Versorgung -> Bericht -> Zusammenfassung. The wizard only
collects choices and runs the plugin's Processing algorithms with them, one after the other, in
background tasks (or in this thread with :meth:`SozialraumWizard.run_now`). Parameter dicts are built
by the pure functions ``parameters_for_<algorithm>(choices, ...)`` so they can be checked without
clicking; results are loaded into the project as the Processing toolbox loads them, with the
algorithms' own styles.
"""

import os
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsFieldProxyModel,
    QgsMessageLog,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterVectorDestination,
    QgsProject,
)
from qgis.gui import QgsFieldComboBox, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QObject, Qt, QTimer, QUrl, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..sozialraum.adapters import compat
from ..sozialraum.core.errors import de_en
from .results import load_results
from .safety import guarded, report_exception

PROVIDER = "sozialraum"
TEMPORARY = "TEMPORARY_OUTPUT"
DISTRICT_INDEX = "districtindex"
STATUS_DYNAMIC = "statusdynamicindex"
DIAGNOSTICS = "indexdiagnostics"
COVERAGE = "servicecoverage"
REPORT = "report"

PAGE_DISTRICTS, PAGE_INDICATORS, PAGE_METHOD, PAGE_COVERAGE, PAGE_REPORT, PAGE_SUMMARY = range(6)

# Options offered in the wizard (the toolbox has all of them; 'reference' and 'manual' need extra input).
NORMALIZATIONS = ("zscore", "zscore_sample", "minmax", "percentile")
AGGREGATIONS = ("sum", "mean", "geometric")
CLASSIFICATIONS = ("stddev", "quantile", "jenks", "equal")
GEOMETRIC_NORMALIZATIONS = ("minmax", "percentile")


def _explanations():
    """One sentence per method option, in the current language."""
    return {
        "zscore": de_en("Jeder Indikator wird als Abstand vom Stadtmittel in Standardabweichungen gemessen, so "
                        "zählen alle Indikatoren gleich stark.",
                        "Each indicator is measured as its distance from the town mean in standard deviations, "
                        "so every indicator counts equally."),
        "zscore_sample": de_en("Wie der z-Wert, aber mit der Stichproben-Standardabweichung (n − 1); bei vielen "
                               "Quartieren fast dasselbe.",
                               "Like the z-score but with the sample standard deviation (n − 1); with many "
                               "districts almost the same."),
        "minmax": de_en("Der kleinste Wert wird 0, der größte 100; ein einzelner Ausreißer bestimmt die Spanne.",
                        "The smallest value becomes 0 and the largest 100; a single outlier sets the range."),
        "percentile": de_en("Rangplatz in Prozent (0–100): robust gegen Ausreißer, aber Abstände zwischen "
                            "Quartieren gehen verloren.",
                            "Rank as a percentage (0–100): robust against outliers, but distances between "
                            "districts are lost."),
        "sum": de_en("Die gewichteten Werte werden addiert und die Summe erneut standardisiert (wie im Berliner "
                     "Monitoring).",
                     "The weighted values are added up and the sum is standardised again (as in Berlin's "
                     "monitoring)."),
        "mean": de_en("Gewichteter Mittelwert der Indikatoren; bei vollständigen Daten dieselbe Reihenfolge wie "
                      "die Summe.",
                      "Weighted mean of the indicators; with complete data the same order as the sum."),
        "geometric": de_en("Geometrisches Mittel: ein guter Wert gleicht einen schlechten nur teilweise aus "
                           "(nur mit Min-Max oder Perzentilrang).",
                           "Geometric mean: a good value makes up for a poor one only in part (only with min-max "
                           "or percentile rank)."),
        "stddev": de_en("Fünf Klassen nach Standardabweichungen um den Mittelwert (−1,5 / −0,5 / 0,5 / 1,5): "
                        "auffällige Quartiere stehen in den äußeren Klassen.",
                        "Five classes by standard deviations around the mean (−1.5 / −0.5 / 0.5 / 1.5): "
                        "conspicuous districts fall into the outer classes."),
        "quantile": de_en("Gleich viele Quartiere in jeder Klasse.", "The same number of districts in each class."),
        "jenks": de_en("Natürliche Brüche: Grenzen dort, wo sich die Werte am deutlichsten trennen.",
                       "Natural breaks: limits where the values separate most clearly."),
        "equal": de_en("Gleich breite Wertebereiche.", "Value ranges of equal width."),
    }


# ------------------------------------------------------------------------------------------------
# what the user chose, and the parameter dicts built from it (pure: no widgets involved)
# ------------------------------------------------------------------------------------------------


@dataclass
class IndicatorChoice:
    """One indicator field: ``reverse`` = higher value means less need; ``earlier`` = same field 2 years before."""

    field: str
    reverse: bool = False
    weight: float = 1.0
    earlier: str = ""


@dataclass
class WizardChoices:
    """Everything the pages collect."""

    districts: str = ""  # layer id (or source) of the district layer
    id_field: str = ""
    name_field: str = ""
    population_field: str = ""
    min_population: float = 300.0
    indicators: list = field(default_factory=list)  # IndicatorChoice, in table order
    index_type: str = DISTRICT_INDEX
    normalization: str = "zscore"
    aggregation: str = "sum"
    classification: str = "stddev"
    n_classes: int = 5
    diagnostics: bool = False
    coverage: dict = None  # parameters of sozialraum:servicecoverage without OUTPUT, or None
    report: dict = None  # parameters of sozialraum:report without inputs and outputs, or None
    report_folder: str = ""
    results_folder: str = ""  # empty = temporary layers


class FromStep(NamedTuple):
    """A parameter value taken from the results of an earlier step (e.g. the index layer for the report)."""

    step: str
    output: str


class Step(NamedTuple):
    """One algorithm run: ``key`` names it for later steps, ``title`` is shown and names the loaded layer."""

    key: str
    title: str
    algorithm_id: str
    parameters: dict


def weights_text(indicators):
    """The WEIGHTS text of the index algorithms: ``"q_alo=2; q_sgb2=0.5"`` for weights other than 1."""
    return "; ".join("{}={:g}".format(i.field, i.weight) for i in indicators if i.weight != 1.0)


def _output(choices, file_name):
    """A file in the results folder, or a temporary layer/file when no folder was chosen."""
    return os.path.join(choices.results_folder, file_name) if choices.results_folder else TEMPORARY


def _population(choices):
    return {"POPULATION_FIELD": choices.population_field or None,
            "MIN_POPULATION": float(choices.min_population) if choices.population_field else 0.0}


def _index_population(choices):
    """The population parameters of the index and its check: without a population field the wizard rates
    without one on purpose (its summary says so), as the algorithm asks to be told."""
    return dict(_population(choices), WITHOUT_POPULATION=not choices.population_field)


def parameters_for_districtindex(choices, output=None):
    """Parameters of ``sozialraum:districtindex`` (Sozialindex) from the wizard's choices."""
    return dict({
        "INPUT": choices.districts,
        "ID_FIELD": choices.id_field,
        "INDICATORS": [i.field for i in choices.indicators],
        "REVERSE": [i.field for i in choices.indicators if i.reverse],
        "WEIGHTS": weights_text(choices.indicators),
        "NORMALIZATION": choices.normalization,
        "AGGREGATION": choices.aggregation,
        "CLASSIFICATION": choices.classification,
        "N_CLASSES": int(choices.n_classes),
        "OUTPUT": output or _output(choices, "sozialindex.gpkg"),
    }, **_index_population(choices))


def parameters_for_statusdynamicindex(choices, output=None):
    """Parameters of ``sozialraum:statusdynamicindex`` (MSS): status = the indicators, dynamic = field pairs."""
    pairs = [name for i in choices.indicators if i.earlier for name in (i.field, i.earlier)]
    return dict({
        "INPUT": choices.districts,
        "ID_FIELD": choices.id_field,
        "STATUS_INDICATORS": [i.field for i in choices.indicators],
        "DYNAMIC_PAIRS": pairs,
        "OUTPUT": output or _output(choices, "status_dynamik.gpkg"),
    }, **_population(choices))


def parameters_for_indexdiagnostics(choices, output=None, output_html=None):
    """Parameters of ``sozialraum:indexdiagnostics``: the same index settings as the chosen index.

    For the MSS method the status index is checked: z-scores of the status indicators, summed, no weights.
    """
    if choices.index_type == STATUS_DYNAMIC:
        settings = {"REVERSE": [], "WEIGHTS": "", "NORMALIZATION": "zscore", "AGGREGATION": "sum",
                    "CLASSIFICATION": "stddev", "N_CLASSES": 5}
    else:
        settings = {key: value for key, value in parameters_for_districtindex(choices).items()
                    if key in ("REVERSE", "WEIGHTS", "NORMALIZATION", "AGGREGATION", "CLASSIFICATION", "N_CLASSES")}
    return dict({
        "INPUT": choices.districts,
        "ID_FIELD": choices.id_field,
        "INDICATORS": [i.field for i in choices.indicators],
        "OUTPUT": output or _output(choices, "robustheit.gpkg"),
        "OUTPUT_HTML": output_html or _output(choices, "indexpruefung.html"),
    }, **settings, **_index_population(choices))


def parameters_for_servicecoverage(choices, output=None):
    """Parameters of ``sozialraum:servicecoverage``: the coverage page's choices plus the districts."""
    return dict(choices.coverage or {}, DISTRICTS=choices.districts, ID_FIELD=choices.id_field,
                OUTPUT=output or _output(choices, "versorgung.gpkg"))


def parameters_for_report(choices):
    """Parameters of ``sozialraum:report``: the report page's choices, the index (and coverage) results.

    The report is written as HTML and PDF into the report folder.
    """
    parameters = dict(choices.report or {}, INPUT=FromStep("index", "OUTPUT"), ID_FIELD=choices.id_field,
                      NAME_FIELD=choices.name_field or None,
                      OUTPUT_HTML=os.path.join(choices.report_folder, "sozialbericht.html"),
                      OUTPUT_PDF=os.path.join(choices.report_folder, "sozialbericht.pdf"))
    if choices.coverage is not None:
        parameters["COVERAGE"] = [FromStep("coverage", "OUTPUT")]
    return parameters


def plan(choices):
    """The steps the wizard runs, in order."""
    if choices.index_type == STATUS_DYNAMIC:
        steps = [Step("index", de_en("Status-/Dynamik-Index", "Status/dynamic index"), PROVIDER + ":" + STATUS_DYNAMIC,
                      parameters_for_statusdynamicindex(choices))]
    else:
        steps = [Step("index", de_en("Sozialindex", "Social index"), PROVIDER + ":" + DISTRICT_INDEX,
                      parameters_for_districtindex(choices))]
    if choices.diagnostics:
        steps.append(Step("diagnostics", de_en("Indexprüfung (Robustheit)", "Index diagnostics (robustness)"),
                          PROVIDER + ":" + DIAGNOSTICS, parameters_for_indexdiagnostics(choices)))
    if choices.coverage is not None:
        steps.append(Step("coverage", de_en("Versorgung", "Service coverage"), PROVIDER + ":" + COVERAGE,
                          parameters_for_servicecoverage(choices)))
    if choices.report is not None:
        steps.append(Step("report", de_en("Bericht", "Report"), PROVIDER + ":" + REPORT,
                          parameters_for_report(choices)))
    return steps


def algorithm_available(name):
    """True when ``sozialraum:<name>`` is registered in the Processing registry."""
    return QgsApplication.processingRegistry().algorithmById(PROVIDER + ":" + name) is not None


# ------------------------------------------------------------------------------------------------
# guesses that save clicks
# ------------------------------------------------------------------------------------------------

_POPULATION_NAMES = ("ew_gesamt", "einwohner", "ew", "bevoelkerung", "bevölkerung", "population", "pop")
_NAME_NAMES = ("name", "bezeichnung", "quartier", "quartiersname", "label")
_CAPACITY_NAMES = ("plaetze", "plätze", "kapazitaet", "kapazität", "capacity", "places", "betten")
_YEAR = re.compile(r"(19|20)\d\d")


def guess_field(names, candidates):
    """The first of ``names`` equal (ignoring case) to one of ``candidates``, in the order of ``candidates``."""
    lower = {name.lower(): name for name in names}
    return next((lower[c] for c in candidates if c in lower), "")


def guess_id_field(names):
    """``*_id``, ``id`` or ``kennung``-like fields first (not the GeoPackage ``fid``); else the first field."""
    for name in names:
        low = name.lower()
        if low != "fid" and (low.endswith("_id") or low in ("id", "kennung", "schluessel", "schlüssel", "code")):
            return name
    return next((name for name in names if name.lower() != "fid"), names[0] if names else "")


def earlier_field(name, names, years=2):
    """The field of ``years`` earlier: ``q_alo_2024`` -> ``q_alo_2022`` when it exists; else ``""``."""
    match = None
    for match in _YEAR.finditer(name):
        pass
    if match is None:
        return ""
    candidate = name[:match.start()] + str(int(match.group(0)) - years) + name[match.end():]
    return candidate if candidate in names else ""


# ------------------------------------------------------------------------------------------------
# running the steps
# ------------------------------------------------------------------------------------------------


def plain_message(text):
    """The message for the user: a Python traceback shrinks to its last line and a request to report it."""
    text = str(text).strip()
    if "Traceback (most recent call last)" not in text:
        return text
    last = [line.strip() for line in text.splitlines() if line.strip()][-1]
    return de_en("Interner Fehler ({}). Bitte melden Sie ihn; die Einzelheiten stehen im Protokoll unter "
                 "„Processing“.", "Internal error ({}). Please report it; the details are in the log under "
                 "“Processing”.").format(last)


class _Feedback(QgsProcessingFeedback):
    """Keeps the error messages an algorithm reports, to show them without a traceback."""

    def __init__(self):
        super().__init__()
        self.errors = []

    def reportError(self, error, fatalError=False):  # noqa: N802,N803 (QGIS API)
        self.errors.append(error)
        super().reportError(error, fatalError)


class StepRunner(QObject):
    """Runs :class:`Step` s one after the other and loads their layers into the project.

    :meth:`start` uses one ``QgsProcessingAlgRunnerTask`` per step (the UI stays responsive);
    :meth:`run_now` runs them in this thread. Both report through the same signals.
    """

    progressChanged = pyqtSignal(float)  # 0..100 over all steps
    stepStarted = pyqtSignal(int, str)
    finished = pyqtSignal(bool, str)  # success, message

    def __init__(self, steps, project=None, parent=None):
        super().__init__(parent)
        self.steps = list(steps)
        self.project = project or QgsProject.instance()
        self.results = {}  # step key -> results dict
        self.loaded = []  # names of the layers added to the project
        self.running = False
        self._index = -1
        self._canceled = False
        self._live = None  # task, context and feedback of the running step (Processing keeps C++ pointers)

    # -- public ------------------------------------------------------------------------------------
    def start(self):
        """Run the steps in background tasks; :attr:`finished` tells the end."""
        self.running = True
        self._safely(None, self._next)

    def run_now(self):
        """Run the steps in this thread (tests, scripts); returns True on success."""
        self.running = True
        for self._index, step in enumerate(self.steps):
            if not self._safely(step, self._run_step_now, step):
                return False
        return self._finish(True)

    def _run_step_now(self, step):
        self.stepStarted.emit(self._index, step.title)
        prepared = self._prepare(step)
        if prepared is None:
            return False
        algorithm, parameters, context, feedback = prepared
        results, ok = algorithm.run(parameters, context, feedback, {}, True)
        return self._completed(step, algorithm, context, feedback, ok, results)

    def documents(self):
        """``[(title, path)]`` of the HTML and PDF files the steps wrote."""
        found = []
        for step in self.steps:
            for output, kind in (("OUTPUT_HTML", "HTML"), ("OUTPUT_PDF", "PDF")):
                path = self.results.get(step.key, {}).get(output)
                if path and os.path.exists(path):
                    found.append(("{} ({})".format(step.title, kind), path))
        return found

    def cancel(self):
        """Stop after (or inside) the running step."""
        self._canceled = True
        if self._live is not None:
            self._live[0].cancel()

    # -- steps ---------------------------------------------------------------------------------------
    def _next(self):
        self._index += 1
        if self._index >= len(self.steps):
            self._finish(True)
            return
        step = self.steps[self._index]
        self.stepStarted.emit(self._index, step.title)
        prepared = self._prepare(step)
        if prepared is None:
            return
        algorithm, parameters, context, feedback = prepared
        if algorithm.flags() & compat.ALGORITHM_NO_THREADING:  # print layouts etc.: main thread, as the toolbox
            results, ok = algorithm.run(parameters, context, feedback, {}, True)
            if self._completed(step, algorithm, context, feedback, ok, results):
                QTimer.singleShot(0, lambda: self._safely(step, self._next))
            return
        task = QgsProcessingAlgRunnerTask(algorithm, parameters, context, feedback)
        task.executed.connect(lambda ok, results: self._executed(step, algorithm, context, feedback, ok, results))
        self._live = (task, context, feedback)
        QgsApplication.taskManager().addTask(task)

    def _executed(self, step, algorithm, context, feedback, ok, results):
        self._live = None
        if self._safely(step, self._completed, step, algorithm, context, feedback, ok, results):
            self._safely(step, self._next)

    def _safely(self, step, function, *args):
        """``function(*args)``, or the run ends with an error when it raises: a task callback or timer
        slot must not let an exception into Qt (that aborts QGIS), and the run must not hang."""
        try:
            return function(*args)
        except Exception as error:  # noqa: BLE001 -- reported, and the run ends
            return self._fail(step, report_exception(function.__qualname__, error))

    def _prepare(self, step):
        """``(algorithm, parameters, context, feedback)`` ready to run, or None after reporting the problem."""
        algorithm = QgsApplication.processingRegistry().createAlgorithmById(step.algorithm_id)
        if algorithm is None:
            self._fail(step, de_en("Das Werkzeug {} ist nicht installiert.", "The tool {} is not installed.")
                       .format(step.algorithm_id))
            return None
        context = QgsProcessingContext()
        context.setProject(self.project)
        feedback = _Feedback()
        feedback.progressChanged.connect(self._step_progress)
        context.setFeedback(feedback)
        parameters = self._resolve(step, algorithm)
        ok, message = algorithm.checkParameterValues(parameters, context)
        if not ok:
            self._fail(step, message)
            return None
        return algorithm, parameters, context, feedback

    def _resolve(self, step, algorithm):
        """Values from earlier steps filled in; layer outputs set to load into the project."""
        def resolved(value):
            if isinstance(value, FromStep):
                return self.results.get(value.step, {}).get(value.output)
            return [resolved(item) for item in value] if isinstance(value, list) else value

        parameters = {name: resolved(value) for name, value in step.parameters.items()}
        for definition in algorithm.destinationParameterDefinitions():
            if definition.name() in parameters and isinstance(definition, (
                    QgsProcessingParameterFeatureSink, QgsProcessingParameterVectorDestination,
                    QgsProcessingParameterRasterDestination)):
                destination = QgsProcessingOutputLayerDefinition(parameters[definition.name()], self.project)
                destination.destinationName = step.title
                parameters[definition.name()] = destination
        return parameters

    def _completed(self, step, algorithm, context, feedback, ok, results):
        """Load the step's layers (styled by the algorithm's post-processors); False stops the run."""
        if self._canceled:
            return self._finish(False, de_en("Abgebrochen.", "Cancelled."))
        if not ok:
            message = "\n".join(feedback.errors) or de_en("Unbekannter Fehler.", "Unknown error.")
            QgsMessageLog.logMessage(message, "Processing", Qgis.MessageLevel.Critical)
            return self._fail(step, plain_message(message))
        layers, failed = load_results(context, feedback, self.project)
        self.loaded += [layer.name() for layer in layers]
        if failed:
            return self._fail(step, de_en("Ergebnis konnte nicht geladen werden: ",
                                          "Result could not be loaded: ") + ", ".join(failed))
        self.results[step.key] = dict(results or {})
        self._step_progress(100.0)
        return True

    @guarded
    def _step_progress(self, percent):
        if self.steps:
            self.progressChanged.emit(100.0 * (max(self._index, 0) + percent / 100.0) / len(self.steps))

    def _fail(self, step, message):
        return self._finish(False, "{}: {}".format(step.title, message) if step is not None else message)

    def _finish(self, ok, message=""):
        self.running = False
        self.finished.emit(ok, message)
        return ok


# ------------------------------------------------------------------------------------------------
# pages
# ------------------------------------------------------------------------------------------------


def _wrapped(text):
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _hint_label():
    """A label for what stops the user from going on (empty when all is well)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #a63603;")
    return label


def choice_labels(algorithm_name, parameter):
    """``{key: label}`` of an enum parameter of ``sozialraum:<algorithm_name>`` (options read "label [key]")."""
    # a fresh instance, so the labels are in the current language
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(PROVIDER + ":" + algorithm_name)
    labels = {}
    if algorithm is not None:
        for option in algorithm.parameterDefinition(parameter).options():
            label, _, key = option.rpartition(" [")
            labels[key.rstrip("]")] = label
    return labels


def choice_combo(algorithm_name, parameter, keys=None, default=None):
    """A combo box of an enum parameter's options with the algorithm's own labels; item data = the key.

    ``keys`` limits and orders the options (default: all of the algorithm's); ``default`` preselects one.
    """
    labels = choice_labels(algorithm_name, parameter)
    combo = QComboBox()
    for key in keys or list(labels):
        combo.addItem(labels.get(key, key), key)
    if default is not None:
        combo.setCurrentIndex(max(0, combo.findData(default)))
    return combo


def _field_combo(numeric=False, optional=False):
    combo = QgsFieldComboBox()
    if numeric:
        combo.setFilters(QgsFieldProxyModel.Filter.Numeric)
    combo.setAllowEmptyFieldName(optional)
    return combo


def _layer_combo(layer_filter, optional=False):
    combo = QgsMapLayerComboBox()
    combo.setFilters(layer_filter)
    combo.setAllowEmptyLayer(optional)
    return combo


class _Page(QWizardPage):
    """A page whose ``problem()`` text (empty = none) is shown as a hint and keeps the user from going on."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.hint = _hint_label()

    def problem(self):
        return ""

    @guarded
    def _changed(self, *_):
        self.hint.setText(self.problem())
        self.completeChanged.emit()

    @guarded(fallback=False)
    def isComplete(self):  # noqa: N802 (Qt API)
        return not self.problem()

    @guarded(fallback=False)
    def validatePage(self):  # noqa: N802 (Qt API): also for QWizard.next() called from code
        return self.isComplete()


class DistrictsPage(_Page):
    """1. Quartiere: district layer, ID, name, population and minimum population."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(de_en("Quartiere", "Districts"))
        self.setSubTitle(de_en("Welche Gebiete sollen verglichen werden?", "Which areas are to be compared?"))
        self.layer = _layer_combo(compat.LAYER_POLYGON)
        self.id_field = _field_combo()
        self.name_field = _field_combo(optional=True)
        self.population_field = _field_combo(numeric=True, optional=True)
        self.min_population = QSpinBox()
        self.min_population.setRange(0, 1000000)
        self.min_population.setValue(300)
        self.min_population.setSuffix(de_en(" Einwohner", " residents"))

        form = QFormLayout()
        form.addRow(de_en("Quartiere (Layer)", "Districts (layer)"), self.layer)
        form.addRow(de_en("Kennung (ID-Feld)", "District ID field"), self.id_field)
        form.addRow(de_en("Name (optional)", "Name (optional)"), self.name_field)
        form.addRow(de_en("Einwohnerfeld", "Population field"), self.population_field)
        form.addRow(de_en("Mindesteinwohnerzahl", "Minimum population"), self.min_population)
        layout = QVBoxLayout(self)
        layout.addWidget(_wrapped(de_en(
            "Wählen Sie den Layer mit den Quartieren (Polygone) und das Feld, das jedes Quartier eindeutig "
            "kennzeichnet. Quartiere mit weniger Einwohnern als der Mindestzahl werden nicht bewertet, weil "
            "Anteile dort vom Zufall bestimmt sind.",
            "Choose the layer with the districts (polygons) and the field that identifies each district. "
            "Districts with fewer residents than the minimum are not rated, because shares there are driven by "
            "chance.")))
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.hint)

        self.layer.layerChanged.connect(self._layer_changed)
        self.id_field.fieldChanged.connect(self._changed)
        self.population_field.fieldChanged.connect(self._changed)
        self._layer_changed(self.layer.currentLayer())

    @guarded
    def _layer_changed(self, layer):
        for combo in (self.id_field, self.name_field, self.population_field):
            combo.setLayer(layer)
        if layer is not None:
            names = layer.fields().names()
            numeric = [f.name() for f in layer.fields() if f.isNumeric()]
            self.id_field.setField(guess_id_field(names))
            self.name_field.setField(guess_field(names, _NAME_NAMES))
            self.population_field.setField(guess_field(numeric, _POPULATION_NAMES))
        self._changed()

    @guarded
    def _changed(self, *_):
        self.min_population.setEnabled(bool(self.population_field.currentField()))
        super()._changed()

    def problem(self):
        """What is missing before the user can go on ("" when nothing)."""
        if self.layer.currentLayer() is None:
            return de_en("Laden Sie zuerst einen Polygon-Layer mit den Quartieren in das Projekt.",
                         "First load a polygon layer with the districts into the project.")
        if not self.id_field.currentField():
            return de_en("Wählen Sie das ID-Feld der Quartiere.", "Choose the districts' ID field.")
        return ""


class IndicatorsPage(_Page):
    """2. Indikatoren: numeric fields with a check box, a 'higher = less need' toggle and a weight."""

    COLUMN_FIELD, COLUMN_REVERSE, COLUMN_WEIGHT = range(3)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(de_en("Indikatoren", "Indicators"))
        self.setSubTitle(de_en("Welche Kennzahlen beschreiben den Bedarf?", "Which figures describe the need?"))
        self._layer_id = None
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(de_en("Felder filtern …", "Filter fields …"))
        self.filter.setClearButtonEnabled(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([de_en("Indikator", "Indicator"),
                                              de_en("höher = weniger Bedarf", "higher = less need"),
                                              de_en("Gewicht", "Weight")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.COLUMN_FIELD, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.COLUMN_REVERSE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COLUMN_WEIGHT, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)

        layout = QVBoxLayout(self)
        layout.addWidget(_wrapped(de_en(
            "Indikatoren sind Kennzahlen je Quartier, am besten Anteile in % (z. B. Arbeitslose je 100 Einwohner "
            "von 15 bis 64). Wählen Sie mindestens zwei. Meist heißt ein höherer Wert mehr Bedarf; kreuzen Sie "
            "„höher = weniger Bedarf“ an, wenn es umgekehrt ist (z. B. Wohnfläche je Einwohner). Mit dem Gewicht "
            "zählt ein Indikator doppelt (2) oder halb (0,5).",
            "Indicators are figures per district, best as shares in % (e.g. unemployed per 100 residents aged "
            "15 to 64). Choose at least two. Mostly a higher value means more need; tick “higher = less need” "
            "when it is the other way round (e.g. living space per resident). A weight of 2 makes an indicator "
            "count double, 0.5 half.")))
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)
        self.filter.textChanged.connect(self._filter)
        self.table.itemChanged.connect(self._changed)

    @guarded
    def initializePage(self):  # noqa: N802 (Qt API)
        layer = self.wizard().districts_page.layer.currentLayer()
        if layer is not None and layer.id() == self._layer_id:
            self._changed()
            return
        self._layer_id = layer.id() if layer is not None else None
        keys = set(layer.primaryKeyAttributes()) if layer is not None else set()
        fields = [f for n, f in enumerate(layer.fields()) if f.isNumeric() and n not in keys] if layer else []
        self.table.blockSignals(True)
        self.table.setRowCount(len(fields))
        for row, layer_field in enumerate(fields):
            item = QTableWidgetItem(layer_field.displayName())
            item.setData(Qt.ItemDataRole.UserRole, layer_field.name())
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            if layer_field.alias():
                item.setToolTip(layer_field.name())
            self.table.setItem(row, self.COLUMN_FIELD, item)
            reverse = QTableWidgetItem()
            reverse.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            reverse.setCheckState(Qt.CheckState.Unchecked)
            self.table.setItem(row, self.COLUMN_REVERSE, reverse)
            weight = QDoubleSpinBox()
            weight.setRange(0.1, 10.0)
            weight.setSingleStep(0.5)
            weight.setDecimals(1)
            weight.setValue(1.0)
            weight.setFrame(False)
            self.table.setCellWidget(row, self.COLUMN_WEIGHT, weight)
        self.table.blockSignals(False)
        self._filter(self.filter.text())
        self._changed()

    # -- programmatic access (also used by the tests) --------------------------------------------------
    def _row(self, name):
        for row in range(self.table.rowCount()):
            if self.table.item(row, self.COLUMN_FIELD).data(Qt.ItemDataRole.UserRole) == name:
                return row
        raise KeyError(name)

    def set_indicator(self, name, checked=True, reverse=False, weight=1.0):
        """Tick (or untick) indicator ``name`` with its direction and weight."""
        row = self._row(name)
        state = {True: Qt.CheckState.Checked, False: Qt.CheckState.Unchecked}
        self.table.item(row, self.COLUMN_REVERSE).setCheckState(state[bool(reverse)])
        self.table.cellWidget(row, self.COLUMN_WEIGHT).setValue(weight)
        self.table.item(row, self.COLUMN_FIELD).setCheckState(state[bool(checked)])

    def indicators(self):
        """The ticked indicators, in table order."""
        chosen = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, self.COLUMN_FIELD)
            if item.checkState() == Qt.CheckState.Checked:
                chosen.append(IndicatorChoice(
                    field=item.data(Qt.ItemDataRole.UserRole),
                    reverse=self.table.item(row, self.COLUMN_REVERSE).checkState() == Qt.CheckState.Checked,
                    weight=round(self.table.cellWidget(row, self.COLUMN_WEIGHT).value(), 1)))
        return chosen

    @guarded
    def _filter(self, text):
        text = text.strip().lower()
        for row in range(self.table.rowCount()):
            item = self.table.item(row, self.COLUMN_FIELD)
            visible = (not text or text in item.text().lower() or item.checkState() == Qt.CheckState.Checked)
            self.table.setRowHidden(row, not visible)

    def problem(self):
        """What stops the user from going on ("" when nothing)."""
        chosen = [i.field for i in self.indicators()]
        id_field = self.wizard().districts_page.id_field.currentField() if self.wizard() else ""
        if id_field and id_field in chosen:
            return de_en("„{}“ ist das ID-Feld der Quartiere und kein Indikator. Nehmen Sie den Haken weg.",
                         "“{}” is the districts' ID field, not an indicator. Untick it.").format(id_field)
        if len(chosen) < 2:
            return de_en("Wählen Sie mindestens zwei Indikatoren (gewählt: {}).",
                         "Choose at least two indicators (chosen: {}).").format(len(chosen))
        return ""


class MethodPage(_Page):
    """3. Verfahren: Sozialindex (normalisation, aggregation, classes) or MSS, plus the index check."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(de_en("Verfahren", "Method"))
        self.setSubTitle(de_en("Wie werden die Indikatoren zusammengefasst?", "How are the indicators combined?"))
        self._texts = _explanations()
        self.social_index = QRadioButton(de_en("Sozialindex", "Social index (Sozialindex)"))
        self.mss = QRadioButton(de_en("Status-/Dynamik-Index (MSS)", "Status/dynamic index (MSS)"))
        self.social_index.setChecked(True)
        self._types = QButtonGroup(self)
        self._types.addButton(self.social_index)
        self._types.addButton(self.mss)

        self.normalization = choice_combo(DISTRICT_INDEX, "NORMALIZATION", NORMALIZATIONS)
        self.aggregation = choice_combo(DISTRICT_INDEX, "AGGREGATION", AGGREGATIONS)
        self.classification = choice_combo(DISTRICT_INDEX, "CLASSIFICATION", CLASSIFICATIONS)
        self.n_classes = QSpinBox()
        self.n_classes.setRange(2, 9)
        self.n_classes.setValue(5)
        self._explained = {}
        index_form = QFormLayout()
        index_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, combo in ((de_en("Normierung", "Normalisation"), self.normalization),
                             (de_en("Zusammenfassung", "Aggregation"), self.aggregation),
                             (de_en("Klassenbildung", "Classification"), self.classification)):
            explanation = _wrapped("")
            explanation.setStyleSheet("color: #505050;")
            self._explained[combo] = explanation
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(combo)
            box.addWidget(explanation)
            index_form.addRow(label, box)
            combo.currentIndexChanged.connect(self._changed)
        index_form.addRow(de_en("Anzahl Klassen", "Number of classes"), self.n_classes)
        index_options = QWidget()
        index_options.setLayout(index_form)

        self.earlier_form = QFormLayout()
        self.earlier = {}
        mss_options = QWidget()
        mss_layout = QVBoxLayout(mss_options)
        mss_layout.addWidget(_wrapped(de_en(
            "Status = die gewählten Indikatoren (z-Werte, Summe, vier Klassen). Dynamik = ihre Veränderung in "
            "zwei Jahren: wählen Sie je Indikator das Feld von vor zwei Jahren (optional). Gewichte und "
            "„höher = weniger Bedarf“ gelten hier nicht.",
            "Status = the chosen indicators (z-scores, sum, four classes). Dynamics = their change over two "
            "years: choose for each indicator the field of two years earlier (optional). Weights and “higher = "
            "less need” do not apply here.")))
        mss_layout.addSpacing(6)
        mss_layout.addLayout(self.earlier_form)
        mss_layout.addStretch(1)

        self.options = QStackedWidget()
        self.options.addWidget(index_options)
        self.options.addWidget(mss_options)
        self.diagnostics = QCheckBox(de_en("Indexprüfung (Robustheit) mitrechnen", "Also run the index check "
                                                                                   "(robustness)"))
        self.diagnostics.setToolTip(de_en(
            "Prüft, wie eng die Indikatoren zusammenhängen, und wie stark sich die Rangfolge ändert, wenn die "
            "Gewichte zufällig variieren.",
            "Checks how closely the indicators are related and how much the ranking changes when the weights "
            "vary at random."))

        layout = QVBoxLayout(self)
        layout.addWidget(self.social_index)
        layout.addWidget(_indented(de_en(
            "Ein Wert je Quartier aus allen Indikatoren, frei gewichtet; Rang 1 = größter Bedarf.",
            "One value per district from all indicators, freely weighted; rank 1 = greatest need.")))
        layout.addWidget(self.mss)
        layout.addWidget(_indented(de_en(
            "Das Verfahren des Berliner Monitorings Soziale Stadtentwicklung: Lage (Status) und Entwicklung "
            "(Dynamik) getrennt, zusammen in zwölf Gruppen.",
            "The method of Berlin's social urban development monitoring: situation (status) and trend "
            "(dynamics) kept apart, together in twelve groups.")))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.options)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.diagnostics)
        layout.addWidget(self.hint)
        self.social_index.toggled.connect(self._changed)
        self._changed()

    @guarded
    def initializePage(self):  # noqa: N802 (Qt API)
        """One 'two years earlier' field per chosen indicator, guessed from the year in its name."""
        wizard = self.wizard()
        layer = wizard.districts_page.layer.currentLayer()
        previous = {name: combo.currentField() for name, combo in self.earlier.items()}
        while self.earlier_form.rowCount():
            self.earlier_form.removeRow(0)
        self.earlier = {}
        self.earlier_form.addRow(QLabel("<b>{}</b>".format(de_en("Indikator", "Indicator"))),
                                 QLabel("<b>{}</b>".format(de_en("Feld von vor zwei Jahren", "Field of two years "
                                                                                              "earlier"))))
        names = layer.fields().names() if layer is not None else []
        for indicator in wizard.indicators_page.indicators():
            combo = _field_combo(numeric=True, optional=True)
            combo.setLayer(layer)
            combo.setField(previous.get(indicator.field, earlier_field(indicator.field, names)))
            self.earlier[indicator.field] = combo
            self.earlier_form.addRow(indicator.field, combo)
        self._changed()

    def set_index_type(self, index_type):
        (self.mss if index_type == STATUS_DYNAMIC else self.social_index).setChecked(True)

    def index_type(self):
        return STATUS_DYNAMIC if self.mss.isChecked() else DISTRICT_INDEX

    @staticmethod
    def set_choice(combo, key):
        combo.setCurrentIndex(combo.findData(key))

    @guarded
    def _changed(self, *_):
        self.options.setCurrentIndex(1 if self.mss.isChecked() else 0)
        for combo, label in self._explained.items():
            label.setText(self._texts.get(combo.currentData(), ""))
        self.n_classes.setEnabled(self.classification.currentData() != "stddev")
        super()._changed()

    def problem(self):
        if (not self.mss.isChecked() and self.aggregation.currentData() == "geometric"
                and self.normalization.currentData() not in GEOMETRIC_NORMALIZATIONS):
            return de_en("Das geometrische Mittel braucht Werte von 0 bis 100: wählen Sie als Normierung Min-Max "
                         "oder Perzentilrang.",
                         "The geometric mean needs values from 0 to 100: choose min-max or percentile rank as "
                         "normalisation.")
        return ""


def _indented(text):
    label = _wrapped(text)
    label.setContentsMargins(24, 0, 0, 6)
    return label


class _OptionalStepPage(_Page):
    """A page for an optional step, usable only when its algorithm is registered."""

    ALGORITHM = ""

    def __init__(self, title, subtitle, group_title, parent=None):
        super().__init__(parent)
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.available = algorithm_available(self.ALGORITHM)
        self.group = QGroupBox(group_title)
        self.group.setCheckable(True)
        self.group.setChecked(False)
        self.group.setEnabled(self.available)
        self.form = QFormLayout(self.group)
        layout = QVBoxLayout(self)
        self.intro = _wrapped("")
        layout.addWidget(self.intro)
        if not self.available:
            layout.addWidget(_wrapped(de_en(
                "Dieser Schritt ist in dieser Version noch nicht verfügbar (Werkzeug {} fehlt).",
                "This step is not available in this version yet (tool {} is missing).")
                .format(PROVIDER + ":" + self.ALGORITHM)))
        layout.addWidget(self.group)
        layout.addStretch(1)
        layout.addWidget(self.hint)
        self.group.toggled.connect(self._changed)

    def wanted(self):
        return self.available and self.group.isChecked()


class CoveragePage(_OptionalStepPage):
    """4. Versorgung (optional): services, demand and distances for ``sozialraum:servicecoverage``."""

    ALGORITHM = COVERAGE

    def __init__(self, parent=None):
        super().__init__(de_en("Versorgung", "Service coverage"),
                         de_en("Optional: Wie gut erreichen die Menschen die Einrichtungen?",
                               "Optional: how well do people reach the services?"),
                         de_en("Versorgung berechnen", "Compute service coverage"), parent)
        self.intro.setText(de_en(
            "Misst je Quartier, wie viele Plätze (z. B. Kita-Plätze) die Zielgruppe in erreichbarer Entfernung "
            "hat – über das Wegenetz oder in Luftlinie. Die Zielgruppe kommt aus Nachfragepunkten (z. B. "
            "Adressen) oder, ohne sie, aus einem Feld der Quartiere.",
            "Measures per district how many places (e.g. day-care places) the target group has within reach – "
            "along the path network or as the crow flies. The target group comes from demand points (e.g. "
            "addresses) or, without them, from a field of the districts."))
        self.services = _layer_combo(compat.LAYER_POINT)
        self.capacity = _field_combo(numeric=True, optional=True)
        self.target_population = _field_combo(numeric=True, optional=True)
        self.demand = _layer_combo(compat.LAYER_POINT, optional=True)
        self.demand_field = _field_combo(numeric=True, optional=True)
        self.network = _layer_combo(compat.LAYER_LINE, optional=True)
        self.distances = QLineEdit("300, 500, 1000")
        self.method = choice_combo(COVERAGE, "METHOD", default="2sfca")
        self.norm = QDoubleSpinBox()
        self.norm.setRange(0.0, 10.0)
        self.norm.setDecimals(2)
        self.norm.setSingleStep(0.05)
        self.norm.setSpecialValueText(de_en("Stadtmittel", "town mean"))
        self.form.addRow(de_en("Einrichtungen", "Services"), self.services)
        self.form.addRow(de_en("Plätze je Einrichtung", "Places per service"), self.capacity)
        self.form.addRow(de_en("Nachfragepunkte", "Demand points"), self.demand)
        self.form.addRow(de_en("Zielgruppe je Punkt", "Target group per point"), self.demand_field)
        self.form.addRow(de_en("… oder Zielgruppe je Quartier", "… or target group per district"),
                         self.target_population)
        self.form.addRow(de_en("Wegenetz (leer = Luftlinie)", "Path network (empty = straight line)"),
                         self.network)
        self.form.addRow(de_en("Entfernungen in m", "Distances in m"), self.distances)
        self.form.addRow(de_en("Verfahren", "Method"), self.method)
        self.form.addRow(de_en("Richtwert: Plätze je Person", "Norm: places per person"), self.norm)
        self.services.layerChanged.connect(self._services_changed)
        self.demand.layerChanged.connect(self._demand_changed)
        self._services_changed(self.services.currentLayer())
        self._demand_changed(self.demand.currentLayer())
        for signal in (self.services.layerChanged, self.demand.layerChanged, self.distances.textChanged,
                       self.demand_field.fieldChanged, self.target_population.fieldChanged):
            signal.connect(self._changed)

    @guarded
    def _services_changed(self, layer):
        self.capacity.setLayer(layer)
        if layer is not None:
            numeric = [f.name() for f in layer.fields() if f.isNumeric()]
            self.capacity.setField(guess_field(numeric, _CAPACITY_NAMES))

    @guarded
    def _demand_changed(self, layer):
        self.demand_field.setLayer(layer)
        self.demand_field.setEnabled(layer is not None)

    @guarded
    def initializePage(self):  # noqa: N802 (Qt API)
        self.target_population.setLayer(self.wizard().districts_page.layer.currentLayer())
        self._changed()

    def problem(self):
        if not self.wanted():
            return ""
        if self.services.currentLayer() is None:
            return de_en("Wählen Sie den Punkt-Layer der Einrichtungen.", "Choose the point layer of the services.")
        if self.demand.currentLayer() is not None and not self.demand_field.currentField():
            return de_en("Wählen Sie das Feld mit der Zielgruppe je Nachfragepunkt (z. B. Kinder unter 6).",
                         "Choose the field with the target group per demand point (e.g. children under 6).")
        if self.demand.currentLayer() is None and not self.target_population.currentField():
            return de_en("Ohne Nachfragepunkte braucht es ein Feld mit der Zielgruppe je Quartier.",
                         "Without demand points a field with the target group per district is needed.")
        if not distance_values(self.distances.text()):
            return de_en("Geben Sie Entfernungen in Metern an, z. B. 300, 500, 1000.",
                         "Give distances in metres, e.g. 300, 500, 1000.")
        return ""

    def parameters(self):
        """The coverage parameters chosen on this page (None when the step is not wanted)."""
        if not self.wanted():
            return None
        demand = self.demand.currentLayer()
        network = self.network.currentLayer()
        return {
            "SERVICES": self.services.currentLayer().id(),
            "CAPACITY_FIELD": self.capacity.currentField() or None,
            "TARGET_POPULATION_FIELD": self.target_population.currentField() or None,
            "DEMAND": demand.id() if demand is not None else None,
            "DEMAND_FIELD": (self.demand_field.currentField() or None) if demand is not None else None,
            "NETWORK": network.id() if network is not None else None,
            "DISTANCE": ", ".join("{:g}".format(v) for v in distance_values(self.distances.text())),
            "METHOD": self.method.currentData(),
            "NORM": self.norm.value() or None,
        }


def distance_values(text):
    """Distances in metres from ``"300, 500 1000"`` (empty when one of them is not a positive number)."""
    try:
        values = [float(part) for part in re.split(r"[;,\s]+", text.strip()) if part]
    except ValueError:
        return []
    return values if all(v > 0 for v in values) else []


class ReportPage(_OptionalStepPage):
    """5. Bericht (optional): title, organisation, logo, language and folder for ``sozialraum:report``."""

    ALGORITHM = REPORT

    def __init__(self, parent=None):
        super().__init__(de_en("Bericht", "Report"),
                         de_en("Optional: Ergebnisse als Bericht zum Weitergeben.",
                               "Optional: the results as a report to pass on."),
                         de_en("Bericht erstellen", "Create a report"), parent)
        self.intro.setText(de_en(
            "Der Bericht enthält Karte, Rangliste und die Beschreibung des Verfahrens, damit andere das Ergebnis "
            "nachvollziehen können.",
            "The report contains the map, the ranking and the description of the method, so that others can "
            "follow the result."))
        self.report_title = QLineEdit(de_en("Sozialraumanalyse", "Social area analysis"))
        self.organisation = QLineEdit()
        self.organisation.setPlaceholderText(de_en("z. B. Stadt Musterstadt, Sozialplanung",
                                                   "e.g. City of Musterstadt, social planning"))
        self.logo = QgsFileWidget()
        self.logo.setFilter(de_en("Bilder", "Images") + " (*.png *.jpg *.jpeg *.svg)")
        self.language = QComboBox()
        self.language.addItem("Deutsch", "de")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(self.language.findData(de_en("de", "en")))
        self.folder = QgsFileWidget()
        self.folder.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self.form.addRow(de_en("Titel", "Title"), self.report_title)
        self.form.addRow(de_en("Organisation", "Organisation"), self.organisation)
        self.form.addRow(de_en("Logo (optional)", "Logo (optional)"), self.logo)
        self.form.addRow(de_en("Sprache", "Language"), self.language)
        self.form.addRow(de_en("Ausgabeordner", "Output folder"), self.folder)
        self.folder.fileChanged.connect(self._changed)

    def problem(self):
        if self.wanted() and not self.folder.filePath():
            return de_en("Wählen Sie einen Ordner für den Bericht.", "Choose a folder for the report.")
        return ""

    def parameters(self):
        """The report parameters chosen on this page (None when the step is not wanted)."""
        if not self.wanted():
            return None
        return {
            "TITLE": self.report_title.text().strip(),
            "ORGANISATION": self.organisation.text().strip(),
            "LOGO": self.logo.filePath() or None,
            "LANGUAGE": self.language.currentData(),
        }


class SummaryPage(QWizardPage):
    """6. Zusammenfassung: what will run; then run it with progress and a cancel button."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(de_en("Zusammenfassung", "Summary"))
        self.setSubTitle(de_en("Prüfen Sie die Schritte und starten Sie die Berechnung.",
                               "Check the steps and start the computation."))
        self.summary = QTextBrowser()
        self.folder = QgsFileWidget()
        self.folder.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self.folder.lineEdit().setPlaceholderText(de_en("leer = temporäre Layer im Projekt",
                                                        "empty = temporary layers in the project"))
        self.run_button = QPushButton(de_en("Berechnung starten", "Start computation"))
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setOpenExternalLinks(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

        form = QFormLayout()
        form.addRow(de_en("Ergebnisse speichern in", "Save results in"), self.folder)
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary, 1)
        layout.addLayout(form)
        layout.addLayout(run_row)
        layout.addWidget(self.status)
        self.folder.fileChanged.connect(self._show_plan)

    @guarded
    def initializePage(self):  # noqa: N802 (Qt API)
        self._show_plan()

    @guarded
    def _show_plan(self, *_):
        wizard = self.wizard()
        if wizard is not None:
            self.summary.setHtml(summary_html(wizard.choices(), wizard.districts_page.layer.currentText()))

    @guarded(fallback=False)
    def isComplete(self):  # noqa: N802 (Qt API)
        return not self.wizard().running()


def summary_html(choices, layer_name=""):
    """The plan in plain words, one list item per step."""
    texts = _explanations()
    items = []
    indicators = ", ".join("{}{}{}".format(i.field, de_en(" (umgekehrt)", " (reversed)") if i.reverse else "",
                                          " ×{:g}".format(i.weight) if i.weight != 1.0 else "")
                           for i in choices.indicators)
    population = (de_en("Quartiere unter {:g} Einwohnern ({}) werden nicht bewertet.",
                        "Districts below {:g} residents ({}) are not rated.")
                  .format(choices.min_population, choices.population_field) if choices.population_field else
                  de_en("Ohne Einwohnerfeld: alle Quartiere werden bewertet, auch sehr kleine, und ihre Werte "
                        "erscheinen im Bericht (bitte ein Einwohnerfeld wählen, wo es eines gibt).",
                        "No population field: all districts are rated, very small ones too, and their values appear "
                        "in the report (please choose a population field where there is one)."))
    base = de_en("Quartiere: <b>{}</b> (ID {}). {}<br>Indikatoren: {}",
                 "Districts: <b>{}</b> (ID {}). {}<br>Indicators: {}").format(
        _escape(layer_name or choices.districts), _escape(choices.id_field), population, _escape(indicators))
    for step in plan(choices):
        if step.key == "index" and choices.index_type == DISTRICT_INDEX:
            detail = " ".join(texts[key] for key in (choices.normalization, choices.aggregation,
                                                      choices.classification))
        elif step.key == "index":
            pairs = [i for i in choices.indicators if i.earlier]
            detail = de_en("Dynamik aus {} Feldpaaren.", "Dynamics from {} field pairs.").format(len(pairs)) \
                if pairs else de_en("Ohne Dynamik (keine Felder von vor zwei Jahren gewählt).",
                                    "Without dynamics (no fields of two years earlier chosen).")
        elif step.key == "diagnostics":
            detail = de_en("Zusammenhang der Indikatoren und Rangfolge bei zufälligen Gewichten.",
                           "How the indicators relate and the ranking under random weights.")
        elif step.key == "coverage":
            detail = _coverage_text(step.parameters)
        else:
            detail = de_en("HTML und PDF in {}.", "HTML and PDF in {}.").format(_escape(choices.report_folder))
        items.append("<li><b>{}</b> <small>({})</small><br>{}</li>".format(_escape(step.title), step.algorithm_id,
                                                                          detail))
    where = (de_en("Ergebnisse werden in {} gespeichert (vorhandene Dateien werden überschrieben).",
                   "Results are saved in {} (existing files are overwritten).").format(_escape(choices.results_folder))
             if choices.results_folder else
             de_en("Ergebnisse werden als temporäre Layer geladen.", "Results are loaded as temporary layers."))
    return "<p>{}</p><ol>{}</ol><p>{}</p>".format(base, "".join(items), where)


def _layer_name(layer_id):
    layer = QgsProject.instance().mapLayer(layer_id or "")
    return _escape(layer.name() if layer is not None else layer_id)


def _coverage_text(parameters):
    """The coverage step in one sentence."""
    services = _layer_name(parameters["SERVICES"])
    if parameters.get("CAPACITY_FIELD"):
        services += de_en(" (Plätze: {})", " (places: {})").format(_escape(parameters["CAPACITY_FIELD"]))
    if parameters.get("DEMAND"):
        target = de_en("{} der Punkte in {}", "{} of the points in {}").format(
            _escape(parameters.get("DEMAND_FIELD") or ""), _layer_name(parameters["DEMAND"]))
    else:
        target = de_en("{} je Quartier", "{} per district").format(
            _escape(parameters.get("TARGET_POPULATION_FIELD") or ""))
    route = de_en("über das Wegenetz {}", "along the path network {}").format(_layer_name(parameters["NETWORK"])) \
        if parameters.get("NETWORK") else de_en("in Luftlinie", "as the crow flies")
    return de_en("Einrichtungen: {}. Zielgruppe: {}. Entfernungen {} m {}; Verfahren {}.",
                 "Services: {}. Target group: {}. Distances {} m {}; method {}.").format(
        services, target, _escape(parameters["DISTANCE"]), route,
        _escape(choice_labels(COVERAGE, "METHOD").get(parameters["METHOD"], parameters["METHOD"])))


def _escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ------------------------------------------------------------------------------------------------
# the wizard
# ------------------------------------------------------------------------------------------------


class SozialraumWizard(QWizard):
    """The Sozialraum-Assistent. ``iface`` is used for the message bar only (may be None)."""

    def __init__(self, iface=None, parent=None):
        super().__init__(parent)
        self.iface = iface
        self.runner = None
        self.setWindowTitle("Sozialraum-Assistent" if de_en("de", "en") == "de" else "Sozialraum assistant")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        for button, de, en in ((QWizard.WizardButton.BackButton, "< Zurück", "< Back"),
                               (QWizard.WizardButton.NextButton, "Weiter >", "Next >"),
                               (QWizard.WizardButton.CancelButton, "Abbrechen", "Cancel"),
                               (QWizard.WizardButton.FinishButton, "Schließen", "Close")):
            self.setButtonText(button, de_en(de, en))
        self.districts_page = DistrictsPage()
        self.indicators_page = IndicatorsPage()
        self.method_page = MethodPage()
        self.coverage_page = CoveragePage()
        self.report_page = ReportPage()
        self.summary_page = SummaryPage()
        for page_id, page in ((PAGE_DISTRICTS, self.districts_page), (PAGE_INDICATORS, self.indicators_page),
                              (PAGE_METHOD, self.method_page), (PAGE_COVERAGE, self.coverage_page),
                              (PAGE_REPORT, self.report_page), (PAGE_SUMMARY, self.summary_page)):
            self.setPage(page_id, page)
        self.summary_page.run_button.clicked.connect(self._run_clicked)
        self.resize(820, 700)

    def choices(self):
        """What the pages hold now, as a :class:`WizardChoices`."""
        layer = self.districts_page.layer.currentLayer()
        indicators = self.indicators_page.indicators()
        for indicator in indicators:
            combo = self.method_page.earlier.get(indicator.field)
            indicator.earlier = combo.currentField() if combo is not None else ""
        return WizardChoices(
            districts=layer.id() if layer is not None else "",
            id_field=self.districts_page.id_field.currentField(),
            name_field=self.districts_page.name_field.currentField(),
            population_field=self.districts_page.population_field.currentField(),
            min_population=float(self.districts_page.min_population.value()),
            indicators=indicators,
            index_type=self.method_page.index_type(),
            normalization=self.method_page.normalization.currentData(),
            aggregation=self.method_page.aggregation.currentData(),
            classification=self.method_page.classification.currentData(),
            n_classes=self.method_page.n_classes.value(),
            diagnostics=self.method_page.diagnostics.isChecked(),
            coverage=self.coverage_page.parameters(),
            report=self.report_page.parameters(),
            report_folder=self.report_page.folder.filePath(),
            results_folder=self.summary_page.folder.filePath(),
        )

    def running(self):
        return self.runner is not None and self.runner.running

    # -- running ---------------------------------------------------------------------------------------
    def _runner(self):
        # no Qt parent: a background step may finish after the wizard is gone
        self.runner = StepRunner(plan(self.choices()))
        self.runner.progressChanged.connect(self._progress)
        self.runner.stepStarted.connect(self._step_started)
        self.runner.finished.connect(self._finished)
        return self.runner

    def start(self):
        """Run the plan in background tasks."""
        runner = self._runner()
        self._set_running(True)
        runner.start()

    def run_now(self):
        """Run the plan in this thread and return True on success (for tests and scripts)."""
        runner = self._runner()
        self._set_running(True)
        return runner.run_now()

    @guarded
    def _run_clicked(self):
        if self.running():
            self.runner.cancel()
        else:
            self.start()

    def _set_running(self, running):
        page = self.summary_page
        page.run_button.setText(de_en("Abbrechen", "Cancel") if running else de_en("Erneut berechnen",
                                                                                 "Compute again"))
        page.folder.setEnabled(not running)
        self.button(QWizard.WizardButton.BackButton).setEnabled(not running)
        if running:
            page.progress.setValue(0)
        page.completeChanged.emit()

    @guarded
    def _progress(self, value):
        self.summary_page.progress.setValue(int(round(value)))

    @guarded
    def _step_started(self, number, title):
        self.summary_page.status.setText(de_en("Schritt {} von {}: {} …", "Step {} of {}: {} …").format(
            number + 1, len(self.runner.steps), _escape(title)))

    @guarded
    def _finished(self, ok, message):
        self._set_running(False)
        page = self.summary_page
        if ok:
            page.progress.setValue(100)
            text = de_en("Fertig. In das Projekt geladen: {}.", "Done. Loaded into the project: {}.").format(
                _escape(", ".join(self.runner.loaded)) or "–")
            text += "".join("<br><a href='{}'>{}</a>".format(QUrl.fromLocalFile(path).toString(), _escape(title))
                            for title, path in self.runner.documents())
            page.status.setText(text)
            page.status.setStyleSheet("")
            self._message(de_en("Fertig", "Done"), de_en("Ergebnisse geladen: ", "Results loaded: ")
                          + ", ".join(self.runner.loaded), "Success")
        else:
            page.status.setText(_escape(message))
            page.status.setStyleSheet("color: #b2182b;")
            self._message(de_en("Sozialraum-Assistent", "Sozialraum assistant"), message, "Critical")

    def _message(self, title, text, level):
        if self.iface is not None:
            self.iface.messageBar().pushMessage(title, text, getattr(Qgis.MessageLevel, level), 10)

    @guarded
    def reject(self):
        """Cancel stops a running computation first; a second Cancel closes the wizard."""
        if self.running():
            self.runner.cancel()
            return
        super().reject()

    @guarded
    def done(self, result):
        if self.running():
            self.runner.cancel()
        super().done(result)
