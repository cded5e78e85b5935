"""Everything a coverage run reads, as arrays: districts, services, demand points and the distances
between them (straight line or along a path network).

:func:`read_coverage_inputs` is the whole reading side of ``sozialraum:servicecoverage``;
:func:`read_path_network`, :func:`read_service_points` and :func:`network_pairs` also serve
``sozialraum:catchments``, so both measure the same distances by the same rules (inclusive limits;
along a network: snapping distance + network path + snapping distance).
"""

import concurrent.futures
import functools
from typing import NamedTuple

import numpy as np
import pandas as pd
from qgis.core import QgsGeometry

from ..core.coverage import service_capacities
from ..core.coverage_run import Distances, needs_pairs
from ..core.errors import InputError, de_en, names
from ..core.frames import check_unique_ids, quantities
from ..core.network import iter_network_pairs, nearest_service
from ..core.radius import counts_within, nearest_points, radius_pairs
from . import compat
from .crs import reprojection_note, request_in
from .distances import assign_districts, read_points, shapes_of
from .layers import features_unchecked
from .network_graph import components_message, components_report, read_network, snap_to_edges


def _id_sort_key(value):
    """Districts sorted by ID (numbers by value, then text), so border points do not depend on feature order."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return 0, float(value), ""
    return 1, 0.0, str(value)


class Districts:
    """The districts in the working CRS: IDs, feature ids, target population, repaired geometries."""

    def __init__(self, source, id_field, target_field, crs, transform_context, feedback, stop_on_invalid=False):
        fields = source.fields()
        for field in [id_field] + ([target_field] if target_field else []):
            if fields.lookupField(field) < 0:
                raise InputError("Feld nicht im Quartierslayer: {}.".format(field),
                                 "Field not in the district layer: {}.".format(field))
        request = request_in(source, crs, transform_context)
        self.ids, self.fids, targets, self.geometries = [], [], [], []
        empty, repaired = [], []
        # read unchecked (Processing's own check throws from inside the iterator, which can take the
        # interpreter down); the user's setting is applied below: stop, or repair for the assignment
        for feature in features_unchecked(source, request):
            if feedback.isCanceled():
                break
            value = feature[id_field]
            self.ids.append(None if compat.is_null(value) else value)
            self.fids.append(feature.id())
            if target_field:
                target = feature[target_field]
                targets.append(None if compat.is_null(target) else target)
            geometry = QgsGeometry(feature.geometry())
            if geometry.isNull() or geometry.isEmpty():
                empty.append(self.ids[-1])
            elif not geometry.isGeosValid():
                geometry = geometry.makeValid()
                repaired.append(self.ids[-1])
            self.geometries.append(geometry)
        if not self.ids:
            raise InputError("Der Quartierslayer enthält keine Objekte.", "The district layer has no features.")
        if repaired and stop_on_invalid:
            raise InputError(
                "Ungültige Geometrien (z. B. sich selbst schneidende Flächen) in den Quartieren {}. Bitte reparieren "
                "Sie sie (Werkzeug „Geometrien reparieren“) oder stellen Sie unter Einstellungen › Optionen › "
                "Verarbeitung › Allgemein „Ungültige Geometrien filtern“ auf „Nicht filtern“ (dann werden sie für "
                "die Zuordnung repariert).".format(names(repaired)),
                "Invalid geometries (e.g. self-intersecting areas) in districts {}. Please repair them (tool "
                "'Fix geometries') or set Settings › Options › Processing › General 'Invalid features filtering' "
                "to 'Do not filter' (they are then repaired for the assignment).".format(names(repaired)))
        check_unique_ids(pd.DataFrame({id_field: self.ids}, index=pd.Index(self.fids, name="fid")), id_field)
        if empty:
            raise InputError(
                "Quartiere ohne Geometrie: {}. Bitte ergänzen Sie die Flächen oder filtern Sie diese Quartiere heraus."
                .format(names(empty)),
                "Districts without a geometry: {}. Please add the areas or filter these districts out."
                .format(names(empty)))
        self.repaired = repaired
        self.labels = [str(i) for i in self.ids]
        self.target = quantities(targets, self.labels, target_field) if target_field else None
        self.order = sorted(range(len(self.ids)), key=lambda k: _id_sort_key(self.ids[k]))

    def __len__(self):
        return len(self.ids)

    @functools.cached_property
    def shapes(self):
        """The geometries in ``order``, prepared once for :func:`.distances.assign_districts` (services and
        demand points): :func:`.distances.shapes_of`."""
        return shapes_of(self.geometries, self.order)


class Demand(NamedTuple):
    """Demand points in the working CRS: weight ``P_i``, district code (-1 = outside), feature ids
    (None when the points are the districts' points on surface) and ``kind`` for the method record."""

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    district: np.ndarray
    fids: object
    kind: str
    source: object  # the demand layer's feature source (None for the districts' points)


class Services(NamedTuple):
    """Services in the working CRS: the points (:class:`.distances.PointSet`), capacity ``S_j``, labels
    for messages ("name (fid 3)") and the district each lies in (-1 = outside)."""

    points: object
    capacity: np.ndarray
    labels: list
    district: np.ndarray


class CoverageInputs(NamedTuple):
    """What a coverage run reads: :class:`Districts`, :class:`Services`, :class:`Demand`, and the
    :class:`..core.coverage_run.Distances` between demand and services."""

    districts: Districts
    services: Services
    demand: Demand
    distances: Distances


def read_service_points(source, fields, crs, transform_context, feedback, progress_span, layer=None):
    """The service points with attributes ``fields``; services without a geometry are named and left out."""
    points = read_points(source, fields, crs, transform_context, feedback, progress_span, layer=layer)
    if points.no_geometry:
        feedback.pushWarning(de_en("{} Einrichtung(en) ohne Geometrie werden nicht berücksichtigt (fid {}).",
                                   "{} service(s) without a geometry are left out (fid {}).")
                             .format(len(points.no_geometry), names(points.no_geometry)))
    return points


def read_path_network(source, crs, transform_context, feedback, progress_span, tolerance, layer=None):
    """The path network of ``source`` as a graph in ``crs`` (:func:`.network_graph.read_network`), or
    None when cancelled."""
    note = reprojection_note(de_en("Wegenetz", "Path network"), source.sourceCrs(), crs)
    if note:
        feedback.pushInfo(note)
    feedback.pushInfo(de_en("Baue das Wegenetz …", "Building the path network …"))
    return read_network(source, crs, transform_context, feedback, progress_span, tolerance, layer=layer)


class NetworkPairs(NamedTuple):
    """Demand points snapped to the network, the components report, and the pairs within the cut-off."""

    demand_at: object
    report: object
    pair_i: np.ndarray
    pair_j: np.ndarray
    pair_d: np.ndarray


def network_pairs(network, demand_x, demand_y, demand_weight, service_at, cutoff, feedback, snap_span, pair_span):
    """Every demand-service pair within ``cutoff`` along the network (inclusive); demand points
    snapped here, services at ``service_at``. Warns when demand or services sit on parts of the
    network that do not connect. None when cancelled."""
    demand_at = snap_to_edges(network, demand_x, demand_y, feedback, snap_span)
    if demand_at is None:
        return None
    report = components_report(network.graph, demand_at.node[:, 0], demand_weight, service_at.node[:, 0])
    message = components_message(report)
    if message:
        feedback.pushWarning(message)
    feedback.pushInfo(de_en("Kürzeste Wege bis {:g} m …", "Shortest paths up to {:g} m …").format(cutoff))
    parts = [(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))]
    for done, total, pair_i, pair_j, pair_d in iter_network_pairs(network.graph, demand_at, service_at, cutoff):
        if feedback.isCanceled():
            return None
        feedback.setProgress(pair_span[0] + (pair_span[1] - pair_span[0]) * done / max(total, 1))
        parts.append((pair_i, pair_j, pair_d))
    return NetworkPairs(demand_at, report, *(np.concatenate([part[k] for part in parts]) for k in range(3)))


