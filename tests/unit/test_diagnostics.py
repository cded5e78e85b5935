"""Tests of sozialraum.core.diagnostics on hand-computed values and robustness properties."""

import math

import numpy as np
import pandas as pd
import pytest

from sozialraum.core import errors
from sozialraum.core.diagnostics import (
    Canceled,
    DiagnosticsReport,
    alpha_assessment,
    correlation_hints,
    correlations,
    cronbach_alpha,
    indicator_statistics,
    pca,
    redundant_groups,
    robustness,
    run_diagnostics,
    skewness,
)
from sozialraum.core.errors import InputError
from sozialraum.core.index import IndexSpec


def test_skewness_by_hand():
    # x = 1, 2, 3, 10: mean 4, m2 = 50/4 = 12.5, m3 = 180/4 = 45
    # G1 = sqrt(4 * 3) / 2 * 45 / 12.5^1.5
    expected = math.sqrt(12) / 2 * 45 / 12.5 ** 1.5
    assert skewness([1, 2, 3, 10]) == pytest.approx(expected)
    assert skewness([1, 2, 3, 10]) == pytest.approx(pd.Series([1, 2, 3, 10]).skew())
    assert math.isnan(skewness([1, 2])) and math.isnan(skewness([5, 5, 5]))


def test_indicator_statistics_by_hand():
    # q: eleven 0 and one 100 -> mean 100/12, SD = 100 * sqrt(11) / 12, z(100) = sqrt(11) > 3
    frame = pd.DataFrame({
        "id": ["A{}".format(i) for i in range(13)],
        "q": [0.0] * 11 + [100.0, 500.0],
        "r": [1, 2, 3, 10] + [np.nan] * 8 + [99],
    })
    rated = [True] * 12 + [False]
    stats = indicator_statistics(frame, ["q", "r"], rated=rated, id_column="id")
    q = stats.loc["q"]
    assert q["n"] == 12 and q["missing"] == 0
    assert q["mean"] == pytest.approx(100 / 12)
    assert q["sd"] == pytest.approx(100 * math.sqrt(11) / 12)
    assert q["min"] == 0 and q["max"] == 100
    assert q["n_outliers"] == 1 and q["outlier_ids"] == "A11"
    r = stats.loc["r"]
    assert r["n"] == 4 and r["missing"] == 8
    assert r["skewness"] == pytest.approx(math.sqrt(12) / 2 * 45 / 12.5 ** 1.5)
    assert r["n_outliers"] == 0


def test_indicator_statistics_rejects_text():
    with pytest.raises(InputError):
        indicator_statistics(pd.DataFrame({"q": ["viel", "wenig", "1"]}), ["q"])


def test_perfectly_correlated_indicators_are_reported_as_redundant():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [2.0, 4, 6, 8, 10], "c": [3.0, 1, 4, 1, 5]})
    matrix, warnings = correlations(frame, ["a", "b", "c"])
    assert matrix.loc["a", "b"] == pytest.approx(1.0)
    assert len(warnings) == 1
    assert "'a' und 'b' messen fast dasselbe (r = 1,00)" in warnings[0]


def test_direction_is_applied_before_correlating():
    frame = pd.DataFrame({"armut": [1.0, 2, 3, 4, 5], "einkommen": [50.0, 40, 30, 20, 10]})
    matrix, warnings = correlations(frame, ["armut", "einkommen"], reverse=["einkommen"])
    assert matrix.loc["armut", "einkommen"] == pytest.approx(1.0)
    assert not any("gegenläufig" in w for w in warnings)
    matrix, warnings = correlations(frame, ["armut", "einkommen"])
    assert matrix.loc["armut", "einkommen"] == pytest.approx(-1.0)
    assert any("gegenläufig" in w and "r = -1,00" in w for w in warnings)


