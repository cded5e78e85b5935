"""What the Sozialraum-Assistent runs, as pure functions of the user's choices (no QGIS, no Qt).

The pages collect a :class:`WizardChoices`; :func:`plan` turns it into the Processing steps
(:class:`Step`: algorithm id and parameter dict; values of earlier steps as :class:`FromStep`).
A saved analysis is the choices as JSON (:func:`choices_to_dict`, :func:`choices_from_dict`):
layers are stored by their source, and :func:`advance_fields` moves the year in the field names
for "the same analysis with next year's data". Label suggestions save clicks; the field guesses are
:mod:`sozialraum.core.field_guess` (shared with the Processing dialogs).
"""

import os
import re
from dataclasses import asdict, dataclass, field, fields
from typing import NamedTuple

from ...sozialraum.core.errors import de_en

PROVIDER = "sozialraum"
TEMPORARY = "TEMPORARY_OUTPUT"
DISTRICT_INDEX = "districtindex"
STATUS_DYNAMIC = "statusdynamicindex"
DIAGNOSTICS = "indexdiagnostics"
COVERAGE = "servicecoverage"
ALLOCATION = "allocation"
HOTSPOTS = "hotspots"
REPORT = "report"
ANALYSIS_VERSION = 1

# Options offered in the assistant (the toolbox has all of them; 'reference' and 'manual' need extra input).
NORMALIZATIONS = ("zscore", "zscore_sample", "minmax", "percentile")
AGGREGATIONS = ("sum", "mean", "geometric")
CLASSIFICATIONS = ("stddev", "quantile", "jenks", "equal")
GEOMETRIC_NORMALIZATIONS = ("minmax", "percentile")


def explanations():
    """One sentence per method option, in the current language."""
    return {
        "zscore": de_en("Jeder Indikator wird als Abstand vom Stadtmittel in Standardabweichungen gemessen, so "
                        "zählen alle Indikatoren gleich stark.",
                        "Each indicator is measured as its distance from the town mean in standard deviations, "
                        "so every indicator counts equally."),
        "zscore_sample": de_en("Wie der z-Wert, aber mit der Stichproben-Standardabweichung (n − 1); bei vielen "
                               "Quartieren fast dasselbe.",
                               "Like the z-score but with the sample standard deviation (n − 1); with many "
                               "quarters almost the same."),
        "minmax": de_en("Der kleinste Wert wird 0, der größte 100; ein einzelner Ausreißer bestimmt die Spanne.",
                        "The smallest value becomes 0 and the largest 100; a single outlier sets the range."),
        "percentile": de_en("Rangplatz in Prozent (0–100): robust gegen Ausreißer, aber Abstände zwischen "
                            "Quartieren gehen verloren.",
                            "Rank as a percentage (0–100): robust against outliers, but distances between "
                            "quarters are lost."),
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
                        "conspicuous quarters fall into the outer classes."),
        "quantile": de_en("Gleich viele Quartiere in jeder Klasse.", "The same number of quarters in each class."),
        "jenks": de_en("Natürliche Brüche: Grenzen dort, wo sich die Werte am deutlichsten trennen.",
                       "Natural breaks: limits where the values separate most clearly."),
        "equal": de_en("Gleich breite Wertebereiche.", "Value ranges of equal width."),
    }


# ------------------------------------------------------------------------------------------------
# what the user chose
# ------------------------------------------------------------------------------------------------


@dataclass
class IndicatorChoice:
    """One indicator field: ``reverse`` = higher value means less need; ``earlier`` = same field 2 years before;
    ``label`` = the readable name in the report (empty = the field name)."""

    field: str
    reverse: bool = False
    weight: float = 1.0
    earlier: str = ""
    label: str = ""


@dataclass
class ServiceChoice:
    """One service type for ``sozialraum:servicecoverage`` (layers as layer ids or sources)."""

    name: str = ""  # "Kitas": names the step, the loaded layer, the output file and the report section
    services: str = ""
    capacity_field: str = ""
    service_name_field: str = ""
    target_population_field: str = ""  # per quarter, used without demand points
    demand: str = ""
    demand_field: str = ""
    network: str = ""
    distances: str = "300, 500, 1000"
    method: str = "2sfca"
    norm: float = 0.0  # 0 = the town mean


