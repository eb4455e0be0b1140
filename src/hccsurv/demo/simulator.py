"""Seeded simulator of the demo HAIC cohort, calibrated to the template study's published margins.

The template study (STUDY.md; Front Oncol 2024, doi:10.3389/fonc.2024.1495321) did not publish its
patient data. This module draws a synthetic cohort of the same design: 66 "First-line" and 34
"Post-ate-beva" patients starting HAIC between 2022-03-01 and 2024-07-31, data cut-off 2024-12-31.
Everything is drawn from ``numpy.random.default_rng(seed)``; nothing depends on the wall clock, so
the same seed gives a byte-identical CSV.

Generating model
----------------
Baseline covariates (independent draws unless stated):

* age ~ Normal(65.79, 11.19) first-line, Normal(62.12, 13.46) post-ate-beva, rounded, clipped
  25-90; sex Male with probability 0.82; etiology HBV/HCV/Alcohol/Other with probabilities
  0.62/0.12/0.14/0.12; height and weight from sex-specific normals (BMI ~ Normal(22.8, 3.0)).
* Child-Pugh: class B with probability ``P_CHILD_PUGH_B`` = 0.22, else A. For each class a vector
  of Child-Pugh points per item (bilirubin, albumin, INR, ascites, encephalopathy) is drawn
  (A: 5 or 6 points; B: 7-9 points), and each raw lab is then drawn uniformly *inside its
  Child-Pugh band* (Pugh 1973, §2 of the domain reference), so the class derived from the raw
  labs is exactly the drawn class.
* AFP: log10(AFP) ~ Normal(2.3, 1.2) ng/mL; largest diameter: log(mm) ~ Normal(log 82, 0.55),
  clipped 15-220 mm; multiple tumours with probability 0.80 first-line vs 0.55 post-ate-beva (the
  paper's only baseline difference, p = 0.017), 2-6 nodules when multiple; portal vein invasion
  with probability 0.50; extrahepatic metastasis with probability 0.30.
* ECOG >= 1 with probability expit(-0.9 + 1.6 [diameter > 100 mm] + 1.6 [Child-Pugh B])
  (``ECOG_LOGIT``; large tumours and poor liver function go with symptoms, which is why size and
  Child-Pugh lose their significance next to ECOG in the multivariable models); ECOG 2 for 18 %
  of those.

Event times (days from HAIC start). Weibull proportional hazards means
``S(t | x) = exp(-(t / scale)^shape * exp(x'beta))``, drawn by inverse CDF from a uniform U:

* two standard normals (z1, z2); death uses U = Phi(rho z1 + sqrt(1 - rho^2) z2) and progression
  U = Phi(z1): a Gaussian copula with correlation ``COPULA_RHO`` = 0.6;
* death T_D: shape ``OS_SHAPE`` = 1.5, scale ``OS_SCALE`` = 440 days, log-HRs ``OS_BETA`` =
  post-ate-beva -1.00, ECOG >= 1 1.25, Child-Pugh B 0.40, largest diameter > 100 mm 0.40, drawn
  conditional on survival to the first assessment (T_D > first scan): every patient of the paper
  has a best response CR/PR/SD/PD, so every patient had at least one post-baseline scan;
* best response, with exactly the published counts per group (first-line CR/PR/SD/PD
  1/11/27/27, post-ate-beva 0/12/17/5): patients are ranked within their group by the
  progression propensity ``x'PROPENSITY_BETA + z1`` (ECOG >= 1 0.8, Child-Pugh B 0.7,
  metastasis 1.0); the lowest get CR, then PR, SD, and the highest PD;
* progression T_P: best response PD progresses at the first scan; the others at first scan + W,
  W Weibull PH with shape ``PFS_SHAPE`` = 0.8, scale ``PFS_SCALE`` = 260 days, U = Phi(z1),
  log-HRs ``PFS_BETA`` = post-ate-beva -1.10, ECOG >= 1 0.75, Child-Pugh B 0.60, extrahepatic
  metastasis 1.30, plus ``RESPONDER_LOG_HR`` = -0.5 for CR/PR (responders have longer PFS);
* loss to follow-up at L = first scan + Exponential(mean ``LTFU_MEAN_DAYS`` = 300 days), so
  nobody is lost before the first assessment; administrative censoring at the cut-off.

Observation process: the first tumour assessment after 2-3 HAIC cycles (49-84 days,
``FIRST_SCAN_DAYS``), then every 42-63 days (uniform integer days). Progression is recorded at
the first scan on or after T_P when that scan is before death and within follow-up, so
progression always precedes death. Follow-up ends at C = min(L, cut-off). A death at or before C
is recorded and ``last_contact_date`` is the death date; otherwise ``last_contact_date`` is L
(lost) or the cut-off minus 0-27 days (the last visit). ``last_assessment_date`` is the last scan
on or before the end of follow-up (the HAIC start if there is none). Event days are whole days
(the ceiling of the continuous time).

Shipped cohort
--------------
``cohort.csv`` next to this module is ``write_demo_data(DEMO_SEED, ...)``, **DEMO_SEED = 63474**,
found by ``python validation/calibrate_demo.py --search 0 100000`` (lifelines Kaplan-Meier and
Efron Cox) and chosen among the seeds meeting every margin as the one closest to the published
hazard ratios. On that cohort: 47 deaths; KM medians OS 6.24 / 12.78 / 8.90 months (published
6.8 / 12.4 / 8.3) and PFS 3.06 / 8.90 / 5.22 (published 3.1 / 8.2 / 5.1), first-line /
post-ate-beva / all, each within 15 %; univariate Cox p < 0.1 for group, ECOG, Child-Pugh and
size > 10 cm (OS) and for group, ECOG, Child-Pugh and metastasis (PFS); multivariable OS
post-ate-beva HR 0.422, p = 0.014 (published 0.404, p = 0.014) with ECOG significant and the
other entered factors not; multivariable PFS post-ate-beva HR 0.440, p = 0.004 (published 0.441,
p = 0.006) with ECOG and metastasis significant and the others not. Multiple tumours 74 % vs 56 %
(chi-square p = 0.062; published "higher in first-line", p = 0.017).
``python validation/calibrate_demo.py`` prints this comparison.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

__all__ = [
    "COLUMNS",
    "CUTOFF",
    "DEMO_SEED",
    "N_FIRST_LINE",
    "N_POST_AB",
    "RESPONSE_COUNTS",
    "simulate_cohort",
    "write_demo_data",
]

DEMO_SEED = 63474
"""Seed of the shipped ``cohort.csv`` (chosen by ``validation/calibrate_demo.py``)."""

N_FIRST_LINE = 66
N_POST_AB = 34
GROUPS = ("First-line", "Post-ate-beva")
START_FIRST = dt.date(2022, 3, 1)
START_LAST = dt.date(2024, 7, 31)
CUTOFF = dt.date(2024, 12, 31)
RESPONSE_COUNTS: dict[str, dict[str, int]] = {
    "First-line": {"CR": 1, "PR": 11, "SD": 27, "PD": 27},
    "Post-ate-beva": {"CR": 0, "PR": 12, "SD": 17, "PD": 5},
}

COLUMNS = (
    "patient_id",
    "group",
    "haic_start",
    "age",
    "sex",
    "etiology",
    "ecog",
    "height_cm",
    "weight_kg",
    "bilirubin_mg_dl",
    "albumin_g_dl",
    "inr",
    "ascites",
    "encephalopathy",
    "afp_ng_ml",
    "tumor_size_mm",
    "tumor_number",
    "portal_vein_invasion",
    "extrahepatic_metastasis",
    "progression_date",
    "death_date",
    "last_assessment_date",
    "last_contact_date",
    "best_response",
)

# Weibull PH parameters (days). Coefficient order: post-ate-beva, ECOG>=1, Child-Pugh B, 4th term.
PROPENSITY_BETA = np.array([0.8, 0.7, 1.0])  # ECOG>=1, Child-Pugh B, metastasis
PFS_SHAPE = 0.8
PFS_SCALE = 260.0
PFS_BETA = np.array([-1.10, 0.75, 0.60, 1.30])  # 4th: extrahepatic metastasis
RESPONDER_LOG_HR = -0.5
OS_SHAPE = 1.50
OS_SCALE = 440.0
OS_BETA = np.array([-1.00, 1.25, 0.40, 0.40])  # 4th: largest diameter > 100 mm
COPULA_RHO = 0.6
FIRST_SCAN_DAYS = (49, 84)
LTFU_MEAN_DAYS = 300.0

P_CHILD_PUGH_B = 0.22
ECOG_LOGIT = np.array([-0.9, 1.6, 1.6])  # intercept, diameter > 100 mm, Child-Pugh B
P_ECOG_2_GIVEN_GE1 = 0.18
P_MULTIPLE = {"First-line": 0.80, "Post-ate-beva": 0.55}

_ETIOLOGIES = np.array(["HBV", "HCV", "Alcohol", "Other"])
_ETIOLOGY_P = np.array([0.62, 0.12, 0.14, 0.12])
_ASCITES = np.array(["none", "mild", "moderate"])
_ENCEPHALOPATHY = np.array(["none", "grade1-2", "grade3-4"])
# Child-Pugh point vectors (bilirubin, albumin, INR, ascites, encephalopathy) per class.
_CP_A_PATTERNS = np.array(
    [[1, 1, 1, 1, 1], [1, 2, 1, 1, 1], [2, 1, 1, 1, 1], [1, 1, 2, 1, 1], [1, 1, 1, 2, 1]]
)
_CP_A_WEIGHTS = np.array([0.55, 0.25, 0.08, 0.06, 0.06])
_CP_B_PATTERNS = np.array(
    [
        [1, 2, 1, 2, 1],
        [2, 2, 1, 1, 1],
        [1, 2, 2, 1, 1],
        [2, 2, 1, 2, 1],
        [1, 3, 1, 2, 1],
        [2, 2, 2, 2, 1],
        [1, 2, 1, 2, 2],
    ]
)
_CP_B_WEIGHTS = np.array([0.30, 0.18, 0.12, 0.14, 0.10, 0.06, 0.10])
# Inclusive raw-lab ranges per Child-Pugh point (in the unit's display resolution).
_BILI_RANGE = {1: (3, 19), 2: (20, 30), 3: (31, 45)}  # tenths of mg/dL
_ALB_RANGE = {1: (36, 48), 2: (28, 35), 3: (22, 27)}  # tenths of g/dL
_INR_RANGE = {1: (90, 169), 2: (170, 230), 3: (231, 280)}  # hundredths


def _draw_in_bands(
    rng: np.random.Generator, points: np.ndarray, ranges: dict[int, tuple[int, int]]
) -> np.ndarray:
    """Integer values drawn uniformly inside the inclusive range of each patient's point band."""
    lo = np.array([ranges[int(p)][0] for p in (1, 2, 3)])[points - 1]
    hi = np.array([ranges[int(p)][1] for p in (1, 2, 3)])[points - 1]
    out: np.ndarray = lo + np.floor(rng.random(points.shape[0]) * (hi - lo + 1)).astype(np.int64)
    return out


