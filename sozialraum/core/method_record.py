"""The method record: how a result came about, typed and versioned (no QGIS).

Every algorithm keeps one with its result (where it is kept: ``adapters/method_record.py``); the report reads
results only through these classes, so a field is named in one place and an older record still reads.

* One class per kind of result: :class:`IndexRecord` (``sozialraum:districtindex``), :class:`StatusDynamicRecord`
  (``sozialraum:statusdynamicindex``), :class:`CoverageRecord`, :class:`CatchmentsRecord`,
  :class:`NeedCoverageRecord`, :class:`AllocationRecord` (``sozialraum:allocation``), :class:`HotspotsRecord`
  (``sozialraum:hotspots``); :class:`MethodRecord` for anything else.
* One shape for counts (:class:`Counts`): areas, rated, not rated and why, per class.
* ``version`` 2 (this module). Version 1 (no ``version`` key, written until December 2026) reads the same:
  the MSS kept its indicator statistics under ``indicators`` and its counts as ``n_areas`` / ``n_rated`` /
  ``class_counts``; :meth:`MethodRecord.from_dict` maps them.
* Keys a class does not know are kept in ``extra`` and written back, so nothing is lost on the way.
"""

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Optional

VERSION = 2


@dataclass
class Counts:
    """How many areas a result has, how many were rated, why the others were not, and per class."""

    areas: int = 0
    rated: int = 0
    not_rated: int = 0
    no_population: int = 0
    below_min_population: int = 0
    missing_values: int = 0
    completed: int = 0
    per_class: list = field(default_factory=list)


@dataclass
class MethodRecord:
    """What every record has. ``kind`` says which result it describes (``index``, ``mss``, ``coverage`` ...)."""

    algorithm: str = ""
    version: int = VERSION
    id_field: Optional[str] = None
    language: str = "de"
    data_date: str = ""
    counts: Counts = field(default_factory=Counts)
    extra: dict = field(default_factory=dict)

    KIND = "other"
    # version-1 keys under other names: {old key: field}
    RENAMED = {}

    @property
    def kind(self):
        return self.KIND

    def to_dict(self):
        """The record as plain data (JSON types), version 2."""
        data = {name: value for name, value in asdict(self).items() if name != "extra"}
        data["version"] = VERSION
        return dict(self.extra, **data)

    def to_json(self):
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data):
        """The record of ``data`` (a version 1 or 2 dict); unknown keys go to ``extra``."""
        data = dict(data or {})
        for old, new in cls.RENAMED.items():
            if old in data and new not in data:
                data[new] = data.pop(old)
        counts = cls._counts(data)
        known = {f.name for f in fields(cls)} - {"extra", "counts"}
        values = {name: data.pop(name) for name in list(data) if name in known}
        data.pop("version", None)
        values["version"] = VERSION
        return cls(counts=counts, extra=data, **values)

    @staticmethod
    def _counts(data):
        """:class:`Counts` from ``counts`` (version 2 and the index of version 1) or the flat version-1 keys."""
        given = data.pop("counts", None) or {}
        counts = Counts(**{name: given[name] for name in given if name in {f.name for f in fields(Counts)}})
        if "n_areas" in data:
            counts.areas = int(data.pop("n_areas") or 0)
        if "n_rated" in data:
            counts.rated = int(data.pop("n_rated") or 0)
            counts.not_rated = counts.areas - counts.rated
        if "n_districts" in data and not counts.areas:
            counts.areas = int(data["n_districts"] or 0)
        return counts


@dataclass
class IndexRecord(MethodRecord):
    """``sozialraum:districtindex``: the parameters of core/index.py as used, and what came of them."""

    KIND = "index"

    indicators: list = field(default_factory=list)
    reverse: list = field(default_factory=list)
    weights: dict = field(default_factory=dict)
    normalization: str = "zscore"
    reference_values: Optional[dict] = None
    aggregation: str = "sum"
    geometric_shift: Optional[float] = None
    restandardize: bool = True
    population: Optional[str] = None
    rated_without_population: bool = False
    min_population: float = 0.0
    missing: str = "exclude"
    min_share: float = 0.5
    classification: str = ""
    n_classes: int = 0
    stddev_cuts: Optional[list] = None
    breaks: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    rule: str = ""
    indicator_statistics: dict = field(default_factory=dict)
    aggregate_mean: Optional[float] = None
    aggregate_sd: Optional[float] = None
    normalized_columns: dict = field(default_factory=dict)
    id_column: Optional[str] = None


@dataclass
class StatusDynamicRecord(MethodRecord):
    """``sozialraum:statusdynamicindex`` (MSS method)."""

    KIND = "mss"
    RENAMED = {"indicators": "indicator_statistics"}

    status_fields: list = field(default_factory=list)
    dynamic_fields: list = field(default_factory=list)
    dynamic_pairs: list = field(default_factory=list)
    indicator_statistics: dict = field(default_factory=dict)
    population_field: Optional[str] = None
    min_population: float = 0.0
    method: str = ""
    status_rule: str = ""
    dynamic_rule: str = ""
    class_counts: dict = field(default_factory=dict)
    n_attention: int = 0