def test_weak_negative_correlation_is_not_reported():
    # deviations of b (1, -1, -1, 1) are orthogonal to those of a: r = 0, no warning
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [1.0, -1, -1, 1]})
    matrix, warnings = correlations(frame, ["a", "b"])
    assert matrix.loc["a", "b"] == pytest.approx(0.0)
    assert warnings == []


def test_cronbach_alpha_by_hand():
    # items x1 = 1,2,3,4; x2 = 2,3,3,5; x3 = 1,3,2,4 (population variances 1.25, 1.1875, 1.25)
    # row sums 4, 8, 8, 13: variance 10.1875; alpha = 3/2 * (1 - 3.6875 / 10.1875) = 156/163
    matrix = np.array([[1, 2, 1], [2, 3, 3], [3, 3, 2], [4, 5, 4]], dtype=float)
    assert cronbach_alpha(matrix, standardize=False) == pytest.approx(156 / 163)
    # standardised alpha of two items with r = 0.8: 2 r / (1 + r) = 8/9
    two = pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [1.0, 3, 2, 4]})
    assert cronbach_alpha(two) == pytest.approx(8 / 9)


def test_cronbach_alpha_needs_two_indicators():
    with pytest.raises(InputError):
        cronbach_alpha(np.array([[1.0], [2.0], [3.0]]))


def test_pca_of_two_correlated_indicators():
    # R = [[1, 0.8], [0.8, 1]]: eigenvalues 1.8 and 0.2, eigenvectors (1, 1)/sqrt2 and (1, -1)/sqrt2
    result = pca(pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [1.0, 3, 2, 4]}))
    assert result.loadings["PC1"].tolist() == pytest.approx([1 / math.sqrt(2), 1 / math.sqrt(2)])
    assert np.abs(result.loadings["PC2"]).tolist() == pytest.approx([1 / math.sqrt(2), 1 / math.sqrt(2)])
    assert list(result.explained_variance_ratio) == pytest.approx([0.9, 0.1])
    assert result.suggested_weights == pytest.approx({"x": 0.5, "y": 0.5})


def test_pca_gives_no_weight_to_an_unrelated_indicator():
    # z is uncorrelated with x and y (its deviations 1, -1, -1, 1 are orthogonal to theirs):
    # eigenvalues 1.8, 1, 0.2; first eigenvector (1, 1, 0)/sqrt2 -> weights 0.5, 0.5, 0
    frame = pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [1.0, 3, 2, 4], "z": [1.0, -1, -1, 1]})
    result = pca(frame)
    assert list(result.eigenvalues) == pytest.approx([1.8, 1.0, 0.2])
    assert result.suggested_weights == pytest.approx({"x": 0.5, "y": 0.5, "z": 0.0}, abs=1e-12)


def test_pca_of_a_single_indicator():
    result = pca(pd.DataFrame({"x": [1.0, 2, 4]}))
    assert result.suggested_weights == {"x": 1.0} and list(result.explained_variance_ratio) == [1.0]


def test_pca_rejects_constant_indicator():
    with pytest.raises(InputError):
        pca(pd.DataFrame({"x": [1.0, 2, 3], "y": [4.0, 4, 4]}))


def city(n=40, seed=1):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "id": ["G{:03d}".format(i) for i in range(n)],
        "alo": rng.uniform(2, 12, n),
        "kinder": rng.uniform(5, 40, n),
        "einkommen": rng.uniform(1500, 3000, n),
        "ew": rng.integers(500, 8000, n),
    })
    # one area far ahead in every indicator (income reversed: lowest income)
    frame.loc[0, ["alo", "kinder", "einkommen"]] = [60.0, 95.0, 200.0]
    return frame


SPEC = IndexSpec(indicators=["alo", "kinder", "einkommen"], reverse=["einkommen"], weights={"alo": 2.0},
                 population="ew", min_population=300)