def _weibull_ph(rng_u: np.ndarray, shape: float, scale: float, lp: np.ndarray) -> np.ndarray:
    """Inverse-CDF Weibull PH draw: ``t = scale * (-log U / exp(lp))^(1/shape)``."""
    out: np.ndarray = scale * (-np.log(rng_u) / np.exp(lp)) ** (1.0 / shape)
    return out


def _weibull_ph_after(
    rng_u: np.ndarray, shape: float, scale: float, lp: np.ndarray, after: np.ndarray
) -> np.ndarray:
    """Weibull PH draw given ``T > after``: ``scale * ((after/scale)^k - log U / e^lp)^(1/k)``."""
    out: np.ndarray = scale * ((after / scale) ** shape - np.log(rng_u) / np.exp(lp)) ** (
        1.0 / shape
    )
    return out


def _iso(start: np.ndarray, days: np.ndarray, present: np.ndarray) -> list[str]:
    """ISO dates ``start + days`` where ``present``, empty strings elsewhere."""
    out = start + days.astype("timedelta64[D]")
    return [str(d) if p else "" for d, p in zip(out, present, strict=True)]


def simulate_cohort(seed: int) -> pd.DataFrame:
    """Simulate the 100-patient demo cohort for ``seed`` (see the module docstring for the model).

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``. ``DEMO_SEED`` reproduces the shipped ``cohort.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per patient, columns ``COLUMNS`` (dates as ISO strings, empty when absent),
        sorted by HAIC start, ``patient_id`` "HCC001"... in that order.
    """
    rng = np.random.default_rng(seed)
    n = N_FIRST_LINE + N_POST_AB
    post = np.zeros(n, dtype=bool)
    post[rng.permutation(n)[:N_POST_AB]] = True
    group = np.where(post, GROUPS[1], GROUPS[0])

    span = (START_LAST - START_FIRST).days
    start_offset = rng.integers(0, span + 1, size=n)

    age = np.where(post, rng.normal(62.12, 13.46, n), rng.normal(65.79, 11.19, n))
    age = np.clip(np.rint(age), 25, 90).astype(np.int64)
    male = rng.random(n) < 0.82
    sex = np.where(male, "Male", "Female")
    etiology = _ETIOLOGIES[rng.choice(4, size=n, p=_ETIOLOGY_P)]
    u_ecog = rng.random((n, 2))
    height = np.where(male, rng.normal(168.0, 6.5, n), rng.normal(156.0, 6.0, n))
    bmi = rng.normal(22.8, 3.0, n).clip(16.0, 35.0)
    weight = bmi * (height / 100.0) ** 2
    height = np.round(height, 1)
    weight = np.round(weight, 1)

    cp_b = rng.random(n) < P_CHILD_PUGH_B
    pattern_a = _CP_A_PATTERNS[rng.choice(len(_CP_A_WEIGHTS), size=n, p=_CP_A_WEIGHTS)]
    pattern_b = _CP_B_PATTERNS[rng.choice(len(_CP_B_WEIGHTS), size=n, p=_CP_B_WEIGHTS)]
    points = np.where(cp_b[:, None], pattern_b, pattern_a)
    bilirubin = _draw_in_bands(rng, points[:, 0], _BILI_RANGE) / 10.0
    albumin = _draw_in_bands(rng, points[:, 1], _ALB_RANGE) / 10.0
    inr = _draw_in_bands(rng, points[:, 2], _INR_RANGE) / 100.0
    ascites = _ASCITES[points[:, 3] - 1]
    encephalopathy = _ENCEPHALOPATHY[points[:, 4] - 1]

    afp = np.round(10.0 ** rng.normal(2.3, 1.2, n), 1).clip(1.0, 200000.0)
    size_mm = np.rint(np.exp(rng.normal(np.log(82.0), 0.55, n))).clip(15, 220).astype(np.int64)
    p_multi = np.where(post, P_MULTIPLE[GROUPS[1]], P_MULTIPLE[GROUPS[0]])
    multiple = rng.random(n) < p_multi
    number = np.where(multiple, rng.integers(2, 7, size=n), 1)
    pvi = rng.random(n) < 0.50
    mets = rng.random(n) < 0.30
    # ECOG >= 1 is more likely with a large tumour or Child-Pugh B (confounding as in the paper).
    logit = ECOG_LOGIT[0] + ECOG_LOGIT[1] * (size_mm > 100) + ECOG_LOGIT[2] * cp_b
    ecog = np.where(u_ecog[:, 0] < 1.0 / (1.0 + np.exp(-logit)), 1, 0)
    ecog = np.where((ecog == 1) & (u_ecog[:, 1] < P_ECOG_2_GIVEN_GE1), 2, ecog)

    ecog_ge1 = ecog >= 1
    x_pfs = np.column_stack([post, ecog_ge1, cp_b, mets]).astype(float)
    x_os = np.column_stack([post, ecog_ge1, cp_b, size_mm > 100]).astype(float)
    z = rng.standard_normal((n, 2))
    z_death = COPULA_RHO * z[:, 0] + np.sqrt(1.0 - COPULA_RHO**2) * z[:, 1]
    t_ltfu_after_scan = rng.exponential(LTFU_MEAN_DAYS, n)
    admin = np.array([(CUTOFF - START_FIRST).days], dtype=np.int64) - start_offset
    # Scan schedule: first scan after 2-3 HAIC cycles (49-84 days), then every 42-63 days.
    gaps = rng.integers(42, 64, size=(n, 40))
    gaps[:, 0] = rng.integers(FIRST_SCAN_DAYS[0], FIRST_SCAN_DAYS[1] + 1, size=n)
    scans = np.cumsum(gaps, axis=1)
    visit_gap = rng.integers(0, 28, size=n)
    t_ltfu = scans[:, 0] + t_ltfu_after_scan  # nobody is lost before the first assessment
    # Death conditional on surviving to the first assessment (every patient has a response).
    t_death = _weibull_ph_after(ndtr(z_death), OS_SHAPE, OS_SCALE, x_os @ OS_BETA, scans[:, 0])
    death_day = np.ceil(t_death).astype(np.int64)

    # Best response: rank the progression propensity within each group (highest -> PD).
    propensity = x_pfs[:, 1:] @ PROPENSITY_BETA + z[:, 0]
    best = np.empty(n, dtype=object)
    for name, members in ((GROUPS[0], ~post), (GROUPS[1], post)):
        idx = np.flatnonzero(members)
        ranked = idx[np.argsort(propensity[idx], kind="stable")]
        counts = RESPONSE_COUNTS[name]
        best[ranked] = np.repeat(list(counts), list(counts.values()))
    is_pd = best == "PD"
    responder = (best == "CR") | (best == "PR")
    lp_after = x_pfs @ PFS_BETA + RESPONDER_LOG_HR * responder
    t_after = _weibull_ph(ndtr(z[:, 0]), PFS_SHAPE, PFS_SCALE, lp_after)
    t_prog = np.where(is_pd, scans[:, 0], scans[:, 0] + t_after)

    ltfu_day = np.ceil(t_ltfu).astype(np.int64)
    end_fu = np.minimum(ltfu_day, admin)
    died = death_day <= end_fu
    last_contact = np.where(died, death_day, np.where(ltfu_day < admin, end_fu, admin - visit_gap))
    fu_end = np.where(died, death_day, last_contact)

    prog_scan_idx = (scans < t_prog[:, None]).sum(axis=1)
    has_prog_scan = prog_scan_idx < scans.shape[1]
    prog_day = scans[np.arange(n), np.minimum(prog_scan_idx, scans.shape[1] - 1)]
    progressed = has_prog_scan & (prog_day <= fu_end) & (~died | (prog_day < death_day))
    n_done = (scans <= fu_end[:, None]).sum(axis=1)
    last_assess = np.where(n_done > 0, scans[np.arange(n), np.maximum(n_done - 1, 0)], 0)

    order = np.argsort(start_offset, kind="stable")
    start = np.datetime64(START_FIRST.isoformat()) + start_offset.astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "patient_id": [f"HCC{i + 1:03d}" for i in range(n)],
            "group": group[order],
            "haic_start": [str(d) for d in start[order]],
            "age": age[order],
            "sex": sex[order],
            "etiology": etiology[order],
            "ecog": ecog[order],
            "height_cm": height[order],
            "weight_kg": weight[order],
            "bilirubin_mg_dl": bilirubin[order],
            "albumin_g_dl": albumin[order],
            "inr": inr[order],
            "ascites": ascites[order],
            "encephalopathy": encephalopathy[order],
            "afp_ng_ml": afp[order],
            "tumor_size_mm": size_mm[order],
            "tumor_number": number[order],
            "portal_vein_invasion": np.where(pvi, "Yes", "No")[order],
            "extrahepatic_metastasis": np.where(mets, "Yes", "No")[order],
            "progression_date": _iso(start[order], prog_day[order], progressed[order]),
            "death_date": _iso(start[order], death_day[order], died[order]),
            "last_assessment_date": _iso(start[order], last_assess[order], np.ones(n, dtype=bool)),
            "last_contact_date": _iso(start[order], last_contact[order], np.ones(n, dtype=bool)),
            "best_response": best[order].astype(str),
        },
        columns=list(COLUMNS),
    )
    return frame


def write_demo_data(seed: int, out_path: str | Path) -> Path:
    """Write ``simulate_cohort(seed)`` as UTF-8 CSV (``\\n`` line ends) to ``out_path``.

    The bytes depend only on ``seed``: the same seed always writes the same file.
    """
    path = Path(out_path)
    frame = simulate_cohort(seed)
    path.write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    return path
