"""Small statistics shared by the index and its diagnostics."""

import numpy as np


def skewness(values):
    """Adjusted Fisher-Pearson skewness G1 = sqrt(n (n - 1)) / (n - 2) * m3 / m2^1.5.

    m_k = mean((x - mean)^k). This is the sample skewness of Excel's SKEW, SPSS and
    ``pandas.Series.skew``. NaN for n < 3 or constant values.
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = values.size
    if n < 3:
        return float("nan")
    deviations = values - values.mean()
    m2 = np.mean(deviations ** 2)
    if not m2 > 0:
        return float("nan")
    g1 = np.mean(deviations ** 3) / m2 ** 1.5
    return float(np.sqrt(n * (n - 1)) / (n - 2) * g1)