@dataclass
class CoverageRecord(MethodRecord):
    """``sozialraum:servicecoverage``."""

    KIND = "coverage"

    method: str = ""
    distance: str = ""
    thresholds_m: list = field(default_factory=list)
    catchment_d0_m: Optional[float] = None
    cutoff_inclusive: bool = True
    capacity_field: Optional[str] = None
    target_population_field: Optional[str] = None
    demand: str = ""
    demand_field: Optional[str] = None
    norm: Optional[float] = None
    level: str = ""
    class_field: str = ""
    class_breaks: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    fca_weight: Optional[str] = None
    steps: Optional[list] = None
    gaussian_sigma_m: Optional[float] = None
    speed_kmh: Optional[float] = None
    crs: str = ""
    crs_message: Optional[str] = None
    network: Optional[dict] = None
    n_districts: int = 0
    n_services: int = 0
    n_demand_points: int = 0
    n_demand_outside_districts: int = 0
    total_capacity: Optional[float] = None
    unreached_share: Optional[float] = None
    unused_services: list = field(default_factory=list)
    repaired_districts: list = field(default_factory=list)


@dataclass
class CatchmentsRecord(MethodRecord):
    """``sozialraum:catchments``."""

    KIND = "catchments"

    distance: str = ""
    thresholds_m: list = field(default_factory=list)
    buffer_m: Optional[float] = None
    cutoff_inclusive: bool = True
    crs: str = ""
    n_services: int = 0
    demand_field: Optional[str] = None
    n_empty: int = 0


@dataclass
class NeedCoverageRecord(MethodRecord):
    """``sozialraum:needcoverage``."""

    KIND = "need_coverage"

    need_field: str = ""
    need_mode: str = ""
    n_need_classes: Optional[int] = None
    higher_is_more_need: bool = True
    coverage_field: str = ""
    coverage_mode: str = ""
    types: dict = field(default_factory=dict)
    n_no_type: int = 0
    coverage_only: list = field(default_factory=list)


@dataclass
class AllocationRecord(MethodRecord):
    """``sozialraum:allocation`` (core/allocation.py): the parameters and what the budget reached.

    ``top_share``: share of the budget reaching the quarters of highest need (``top_definition`` says which),
    ``top_share_watering_can`` the same for the watering can; ``curve``: the concentration curve (quarters by
    need, most first: ``population_share`` against ``allocation_share`` and ``watering_can_share``)."""

    KIND = "allocation"

    method: str = ""
    need_field: str = ""
    population_field: str = ""
    budget: float = 0.0
    unit: float = 0.01
    base_share: float = 0.0
    factors: list = field(default_factory=list)
    threshold_class: Optional[int] = None
    n_classes: Optional[int] = None
    budget_units: int = 0
    not_rated: list = field(default_factory=list)
    top_definition: str = ""
    n_top: int = 0
    top_share: Optional[float] = None
    top_share_watering_can: Optional[float] = None
    top_population_share: Optional[float] = None
    concentration_index: Optional[float] = None
    curve: dict = field(default_factory=dict)


@dataclass
class HotspotsRecord(MethodRecord):
    """``sozialraum:hotspots`` (core/hotspots.py): weights, tests and the clusters of need found."""

    KIND = "hotspots"

    field_name: str = ""
    weights: str = "queen"
    distance: Optional[float] = None
    k: Optional[int] = None
    permutations: int = 999
    seed: int = 12345
    alpha: float = 0.05
    fdr: bool = False
    p_threshold: Optional[float] = None
    population_field: Optional[str] = None
    indicators: list = field(default_factory=list)
    moran_i: Optional[float] = None
    types: dict = field(default_factory=dict)
    n_clusters: int = 0
    islands: list = field(default_factory=list)
    not_rated: list = field(default_factory=list)
    clusters: list = field(default_factory=list)


_CLASSES = {
    "sozialraum:districtindex": IndexRecord,
    "sozialraum:statusdynamicindex": StatusDynamicRecord,
    "sozialraum:servicecoverage": CoverageRecord,
    "sozialraum:catchments": CatchmentsRecord,
    "sozialraum:needcoverage": NeedCoverageRecord,
    "sozialraum:allocation": AllocationRecord,
    "sozialraum:hotspots": HotspotsRecord,
}


def record_from_dict(data):
    """The typed record of a stored dict (version 1 or 2). Without an ``algorithm`` (records written by hand or
    by early versions) the kind is recognised by its keys: ``status_fields`` = MSS, ``normalization`` = index."""
    data = dict(data or {})
    cls = _CLASSES.get(str(data.get("algorithm", "")))
    if cls is None:
        if "status_fields" in data:
            cls = StatusDynamicRecord
        elif "normalization" in data:
            cls = IndexRecord
        else:
            cls = MethodRecord
    return cls.from_dict(data)


def as_record(method):
    """``method`` as a typed record (a record stays itself, a dict is read by :func:`record_from_dict`)."""
    return method if isinstance(method, MethodRecord) else record_from_dict(method)


def record_from_json(text):
    return record_from_dict(json.loads(text))
