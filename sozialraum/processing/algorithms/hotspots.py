"""``sozialraum:hotspots`` — Gebietskulisse: clusters of need by local Moran's I and Gi* (core/hotspots.py)."""

import json

import numpy as np
from qgis.core import (
    QgsFeature,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
)

from ...adapters import compat
from ...adapters.contiguity import WEIGHT_KINDS, neighbours_of, read_polygons
from ...adapters.styling import apply_funding_area_style, apply_hotspot_style, attach_layer_style
from ...core.errors import format_number, names
from ...core.frames import check_unique_ids, id_order, numeric_columns, quantities
from ...core.hotspots import RESULT_COLUMNS, TYPES, area_profile, hotspots
from ..base import SozialraumAlgorithm, de_en

class HotspotsAlgorithm(SozialraumAlgorithm):
    NAME = "hotspots"
    GROUP_ID = "entscheidung"

    INPUT = "INPUT"
    ID_FIELD = "ID_FIELD"
    FIELD = "FIELD"
    WEIGHTS = "WEIGHTS"
    DISTANCE = "DISTANCE"
    K = "K"
    PERMUTATIONS = "PERMUTATIONS"
    SEED = "SEED"
    ALPHA = "ALPHA"
    FDR = "FDR"
    POPULATION_FIELD = "POPULATION_FIELD"
    INDICATORS = "INDICATORS"
    OUTPUT = "OUTPUT"
    OUTPUT_AREAS = "OUTPUT_AREAS"

    CHOICES = {WEIGHTS: WEIGHT_KINDS}

    def displayName(self):
        return de_en("Gebietskulisse (Häufungen von Bedarf)", "Funding areas (clusters of need)")


    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, de_en("Quartiere (Polygone)", "Quarters (polygons)"), [compat.SOURCE_VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterField(
            self.ID_FIELD, de_en("Kennung (ID-Feld)", "Quarter ID field"), parentLayerParameterName=self.INPUT))
        self.addParameter(QgsProcessingParameterField(
            self.FIELD, de_en("Bedarfsfeld (höher = mehr Bedarf)", "Need field (higher = more need)"),
            defaultValue="index_value", parentLayerParameterName=self.INPUT, type=compat.FIELD_ANY))
        self.add_choice(self.WEIGHTS, de_en("Nachbarschaft", "Neighbours"), [
            ("queen", de_en("berühren sich (auch an einer Ecke)", "touching (a corner too)")),
            ("rook", de_en("gemeinsame Grenze", "shared boundary")),
            ("distance", de_en("Schwerpunkte innerhalb der Entfernung", "centroids within the distance")),
            ("knn", de_en("K nächste Schwerpunkte", "K nearest centroids")),
        ], "queen")
        self.addParameter(QgsProcessingParameterNumber(
            self.DISTANCE, de_en("Entfernung in Metern (für 'distance')", "Distance in metres (for 'distance')"),
            type=compat.NUMBER_DOUBLE, minValue=0.0, defaultValue=1000.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.K, de_en("K nächste (für 'knn')", "K nearest (for 'knn')"), type=compat.NUMBER_INTEGER, minValue=1,
            defaultValue=6))
        self.addParameter(QgsProcessingParameterNumber(
            self.PERMUTATIONS, de_en("Permutationen", "Permutations"), type=compat.NUMBER_INTEGER, minValue=1,
            maxValue=99999, defaultValue=999))
        self.addParameter(QgsProcessingParameterNumber(
            self.SEED, de_en("Startwert des Zufalls (gleicher Wert = gleiches Ergebnis)",
                             "Random seed (same value = same result)"), type=compat.NUMBER_INTEGER, minValue=0,
            defaultValue=12345))
        self.addParameter(QgsProcessingParameterNumber(
            self.ALPHA, de_en("Signifikanzniveau", "Significance level"), type=compat.NUMBER_DOUBLE, minValue=0.0,
            maxValue=1.0, defaultValue=0.05))
        self.addParameter(QgsProcessingParameterBoolean(
            self.FDR, de_en("Für viele Tests korrigieren (FDR, Benjamini-Hochberg)",
                            "Correct for many tests (FDR, Benjamini-Hochberg)"), defaultValue=False))
        self.addParameter(QgsProcessingParameterField(
            self.POPULATION_FIELD, de_en("Einwohnerfeld (für die Gebiete)", "Population field (for the areas)"),
            parentLayerParameterName=self.INPUT, type=compat.FIELD_ANY, optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.INDICATORS, de_en("Indikatoren im Gebietsprofil (leer = Bedarfsfeld)",
                                   "Indicators in the area profile (empty = need field)"),
            parentLayerParameterName=self.INPUT, type=compat.FIELD_ANY, allowMultiple=True, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, de_en("Häufungen je Quartier", "Clusters per quarter")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_AREAS, de_en("Gebietskulisse", "Funding areas"), compat.SOURCE_VECTOR_POLYGON,
            optional=True))
        self.addOutput(QgsProcessingOutputString("METHOD", de_en("Verfahren (JSON)", "Method record (JSON)")))
        self.addOutput(QgsProcessingOutputNumber("N_CLUSTERS", de_en("Gebiete", "Areas")))

    def process(self, parameters, context, feedback):
        source = self.source_or_fail(parameters, self.INPUT, context)
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context)
        field = self.parameterAsString(parameters, self.FIELD, context)
        weights = self.choice(parameters, self.WEIGHTS, context)
        population_field = self.parameterAsString(parameters, self.POPULATION_FIELD, context) or None
        indicators = self.parameterAsFields(parameters, self.INDICATORS, context) or [field]
        settings = {"permutations": self.parameterAsInt(parameters, self.PERMUTATIONS, context),
                    "seed": self.parameterAsInt(parameters, self.SEED, context),
                    "alpha": self.parameterAsDouble(parameters, self.ALPHA, context),
                    "fdr": self.parameterAsBoolean(parameters, self.FDR, context)}
        distance = self.parameterAsDouble(parameters, self.DISTANCE, context) if weights == "distance" else None
        k = self.parameterAsInt(parameters, self.K, context) if weights == "knn" else None

        frame = self.read_source(source, [id_field, field, population_field] + indicators, feedback, (0.0, 10.0))
        self.core_call(check_unique_ids, frame, id_field)
        values = self.core_call(numeric_columns, frame, list(dict.fromkeys([field] + indicators)), id_field)
        ids = frame[id_field].to_numpy(dtype=object)
        labels = [str(v) for v in ids.tolist()]
        population = None if population_field is None else self.core_call(
            quantities, frame[population_field].to_numpy(), labels, population_field)
        geometries = read_polygons(source, feedback, (10.0, 25.0))
        if geometries is None:
            return {}
        has_geometry = np.array([fid in geometries for fid in frame.index.tolist()])
        rated = has_geometry & ~np.isnan(values[field].to_numpy())
        left_out = [labels[i] for i in np.flatnonzero(~rated)]
        if left_out:
            feedback.pushWarning(de_en(
                "{} Quartier(e) ohne Wert in '{}' oder ohne Geometrie bleiben außen vor: {}.",
                "{} quarter(s) without a value in '{}' or without a geometry are left out: {}.").format(
                len(left_out), field, names(left_out)))
        positions = np.flatnonzero(rated)
        shapes = [geometries[fid] for fid in frame.index[positions].tolist()]
        built = self.core_call(neighbours_of, shapes, weights, source.sourceCrs(), source.sourceName(), distance, k,
                               feedback)
        if built is None:
            return {}
        neighbours, geos_checks = built
        feedback.pushInfo(de_en("Nachbarschaft '{}': {} Beziehungen ({} mit GEOS geprüft).",
                                "Neighbours '{}': {} relations ({} checked with GEOS).").format(
            weights, neighbours.indices.size, geos_checks))
        feedback.setProgress(40)
        result = self.core_call(hotspots, values[field].to_numpy()[positions], neighbours, id_order(ids[positions]),
                                is_canceled=feedback.isCanceled, **settings)
        if result is None:
            return {}
        islands = [labels[positions[i]] for i in result.islands.tolist()]
        if islands:
            feedback.pushWarning(de_en("{} Quartier(e) ohne Nachbarn erhalten 'ns' (kein Test möglich): {}.",
                                       "{} quarter(s) without neighbours get 'ns' (no test possible): {}.").format(
                len(islands), names(islands)))
        table = result.table.set_index(frame.index[positions]).reindex(frame.index)
        feedback.setProgress(70)

        areas = parameters.get(self.OUTPUT_AREAS) not in (None, "")
        dest_id = self.write_result(parameters, self.OUTPUT, context, feedback, source, table, RESULT_COLUMNS, 70.0,
                                    90.0 if areas else 100.0)
        if dest_id is None:
            return {}
        cluster = np.zeros(len(frame), dtype=np.int64)
        cluster[positions] = result.table["cluster_id"].fillna(0).to_numpy(dtype=np.int64)
        profile = area_profile(cluster, population, values[indicators])
        results = {self.OUTPUT: dest_id}
        if areas:
            results[self.OUTPUT_AREAS] = self._write_areas(parameters, context, source, frame, geometries, cluster,
                                                           labels, profile)
        types = result.table["lisa_typ"].value_counts().to_dict()
        method = dict(settings, algorithm="sozialraum:" + self.NAME, id_field=id_field, field_name=field,
                      weights=weights, distance=distance, k=k, p_threshold=result.p_threshold,
                      population_field=population_field, indicators=indicators, moran_i=result.moran_i,
                      types={key: int(types.get(key, 0)) for key in TYPES + ("ns",)},
                      n_clusters=int(cluster.max()), islands=islands, not_rated=left_out,
                      clusters=[dict({"cluster_id": int(number)}, **{
                          key: None if value != value else int(value) if key == "anzahl_quartiere" else float(value)
                          for key, value in row.items()}) for number, row in profile.iterrows()],
                      counts={"areas": len(frame), "rated": int(rated.sum()), "not_rated": len(left_out)})
        self.save_method(dest_id, method, context)
        attach_layer_style(context, dest_id, apply_hotspot_style, de_en("Häufungen", "Clusters"), method)
        feedback.pushInfo(de_en("Moran's I (global) {}; {} Gebiet(e) aus signifikanten HH-Quartieren (p ≤ {}).",
                                "Moran's I (global) {}; {} area(s) of significant HH quarters (p ≤ {}).").format(
            format_number(result.moran_i, 3), int(cluster.max()), format_number(result.p_threshold, 4)))
        results.update({"METHOD": json.dumps(method, ensure_ascii=False), "N_CLUSTERS": int(cluster.max())})
        return results

    def _write_areas(self, parameters, context, source, frame, geometries, cluster, labels, profile):
        """Each cluster dissolved into one (multi)polygon with its profile (core.hotspots.area_profile)."""
        fields = QgsFields()
        fields.append(QgsField("cluster_id", compat.FIELD_INT))
        fields.append(QgsField("quartiere", compat.FIELD_STRING))
        for name in profile.columns:
            fields.append(QgsField(name, compat.FIELD_INT if name == "anzahl_quartiere" else compat.FIELD_DOUBLE))
        sink, dest_id = self.sink_or_fail(parameters, self.OUTPUT_AREAS, context, fields, compat.WKB_MULTIPOLYGON,
                                          source.sourceCrs())
        feature = QgsFeature(fields)
        for number, row in profile.iterrows():
            members = np.flatnonzero(cluster == number)
            area = QgsGeometry.unaryUnion([geometries[fid] for fid in frame.index[members].tolist()])
            area.convertToMultiType()
            feature.setGeometry(area)
            feature.setAttributes([int(number), ", ".join(sorted(labels[m] for m in members))] + [
                int(value) if name == "anzahl_quartiere" else (None if value != value else float(value))
                for name, value in row.items()])
            if not sink.addFeature(feature, compat.SINK_FAST_INSERT):
                raise QgsProcessingException(sink.lastError() if hasattr(sink, "lastError") else "write error")
        attach_layer_style(context, dest_id, apply_funding_area_style, de_en("Gebietskulisse", "Funding areas"))
        return dest_id
