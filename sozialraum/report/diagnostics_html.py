"""The HTML summary of ``sozialraum:indexdiagnostics``: one self-contained, escaped page."""

import datetime

from .rendering import render


def correlation_color(r):
    """Background colour for a correlation cell: blue for positive, orange for negative, white near 0."""
    if r != r:  # NaN
        return "#ffffff"
    strength = min(1.0, abs(r))
    base = (33, 102, 172) if r >= 0 else (230, 97, 1)
    mixed = [round(255 - (255 - c) * strength * 0.8) for c in base]
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def diagnostics_html(report, layer_name):
    """The summary page for a :class:`~sozialraum.core.diagnostics.DiagnosticsReport`."""
    robustness = report.robustness[report.robustness["rang_median"].notna()].sort_values(
        ["rang_median", "rang_basis"])
    n_rated = len(robustness)
    return render(
        "indexpruefung.html",
        report=report,
        layer_name=layer_name,
        created=datetime.date.today().isoformat(),
        statistics=report.statistics.reset_index().to_dict("records"),
        indicators=list(report.correlations.columns),
        correlations=report.correlations,
        color=correlation_color,
        loadings=report.pca.loadings,
        explained=list(report.pca.explained_variance_ratio),
        suggested=report.pca.suggested_weights,
        robustness=robustness.to_dict("records"),
        n_rated=n_rated,
        id_column=report.id_column,
    )
