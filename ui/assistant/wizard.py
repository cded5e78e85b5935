"""Sozialraum-Assistent: the yearly workflow of a social planner in six pages.

Quartiere -> Indikatoren -> Verfahren -> Versorgung -> Bericht -> Zusammenfassung. The assistant only
collects choices (:mod:`.plan`) and runs the plugin's Processing algorithms with them (:mod:`.runner`),
one after the other, in background tasks (or in this thread with :meth:`SozialraumWizard.run_now`).
An analysis can be saved to a JSON file and into the QGIS project, loaded again, and run again with
next year's layers: same settings, new data, and the report compares with last year's result.
"""

import json
import os

from qgis.core import Qgis, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtWidgets import QFileDialog, QWizard

from ...sozialraum.core.errors import de_en
from ..safety import guarded
from .pages import (
    CoveragePage,
    DecisionPage,
    DistrictsPage,
    IndicatorsPage,
    MethodPage,
    ReportPage,
    SummaryPage,
    _escape,
)
from .plan import (
    WizardChoices,
    choices_from_dict,
    choices_to_dict,
    next_year,
    plan,
)
from .model_export import export_model
from .runner import StepRunner

PAGE_DISTRICTS, PAGE_INDICATORS, PAGE_METHOD, PAGE_COVERAGE, PAGE_DECISION, PAGE_REPORT, PAGE_SUMMARY = range(7)
PROJECT_SCOPE, PROJECT_KEY = "sozialraum", "analysis"