def read_services(source, capacity_field, name_field, crs, transform_context, feedback, layer=None):
    """:class:`Services` (without their districts yet): capacities from ``capacity_field`` (empty =
    each service counts 1), labels from ``name_field`` and the feature id."""
    points = read_service_points(source, [capacity_field, name_field], crs, transform_context, feedback,
                                 (5.0, 10.0), layer)
    if name_field:
        labels = ["{} (fid {})".format(name, fid) if name is not None else "fid {}".format(fid)
                  for name, fid in zip(points.values[name_field], points.fid.tolist())]
    else:
        labels = ["fid {}".format(fid) for fid in points.fid.tolist()]
    capacity = None
    if capacity_field:
        capacity = quantities(points.values[capacity_field], labels, capacity_field, allow_missing=True)
    return Services(points, service_capacities(capacity, points.fid.size, labels), labels, None)


def read_demand(source, demand_field, districts, crs, transform_context, feedback, layer=None, assign=True):
    """The :class:`Demand`: points of ``source`` weighted by ``demand_field``, each in its district
    (``district`` None without ``assign``: :func:`assign_demand` does it later); without ``source``
    each district's point on surface weighted by its target population. None when cancelled."""
    if source is None:
        if districts.target is None:
            raise InputError("Ohne Nachfragepunkte braucht es das Feld der Zielbevölkerung je Quartier.",
                             "Without demand points the target population field of the districts is needed.")
        points = [g.pointOnSurface().asPoint() for g in districts.geometries]
        x = np.asarray([p.x() for p in points])
        y = np.asarray([p.y() for p in points])
        return Demand(x, y, districts.target, np.arange(len(districts), dtype=np.int64), None, "point_on_surface",
                      None)
    if not demand_field:
        raise InputError("Bitte wählen Sie das Feld der Zielbevölkerung der Nachfragepunkte (DEMAND_FIELD).",
                         "Please choose the target population field of the demand points (DEMAND_FIELD).")
    note = reprojection_note(de_en("Nachfragepunkte", "Demand points"), source.sourceCrs(), crs)
    if note:
        feedback.pushInfo(note)
    points = read_points(source, [demand_field], crs, transform_context, feedback, (10.0, 20.0), layer=layer)
    if points.no_geometry:
        feedback.pushWarning(de_en("{} Nachfragepunkt(e) ohne Geometrie werden nicht berücksichtigt (fid {}).",
                                   "{} demand point(s) without a geometry are left out (fid {}).")
                             .format(len(points.no_geometry), names(points.no_geometry)))
    weight = quantities(points.values[demand_field], lambda: ["fid {}".format(f) for f in points.fid.tolist()],
                        demand_field)
    demand = Demand(points.x, points.y, weight, None, points.fid, "points", source)
    return assign_demand(demand, districts, feedback) if assign else demand


