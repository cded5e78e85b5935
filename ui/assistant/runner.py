"""Running the assistant's steps: one Processing algorithm after the other, in background tasks or here.

Results are loaded into the project as the Processing toolbox loads them, with the algorithms' own
styles; an error ends the run with a plain message (a traceback shrinks to its last line).
"""

import os

from qgis.core import (
    Qgis,
    QgsApplication,
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
from qgis.PyQt.QtCore import QDateTime, QObject, QTimer, pyqtSignal

from ...sozialraum.adapters import compat
from ...sozialraum.core.errors import de_en
from ..results import load_results, move_into_group, results_group
from ..safety import guarded, report_exception
from .plan import PROVIDER, FromStep


def algorithm_available(name):
    """True when ``sozialraum:<name>`` is registered in the Processing registry."""
    return QgsApplication.processingRegistry().algorithmById(PROVIDER + ":" + name) is not None


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
        self.group = None  # the layer-tree group of this run's results
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
        main = (results or {}).get("OUTPUT")
        for layer in layers:  # the step's title names its main layer ("Versorgung Kitas"), whatever the style says
            if main and main in (layer.id(), layer.source()):
                layer.setName(step.title)
        if layers:
            if self.group is None:  # one group per run, below the point and line layers it was computed from
                self.group = results_group(self.project, de_en("Sozialraum – Ergebnisse {}", "Sozialraum – results {}")
                                           .format(QDateTime.currentDateTime().toString("dd.MM.yyyy HH:mm")))
            move_into_group(self.project, layers, self.group)
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


