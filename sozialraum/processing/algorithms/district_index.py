"""``sozialraum:districtindex`` — composite social index (Sozialindex) per district."""

import json

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ...adapters import compat
from ...adapters.styling import attach_class_style
from ...core.index import IndexSpec, compute_index
from ...core.parse import parse_labels, parse_number_list, parse_weights
from ..base import SozialraumAlgorithm, de_en


class DistrictIndexAlgorithm(SozialraumAlgorithm):
    NAME = "districtindex"
    GROUP_ID = "indizes"

    INPUT = "INPUT"
    ID_FIELD = "ID_FIELD"
    INDICATORS = "INDICATORS"
    REVERSE = "REVERSE"
    WEIGHTS = "WEIGHTS"
    NORMALIZATION = "NORMALIZATION"
    REFERENCE_VALUES = "REFERENCE_VALUES"
    AGGREGATION = "AGGREGATION"
    RESTANDARDIZE = "RESTANDARDIZE"
    POPULATION_FIELD = "POPULATION_FIELD"
    WITHOUT_POPULATION = "WITHOUT_POPULATION"
    MIN_POPULATION = "MIN_POPULATION"
    MISSING = "MISSING"
    MIN_SHARE = "MIN_SHARE"
    CLASSIFICATION = "CLASSIFICATION"
    N_CLASSES = "N_CLASSES"
    STDDEV_CUTS = "STDDEV_CUTS"
    BREAKS = "BREAKS"
    LABELS = "LABELS"
    OUTPUT = "OUTPUT"

    CHOICES = {
        NORMALIZATION: ("zscore", "zscore_sample", "minmax", "percentile", "reference"),
        AGGREGATION: ("sum", "mean", "geometric"),
        MISSING: ("exclude", "reweight", "median"),
        CLASSIFICATION: ("stddev", "quantile", "jenks", "equal", "manual"),
    }

    def displayName(self):
        return "Sozialindex" if de_en("de", "en") == "de" else "Social index (Sozialindex)"


    def initAlgorithm(self, config=None):
        self.add_index_parameters()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, de_en("Sozialindex", "Social index")))
        self.addOutput(QgsProcessingOutputString("METHOD", de_en("Verfahren (JSON)", "Method record (JSON)")))
        self.addOutput(QgsProcessingOutputNumber("N_RATED", de_en("Bewertete Quartiere", "Rated districts")))
        self.addOutput(QgsProcessingOutputNumber("N_NOT_RATED", de_en("Nicht bewertete Quartiere",
                                                                      "Districts not rated")))

    def add_index_parameters(self):
        """The parameters that define an index (shared with ``sozialraum:indexdiagnostics``)."""
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, de_en("Quartiere (Polygone oder Tabelle)", "Districts (polygons or table)"),
            [compat.SOURCE_VECTOR_ANY]))
        self.addParameter(QgsProcessingParameterField(
            self.ID_FIELD, de_en("Kennung (ID-Feld)", "District ID field"), parentLayerParameterName=self.INPUT))
        self.addParameter(QgsProcessingParameterField(
            self.INDICATORS, de_en("Indikatoren (höher = mehr Bedarf, außer den unten umgekehrten)",
                                   "Indicators (higher = more need, except those reversed below)"),
            parentLayerParameterName=self.INPUT, type=compat.FIELD_ANY, allowMultiple=True))
        self.addParameter(QgsProcessingParameterField(
            self.REVERSE, de_en("Davon umgekehrt (höher = weniger Bedarf; nur Felder aus den Indikatoren)",
                                "Of these, reversed (higher = less need; only fields among the indicators)"),
            parentLayerParameterName=self.INPUT, type=compat.FIELD_ANY, allowMultiple=True, optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.WEIGHTS, de_en("Gewichte (z. B. '1,1,2' oder 'q_alo=2'; leer = gleich)",
                                "Weights (e.g. '1,1,2' or 'q_alo=2'; empty = equal)"), optional=True))
        self.add_choice(self.NORMALIZATION, de_en("Normierung", "Normalisation"), [
            ("zscore", de_en("z-Wert (Standardabweichung der Gesamtheit)", "z-score (population SD)")),
            ("zscore_sample", de_en("z-Wert (Stichproben-Standardabweichung)", "z-score (sample SD)")),
            ("minmax", de_en("Min-Max auf 0–100", "min-max to 0–100")),
            ("percentile", de_en("Perzentilrang 0–100", "percentile rank 0–100")),
            ("reference", de_en("Abstand zum Referenzwert in %", "distance to reference value in %")),
        ], "zscore")
        self.addParameter(QgsProcessingParameterString(
            self.REFERENCE_VALUES, de_en("Referenzwerte (für 'reference'; leer = Stadtmittel)",
                                         "Reference values (for 'reference'; empty = city mean)"),
            optional=True))
        self.add_choice(self.AGGREGATION, de_en("Zusammenfassung", "Aggregation"), [
            ("sum", de_en("Summe", "sum")),
            ("mean", de_en("gewichteter Mittelwert", "weighted mean")),
            ("geometric", de_en("geometrisches Mittel", "geometric mean")),
        ], "sum")
        self.addParameter(QgsProcessingParameterBoolean(
            self.RESTANDARDIZE, de_en("Summe erneut standardisieren", "Standardise the aggregate again"),
            defaultValue=True))
        self.addParameter(QgsProcessingParameterField(
            self.POPULATION_FIELD, de_en("Einwohnerfeld", "Population field"), parentLayerParameterName=self.INPUT,
            type=compat.FIELD_ANY, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_POPULATION, de_en("Mindesteinwohnerzahl für eine Bewertung", "Minimum population to be rated"),
            type=compat.NUMBER_DOUBLE, minValue=0, defaultValue=300))
        self.addParameter(QgsProcessingParameterBoolean(
            self.WITHOUT_POPULATION, de_en("Ohne Einwohnerfeld bewerten (dann werden auch sehr kleine Quartiere "
                                           "bewertet und ihre Werte veröffentlicht)",
                                           "Rate without a population field (very small districts are then rated "
                                           "and their values published too)"), defaultValue=False))
        self.add_choice(self.MISSING, de_en("Fehlende Werte", "Missing values"), [
            ("exclude", de_en("Quartier nicht bewerten", "leave the district unrated")),
            ("reweight", de_en("über vorhandene Indikatoren neu gewichten", "re-weight over available indicators")),
            ("median", de_en("Median einsetzen", "impute the median")),
        ], "exclude")
        self.addParameter(self._advanced(QgsProcessingParameterNumber(
            self.MIN_SHARE, de_en("Mindestanteil vorhandener Gewichte (neu gewichten)",
                                  "Minimum share of available weight (re-weight)"),
            type=compat.NUMBER_DOUBLE, minValue=0.01, maxValue=1, defaultValue=0.5)))
        self.add_choice(self.CLASSIFICATION, de_en("Klassenbildung", "Classification"), [
            ("stddev", de_en("Standardabweichungen", "standard deviations")),
            ("quantile", de_en("Quantile (gleich viele Quartiere)", "quantiles (equal counts)")),
            ("jenks", de_en("natürliche Brüche (Fisher/Jenks, exakt)", "natural breaks (Fisher/Jenks, exact)")),
            ("equal", de_en("gleiche Intervalle", "equal intervals")),
            ("manual", de_en("eigene Grenzen", "manual breaks")),
        ], "stddev")
        self.addParameter(QgsProcessingParameterNumber(
            self.N_CLASSES, de_en("Anzahl Klassen (Quantile, Jenks, gleiche Intervalle)",
                                  "Number of classes (quantile, jenks, equal)"),
            type=compat.NUMBER_INTEGER, minValue=2, maxValue=9, defaultValue=5))
        self.addParameter(QgsProcessingParameterString(
            self.STDDEV_CUTS, de_en("Grenzen in Standardabweichungen", "Cut-offs in standard deviations"),
            defaultValue="-1.5, -0.5, 0.5, 1.5"))
        self.addParameter(QgsProcessingParameterString(
            self.BREAKS, de_en("Eigene Klassengrenzen (für 'manual')", "Manual class breaks (for 'manual')"),
            optional=True))
        self.addParameter(self._advanced(QgsProcessingParameterString(
            self.LABELS, de_en("Klassennamen, durch ';' getrennt (leer = Wertebereiche)",
                               "Class labels separated by ';' (empty = value ranges)"), optional=True)))

    @staticmethod
    def _advanced(parameter):
        parameter.setFlags(parameter.flags() | compat.FLAG_ADVANCED)
        return parameter

    def spec_from_parameters(self, parameters, context):
        """The :class:`IndexSpec` the user asked for (shared with the diagnostics algorithm)."""
        indicators = self.parameterAsFields(parameters, self.INDICATORS, context)
        population = self.parameterAsString(parameters, self.POPULATION_FIELD, context) or None
        return IndexSpec(
            indicators=indicators,
            reverse=self.parameterAsFields(parameters, self.REVERSE, context),
            weights=self.core_call(parse_weights, self.parameterAsString(parameters, self.WEIGHTS, context),
                                   indicators),
            normalization=self.choice(parameters, self.NORMALIZATION, context),
            reference_values=self.core_call(
                parse_weights, self.parameterAsString(parameters, self.REFERENCE_VALUES, context), indicators,
                positive=False),
            aggregation=self.choice(parameters, self.AGGREGATION, context),
            restandardize=self.parameterAsBoolean(parameters, self.RESTANDARDIZE, context),
            population=population,
            min_population=self.parameterAsDouble(parameters, self.MIN_POPULATION, context) if population else 0.0,
            missing=self.choice(parameters, self.MISSING, context),
            min_share=self.parameterAsDouble(parameters, self.MIN_SHARE, context),
            classification=self.choice(parameters, self.CLASSIFICATION, context),
            n_classes=self.parameterAsInt(parameters, self.N_CLASSES, context),
            stddev_cuts=tuple(self.core_call(parse_number_list,
                                             self.parameterAsString(parameters, self.STDDEV_CUTS, context),
                                             self.STDDEV_CUTS)),
            breaks=self.core_call(parse_number_list, self.parameterAsString(parameters, self.BREAKS, context),
                                  self.BREAKS) or None,
            labels=parse_labels(self.parameterAsString(parameters, self.LABELS, context)),
        )

    def read_index_frame(self, source, id_field, spec, feedback, extra_fields=()):
        """The attributes the index needs (and ``extra_fields``), as a DataFrame indexed by feature id."""
        feedback.pushInfo(de_en("Lese Attribute …", "Reading attributes …"))
        needed = [id_field] + list(spec.indicators) + list(spec.reverse) + ([spec.population] if spec.population
                                                                              else [])
        needed += [f for f in extra_fields if f not in needed]
        return self.read_source(source, needed, feedback)

    def read_index_input(self, parameters, context, feedback, extra_fields=(), spec=None, without_population=False):
        """``(source, id_field, spec, frame)`` for the index parameters (shared with the diagnostics); the
        frame also holds ``extra_fields``; ``spec`` (default: from the parameters) the settings;
        ``without_population``: rating without a population field was chosen already (an index result's record).

        Without a population field nothing would protect small districts (minimum population, statistical
        confidentiality): that takes the field or the explicit choice ``WITHOUT_POPULATION``, then logged."""
        source = self.source_or_fail(parameters, self.INPUT, context)
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context)
        spec = spec or self.spec_from_parameters(parameters, context)
        if not spec.population:
            if not (without_population or self.parameterAsBoolean(parameters, self.WITHOUT_POPULATION, context)):
                raise QgsProcessingException(de_en(
                    "Bitte das Einwohnerfeld angeben: ohne Einwohnerzahl lassen sich kleine Quartiere weder von der "
                    "Bewertung ausnehmen noch ihre Werte schützen. Wer bewusst ohne bewerten will, wählt „Ohne "
                    "Einwohnerfeld bewerten“ (WITHOUT_POPULATION).",
                    "Please give the population field: without it small districts can neither be left unrated nor "
                    "their values protected. To rate without it on purpose, choose 'Rate without a population "
                    "field' (WITHOUT_POPULATION)."))
            feedback.pushWarning(de_en(
                "Bewertet ohne Einwohnerfeld: auch sehr kleine Quartiere sind bewertet (so steht es im Bericht).",
                "Rated without a population field: very small districts are rated too (the report says so)."))
        return source, id_field, spec, self.read_index_frame(source, id_field, spec, feedback, extra_fields)

    def process(self, parameters, context, feedback):
        source, id_field, spec, frame = self.read_index_input(parameters, context, feedback)
        if feedback.isCanceled():
            return {}

        feedback.pushInfo(de_en("Berechne den Index …", "Computing the index …"))
        result = self.core_call(compute_index, frame, spec, id_field)
        for warning in result.warnings:
            feedback.pushWarning(warning)
        feedback.setProgress(40)

        table = result.table
        result_columns = list(result.normalized_columns.values()) + [
            "index_value", "index_rank", "index_class", "index_label", "rated", "note"]
        dest_id = self.write_result(parameters, self.OUTPUT, context, feedback, source, table, result_columns, 40.0)
        if dest_id is None:
            return {}

        method = dict(result.parameters, algorithm="sozialraum:" + self.NAME, id_field=id_field,
                      rated_without_population=not spec.population)
        self.save_method(dest_id, method, context)
        attach_class_style(context, dest_id, "index_class", result.classification.labels,
                           de_en("Sozialindex", "Social index"), method)
        n_rated = int(table["rated"].sum())
        feedback.pushInfo(de_en("{} Quartiere bewertet, {} nicht bewertet.", "{} districts rated, {} not rated.")
                          .format(n_rated, len(table) - n_rated))
        return {self.OUTPUT: dest_id, "METHOD": json.dumps(method, ensure_ascii=False),
                "N_RATED": n_rated, "N_NOT_RATED": len(table) - n_rated}