def assign_demand(demand, districts, feedback, progress_span=(20.0, 25.0)):
    """``demand`` with each point in its district (:func:`.distances.assign_districts`); None when cancelled."""
    if demand.district is not None:
        return demand
    codes = assign_districts(demand.x, demand.y, districts.shapes, feedback=feedback, progress_span=progress_span)
    return None if codes is None else demand._replace(district=codes)


def straight_line_distances(demand, services, settings, is_canceled=None, pool=None):
    """:class:`..core.coverage_run.Distances` in a straight line up to ``settings.d0``; None when
    ``is_canceled()`` said so. Methods without a floating catchment get the services within each
    distance counted (``counts``) instead of every pair.

    Numpy only (the core's grid searches), no QGIS object and no feedback but ``is_canceled``: so it
    can run in a thread of its own beside the assignment of the points to districts (see
    :func:`read_coverage_inputs`); given a thread ``pool``, the nearest services are searched in another
    thread of it meanwhile."""
    points = services.points
    nearest = None if pool is None else pool.submit(nearest_points, demand.x, demand.y, points.x, points.y)
    pairs, counts = (None, None, None), None
    if needs_pairs(settings.method):
        pairs = found = radius_pairs(demand.x, demand.y, points.x, points.y, settings.d0, is_canceled=is_canceled)
    else:
        counts = found = counts_within(demand.x, demand.y, points.x, points.y, settings.thresholds,
                                       is_canceled=is_canceled)
    if found is None:
        return None
    nearest_j, nearest_d = nearest_points(demand.x, demand.y, points.x, points.y) if nearest is None \
        else nearest.result()
    return Distances(*pairs, nearest_d, nearest_j, None, None, counts)


