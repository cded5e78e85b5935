"""``sozialraum:report`` — Sozialbericht exportieren: HTML, PDF (print layout) and XLSX/CSV from an index result."""

import datetime
import os
import tempfile
from collections import namedtuple

from qgis.core import (
    QgsProcessingException,
    QgsProviderRegistry,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFile,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from ...adapters import compat
from ...adapters import map_images, print_layout
from ...adapters.layers import read_table, resolve_fields
from ...adapters.method_record import load_record
from ...adapters.staging import write_bytes, write_text
from ...adapters.styling import class_colors
from ...core.errors import InputError
from ...core.method_record import as_record
from ...report import comparison, coverage_story, decision
from ...report import model as report_model
from ...report.html import report_html
from ...report.rendering import translator
from ...report.sections import print_sections
from ...report.svg import bars_size, indicator_bars
from ...report.table import CSV_FORMATS, check_table_path, table_bytes
from ..base import SozialraumAlgorithm, de_en

DYNAMIC_COLUMNS = ["status_class", "dynamic_class", "dynamic_index", "gesamt_code", "aufmerksamkeit"]
COVERAGE_READ = coverage_story.READ_COLUMNS
NEED_COVERAGE_READ = ["typ_code", "prioritaet"]
PDF_CHART_WIDTH = 720  # px: at 180 mm wide, the chart's 12 px text is as large as the 8.5 pt of the tables


def typical_profile_width(geometries, margin=0.6):
    """Width of a profile map for the median quarter: its larger side plus ``margin`` of it on both sides."""
    sides = sorted(max(g.boundingBox().width(), g.boundingBox().height()) for g in geometries if g is not None)
    return sides[len(sides) // 2] * (1 + 2 * margin) if sides else 0.0


class ReportAlgorithm(SozialraumAlgorithm):
    NAME = "report"
    GROUP_ID = "bericht"

    INPUT = "INPUT"
    ID_FIELD = "ID_FIELD"
    NAME_FIELD = "NAME_FIELD"
    INDICATOR_LABELS = "INDICATOR_LABELS"
    DYNAMICS = "DYNAMICS"
    COVERAGE = "COVERAGE"
    COVERAGE_TITLES = "COVERAGE_TITLES"
    NEED_COVERAGE = "NEED_COVERAGE"
    PREVIOUS = "PREVIOUS"
    ALLOCATION = "ALLOCATION"
    HOTSPOTS = "HOTSPOTS"
    TITLE = "TITLE"
    ORGANISATION = "ORGANISATION"
    DATA_DATE = "DATA_DATE"
    SOURCES = "SOURCES"
    LOGO = "LOGO"
    LANGUAGE = "LANGUAGE"
    PROFILE_ORDER = "PROFILE_ORDER"
    TEMPLATE = "TEMPLATE"
    OUTPUT_HTML = "OUTPUT_HTML"
    OUTPUT_PDF = "OUTPUT_PDF"
    OUTPUT_TABLE = "OUTPUT_TABLE"
    CSV_FORMAT = "CSV_FORMAT"

    # no guess for the ID: empty takes the one the index was computed with (its method record)
    FIELD_GUESSES = dict(SozialraumAlgorithm.FIELD_GUESSES, ID_FIELD=None)
    CHOICES = {LANGUAGE: ("de", "en"), CSV_FORMAT: tuple(CSV_FORMATS),
               PROFILE_ORDER: tuple(report_model.PROFILE_ORDERS)}

    def displayName(self):
        return de_en("Sozialbericht exportieren", "Export social report")


    def flags(self):
        # print layouts live in a QGraphicsScene: they must be built in the main thread
        return super().flags() | compat.ALGORITHM_NO_THREADING

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.INPUT, de_en("Ergebnis von Sozialindex oder Status-/Dynamik-Index",
                              "Result of the social index or the status/dynamic index"), [compat.SOURCE_VECTOR_ANY]))
        self.addParameter(QgsProcessingParameterField(
            self.ID_FIELD, de_en("Kennung (leer = wie beim Index)", "ID field (empty = as in the index)"),
            parentLayerParameterName=self.INPUT, optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.NAME_FIELD, de_en("Quartiersname", "Quarter name field"), parentLayerParameterName=self.INPUT,
            optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.INDICATOR_LABELS,
            de_en("Lesbare Indikatornamen (z. B. 'q_alo=Arbeitslosenquote; q_sgb2=SGB-II-Quote')",
                  "Readable indicator names (e.g. 'q_alo=Unemployment rate; q_sgb2=Welfare rate')"),
            optional=True, multiLine=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.DYNAMICS, de_en("Status-/Dynamik-Index für die Dynamik",
                                 "Status/dynamic index for the dynamics"), [compat.SOURCE_VECTOR_ANY],
            optional=True))
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.COVERAGE, de_en("Versorgungsergebnisse je Quartier",
                                 "Coverage results per quarter"),
            layerType=compat.SOURCE_VECTOR_ANY, optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.COVERAGE_TITLES,
            de_en("Namen der Versorgungsergebnisse, durch ';' getrennt (z. B. 'Kitas; Pflegeheime')",
                  "Names of the coverage results, separated by ';' (e.g. 'Day care; Care homes')"),
            optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.NEED_COVERAGE, de_en("Ergebnis 'Bedarf und Versorgung'",
                                      "'Need and coverage' result"),
            [compat.SOURCE_VECTOR_ANY], optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.PREVIOUS, de_en("Früheres Ergebnis derselben Quartiere zum Vergleich",
                                 "Earlier result of the same quarters to compare with"),
            [compat.SOURCE_VECTOR_ANY], optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.ALLOCATION, de_en("Ergebnis 'Mittelverteilung nach Bedarf'",
                                   "'Funding distributed by need' result"),
            [compat.SOURCE_VECTOR_ANY], optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.HOTSPOTS, de_en("Ergebnis 'Gebietskulisse'", "'Funding areas' result"),
            [compat.SOURCE_VECTOR_ANY], optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.TITLE, de_en("Titel", "Title"), defaultValue="", optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.ORGANISATION, de_en("Herausgeber (Organisation)", "Publisher (organisation)"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.DATA_DATE, de_en("Datenstand (z. B. 31.12.2024)", "Data as of (e.g. 2024-12-31)"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.SOURCES, de_en("Datenquellen (eine je Zeile)", "Data sources (one per line)"), optional=True,
            multiLine=True))
        self.addParameter(QgsProcessingParameterFile(
            self.LOGO, de_en("Logo (PNG, JPEG oder SVG)", "Logo (PNG, JPEG or SVG)"), optional=True,
            fileFilter="Bilder / images (*.png *.jpg *.jpeg *.gif *.bmp *.svg)"))
        self.add_choice(self.LANGUAGE, de_en("Sprache des Berichts", "Report language"),
                        [("de", "Deutsch"), ("en", "English")], "de")
        self.add_choice(self.PROFILE_ORDER, de_en("Reihenfolge der Steckbriefe", "Order of the profiles"),
                        [("rank", de_en("nach Rang (größter Bedarf zuerst)", "by rank (greatest need first)")),
                         ("id", de_en("nach Kennung", "by ID")), ("name", de_en("nach Name", "by name"))], "rank")
        self.addParameter(QgsProcessingParameterFile(
            self.TEMPLATE, de_en("Eigener Vorlagenordner (leer = mitgelieferte Vorlage)",
                                 "Own template folder (empty = the bundled template)"),
            behavior=compat.FILE_FOLDER, optional=True))
        self.add_choice(self.CSV_FORMAT, de_en("Tabelle als CSV: Format", "Table as CSV: format"), [
            ("plain", de_en("Standard (Komma, Dezimalpunkt)", "plain (comma, decimal point)")),
            ("excel_de", de_en("Excel/LibreOffice deutsch (Semikolon, Dezimalkomma)",
                               "Excel/LibreOffice in German (semicolon, decimal comma)"))], "plain", optional=True)
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_HTML, de_en("Bericht als HTML", "Report as HTML"), "HTML (*.html *.htm)", optional=True,
            createByDefault=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_PDF, de_en("Bericht als PDF", "Report as PDF"), "PDF (*.pdf)", optional=True,
            createByDefault=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_TABLE, de_en("Tabelle (XLSX oder CSV)", "Table (XLSX or CSV)"),
            "Excel (*.xlsx);;CSV (*.csv)", optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("N_QUARTERS", de_en("Quartiere im Bericht", "Quarters in the report")))
        self.addOutput(QgsProcessingOutputNumber("N_PAGES", de_en("Seiten im PDF", "Pages in the PDF")))

    # -- reading ------------------------------------------------------------------------------------
    def _layer_or_fail(self, parameters, name, context):
        layer = self.parameterAsVectorLayer(parameters, name, context)
        if layer is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, name))
        return layer

    @staticmethod
    def _present(layer, fields):
        """The ``fields`` the layer has (also as a Shapefile's cut names: read_table reads them back)."""
        found = resolve_fields(layer.fields(), fields)
        return [f for f in fields if f in found]

    def _join_id(self, layer, id_field, what_de, what_en):
        """The ID field of a second result: the index's ID field, else the one in its method record."""
        if layer.fields().lookupField(id_field) >= 0:
            return id_field
        record = load_record(layer)
        candidates = [] if record is None else [record.id_field, getattr(record, "id_column", None)]
        for candidate in candidates:
            if candidate and layer.fields().lookupField(candidate) >= 0:
                return candidate
        raise QgsProcessingException(str(InputError(
            "{} '{}' hat kein Feld '{}' zur Zuordnung der Quartiere. Bitte ein Ergebnis derselben Quartiere wählen."
            .format(what_de, layer.name(), id_field),
            "{} '{}' has no field '{}' to match the quarters. Please choose a result of the same quarters."
            .format(what_en, layer.name(), id_field))))

    @staticmethod
    def _layer_title(layer):
        """The GeoPackage layer name of ``layer`` (``versorgung_kita``), else its name in QGIS."""
        parts = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
        return parts.get("layerName") or layer.name()

    @staticmethod
    def _source_text(layer, lang):
        """``file, layer name (computed with …)`` of a result layer, for the annex."""
        t = translator(lang)
        parts = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
        path, name = parts.get("path") or "", parts.get("layerName") or ""
        if path and os.path.isfile(path):
            text = os.path.basename(path) + (t(", Ebene „{}“", ", layer “{}”").format(name) if name else "")
        else:
            text = t("temporäre Ebene „{}“", "temporary layer “{}”").format(layer.name())
        record = load_record(layer)
        algorithm = record.algorithm if record is not None else ""
        return text + (t(" (berechnet mit {})", " (computed with {})").format(algorithm) if algorithm else "")

    def read_inputs(self, parameters, context, feedback, lang):
        """Everything the report model needs, read from the layers."""
        layer = self._layer_or_fail(parameters, self.INPUT, context)
        method = load_record(layer)
        if method is None:
            raise QgsProcessingException(str(InputError(
                "Die Ebene '{}' trägt keine Verfahrensbeschreibung. Bitte ein Ergebnis von 'Sozialindex' oder "
                "'Status-/Dynamik-Index' wählen (als GeoPackage gespeichert oder als temporäre Ebene).".format(
                    layer.name()),
                "The layer '{}' carries no method record. Please choose a result of 'Social index' or "
                "'Status/dynamic index' (saved as a GeoPackage or as a temporary layer).".format(layer.name()))))
        self.core_call(report_model.result_kind, method)
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context) or method.id_field or \
            getattr(method, "id_column", None)
        if not id_field:
            raise QgsProcessingException(de_en("Bitte das Feld mit der Quartierskennung angeben (ID_FIELD).",
                                               "Please give the field with the quarter ID (ID_FIELD)."))
        name_field = self.parameterAsString(parameters, self.NAME_FIELD, context) or None
        fields = report_model.needed_fields(method, id_field, name_field)
        table = self.core_call(read_table, layer, fields, feedback, (0.0, 5.0))
        sources = [self._source_text(layer, lang)]

        dynamics = None
        dynamics_layer = self.parameterAsVectorLayer(parameters, self.DYNAMICS, context)
        if dynamics_layer is not None:
            join = self._join_id(dynamics_layer, id_field, "Das Dynamik-Ergebnis", "The dynamics result")
            dynamics = self.core_call(read_table, dynamics_layer,
                                      [join] + self._present(dynamics_layer, DYNAMIC_COLUMNS))
            dynamics = dynamics.rename(columns={join: id_field})
            sources.append(self._source_text(dynamics_layer, lang))
        coverages = []
        titles = [t.strip() for t in (self.parameterAsString(parameters, self.COVERAGE_TITLES, context) or "")
                  .replace("\n", ";").split(";")]
        for n, cov in enumerate(self.parameterAsLayerList(parameters, self.COVERAGE, context) or []):
            join = self._join_id(cov, id_field, "Das Versorgungsergebnis", "The coverage result")
            fields = self._present(cov, COVERAGE_READ) + [f for f in cov.fields().names() if f.startswith("anteil_")]
            cov_table = self.core_call(read_table, cov, [join] + fields)
            title = titles[n] if n < len(titles) and titles[n] else self._layer_title(cov)
            coverages.append((title, cov_table.rename(columns={join: id_field}), id_field, load_record(cov)))
            sources.append(self._source_text(cov, lang))
        need = None
        need_layer = self.parameterAsVectorLayer(parameters, self.NEED_COVERAGE, context)
        if need_layer is not None:
            join = self._join_id(need_layer, id_field, "Das Ergebnis 'Bedarf und Versorgung'",
                                 "The 'need and coverage' result")
            need_table = self.core_call(read_table, need_layer, [join] + self._present(need_layer, NEED_COVERAGE_READ))
            need = (need_table.rename(columns={join: id_field}), id_field)
            sources.append(self._source_text(need_layer, lang))
        return layer, method, id_field, name_field, table, dynamics, coverages, need, sources

    def build_report_model(self, parameters, context, feedback, lang):
        """``(model, layer, id_field)``: the report model of the inputs in ``parameters``."""
        layer, method, id_field, name_field, table, dynamics, coverages, need, sources = self.read_inputs(
            parameters, context, feedback, lang)
        own_sources = self.parameterAsString(parameters, self.SOURCES, context) or ""
        sources = [line.strip() for line in own_sources.replace(";", "\n").splitlines() if line.strip()] + sources
        labels = self.core_call(report_model.parse_labels,
                                self.parameterAsString(parameters, self.INDICATOR_LABELS, context))
        for field in labels:
            if field not in report_model.indicator_fields(method):
                feedback.pushWarning(de_en("Indikatorname für '{}' ignoriert: kein Indikator des Index.",
                                           "Indicator name for '{}' ignored: not an indicator of the index.")
                                     .format(field))
        for field in report_model.indicator_fields(method):
            alias = layer.fields().field(field).alias() if layer.fields().lookupField(field) >= 0 else ""
            if field not in labels and alias:
                labels[field] = alias
        today = datetime.date.today()
        k = len(report_model.class_labels(method, lang))
        model = self.core_call(
            report_model.build_model, table, method, id_field, lang=lang, name_field=name_field,
            colors=class_colors(k), coverage_colors=class_colors(3), indicator_labels=labels,
            title=self.parameterAsString(parameters, self.TITLE, context),
            organisation=self.parameterAsString(parameters, self.ORGANISATION, context),
            data_date=self.parameterAsString(parameters, self.DATA_DATE, context) or method.data_date,
            sources=sources, created=today.strftime("%d.%m.%Y") if lang == "de" else today.isoformat(),
            dynamics=dynamics, coverages=coverages, need_coverage=need,
            profile_order=self.choice(parameters, self.PROFILE_ORDER, context))
        for name, kind, read, build, key in (
                (self.ALLOCATION, "allocation", ["zuweisung", "zuweisung_giesskanne"], decision.allocation_section,
                 "allocation_section"),
                (self.HOTSPOTS, "hotspots", ["lisa_typ", "cluster_id"], decision.hotspots_section,
                 "hotspots_section")):
            result = self.parameterAsVectorLayer(parameters, name, context)
            if result is not None:
                model[key] = self._decision(result, kind, read, build, model, id_field, lang)
                model["sources"].append(self._source_text(result, lang))
        previous = self.parameterAsVectorLayer(parameters, self.PREVIOUS, context)
        if previous is not None:
            model["comparison"] = self._comparison(model, method, previous, id_field, name_field, labels, lang)
            model["sources"].append(self._source_text(previous, lang))
        return model, layer, id_field

    def _decision(self, layer, kind, columns, build, model, id_field, lang):
        """A decision section (report/decision.py) from an allocation or hotspots result of the same quarters."""
        record = load_record(layer)
        if record is None or record.kind != kind:
            raise QgsProcessingException(de_en(
                "Die Ebene '{}' ist kein Ergebnis von '{}'.".format(layer.name(), "sozialraum:" + kind),
                "The layer '{}' is not a result of '{}'.".format(layer.name(), "sozialraum:" + kind)))
        join = self._join_id(layer, id_field, "Das Ergebnis", "The result")
        table = self.core_call(read_table, layer, [join] + self._present(layer, columns)).rename(
            columns={join: id_field})
        labels = {indicator["field"]: indicator["label"] for indicator in model["indicators"]}
        return self.core_call(build, table, id_field, record, model["quarters"], report_model.district_key, lang,
                              labels=labels)

    def _comparison(self, model, method, previous, id_field, name_field, labels, lang):
        """The comparison with an earlier index result of the same quarters (see report/comparison.py)."""
        record = load_record(previous)
        if record is None or record.kind not in ("index", "mss"):
            raise QgsProcessingException(de_en(
                "Das frühere Ergebnis '{}' ist kein Ergebnis von 'Sozialindex' oder 'Status-/Dynamik-Index'."
                .format(previous.name()),
                "The earlier result '{}' is not a result of 'Social index' or 'Status/dynamic index'."
                .format(previous.name())))
        join = self._join_id(previous, id_field, "Das frühere Ergebnis", "The earlier result")
        names = name_field if name_field and previous.fields().lookupField(name_field) >= 0 else None
        fields = report_model.needed_fields(record, join, names)
        table = self.core_call(read_table, previous, fields).rename(columns={join: id_field})
        earlier = self.core_call(report_model.build_model, table, record, id_field, lang=lang, name_field=names,
                                 indicator_labels=labels, data_date=record.data_date or previous.name())
        return comparison.compare(model, earlier, as_record(method), record, lang)

    # -- running ----------------------------------------------------------------------------------
    def process(self, parameters, context, feedback):
        lang = self.choice(parameters, self.LANGUAGE, context)
        t = translator(lang)
        html_path = self.file_output(parameters, self.OUTPUT_HTML, context)
        pdf_path = self.file_output(parameters, self.OUTPUT_PDF, context)
        table_path = self.file_output(parameters, self.OUTPUT_TABLE, context)
        if table_path:
            self.core_call(check_table_path, table_path)
        if not (html_path or pdf_path or table_path):
            raise QgsProcessingException(de_en(
                "Bitte mindestens eine Ausgabe wählen: HTML, PDF oder Tabelle.",
                "Please choose at least one output: HTML, PDF or table."))
        template = self.parameterAsFile(parameters, self.TEMPLATE, context) or None
        if template and not os.path.isdir(template):
            raise QgsProcessingException(de_en("Der Vorlagenordner {} existiert nicht.".format(template),
                                               "The template folder {} does not exist.".format(template)))
        logo = self.parameterAsFile(parameters, self.LOGO, context) or None

        model, layer, id_field = self.build_report_model(parameters, context, feedback, lang)
        feedback.setProgress(8)
        feedback.pushInfo(t("{} Quartiere, davon {} bewertet.", "{} quarters, {} of them rated.").format(
            model["n_quarters"], model["n_rated"]))
        results = {"N_QUARTERS": model["n_quarters"]}

        if html_path:
            shapes = map_images.quarter_shapes(layer, id_field, report_model.district_key, feedback)
            logo_uri = self.core_call(map_images.logo_data_uri, logo) if logo else ""
            html = self.core_call(report_html, model, shapes, logo_uri, template,
                                  map_images.is_metric(layer.crs()))
            write_text(html_path, html)
            feedback.pushInfo(t("HTML geschrieben: {} ({:.1f} MB)", "HTML written: {} ({:.1f} MB)").format(
                html_path, len(html.encode("utf-8")) / 1e6))
            results[self.OUTPUT_HTML] = html_path
        feedback.setProgress(20)
        if feedback.isCanceled():
            return {}

        if table_path:
            write_bytes(table_path, self.core_call(table_bytes, model, table_path,
                                                   self.choice(parameters, self.CSV_FORMAT, context)))
            results[self.OUTPUT_TABLE] = table_path
            feedback.pushInfo(t("Tabelle geschrieben: {}", "Table written: {}").format(table_path))

        if pdf_path:
            pages = self.core_call(self.write_pdf, model, layer, id_field, pdf_path, template, logo, feedback)
            if pages is None:
                return {}
            results[self.OUTPUT_PDF] = pdf_path
            results["N_PAGES"] = pages
            feedback.pushInfo(t("PDF geschrieben: {} ({} Seiten)", "PDF written: {} ({} pages)").format(
                pdf_path, pages))
        feedback.setProgress(100)
        return results

    @staticmethod
    def template_file(folder):
        """The ``.qpt`` of a user template folder (``sozialbericht.qpt`` or the only one), else the bundled one."""
        if folder:
            candidates = sorted(f for f in os.listdir(folder) if f.lower().endswith(".qpt"))
            if "sozialbericht.qpt" in candidates:
                return os.path.join(folder, "sozialbericht.qpt")
            if len(candidates) == 1:
                return os.path.join(folder, candidates[0])
        return print_layout.DEFAULT_TEMPLATE

    def write_pdf(self, model, layer, id_field, path, template, logo, feedback):
        """Build the print-layout report and export it; returns the number of pages (None if cancelled)."""
        with tempfile.TemporaryDirectory(prefix="sozialbericht_") as folder:
            pdf = prepare_pdf(model, layer, id_field, self.template_file(template), logo, folder)
            try:
                feedback.setProgress(25)
                properties = {"TITLE": model["title"], "AUTHOR": model["organisation"],
                              "SUBJECT": model["method"]["paragraphs"][0] if model["method"]["paragraphs"] else "",
                              "KEYWORDS": "{}; {}; {}".format(model["index_name"], model["data_date"], model["lang"]),
                              "CREATOR": "QGIS Sozialraum"}
                if not print_layout.export_pdf(pdf.iterator, path, feedback, properties):
                    return None
            finally:
                pdf.charts.wait()  # the worker threads must be done before the folder goes
        return pdf.pages


