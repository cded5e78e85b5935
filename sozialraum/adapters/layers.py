"""Layers <-> DataFrames: the bridge between QGIS feature sources and the pure core.

Reading takes two passes over the source where a result is written: a fast attribute-only pass
feeds the core, and a second pass copies every feature with its geometry into the sink with the
new columns appended. That keeps memory flat (no feature list is held) and costs about as much
as a plain copy of the layer.
"""

import math

import pandas as pd
from qgis.core import QgsFeature, QgsFeatureRequest, QgsField, QgsFields, QgsProcessingException

from ..core.errors import InputError
from . import compat


def read_table(source, fields, feedback=None, progress_span=(0.0, 30.0)):
    """Attributes ``fields`` of every feature of ``source`` as a DataFrame indexed by feature id.

    Values keep their Python types (text stays text: the core decides what is numeric and says
    which value is wrong). NULL becomes ``None``. An empty source raises :class:`InputError`.
    """
    fields = [f for f in dict.fromkeys(fields) if f]
    source_fields = source.fields()
    missing = [f for f in fields if source_fields.lookupField(f) < 0]
    if missing:
        raise InputError(
            "Feld(er) nicht in der Eingabe: {}.".format(", ".join(missing)),
            "Field(s) not in the input: {}.".format(", ".join(missing)),
        )
    indices = [source_fields.lookupField(f) for f in fields]
    request = QgsFeatureRequest().setFlags(compat.REQUEST_NO_GEOMETRY).setSubsetOfAttributes(indices)
    total = source.featureCount()
    step = (progress_span[1] - progress_span[0]) / total if total and total > 0 else 0
    fids, rows = [], []
    for n, feature in enumerate(source.getFeatures(request)):
        if feedback is not None and n % 1000 == 0:
            if feedback.isCanceled():
                break
            feedback.setProgress(progress_span[0] + n * step)
        attributes = feature.attributes()
        fids.append(feature.id())
        rows.append([_plain(attributes[i]) for i in indices])
    if not fids:
        raise InputError(
            "Die Eingabe enthält keine Objekte.",
            "The input layer has no features.",
        )
    return pd.DataFrame(rows, columns=fields, index=pd.Index(fids, name="fid"))


def _plain(value):
    """A QGIS attribute value as plain Python (NULL -> None, QDate etc. -> str)."""
    if compat.is_null(value):
        return None
    if isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


_FIELD_TYPES = {"float": compat.FIELD_DOUBLE, "int": compat.FIELD_INT, "str": compat.FIELD_STRING,
                "bool": compat.FIELD_BOOL}


def result_fields(source_fields, columns):
    """Input fields followed by the result ``columns`` (``[(name, kind), ...]``, kind in float/int/str/bool).

    An input field that carries a result name (e.g. when an index result is indexed again) is
    dropped so the new value replaces it; its name is returned in ``replaced``.
    Returns ``(QgsFields, kept_input_indices, replaced_names)``.
    """
    new_names = {name.lower() for name, _ in columns}
    fields = QgsFields()
    kept, replaced = [], []
    for i, field in enumerate(source_fields):
        if field.name().lower() in new_names:
            replaced.append(field.name())
            continue
        fields.append(field)
        kept.append(i)
    for name, kind in columns:
        field = QgsField(name, _FIELD_TYPES[kind])
        if kind == "float":
            field.setLength(20)
            field.setPrecision(8)
        fields.append(field)
    return fields, kept, replaced


def column_values(frame, columns):
    """Per row, the result values as plain Python lists (NaN/NA -> None), in ``columns`` order."""
    converted = []
    for name, kind in columns:
        series = frame[name]
        if kind == "float":
            values = [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
                      for v in series.astype("float64").tolist()]
        elif kind == "int":
            values = [None if v is pd.NA or v is None or (isinstance(v, float) and math.isnan(v)) else int(v)
                      for v in series.astype("object").tolist()]
        elif kind == "bool":
            values = [None if v is pd.NA or v is None else bool(v) for v in series.astype("object").tolist()]
        else:
            values = [None if v is None or v is pd.NA else str(v) for v in series.tolist()]
        converted.append(values)
    return [list(row) for row in zip(*converted)] if converted else [[] for _ in range(len(frame))]


def write_with_results(source, sink, fields, kept, frame, columns, feedback=None, progress_span=(60.0, 100.0)):
    """Copy every feature of ``source`` into ``sink`` with the result ``columns`` of ``frame`` appended.

    ``frame`` is indexed by feature id (as from :func:`read_table`). Features are matched by id,
    so the copy is right whatever order the provider returns them in.
    """
    position = {fid: n for n, fid in enumerate(frame.index.tolist())}
    values = column_values(frame, columns)
    total = len(position)
    step = (progress_span[1] - progress_span[0]) / total if total else 0
    out = QgsFeature(fields)
    for n, feature in enumerate(source.getFeatures()):
        if feedback is not None and n % 1000 == 0:
            if feedback.isCanceled():
                return False
            feedback.setProgress(progress_span[0] + n * step)
        attributes = feature.attributes()
        row = position.get(feature.id())
        extra = values[row] if row is not None else [None] * len(columns)
        out.setAttributes([attributes[i] for i in kept] + extra)
        out.setGeometry(feature.geometry())
        if not sink.addFeature(out, compat.SINK_FAST_INSERT):
            raise QgsProcessingException(sink.lastError() if hasattr(sink, "lastError") else "write error")
    return True


def frame_kinds(frame, columns):
    """``[(name, kind)]`` for ``columns`` of ``frame`` from their dtypes (float/int/str/bool)."""
    kinds = []
    for name in columns:
        dtype = frame[name].dtype
        if pd.api.types.is_bool_dtype(dtype):
            kind = "bool"
        elif pd.api.types.is_integer_dtype(dtype):
            kind = "int"
        elif pd.api.types.is_float_dtype(dtype):
            kind = "float"
        else:
            kind = "str"
        kinds.append((name, kind))
    return kinds