@dataclass
class WizardChoices:
    """Everything the pages collect."""

    districts: str = ""  # layer id (or source) of the quarters
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
    services: list = field(default_factory=list)  # ServiceChoice, one coverage step each
    allocation: dict = None  # POPULATION_FIELD, METHOD, FACTORS, BUDGET, BASE_SHARE, UNIT of allocation, or None
    hotspots: bool = False  # funding areas from clusters of need (sozialraum:hotspots)
    report: dict = None  # TITLE, ORGANISATION, LOGO, LANGUAGE of sozialraum:report, or None for no report
    data_date: str = ""
    report_folder: str = ""
    results_folder: str = ""  # empty = temporary layers
    previous: str = ""  # an earlier index result to compare with in the report (layer id or source)
    last_index_result: str = ""  # where the last run saved the index (a file), for next year's comparison


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


# ------------------------------------------------------------------------------------------------
# the parameter dicts built from the choices
# ------------------------------------------------------------------------------------------------


def weights_text(indicators):
    """The WEIGHTS text of the index algorithms: ``"q_alo=2; q_sgb2=0.5"`` for weights other than 1."""
    return "; ".join("{}={:g}".format(i.field, i.weight) for i in indicators if i.weight != 1.0)


def labels_text(indicators):
    """The INDICATOR_LABELS text of the report: ``"q_alo=Arbeitslosenquote; …"`` for indicators with a label."""
    return "; ".join("{}={}".format(i.field, i.label.replace(";", ",").replace("=", "-").strip())
                     for i in indicators if i.label.strip())


def slug(text):
    """A file-name part from a service name: ``"Kitas & Horte"`` -> ``"kitas_horte"`` (umlauts spelled out)."""
    text = text.lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "einrichtungen"


def _output(choices, file_name):
    """A file in the results folder, or a temporary layer/file when no folder was chosen."""
    return os.path.join(choices.results_folder, file_name) if choices.results_folder else TEMPORARY


def _population(choices):
    return {"POPULATION_FIELD": choices.population_field or None,
            "MIN_POPULATION": float(choices.min_population) if choices.population_field else 0.0}


def _index_population(choices):
    """The population parameters of the index and its check: without a population field the assistant rates
    without one on purpose (its summary says so), as the algorithm asks to be told."""
    return dict(_population(choices), WITHOUT_POPULATION=not choices.population_field)


def parameters_for_districtindex(choices, output=None):
    """Parameters of ``sozialraum:districtindex`` (Sozialindex) from the assistant's choices."""
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


def parameters_for_servicecoverage(choices, service, output=None):
    """Parameters of ``sozialraum:servicecoverage`` for one :class:`ServiceChoice` and the quarters."""
    demand = service.demand or None
    return {
        "DISTRICTS": choices.districts, "ID_FIELD": choices.id_field,
        "SERVICES": service.services, "CAPACITY_FIELD": service.capacity_field or None,
        "SERVICE_NAME_FIELD": service.service_name_field or None,
        "TARGET_POPULATION_FIELD": service.target_population_field or None,
        "DEMAND": demand, "DEMAND_FIELD": (service.demand_field or None) if demand else None,
        "NETWORK": service.network or None,
        "DISTANCE": ", ".join("{:g}".format(v) for v in distance_values(service.distances)),
        "METHOD": service.method, "NORM": service.norm or None,
        "OUTPUT": output or _output(choices, "versorgung_{}.gpkg".format(slug(service.name))),
    }


def _index_fields(choices):
    """``(value field, class field)`` of the chosen index's result."""
    return ("status_index", "status_class") if choices.index_type == STATUS_DYNAMIC else ("index_value", "index_class")


def parameters_for_allocation(choices, output=None):
    """Parameters of ``sozialraum:allocation`` on the index result: the budget by the need classes."""
    return dict(choices.allocation or {}, INPUT=FromStep("index", "OUTPUT"), ID_FIELD=choices.id_field,
                NEED_FIELD=_index_fields(choices)[1 if (choices.allocation or {}).get("METHOD") != "proportional"
                                                 else 0],
                OUTPUT=output or _output(choices, "mittelverteilung.gpkg"))


def parameters_for_hotspots(choices, output=None, output_areas=None):
    """Parameters of ``sozialraum:hotspots`` on the index value: clusters of need and the funding areas with the
    indicators' values against the town."""
    return {"INPUT": FromStep("index", "OUTPUT"), "ID_FIELD": choices.id_field, "FIELD": _index_fields(choices)[0],
            "POPULATION_FIELD": choices.population_field or None,
            "INDICATORS": [i.field for i in choices.indicators],
            "OUTPUT": output or _output(choices, "haeufungen.gpkg"),
            "OUTPUT_AREAS": output_areas or _output(choices, "gebietskulisse.gpkg")}


