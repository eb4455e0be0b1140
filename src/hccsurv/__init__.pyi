"""The public names of hccsurv and their homes: the one list of the public API.

``hccsurv/__init__.py`` reads this file to load each name on first use (PEP 562); type checkers
and IDEs read it as the package's interface. Add a public name by adding its import here.
"""

__version__: str

from hccsurv.analysis.adjust import (
    AdjustedAnalysis as AdjustedAnalysis,
    adjust_study as adjust_study,
)
from hccsurv.analysis.competing import (
    CauseSpecificCox as CauseSpecificCox,
    FineGrayModel as FineGrayModel,
    cause_specific_cox as cause_specific_cox,
    finegray as finegray,
)
from hccsurv.analysis.coxph import (
    CoxModel as CoxModel,
)
from hccsurv.analysis.frames import (
    coxph as coxph,
    kaplan_meier as kaplan_meier,
    logrank as logrank,
)
from hccsurv.analysis.landmark import (
    LandmarkAnalysis as LandmarkAnalysis,
    landmark as landmark,
)
from hccsurv.analysis.models import (
    ModelBuilding as ModelBuilding,
    build_cox_models as build_cox_models,
)
from hccsurv.analysis.pairwise import (
    PairwiseCox as PairwiseCox,
    PairwiseLogRank as PairwiseLogRank,
    pairwise_cox as pairwise_cox,
    pairwise_logrank as pairwise_logrank,
)
from hccsurv.analysis.pooling import (
    PooledModel as PooledModel,
    pool as pool,
)
from hccsurv.analysis.response import (
    ResponseSummary as ResponseSummary,
    response_summary as response_summary,
)
from hccsurv.analysis.safety import (
    AdverseEventTable as AdverseEventTable,
    Exposure as Exposure,
    adverse_event_table as adverse_event_table,
    exposure_summary as exposure_summary,
)
from hccsurv.analysis.selection import (
    LikelihoodRatioTest as LikelihoodRatioTest,
    MultivariableSelection as MultivariableSelection,
    lr_test as lr_test,
    select_multivariable as select_multivariable,
)
from hccsurv.analysis.splines import (
    SplineCox as SplineCox,
    spline_cox as spline_cox,
)
from hccsurv.analysis.subgroup import (
    SubgroupAnalysis as SubgroupAnalysis,
    subgroup_analysis as subgroup_analysis,
)
from hccsurv.analysis.table1 import (
    BaselineTable as BaselineTable,
    baseline_table as baseline_table,
)
from hccsurv.analysis.terms import (
    TermSpec as TermSpec,
    add_interaction as add_interaction,
    add_transforms as add_transforms,
)
from hccsurv.analysis.tmerge import tmerge as tmerge
from hccsurv.clinical.ctcae import (
    ctcae_grade as ctcae_grade,
)
from hccsurv.clinical.response import (
    ResponseAssessment as ResponseAssessment,
    ResponseRules as ResponseRules,
    assess_response as assess_response,
)
from hccsurv.config import (
    BaselineVariable as BaselineVariable,
    StudyConfig as StudyConfig,
    load_config as load_config,
)
from hccsurv.core.agreement import (
    cohen_kappa as cohen_kappa,
)
from hccsurv.core.competing import (
    CifCurve as CifCurve,
    CompetingRisks as CompetingRisks,
    GrayTests as GrayTests,
    cumulative_incidence as cumulative_incidence,
    gray_test as gray_test,
)
from hccsurv.core.cox import (
    CoxFit as CoxFit,
    cox_fit as cox_fit,
)
from hccsurv.core.followup import (
    FollowUp as FollowUp,
    median_followup as median_followup,
)
from hccsurv.core.group_tests import (
    TestResult as TestResult,
    chisq_test as chisq_test,
    fisher_exact as fisher_exact,
    kruskal_wallis as kruskal_wallis,
    oneway_anova as oneway_anova,
    t_test as t_test,
    wilcoxon_rank_sum as wilcoxon_rank_sum,
)
from hccsurv.core.km import (
    KaplanMeier as KaplanMeier,
    KaplanMeierGroups as KaplanMeierGroups,
    kaplan_meier_groups as kaplan_meier_groups,
)
from hccsurv.core.landmark import (
    LandmarkDifference as LandmarkDifference,
    landmark_difference as landmark_difference,
)
from hccsurv.core.logrank import (
    LogRank as LogRank,
    LogRankTrend as LogRankTrend,
    logrank_trend as logrank_trend,
)
from hccsurv.core.nelson_aalen import (
    NelsonAalen as NelsonAalen,
    nelson_aalen as nelson_aalen,
)
from hccsurv.core.p_adjust import (
    p_adjust as p_adjust,
)
from hccsurv.core.proportion import (
    Proportion as Proportion,
    clopper_pearson as clopper_pearson,
)
from hccsurv.core.rmst import (
    Rmst as Rmst,
    RmstComparison as RmstComparison,
    rmst as rmst,
    rmst_compare as rmst_compare,
)
from hccsurv.core.splines import (
    RestrictedCubicSpline as RestrictedCubicSpline,
    rcs as rcs,
    rcs_knots as rcs_knots,
)
from hccsurv.data.cohort import (
    Cohort as Cohort,
    load_cohort as load_cohort,
)
from hccsurv.data.labs import (
    grade_labs as grade_labs,
    read_lab_rows as read_lab_rows,
)
from hccsurv.data.treatment import (
    read_treatment_rows as read_treatment_rows,
)
from hccsurv.engines.duckdb_cox import (
    multisite_coxph as multisite_coxph,
)
from hccsurv.present.figures.export import (
    save_figure as save_figure,
)
from hccsurv.present.figures.public import (
    plot_forest as plot_forest,
    plot_km as plot_km,
)
from hccsurv.present.figures.style import (
    FigureStyle as FigureStyle,
)
from hccsurv.present.figures.subgroup import (
    SubgroupData as SubgroupData,
    SubgroupRow as SubgroupRow,
)
from hccsurv.present.table import (
    Table as Table,
)
from hccsurv.report.pipeline import (
    StudyOutcome as StudyOutcome,
    run_study as run_study,
)
