"""hccsurv: treatment-outcome studies in liver cancer, with R ``survival`` parity.

The public API. Estimators take arrays (or, for Cox, a pandas DataFrame) and return immutable
results with ``to_frame()`` and ``to_dict()``; ``run_study`` runs a whole study from its config.

>>> import hccsurv
>>> km = hccsurv.kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
>>> km.median
2.5
"""

from __future__ import annotations

import gc as _gc
from importlib.metadata import version as _version

__version__ = _version("hccsurv")  # one source of truth: pyproject.toml

# Importing hccsurv loads numpy, pandas, scipy and matplotlib, about a million objects; the cyclic
# garbage collector would make dozens of full passes over them for nothing (imports leave almost
# no garbage), about a fifth of a second. It is paused for the imports and left as it was.
_gc_was_enabled = _gc.isenabled()
_gc.disable()
try:
    from hccsurv.analysis.adjust import AdjustedAnalysis, adjust_study
    from hccsurv.analysis.coxph import CoxModel, coxph
    from hccsurv.analysis.models import ModelBuilding, build_cox_models
    from hccsurv.analysis.response import ResponseSummary, response_summary
    from hccsurv.analysis.table1 import BaselineTable, BaselineVariable, baseline_table
    from hccsurv.clinical.response import ResponseAssessment, ResponseRules, assess_response
    from hccsurv.config import StudyConfig, load_config
    from hccsurv.core.agreement import cohen_kappa
    from hccsurv.core.cox import CoxFit, cox_fit
    from hccsurv.core.followup import FollowUp, median_followup
    from hccsurv.core.group_tests import (
        TestResult,
        chisq_test,
        fisher_exact,
        kruskal_wallis,
        oneway_anova,
        t_test,
        wilcoxon_rank_sum,
    )
    from hccsurv.core.km import KaplanMeier, KaplanMeierGroups, kaplan_meier, kaplan_meier_groups
    from hccsurv.core.landmark import LandmarkDifference, landmark_difference
    from hccsurv.core.logrank import LogRank, LogRankTrend, logrank, logrank_trend
    from hccsurv.core.nelson_aalen import NelsonAalen, nelson_aalen
    from hccsurv.core.proportion import Proportion, clopper_pearson
    from hccsurv.core.rmst import Rmst, RmstComparison, rmst, rmst_compare
    from hccsurv.data.cohort import Cohort, load_cohort
    from hccsurv.report.pipeline import StudyOutcome, run_study
finally:
    if _gc_was_enabled:
        _gc.enable()

__all__ = [
    "AdjustedAnalysis",
    "BaselineTable",
    "BaselineVariable",
    "Cohort",
    "CoxFit",
    "CoxModel",
    "FollowUp",
    "KaplanMeier",
    "KaplanMeierGroups",
    "LandmarkDifference",
    "LogRank",
    "LogRankTrend",
    "ModelBuilding",
    "NelsonAalen",
    "Proportion",
    "ResponseAssessment",
    "ResponseRules",
    "ResponseSummary",
    "Rmst",
    "RmstComparison",
    "StudyConfig",
    "StudyOutcome",
    "TestResult",
    "__version__",
    "adjust_study",
    "assess_response",
    "baseline_table",
    "build_cox_models",
    "chisq_test",
    "clopper_pearson",
    "cohen_kappa",
    "cox_fit",
    "coxph",
    "fisher_exact",
    "kaplan_meier",
    "kaplan_meier_groups",
    "kruskal_wallis",
    "landmark_difference",
    "load_cohort",
    "load_config",
    "logrank",
    "logrank_trend",
    "median_followup",
    "nelson_aalen",
    "oneway_anova",
    "response_summary",
    "rmst",
    "rmst_compare",
    "run_study",
    "t_test",
    "wilcoxon_rank_sum",
]