def n_classes(choices):
    """The number of need classes of the chosen index (the MSS status has four)."""
    return 4 if choices.index_type == STATUS_DYNAMIC else int(choices.n_classes)


def default_factors(k):
    """Factors per class for the tiers, lowest need first: ``1, 1.2, 1.5, 2, 3`` for five classes (a common
    social-index budget), otherwise evenly from 1 to 3."""
    if k == 5:
        return "1, 1.2, 1.5, 2, 3"
    return ", ".join("{:g}".format(round(1 + 2.0 * n / max(k - 1, 1), 1)) for n in range(k))


def coverage_key(n):
    return "coverage_{}".format(n + 1)


def service_title(service):
    return de_en("Versorgung {}", "Coverage {}").format(service.name).strip()


def parameters_for_report(choices):
    """Parameters of ``sozialraum:report``: the report page's choices, the index, coverage and previous results.

    The report is written as HTML, PDF and XLSX table into the report folder.
    """
    parameters = dict(choices.report or {}, INPUT=FromStep("index", "OUTPUT"), ID_FIELD=choices.id_field,
                      NAME_FIELD=choices.name_field or None, DATA_DATE=choices.data_date,
                      INDICATOR_LABELS=labels_text(choices.indicators),
                      OUTPUT_HTML=os.path.join(choices.report_folder, "sozialbericht.html"),
                      OUTPUT_PDF=os.path.join(choices.report_folder, "sozialbericht.pdf"),
                      OUTPUT_TABLE=os.path.join(choices.report_folder, "sozialbericht.xlsx"))
    if choices.services:
        parameters["COVERAGE"] = [FromStep(coverage_key(n), "OUTPUT") for n in range(len(choices.services))]
        parameters["COVERAGE_TITLES"] = "; ".join(s.name.replace(";", ",") for s in choices.services)
    if choices.allocation is not None:
        parameters["ALLOCATION"] = FromStep("allocation", "OUTPUT")
    if choices.hotspots:
        parameters["HOTSPOTS"] = FromStep("hotspots", "OUTPUT")
    if choices.previous:
        parameters["PREVIOUS"] = choices.previous
    return parameters


def plan(choices):
    """The steps the assistant runs, in order."""
    if choices.index_type == STATUS_DYNAMIC:
        steps = [Step("index", de_en("Status-/Dynamik-Index", "Status/dynamic index"), PROVIDER + ":" + STATUS_DYNAMIC,
                      parameters_for_statusdynamicindex(choices))]
    else:
        steps = [Step("index", de_en("Sozialindex", "Social index"), PROVIDER + ":" + DISTRICT_INDEX,
                      parameters_for_districtindex(choices))]
    if choices.diagnostics:
        steps.append(Step("diagnostics", de_en("Indexprüfung (Robustheit)", "Index diagnostics (robustness)"),
                          PROVIDER + ":" + DIAGNOSTICS, parameters_for_indexdiagnostics(choices)))
    for n, service in enumerate(choices.services):
        steps.append(Step(coverage_key(n), service_title(service), PROVIDER + ":" + COVERAGE,
                          parameters_for_servicecoverage(choices, service)))
    if choices.allocation is not None:
        steps.append(Step("allocation", de_en("Mittelverteilung", "Funding by need"), PROVIDER + ":" + ALLOCATION,
                          parameters_for_allocation(choices)))
    if choices.hotspots:
        steps.append(Step("hotspots", de_en("Gebietskulisse", "Funding areas"), PROVIDER + ":" + HOTSPOTS,
                          parameters_for_hotspots(choices)))
    if choices.report is not None:
        steps.append(Step("report", de_en("Bericht", "Report"), PROVIDER + ":" + REPORT,
                          parameters_for_report(choices)))
    return steps