def test_dominant_area_is_always_first():
    frame = city()
    result = robustness(frame, SPEC, "id", n_random=25, seed=3)
    table = result.table.set_index("id")
    first = table.loc["G000"]
    assert first["rang_basis"] == 1 and first["rang_median"] == 1
    assert first["rang_p05"] == 1 and first["rang_p95"] == 1
    assert first["anteil_top"] == 1.0 and first["robust"] == "robust"
    n = len(frame)
    assert table["rang_p05"].between(1, n).all() and table["rang_p95"].between(1, n).all()
    assert (table["rang_p05"] <= table["rang_median"]).all() and (table["rang_median"] <= table["rang_p95"]).all()
    assert table["anteil_top"].between(0, 1).all()
    # base + minmax + percentile + equal weights + PCA weights + 25 random + 3 leave-one-out
    kinds = result.scenarios["kind"].value_counts().to_dict()
    assert kinds == {"base": 1, "normalization": 2, "weights": 2, "random_weights": 25, "leave_one_out": 3}
    assert (table["n_varianten"] == 33).all()
    assert (result.scenarios["error"] == "").all()
    base = result.scenarios.set_index("scenario").loc["base"]
    assert base["spearman"] == pytest.approx(1.0) and base["top_overlap"] == 1.0


def test_robustness_is_reproducible_and_reports_progress():
    frame = city()
    fractions = []
    first = robustness(frame, SPEC, "id", n_random=10, seed=7, progress=fractions.append)
    second = robustness(frame, SPEC, "id", n_random=10, seed=7)
    pd.testing.assert_frame_equal(first.table, second.table)
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert len(fractions) == len(first.scenarios)


def test_robustness_can_be_canceled():
    calls = []

    def cancel_after_three():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Canceled):
        robustness(city(), SPEC, "id", n_random=50, is_canceled=cancel_after_three)
    assert len(calls) == 4


def test_geometric_aggregation_skips_zscore():
    spec = IndexSpec(indicators=["alo", "kinder"], normalization="minmax", aggregation="geometric")
    result = robustness(city(), spec, "id", n_random=3)
    assert "norm_zscore" not in set(result.scenarios["scenario"])
    assert "norm_percentile" in set(result.scenarios["scenario"])
    # equal base weights: no separate equal-weight scenario
    assert "equal_weights" not in set(result.scenarios["scenario"])


def test_failing_scenario_is_listed_and_skipped():
    # c = -b: without 'a' the z-values of b and c cancel and the index is constant
    frame = city()
    frame["c"] = -frame["kinder"]
    spec = IndexSpec(indicators=["alo", "kinder", "c"])
    result = robustness(frame, spec, "id", n_random=2)
    scenarios = result.scenarios.set_index("scenario")
    assert "gleich" in scenarios.loc["without_alo", "error"]
    assert scenarios.loc["without_kinder", "error"] == ""
    assert (result.table["n_varianten"] == len(scenarios) - 1).all()


def test_run_diagnostics_collects_all_checks():
    frame = city()
    frame["alo_kopie"] = 2 * frame["alo"]
    spec = IndexSpec(indicators=["alo", "kinder", "einkommen", "alo_kopie"], reverse=["einkommen"],
                     population="ew", min_population=300)
    fractions = []
    report = run_diagnostics(frame, spec, "id", n_random=5, seed=2, progress=fractions.append)
    assert isinstance(report, DiagnosticsReport)
    assert list(report.statistics.index) == spec.indicators
    assert report.correlations.loc["alo", "alo_kopie"] == pytest.approx(1.0)
    assert any("'alo' und 'alo_kopie' messen fast dasselbe" in w for w in report.correlation_warnings)
    # alpha on the direction-applied indicators equals the standardised alpha k rbar / (1 + (k - 1) rbar)
    rated = frame[frame["ew"] >= 300]
    corr = rated[["alo", "kinder", "einkommen", "alo_kopie"]].assign(einkommen=-rated["einkommen"]).corr()
    rbar = (corr.to_numpy().sum() - 4) / 12
    assert report.alpha == pytest.approx(4 * rbar / (1 + 3 * rbar))
    assert sum(report.pca.suggested_weights.values()) == pytest.approx(1.0)
    assert list(report.robustness.columns) == ["id", "rang_basis", "rang_median", "rang_p05", "rang_p95",
                                               "rang_spanne", "anteil_top", "n_varianten", "robust", "note"]
    assert len(report.scenarios) == len(fractions) and fractions[-1] == 1.0
    assert "5 Zufallsgewichtungen" in report.scenario_summary
    assert report.parameters["n_random"] == 5 and report.id_column == "id"