def _assign_beside_distances(demand, districts, services, settings, feedback):
    """``(demand in its districts, straight-line distances)``, the distances computed in two more threads
    (the services within reach; the nearest service) while this one assigns the points to districts (GEOS
    through QGIS, which stays in this thread); either None when cancelled. Numpy lets go of the interpreter
    in its loops, so they overlap."""
    feedback.pushInfo(de_en("Luftlinien-Entfernungen bis {:g} m …", "Straight-line distances up to {:g} m …")
                      .format(settings.d0))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        future = pool.submit(straight_line_distances, demand, services, settings, feedback.isCanceled, pool)
        demand = assign_demand(demand, districts, feedback, (20.0, 40.0))
        feedback.setProgress(40.0)
        distances = future.result()
    feedback.setProgress(55.0)
    return demand, distances


def network_distances(network, demand, services, d0, feedback):
    """:class:`..core.coverage_run.Distances` along ``network`` (from :func:`read_path_network`), with
    the snapping distances and the network's facts for the method record; None when cancelled."""
    graph = network.graph
    service_at = snap_to_edges(network, services.points.x, services.points.y)
    found = network_pairs(network, demand.x, demand.y, demand.weight, service_at, d0, feedback, (25.0, 30.0),
                          (30.0, 55.0))
    if found is None:
        return None
    demand_snap, service_snap, report = found.demand_at.snap, service_at.snap, found.report
    feedback.pushInfo(de_en(
        "Wegenetz: {} Knoten, {} Kanten. Fangabstand zum nächsten Punkt des Netzes: Nachfragepunkte max. "
        "{:.1f} m, Mittel {:.1f} m; Einrichtungen max. {:.1f} m, Mittel {:.1f} m.",
        "Path network: {} nodes, {} edges. Snapping distance to the nearest point of the network: demand points "
        "max {:.1f} m, mean {:.1f} m; services max {:.1f} m, mean {:.1f} m.",
    ).format(graph.n_nodes, graph.n_edges, demand_snap.max(), demand_snap.mean(), service_snap.max(),
             service_snap.mean()))
    far = int((demand_snap > d0).sum())
    if far:
        feedback.pushWarning(de_en(
            "{} Nachfragepunkt(e) liegen weiter als {:g} m vom Wegenetz entfernt: sie erreichen über das Netz "
            "keine Einrichtung im Einzugsbereich.",
            "{} demand point(s) lie farther than {:g} m from the path network: they reach no service within the "
            "catchment along the network.",
        ).format(far, d0))
    nearest_d, nearest_j = nearest_service(graph, found.demand_at, service_at)
    facts = {"snapping": "nearest point of the nearest edge", "nodes": graph.n_nodes, "edges": graph.n_edges,
             "lines_without_geometry": len(network.no_geometry),
             "components": report.n_components, "main_component_node_share": round(report.main_share, 6),
             "demand_off_main_component": round(report.demand_off_main, 6),
             "demand_without_service_in_component": round(report.demand_without_service, 6),
             "services_off_main_component": report.services_off_main,
             "snap_demand_max_m": round(float(demand_snap.max()), 2),
             "snap_demand_mean_m": round(float(demand_snap.mean()), 2),
             "snap_services_max_m": round(float(service_snap.max()), 2),
             "snap_services_mean_m": round(float(service_snap.mean()), 2)}
    return Distances(found.pair_i, found.pair_j, found.pair_d, nearest_d, nearest_j, demand_snap, facts)