def problems(choices):
    """What keeps the plan from running, in plain words (empty list = ready)."""
    found = []
    allocation = choices.allocation or {}
    if choices.allocation is not None:
        if not allocation.get("POPULATION_FIELD"):
            found.append(de_en("Mittelverteilung: Wählen Sie das Feld der Zielgruppe (z. B. Kinder unter 15).",
                               "Funding: choose the field of the target group (e.g. children under 15)."))
        if not float(allocation.get("BUDGET") or 0) > 0:
            found.append(de_en("Mittelverteilung: Geben Sie ein Budget über 0 an.",
                               "Funding: give a budget above 0."))
        factors = distance_values(allocation.get("FACTORS") or "")
        if allocation.get("METHOD", "tiers") == "tiers" and len(factors) != n_classes(choices):
            found.append(de_en("Mittelverteilung: Geben Sie {} Faktoren an, einen je Klasse (niedrigster Bedarf "
                               "zuerst).", "Funding: give {} factors, one per class (lowest need first).")
                         .format(n_classes(choices)))
    names = [s.name.strip() for s in choices.services]
    if any(not name for name in names):
        found.append(de_en("Jede Einrichtungsart braucht einen Namen (z. B. Kitas).",
                           "Every service type needs a name (e.g. Day care)."))
    doubled = sorted({slug(name) for name in names if name and [slug(n) for n in names].count(slug(name)) > 1})
    if doubled:
        found.append(de_en("Zwei Einrichtungsarten tragen denselben Namen ({}).",
                           "Two service types have the same name ({}).").format(", ".join(doubled)))
    for service in choices.services:
        if not service.services:
            found.append(de_en("{}: Wählen Sie den Punkt-Layer der Einrichtungen.",
                               "{}: choose the point layer of the services.").format(service.name))
        if service.demand and not service.demand_field:
            found.append(de_en("{}: Wählen Sie das Feld mit der Zielgruppe je Nachfragepunkt.",
                               "{}: choose the field with the target group per demand point.").format(service.name))
        if not service.demand and not service.target_population_field:
            found.append(de_en("{}: Ohne Nachfragepunkte braucht es ein Feld mit der Zielgruppe je Quartier.",
                               "{}: without demand points a field with the target group per quarter is needed.")
                         .format(service.name))
        if not distance_values(service.distances):
            found.append(de_en("{}: Geben Sie Entfernungen in Metern an, z. B. 300, 500, 1000.",
                               "{}: give distances in metres, e.g. 300, 500, 1000.").format(service.name))
    return found


def distance_values(text):
    """Distances in metres from ``"300, 500 1000"`` (empty when one of them is not a positive number)."""
    try:
        values = [float(part) for part in re.split(r"[;,\s]+", str(text).strip()) if part]
    except ValueError:
        return []
    return values if all(v > 0 for v in values) else []


# ------------------------------------------------------------------------------------------------
# saved analyses
# ------------------------------------------------------------------------------------------------


def choices_to_dict(choices, source_of=lambda layer: layer):
    """The choices as a JSON-ready dict; ``source_of`` turns a layer reference (id) into its source."""
    data = asdict(choices)
    data["districts"] = source_of(choices.districts) if choices.districts else ""
    data["previous"] = source_of(choices.previous) if choices.previous else ""
    for service, original in zip(data["services"], choices.services):
        for key in ("services", "demand", "network"):
            service[key] = source_of(getattr(original, key)) if getattr(original, key) else ""
    return {"sozialraum_analysis": ANALYSIS_VERSION, "choices": data}


def _known(cls, data):
    """``cls(**data)`` with the keys ``cls`` knows (a newer file may carry more)."""
    names = {f.name for f in fields(cls)}
    return cls(**{key: value for key, value in dict(data).items() if key in names})


def next_year(choices, names):
    """The saved ``choices`` made ready for next year's quarters (field ``names`` of the new layer): fields moved
    on (:func:`advance_fields`), the last index result as the one to compare with, no results folder yet (the
    new run must not overwrite last year's files). Returns ``(choices, moved)``."""
    moved_choices, moved = advance_fields(choices, names)
    data = {f.name: getattr(moved_choices, f.name) for f in fields(moved_choices)}
    data.update(previous=choices.last_index_result or choices.previous, results_folder="", report_folder="",
                last_index_result="")
    return WizardChoices(**data), moved


def choices_from_dict(data):
    """The :class:`WizardChoices` of a saved analysis (layers as their sources); raises ValueError for a file
    that is no saved analysis."""
    if not isinstance(data, dict) or "sozialraum_analysis" not in data or not isinstance(data.get("choices"), dict):
        raise ValueError(de_en("Die Datei ist keine gespeicherte Sozialraum-Analyse.",
                               "The file is not a saved Sozialraum analysis."))
    raw = dict(data["choices"])
    raw["indicators"] = [_known(IndicatorChoice, i) for i in raw.get("indicators") or []]
    raw["services"] = [_known(ServiceChoice, s) for s in raw.get("services") or []]
    return _known(WizardChoices, raw)