def correlation_matrix(fields, pairs):
    """A correlation matrix with 1 on the diagonal, the given ``{(a, b): r}`` and 0 elsewhere."""
    matrix = pd.DataFrame(np.eye(len(fields)), index=fields, columns=fields)
    for (a, b), r in pairs.items():
        matrix.loc[a, b] = matrix.loc[b, a] = r
    return matrix


def test_linked_near_identical_pairs_form_one_group_with_one_hint():
    # a-b 0.95 and b-c 0.93 link a, b, c (a-c 0.85 is below 0.9 but joined through b); e-f 0.92 is a second
    # group; d is independent. Weights a = 2, the rest 1: group a, b, c carries 4 of 7 = 57 % of the weight.
    fields = ["a", "b", "c", "d", "e", "f"]
    matrix = correlation_matrix(fields, {("a", "b"): 0.95, ("b", "c"): 0.93, ("a", "c"): 0.85, ("e", "f"): 0.92})
    groups = redundant_groups(matrix)
    assert [g.indicators for g in groups] == [["a", "b", "c"], ["e", "f"]]
    assert groups[0].pairs == [("a", "b", 0.95), ("b", "c", 0.93)]
    hints = correlation_hints(matrix, weights={"a": 2.0}, labels={"a": "Arbeitslosenquote"})
    assert len(hints) == 2
    assert hints[0].startswith("'Arbeitslosenquote', 'b' und 'c' messen fast dasselbe (r = 0,93 bis 0,95; 2 von 3 "
                               "Paaren über 0,9)")
    assert "57 % des Gesamtgewichts" in hints[0] and "3-fach" in hints[0]
    assert hints[1].startswith("'e' und 'f' messen fast dasselbe (r = 0,92)")
    assert "29 % des Gesamtgewichts" in hints[1] and "2-fach" in hints[1]  # 2 of 7


def test_pair_hint_thresholds_are_strict_and_negative_pairs_are_no_redundancy():
    # r = 0.9 exactly is not above 0.9; r = -0.95 pulls in opposite directions (direction problem, no double
    # weighting); r = -0.1 exactly is not below -0.1
    matrix = correlation_matrix(["a", "b", "c", "d"], {("a", "b"): 0.9, ("a", "c"): -0.95, ("b", "d"): -0.1})
    assert redundant_groups(matrix) == []
    hints = correlation_hints(matrix)
    assert hints == ["'a' und 'c' sind gegenläufig (r = -0,95), obwohl beide nach Anwendung der Richtung mehr "
                     "Bedarf bedeuten sollten: Richtung prüfen."]


def test_all_indicators_in_one_group_is_said_once_as_one_trait():
    matrix = correlation_matrix(["a", "b", "c"], {("a", "b"): 0.95, ("a", "c"): 0.91, ("b", "c"): 0.8})
    assert correlation_hints(matrix) == [
        "Alle Indikatoren messen fast dasselbe (r = 0,91 bis 0,95; 2 von 3 Paaren über 0,9): der Index beruht im Kern "
        "auf einem einzigen Merkmal, jeder weitere Indikator fügt kaum etwas hinzu. Wenn der Index mehrere Seiten "
        "sozialer Lagen zeigen soll: Indikatoren ergänzen, die etwas anderes messen."]


