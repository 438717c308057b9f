"""Analysis of a sweep directory: replicate aggregation, sensitivity indices and figures.

Plain functions over plain tables, plus :func:`analyze`, which reads a sweep directory and
writes CSV and Markdown tables, PNG figures and a ``summary.md``.

The sequence follows ten Broeke, van Voorn & Ligtenberg 2016 (JASSS 19(1)5): extended
OFAT response curves with replicate confidence intervals, Morris screening, then Sobol
indices computed on replicate means, with the stochastic (aleatory) share of the variance
reported separately (science_anchors §6.3). Replicate counts are judged by when the
coefficient of variation settles (Lee et al. 2015, JASSS 18(4)4) and by the runs needed for
a target interval width (Secchi & Seri 2017). Indices come from SALib (Herman & Usher
2017); nothing here re-implements an estimator.

One module per method:

- ``sweep``: reading a sweep directory (:class:`Sweep`, :func:`load_sweep`);
- ``aggregates``: replicate aggregates per design point, the aleatory share;
- ``sobol``, ``morris``: sensitivity indices (``morris`` also ranks factors over several
  outcomes to pick a Sobol' study's factors); ``index_convergence``: their convergence;
- ``ofat``: response curves, main effects and factorial interaction cell means;
  ``correlation``: rank correlations;
- ``paired``: paired contrasts of every point against a reference point on common seeds;
- ``timeseries``: response curves over time of stored series, with bands;
- ``horizon``: design points whose outcomes lie beyond their horizon;
- ``replicates``: running CV and replicate guidance;
- ``tables``, ``figures``: Markdown and CSV writers, the plots;
- ``report``, ``steps``, ``driver``: :func:`analyze`, with its registry of the steps each
  design kind runs (:data:`METHODS`).

Every public name is importable from this package.
"""

from experiments.analysis.aggregates import QUANTILES, aggregate, aleatory_share, point_means
from experiments.analysis.common import ID_COLUMNS, LEVEL
from experiments.analysis.correlation import rank_correlations
from experiments.analysis.driver import METHODS, analyze
from experiments.analysis.figures import (
    DPI,
    MAX_LINES,
    MAX_PANELS,
    factor_label,
    outcome_label,
    plot_convergence,
    plot_interactions,
    plot_main_effects,
    plot_morris,
    plot_ofat,
    plot_ranking,
    plot_replicates,
    plot_scatter_grid,
    plot_sobol,
    plot_timeseries,
)
from experiments.analysis.horizon import beyond_horizon, point_horizons
from experiments.analysis.index_convergence import (
    convergence,
    convergence_sizes,
    convergence_verdicts,
)
from experiments.analysis.morris import morris_indices, screening_scores, top_factors
from experiments.analysis.ofat import interaction_means, main_effects, ofat_curves
from experiments.analysis.paired import choose_reference, contrast, paired_contrasts
from experiments.analysis.replicates import replicate_guidance, running_cv
from experiments.analysis.sobol import sobol_indices, sobol_pairs
from experiments.analysis.sweep import Sweep, load_sweep
from experiments.analysis.tables import MD_MAX_ROWS, markdown_table, write_csv
from experiments.analysis.timeseries import grant_ends, pooled_curves, timeseries_curves

__all__ = [
    "DPI", "ID_COLUMNS", "LEVEL", "MAX_LINES", "MAX_PANELS", "MD_MAX_ROWS", "METHODS",
    "QUANTILES", "Sweep", "aggregate", "aleatory_share", "analyze", "beyond_horizon",
    "choose_reference", "contrast", "convergence", "convergence_sizes",
    "convergence_verdicts", "factor_label", "grant_ends", "interaction_means", "load_sweep",
    "main_effects", "markdown_table", "morris_indices", "ofat_curves", "outcome_label",
    "paired_contrasts", "plot_convergence", "plot_interactions", "plot_main_effects",
    "plot_morris", "plot_ofat", "plot_ranking", "plot_replicates", "plot_scatter_grid",
    "plot_sobol", "plot_timeseries", "point_horizons", "point_means", "pooled_curves",
    "rank_correlations", "replicate_guidance", "running_cv", "screening_scores",
    "sobol_indices", "sobol_pairs", "timeseries_curves", "top_factors", "write_csv",
]