_YEAR = re.compile(r"(19|20)\d\d")


def shifted_name(name, years):
    """``name`` with its last year moved by ``years``: ``q_alo_2024`` -> ``q_alo_2025``; ``""`` without a year."""
    match = None
    for match in _YEAR.finditer(name):
        pass
    if match is None:
        return ""
    return name[:match.start()] + str(int(match.group(0)) + years) + name[match.end():]


def advance_fields(choices, names, max_years=5):
    """The choices for a newer layer (field ``names``): all fields with a year in their name (indicators, their
    earlier fields, the population) move on by the same number of years ``k`` (``q_alo_2024`` -> ``q_alo_2025``)
    where the moved name is a field of the new layer; others stay. ``k`` (1 to ``max_years``) is the smallest
    for which every indicator with a year has its moved field, else the one that moves the most indicators;
    none (0) when no indicator can move. The data date follows the latest year moved to.

    Returns ``(choices, moved)`` with ``moved`` = ``[(old, new)]``.
    """
    names = set(names)
    dated = [i.field for i in choices.indicators if shifted_name(i.field, 0)]

    def found(years):
        return sum(1 for name in dated if shifted_name(name, years) in names)

    counts = {years: found(years) for years in range(1, max_years + 1)}
    complete = [years for years, count in counts.items() if dated and count == len(dated)]
    best = max(counts.values()) if counts else 0
    k = complete[0] if complete else (min(y for y, c in counts.items() if c == best) if best else 0)
    moved = []

    def move(name):
        target = shifted_name(name, k) if name and k else ""
        if target and target in names:
            moved.append((name, target))
            return target
        return name

    indicators = [IndicatorChoice(move(i.field), i.reverse, i.weight, move(i.earlier), i.label)
                  for i in choices.indicators]
    data = {f.name: getattr(choices, f.name) for f in fields(choices)}
    data.update(indicators=indicators, population_field=move(choices.population_field))
    if moved:
        data["data_date"] = data_date_guess([new for _, new in moved]) or choices.data_date
    return WizardChoices(**data), moved


# ------------------------------------------------------------------------------------------------
# guesses that save clicks
# ------------------------------------------------------------------------------------------------

# readable names of common indicator stems (the year and a "q_"/"anteil_" prefix are dropped first)
_LABELS = {
    "sgb2": ("SGB-II-Quote", "Welfare (SGB II) rate"),
    "alo": ("Arbeitslosenquote", "Unemployment rate"),
    "arbeitslos": ("Arbeitslosenquote", "Unemployment rate"),
    "kinder_sgb2": ("Kinder in SGB-II-Haushalten", "Children in welfare households"),
    "alleinerz": ("Alleinerziehende", "Single parents"),
    "alleinerziehend": ("Alleinerziehende", "Single parents"),
    "grusi": ("Grundsicherung im Alter", "Old-age basic income support"),
    "migration": ("Migrationshintergrund", "Migration background"),
    "auslaender": ("Ausländeranteil", "Share of foreign nationals"),
    "wohngeld": ("Wohngeld", "Housing benefit"),
    "transfer": ("Transferbezug", "Transfer benefits"),
}


def earlier_field(name, names, years=2):
    """The field of ``years`` earlier: ``q_alo_2024`` -> ``q_alo_2022`` when it exists; else ``""``."""
    candidate = shifted_name(name, -years)
    return candidate if candidate in names else ""


def data_date_guess(names):
    """"31.12.<year>" of the latest year in the field names (``q_alo_2024`` -> "31.12.2024"), else ""."""
    years = [int(match.group(0)) for name in names for match in _YEAR.finditer(name)]
    return "31.12.{}".format(max(years)) if years else ""


def suggest_label(name, alias=""):
    """A readable indicator name: the layer's alias when it has one, a known stem's name
    (``q_sgb2_2024`` -> "SGB-II-Quote"), else the field name tidied (``anteil_ue65`` -> "Anteil ue65")."""
    if alias and alias != name:
        return alias
    stem = _YEAR.sub("", name.lower()).strip("_ ")
    stem = re.sub(r"^(q|quote|anteil|a|p|pct)_", "", stem).strip("_")
    if stem in _LABELS:
        return de_en(*_LABELS[stem])
    words = re.sub(r"[_\s]+", " ", _YEAR.sub("", name)).strip()
    return words[:1].upper() + words[1:] if words else name