def _report_outside(demand, service_district, feedback):
    outside = demand.district < 0
    if outside.any():
        feedback.pushWarning(de_en(
            "{} Nachfragepunkt(e) (Zielbevölkerung {:g}) liegen außerhalb aller Quartiere (Gebiet -1): sie zählen "
            "in keinem Quartier, nutzen aber die Einrichtungen in Reichweite.",
            "{} demand point(s) (target population {:g}) lie outside all districts (district -1): they count in "
            "no district but use the services in reach.",
        ).format(int(outside.sum()), float(demand.weight[outside].sum())))
    if (service_district < 0).any():
        feedback.pushInfo(de_en(
            "{} Einrichtung(en) liegen außerhalb aller Quartiere: sie versorgen die Nachfrage in Reichweite, "
            "zählen aber in keinem Quartier als Bestand.",
            "{} service(s) lie outside all districts: they serve the demand in reach but count as supply in no "
            "district.",
        ).format(int((service_district < 0).sum())))


def read_coverage_inputs(sources, fields, crs, transform_context, settings, tolerance, stop_on_invalid, feedback,
                         whole_layer):
    """Read a coverage run's layers into arrays: :class:`CoverageInputs`, or None when cancelled.

    ``sources``: the feature sources ``(districts, services, demand or None, network or None)``;
    ``fields``: the chosen field names (``id_field``, ``target_field``, ``capacity_field``,
    ``name_field``, ``demand_field``); ``whole_layer(source)``: the layer a source reads in full,
    or None (then it is read feature by feature). Distances up to ``settings.d0`` in ``crs``, in a
    straight line or along the network (vertices closer than ``tolerance`` are one place).
    """
    d0 = settings.d0
    district_source, service_source, demand_source, network_source = sources
    note = reprojection_note(de_en("Einrichtungen", "Services"), service_source.sourceCrs(), crs)
    if note:
        feedback.pushInfo(note)
    districts = Districts(district_source, fields["id_field"], fields["target_field"], crs, transform_context,
                          feedback, stop_on_invalid)
    if districts.repaired:
        feedback.pushWarning(de_en(
            "Ungültige Geometrien wurden für die Zuordnung repariert (makeValid): Quartiere {}. Die Ausgabe "
            "behält die Eingabegeometrie.",
            "Invalid geometries were repaired for the assignment (makeValid): districts {}. The output keeps the "
            "input geometry.").format(names(districts.repaired)))
    services = read_services(service_source, fields["capacity_field"], fields["name_field"], crs, transform_context,
                             feedback, whole_layer(service_source))
    service_district = assign_districts(services.points.x, services.points.y, districts.shapes, feedback=feedback)
    demand = read_demand(demand_source, fields["demand_field"], districts, crs, transform_context, feedback,
                         None if demand_source is None else whole_layer(demand_source), assign=False)
    if demand is None or service_district is None or feedback.isCanceled():
        return None
    services = services._replace(district=service_district)
    if network_source is None:
        demand, distances = _assign_beside_distances(demand, districts, services, settings, feedback)
    else:
        demand = assign_demand(demand, districts, feedback)
        network = None if demand is None else read_path_network(
            network_source, crs, transform_context, feedback, (20.0, 25.0), tolerance, whole_layer(network_source))
        distances = None if network is None else network_distances(network, demand, services, d0, feedback)
    if demand is None or distances is None or feedback.isCanceled():
        return None
    _report_outside(demand, service_district, feedback)
    return CoverageInputs(districts, services, demand, distances)
