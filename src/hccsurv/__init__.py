"""hccsurv: treatment-outcome studies in liver cancer, with R ``survival`` parity.

The public API. Estimators take arrays (or, for Cox, a pandas DataFrame) and return immutable
results with ``to_frame()`` and ``to_dict()``; ``run_study`` runs a whole study from its config.

>>> import hccsurv
>>> km = hccsurv.kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
>>> km.median
2.5

Names are loaded on first use (PEP 562), ``__version__`` included: ``import hccsurv`` itself
imports nothing heavy, so ``hccsurv --version`` answers at once and ``hccsurv.kaplan_meier``
loads only the survival core, not pandas' report stack or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    __version__: str

    from hccsurv.analysis.adjust import AdjustedAnalysis, adjust_study
    from hccsurv.analysis.competing import (
        CauseSpecificCox,
        FineGrayModel,
        cause_specific_cox,
        finegray,
    )
    from hccsurv.analysis.coxph import CoxModel, coxph
    from hccsurv.analysis.models import ModelBuilding, build_cox_models
    from hccsurv.analysis.pooling import PooledModel, pool
    from hccsurv.analysis.response import ResponseSummary, response_summary
    from hccsurv.analysis.table1 import BaselineTable, BaselineVariable, baseline_table
    from hccsurv.clinical.ctcae import ctcae_grade
    from hccsurv.clinical.response import ResponseAssessment, ResponseRules, assess_response
    from hccsurv.config import StudyConfig, load_config
    from hccsurv.core.agreement import cohen_kappa
    from hccsurv.core.competing import (
        CifCurve,
        CompetingRisks,
        GrayTests,
        cumulative_incidence,
        gray_test,
    )
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

#: Where each public name lives.
_HOMES: dict[str, str] = {
    "AdjustedAnalysis": "hccsurv.analysis.adjust",
    "BaselineTable": "hccsurv.analysis.table1",
    "BaselineVariable": "hccsurv.analysis.table1",
    "CauseSpecificCox": "hccsurv.analysis.competing",
    "CifCurve": "hccsurv.core.competing",
    "Cohort": "hccsurv.data.cohort",
    "CompetingRisks": "hccsurv.core.competing",
    "CoxFit": "hccsurv.core.cox",
    "CoxModel": "hccsurv.analysis.coxph",
    "FineGrayModel": "hccsurv.analysis.competing",
    "FollowUp": "hccsurv.core.followup",
    "GrayTests": "hccsurv.core.competing",
    "KaplanMeier": "hccsurv.core.km",
    "KaplanMeierGroups": "hccsurv.core.km",
    "LandmarkDifference": "hccsurv.core.landmark",
    "LogRank": "hccsurv.core.logrank",
    "LogRankTrend": "hccsurv.core.logrank",
    "ModelBuilding": "hccsurv.analysis.models",
    "NelsonAalen": "hccsurv.core.nelson_aalen",
    "PooledModel": "hccsurv.analysis.pooling",
    "Proportion": "hccsurv.core.proportion",
    "ResponseAssessment": "hccsurv.clinical.response",
    "ResponseRules": "hccsurv.clinical.response",
    "ResponseSummary": "hccsurv.analysis.response",
    "Rmst": "hccsurv.core.rmst",
    "RmstComparison": "hccsurv.core.rmst",
    "StudyConfig": "hccsurv.config",
    "StudyOutcome": "hccsurv.report.pipeline",
    "TestResult": "hccsurv.core.group_tests",
    "adjust_study": "hccsurv.analysis.adjust",
    "assess_response": "hccsurv.clinical.response",
    "baseline_table": "hccsurv.analysis.table1",
    "build_cox_models": "hccsurv.analysis.models",
    "cause_specific_cox": "hccsurv.analysis.competing",
    "chisq_test": "hccsurv.core.group_tests",
    "clopper_pearson": "hccsurv.core.proportion",
    "cohen_kappa": "hccsurv.core.agreement",
    "cox_fit": "hccsurv.core.cox",
    "coxph": "hccsurv.analysis.coxph",
    "ctcae_grade": "hccsurv.clinical.ctcae",
    "cumulative_incidence": "hccsurv.core.competing",
    "finegray": "hccsurv.analysis.competing",
    "fisher_exact": "hccsurv.core.group_tests",
    "gray_test": "hccsurv.core.competing",
    "kaplan_meier": "hccsurv.core.km",
    "kaplan_meier_groups": "hccsurv.core.km",
    "kruskal_wallis": "hccsurv.core.group_tests",
    "landmark_difference": "hccsurv.core.landmark",
    "load_cohort": "hccsurv.data.cohort",
    "load_config": "hccsurv.config",
    "logrank": "hccsurv.core.logrank",
    "logrank_trend": "hccsurv.core.logrank",
    "median_followup": "hccsurv.core.followup",
    "nelson_aalen": "hccsurv.core.nelson_aalen",
    "oneway_anova": "hccsurv.core.group_tests",
    "pool": "hccsurv.analysis.pooling",
    "response_summary": "hccsurv.analysis.response",
    "rmst": "hccsurv.core.rmst",
    "rmst_compare": "hccsurv.core.rmst",
    "run_study": "hccsurv.report.pipeline",
    "t_test": "hccsurv.core.group_tests",
    "wilcoxon_rank_sum": "hccsurv.core.group_tests",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":  # one source of truth: pyproject.toml (read when first asked)
        from importlib.metadata import version

        globals()[name] = value = version("hccsurv")
        return value
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'hccsurv' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "AdjustedAnalysis",
    "BaselineTable",
    "BaselineVariable",
    "CauseSpecificCox",
    "CifCurve",
    "Cohort",
    "CompetingRisks",
    "CoxFit",
    "CoxModel",
    "FineGrayModel",
    "FollowUp",
    "GrayTests",
    "KaplanMeier",
    "KaplanMeierGroups",
    "LandmarkDifference",
    "LogRank",
    "LogRankTrend",
    "ModelBuilding",
    "NelsonAalen",
    "PooledModel",
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
    "cause_specific_cox",
    "chisq_test",
    "clopper_pearson",
    "cohen_kappa",
    "cox_fit",
    "coxph",
    "ctcae_grade",
    "cumulative_incidence",
    "finegray",
    "fisher_exact",
    "gray_test",
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
    "pool",
    "response_summary",
    "rmst",
    "rmst_compare",
    "run_study",
    "t_test",
    "wilcoxon_rank_sum",
]
