"""``sozialraum:indexdiagnostics`` — checks an index: statistics, correlations, alpha, PCA, robustness."""

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ...adapters import compat
from ...adapters.method_record import load_record
from ...adapters.staging import write_text
from ...adapters.styling import apply_robustness_style, attach_layer_style
from ...core.diagnostics import Canceled, run_diagnostics
from ...core.index import spec_from_record
from ...report.diagnostics_html import diagnostics_html
from ...report.model import parse_labels
from ..base import de_en
from .district_index import DistrictIndexAlgorithm

ROBUSTNESS_COLUMNS = ["rang_basis", "rang_median", "rang_p05", "rang_p95", "rang_spanne", "anteil_top", "robust",
                      "note"]


class IndexDiagnosticsAlgorithm(DistrictIndexAlgorithm):
    NAME = "indexdiagnostics"
    GROUP_ID = "indizes"

    N_RANDOM = "N_RANDOM"
    SEED = "SEED"
    NAME_FIELD = "NAME_FIELD"
    INDICATOR_LABELS = "INDICATOR_LABELS"
    OUTPUT_HTML = "OUTPUT_HTML"

    def displayName(self):
        return de_en("Indexprüfung", "Index diagnostics")


    def initAlgorithm(self, config=None):
        self.add_index_parameters()
        # an index result as INPUT brings its settings: then the indicators (and the rest) need not be entered again
        indicators = self.parameterDefinition(self.INDICATORS)
        indicators.setFlags(indicators.flags() | compat.FLAG_OPTIONAL)
        indicators.setDescription(de_en(
            "Indikatoren (leer bei einem Sozialindex-Ergebnis als Eingabe: dessen Einstellungen werden geprüft)",
            "Indicators (empty with a social index result as input: its settings are checked)"))
        self.addParameter(QgsProcessingParameterNumber(
            self.N_RANDOM, de_en("Anzahl zufälliger Gewichtungen", "Number of random weightings"),
            type=compat.NUMBER_INTEGER, minValue=0, maxValue=10000, defaultValue=200))
        self.addParameter(self._advanced(QgsProcessingParameterNumber(
            self.SEED, de_en("Startwert des Zufallsgenerators", "Random seed"),
            type=compat.NUMBER_INTEGER, minValue=0, defaultValue=1)))
        self.addParameter(QgsProcessingParameterField(
            self.NAME_FIELD, de_en("Quartiersname (für die Zusammenfassung)", "Quarter name field (for the summary)"),
            parentLayerParameterName=self.INPUT, optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.INDICATOR_LABELS,
            de_en("Lesbare Indikatornamen (z. B. 'q_alo=Arbeitslosenquote; q_sgb2=SGB-II-Quote')",
                  "Readable indicator names (e.g. 'q_alo=Unemployment rate; q_sgb2=Welfare rate')"),
            optional=True, multiLine=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, de_en("Robustheit je Quartier", "Robustness per district")))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_HTML, de_en("Zusammenfassung (HTML)", "Summary (HTML)"), fileFilter="HTML (*.html)",
            optional=True, createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber("CRONBACH_ALPHA", "Cronbach's alpha"))

    def _settings_of_an_index_result(self, parameters, context, feedback):
        """``(spec, without population)`` from the method record of an index result given as INPUT when no
        indicators are chosen; ``(None, False)`` when indicators are chosen (the settings of the dialog count)."""
        if self.parameterAsFields(parameters, self.INDICATORS, context):
            return None, False
        layer = self.parameterAsVectorLayer(parameters, self.INPUT, context)
        record = load_record(layer) if layer is not None else None
        if record is None or record.kind != "index":
            raise QgsProcessingException(de_en(
                "Bitte Indikatoren wählen – oder ein Ergebnis von 'Sozialindex' als Eingabe, dann werden dessen "
                "Einstellungen geprüft.",
                "Please choose indicators – or a result of 'Social index' as input, then its settings are checked."))
        feedback.pushInfo(de_en("Einstellungen aus dem Index-Ergebnis '{}' übernommen: {} Indikatoren, {}, {}, {}.",
                                "Settings taken from the index result '{}': {} indicators, {}, {}, {}.").format(
            layer.name(), len(record.indicators), record.normalization, record.aggregation, record.classification))
        return spec_from_record(record), bool(record.rated_without_population)

    def process(self, parameters, context, feedback):
        name_field = self.parameterAsString(parameters, self.NAME_FIELD, context)
        labels = self.core_call(parse_labels, self.parameterAsString(parameters, self.INDICATOR_LABELS, context))
        spec, without_population = self._settings_of_an_index_result(parameters, context, feedback)
        source, id_field, spec, frame = self.read_index_input(parameters, context, feedback,
                                                              [name_field] if name_field else [], spec,
                                                              without_population)
        if feedback.isCanceled():
            return {}
        feedback.pushInfo(de_en("Prüfe den Index und rechne Varianten …", "Checking the index and its variants …"))
        try:
            report = self.core_call(
                run_diagnostics, frame, spec, id_field,
                n_random=self.parameterAsInt(parameters, self.N_RANDOM, context),
                seed=self.parameterAsInt(parameters, self.SEED, context),
                progress=lambda share: feedback.setProgress(30 + 50 * share),
                is_canceled=feedback.isCanceled, labels=labels)
        except Canceled:
            return {}
        for warning in report.warnings:
            feedback.pushWarning(warning)
        dest_id = self.write_result(parameters, self.OUTPUT, context, feedback, source, report.robustness,
                                    ROBUSTNESS_COLUMNS, 80.0)
        if dest_id is None:
            return {}
        attach_layer_style(context, dest_id, apply_robustness_style,
                           de_en("Robustheit je Quartier", "Robustness per district"))
        results = {self.OUTPUT: dest_id, "CRONBACH_ALPHA": report.alpha}
        html_path = self.file_output(parameters, self.OUTPUT_HTML, context)
        if html_path:
            names = dict(zip(frame[id_field], frame[name_field])) if name_field else None
            write_text(html_path, diagnostics_html(report, source.sourceName(), names))
            results[self.OUTPUT_HTML] = html_path
        return results