def test_one_indicator_against_all_others_gives_one_hint():
    # x runs against a, b and c (as a wrongly directed indicator does); a, b, c agree with each other
    fields = ["a", "b", "c", "x"]
    matrix = correlation_matrix(fields, {("a", "b"): 0.5, ("a", "c"): 0.4, ("b", "c"): 0.6,
                                         ("a", "x"): -0.5, ("b", "x"): -0.3, ("c", "x"): -0.2})
    hints = correlation_hints(matrix)
    assert hints == ["'x' ist gegenläufig zu 'a', 'b' und 'c' (r = -0,50 bis -0,20), obwohl alle nach Anwendung "
                     "der Richtung mehr Bedarf bedeuten sollten: die Richtung von 'x' prüfen."]


def test_alpha_assessment_agrees_with_the_pair_hints():
    fields = ["a", "b", "c"]
    close = redundant_groups(correlation_matrix(fields, {("a", "b"): 0.95, ("a", "c"): 0.8, ("b", "c"): 0.8}))
    level, text = alpha_assessment(0.96, close)
    assert level == "note"
    assert "widerspricht den Hinweisen zu fast gleichen Indikatoren nicht" in text
    assert "Alpha ist hoch, gerade weil die Indikatoren eng zusammenhängen" in text
    assert alpha_assessment(0.96, []) == ("ok", "die Indikatoren messen gemeinsam ein Merkmal (ab 0,7).")
    assert alpha_assessment(0.7, [])[0] == "ok"
    assert alpha_assessment(0.69, close)[0] == "low"
    assert alpha_assessment(float("nan"), [])[0] == "none"


def test_hints_follow_the_message_language():
    matrix = correlation_matrix(["a", "b", "x"], {("a", "b"): 0.95, ("a", "x"): -0.4, ("b", "x"): -0.5})
    errors.set_language("en")
    try:
        hints = correlation_hints(matrix, labels={"a": "Unemployment", "b": "Welfare"})
        level, text = alpha_assessment(0.8, redundant_groups(matrix))
    finally:
        errors.set_language("de")
    assert hints == [
        "'Unemployment' and 'Welfare' measure almost the same (r = 0.95). Together they carry 67 % of the total "
        "weight: what they measure in common counts 2 times in the index (double weighting). If that is not "
        "intended: leave one of them out or lower their weights.",
        "'x' is opposite-signed to 'Unemployment' and 'Welfare' (r = -0.50 to -0.40) although after applying the "
        "direction all should mean more need: check the direction of 'x'."]
    assert level == "note" and "does not contradict" in text


def test_run_diagnostics_names_indicators_by_their_labels():
    frame = city()
    frame["alo_kopie"] = 2 * frame["alo"]
    spec = IndexSpec(indicators=["alo", "kinder", "einkommen", "alo_kopie"], reverse=["einkommen"],
                     population="ew", min_population=300)
    labels = {"alo": "Arbeitslosenquote", "alo_kopie": "Arbeitslose (Kopie)", "unbenutzt": "x"}
    report = run_diagnostics(frame, spec, "id", n_random=2, labels=labels)
    assert report.labels == {"alo": "Arbeitslosenquote", "kinder": "kinder", "einkommen": "einkommen",
                             "alo_kopie": "Arbeitslose (Kopie)"}
    assert any(w.startswith("'Arbeitslosenquote' und 'Arbeitslose (Kopie)' messen fast dasselbe (r = 1,00)")
               for w in report.correlation_warnings)
    # alpha (0.88 here, >= 0.7) is high partly because the copy correlates with its original: the alpha text
    # says so instead of a plain "consistent" next to the redundancy hint
    assert report.alpha >= 0.7 and report.alpha_level == "note"
    descriptions = set(report.scenarios["description"])
    assert "ohne 'Arbeitslosenquote'" in descriptions
    assert "Normierung Min-Max-Skalierung auf 0–100" in descriptions and "Normierung minmax" not in descriptions