PdfReport = namedtuple("PdfReport", "project overview profile layers iterator pages charts")


def layout_variables(model, logo_file):
    """The ``@sr_…`` variables the print layout reads (``sr_pages`` is set once the overview is laid out)."""
    t = translator(model["lang"])
    figures = ["{}{}  {}".format(f["value"], " ({})".format(f["share"]) if f["share"] else "", f["label"])
               for f in model["figures"]]
    return {
        "sr_title": model["title"], "sr_organisation": model["organisation"], "sr_index_name": model["index_name"],
        "sr_data_date": model["data_date"] or t("nicht angegeben", "not given"), "sr_created": model["created"],
        "sr_summary": model["summary"], "sr_figures": "\n".join(figures),
        "sr_method": "\n\n".join(model["method"]["paragraphs"]), "sr_sources": "\n".join(model["sources"]),
        "sr_logo": logo_file, "sr_lang": model["lang"], "sr_pages": "",
    }


def prepare_pdf(model, layer, id_field, template_file, logo, folder):
    """The print-layout report of ``model``, ready to export (charts and logo are written to ``folder``).

    Returns a :class:`PdfReport` (the project and layers must stay alive until the export is done).
    The charts are drawn in worker threads meanwhile; the iterator waits for them before the
    first profile page, anyone else calls ``charts.wait()``.
    """
    geometries = {}
    index = layer.fields().lookupField(id_field)
    for feature in layer.getFeatures():
        geometries[report_model.district_key(feature.attributes()[index])] = feature.geometry()
    charts, jobs = {}, []
    for n, quarter in enumerate(model["quarters"]):
        if quarter["indicators"]:
            charts[quarter["key"]] = os.path.join(folder, "diagramm_{}.png".format(n))
            jobs.append((indicator_bars(quarter["indicators"], model["lang"], standalone=True, width=PDF_CHART_WIDTH),
                         charts[quarter["key"]]))
    charts_job = map_images.ChartJob(jobs)
    try:
        logo_file = map_images.logo_png_file(logo, os.path.join(folder, "logo.png")) if logo else ""
        project = print_layout.new_project(layer.crs())
        layers = print_layout.report_layers(model, geometries, layer.crs(), layer.wkbType(), charts)
        project.addMapLayers(list(layers.values()))
        overview, profile = print_layout.load_layouts(template_file, project)
        variables = layout_variables(model, logo_file)
        for layout in (overview, profile):
            print_layout.bind_layers(layout, layers, model["lang"])
            print_layout.keep_labels_clear(layout)
            print_layout.set_variables(layout, variables)
        n_indicators = max(len(q["indicators"]) for q in model["quarters"])
        width, height = bars_size(n_indicators, PDF_CHART_WIDTH)
        print_layout.fit_profile(profile, height / width, n_indicators,
                                 max((q["print_sentence"] for q in model["quarters"]), key=len))
        if map_images.is_metric(layer.crs()):
            extent = layers[print_layout.QUARTERS].extent()
            print_layout.fit_scale_bars(overview, max(extent.width(), extent.height()), model["lang"])
            print_layout.fit_scale_bars(profile, typical_profile_width(geometries.values()), model["lang"])
        print_layout.overview_pages(overview)  # the tables settle first: they drop empty pages only at the end
        sections = print_layout.add_section_pages(overview, print_sections(model), geometries, layer.crs(),
                                                  layer.wkbType(), project)
        layers.update({"abschnitt_{}".format(n): section for n, section in enumerate(sections)})
        first = print_layout.overview_pages(overview)
        print_layout.number_pages(layers[print_layout.QUARTERS], first)
        total = first + len(model["quarters"])
        for layout in (overview, profile):
            print_layout.set_variables(layout, dict(variables, sr_pages=str(total)))
        print_layout.profile_atlas(profile, layers[print_layout.QUARTERS])
        # Fresh copies render faster than the layouts that were cut out of the template and rearranged (the
        # profile pages by a fifth, and the overview no longer waits on its map's preview; measured on 448
        # pages). native:atlaslayouttopdf exports a copy as well.
        overview, profile = overview.clone(), profile.clone()
        for layout in (overview, profile):
            print_layout.generalise_for_print(layout)
    except BaseException:
        charts_job.wait()  # let the worker threads finish before the caller removes the folder
        raise
    iterator = print_layout.OverviewThenAtlas(overview, profile.atlas(), charts_job.wait)
    return PdfReport(project, overview, profile, layers, iterator, total, charts_job)