class SozialraumWizard(QWizard):
    """The Sozialraum-Assistent. ``iface`` is used for the message bar only (may be None)."""

    def __init__(self, iface=None, parent=None):
        super().__init__(parent)
        self.iface = iface
        self.runner = None
        self.previous = ""  # an earlier index result to compare with (from a saved analysis run again)
        self.last_index_result = ""
        self.pending_indicators = None
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
        self.decision_page = DecisionPage()
        self.report_page = ReportPage()
        self.summary_page = SummaryPage()
        for page_id, page in ((PAGE_DISTRICTS, self.districts_page), (PAGE_INDICATORS, self.indicators_page),
                              (PAGE_METHOD, self.method_page), (PAGE_COVERAGE, self.coverage_page),
                              (PAGE_DECISION, self.decision_page),
                              (PAGE_REPORT, self.report_page), (PAGE_SUMMARY, self.summary_page)):
            self.setPage(page_id, page)
        self.summary_page.run_button.clicked.connect(self._run_clicked)
        self._add_analysis_buttons()
        self.resize(820, 700)

    def _add_analysis_buttons(self):
        """Page 1: load a saved analysis (as it was, or with the quarters chosen above as next year's data);
        summary page: save the analysis."""
        from qgis.PyQt.QtWidgets import QHBoxLayout, QLabel, QPushButton

        self.load_button = QPushButton(de_en("Analyse laden …", "Load an analysis …"))
        self.rerun_button = QPushButton(de_en("Mit diesen Quartieren wiederholen …", "Repeat with these quarters …"))
        self.rerun_button.setToolTip(de_en(
            "Dieselbe Analyse mit neuen Daten: oben die Quartiere des neuen Jahres wählen, dann die gespeicherte "
            "Analyse. Felder mit Jahreszahl rücken vor (q_alo_2024 → q_alo_2025), der Bericht vergleicht mit dem "
            "letzten Ergebnis.",
            "The same analysis on new data: choose next year's quarters above, then the saved analysis. Fields "
            "with a year move on (q_alo_2024 → q_alo_2025); the report compares with the last result."))
        row = QHBoxLayout()
        row.addWidget(self.load_button)
        row.addWidget(self.rerun_button)
        row.addStretch(1)
        self.load_note = QLabel()
        self.load_note.setWordWrap(True)
        self.districts_page.layout().insertLayout(self.districts_page.layout().count() - 1, row)
        self.districts_page.layout().insertWidget(self.districts_page.layout().count() - 1, self.load_note)
        self.save_button = QPushButton(de_en("Analyse speichern …", "Save the analysis …"))
        self.model_button = QPushButton(de_en("Als Modell exportieren …", "Export as a model …"))
        self.model_button.setToolTip(de_en("Die gewählten Schritte als Verarbeitungsmodell (.model3) für die "
                                           "Stapelverarbeitung und den Modellbauer.",
                                           "The chosen steps as a Processing model (.model3) for batch runs and "
                                           "the Model Builder."))
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.model_button)
        buttons.addStretch(1)
        self.summary_page.layout().addLayout(buttons)
        self.model_button.clicked.connect(self._model_clicked)
        self.load_button.clicked.connect(lambda *_: self._load_clicked(False))
        self.rerun_button.clicked.connect(lambda *_: self._load_clicked(True))
        self.save_button.clicked.connect(self._save_clicked)

    @guarded
    def _load_clicked(self, again):
        path, _ = QFileDialog.getOpenFileName(self, de_en("Analyse laden", "Load an analysis"), "",
                                              de_en("Sozialraum-Analyse", "Sozialraum analysis") + " (*.json)")
        if not path:
            return
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            layer = self.districts_page.layer.currentLayer() if again else None
            missing, moved = self.load_analysis(data, layer)
        except (OSError, ValueError) as error:
            self.load_note.setText(_escape(str(error)))
            return
        notes = []
        if moved:
            notes.append(de_en("Vorgerückt: {}.", "Moved on: {}.").format(
                ", ".join("{} → {}".format(old, new) for old, new in moved)))
        if missing:
            notes.append(de_en("Nicht gefunden (bitte neu wählen): {}.", "Not found (please choose again): {}.")
                         .format(", ".join(missing)))
        self.load_note.setText(_escape(" ".join(notes)))

    @guarded
    def _save_clicked(self, *_):
        path, _ = QFileDialog.getSaveFileName(self, de_en("Analyse speichern", "Save the analysis"),
                                              "sozialraum_analyse.json",
                                              de_en("Sozialraum-Analyse", "Sozialraum analysis") + " (*.json)")
        if path:
            self.save_analysis(path if path.lower().endswith(".json") else path + ".json")

    @guarded
    def _model_clicked(self, *_):
        path, _ = QFileDialog.getSaveFileName(self, de_en("Als Modell exportieren", "Export as a model"),
                                              "sozialraum_analyse.model3",
                                              de_en("Verarbeitungsmodell", "Processing model") + " (*.model3)")
        if path:
            path = path if path.lower().endswith(".model3") else path + ".model3"
            ok = export_model(self.choices(), QgsProject.instance(), path)
            text = de_en("Modell gespeichert: {}", "Model saved: {}") if ok else \
                de_en("Das Modell konnte nicht gespeichert werden: {}", "The model could not be saved: {}")
            self.summary_page.status.setText(_escape(text.format(path)))

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
            services=self.coverage_page.services(),
            allocation=self.decision_page.allocation_parameters(),
            hotspots=self.decision_page.hotspots_wanted(),
            report=self.report_page.parameters(),
            data_date=self.districts_page.data_date.text().strip(),
            report_folder=self.report_page.folder.filePath(),
            results_folder=self.summary_page.folder.filePath(),
            previous=self.previous,
            last_index_result=self.last_index_result,
        )

    # -- saved analyses ---------------------------------------------------------------------------------
    def analysis(self):
        """The current choices as a saved analysis (a JSON-ready dict; layers by their source)."""
        return choices_to_dict(self.choices(), self._source_of)

    def _source_of(self, reference):
        layer = QgsProject.instance().mapLayer(reference)
        return layer.source() if layer is not None else reference

    def _layer_of(self, reference, name=""):
        """The project layer with this id or source; a file source not yet loaded is added to the project."""
        project = QgsProject.instance()
        layer = project.mapLayer(reference)
        if layer is not None:
            return layer
        for candidate in project.mapLayers().values():
            if candidate.source() == reference:
                return candidate
        path = reference.split("|")[0]
        if os.path.exists(path):
            layer = QgsVectorLayer(reference, name or os.path.splitext(os.path.basename(path))[0], "ogr")
            if layer.isValid():
                return project.addMapLayer(layer)
        return None

    def apply_choices(self, choices):
        """Show ``choices`` (e.g. of a loaded analysis) on the pages; layers are found or loaded by source.

        Returns the references of layers that could not be found (the user chooses them again)."""
        missing = []

        def layer(reference):
            found = self._layer_of(reference) if reference else None
            if reference and found is None:
                missing.append(reference)
            return found

        self.restart()
        districts = layer(choices.districts)
        page = self.districts_page
        page.layer.setLayer(districts)
        for combo, value in ((page.id_field, choices.id_field), (page.name_field, choices.name_field),
                             (page.population_field, choices.population_field)):
            combo.setField(value)
        page.min_population.setValue(int(choices.min_population))
        page.data_date.setText(choices.data_date)
        self.pending_indicators = list(choices.indicators)
        method = self.method_page
        method.set_index_type(choices.index_type)
        for combo, key in ((method.normalization, choices.normalization), (method.aggregation, choices.aggregation),
                           (method.classification, choices.classification)):
            method.set_choice(combo, key)
        method.n_classes.setValue(int(choices.n_classes))
        method.diagnostics.setChecked(bool(choices.diagnostics))
        coverage = self.coverage_page
        coverage.clear_services()
        for service in choices.services:
            coverage.add_service(service, layer)
        if not choices.services:
            coverage.add_service()
        coverage.group.setChecked(bool(choices.services) and coverage.available)
        self.decision_page.set_allocation(choices.allocation)
        self.decision_page.hotspots.setChecked(bool(choices.hotspots) and self.decision_page.hotspots.isEnabled())
        report = self.report_page
        report.group.setChecked(choices.report is not None and report.available)
        report.set_parameters(choices.report or {})
        report.folder.setFilePath(choices.report_folder)
        self.summary_page.folder.setFilePath(choices.results_folder)
        self.previous = choices.previous
        self.last_index_result = choices.last_index_result
        return missing

    def apply_indicators(self):
        """Tick the indicators of a loaded analysis once the indicator table shows the quarters' fields."""
        pending, self.pending_indicators = self.pending_indicators, None
        if not pending:
            return
        page = self.indicators_page
        for indicator in pending:
            try:
                page.set_indicator(indicator.field, reverse=indicator.reverse, weight=indicator.weight,
                                   label=indicator.label or None)
            except KeyError:
                page.missing.append(indicator.field)
        self.method_page.pending_earlier = {i.field: i.earlier for i in pending if i.earlier}

    def save_analysis(self, path):
        """Write the analysis to ``path`` (JSON) and into the project."""
        data = self.analysis()
        with open(path, "w", encoding="utf-8") as handle:  # the user's own settings file, not a result
            json.dump(data, handle, ensure_ascii=False, indent=2)
        self.save_to_project(data)

    def save_to_project(self, data=None):
        QgsProject.instance().writeEntry(PROJECT_SCOPE, PROJECT_KEY, json.dumps(data or self.analysis(),
                                                                                ensure_ascii=False))

    @staticmethod
    def project_analysis():
        """The analysis saved in the current project, or None."""
        text, found = QgsProject.instance().readEntry(PROJECT_SCOPE, PROJECT_KEY, "")
        return json.loads(text) if found and text else None

    def load_analysis(self, data, next_year_layer=None):
        """Show a saved analysis; with ``next_year_layer`` (next year's quarters) as the same analysis on the new
        data (:func:`.plan.next_year`). Returns ``(missing layer references, moved fields)``."""
        choices = choices_from_dict(data)
        moved = []
        if next_year_layer is not None:
            choices, moved = next_year(choices, next_year_layer.fields().names())
            choices.districts = next_year_layer.id()
        return self.apply_choices(choices), moved

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
            index = str(self.runner.results.get("index", {}).get("OUTPUT") or "")
            source = self._source_of(index) if index else ""
            if source and self.summary_page.folder.filePath() and os.path.exists(source.split("|")[0]):
                self.last_index_result = source
            self.save_to_project()  # the analysis travels with the project
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