"""Derived variables: clinical scores, body surface area, doses, cut-points and recodes.

Clinical derivations (each only when its inputs are configured in ``[clinical]``):

================================  ===========================================================
column                            rule (:mod:`hccsurv.clinical`)
================================  ===========================================================
``child_pugh_points``             Pugh 1973 total 5-15 (bilirubin, albumin, INR, ascites, HE)
``child_pugh_class``              A (5-6) / B (7-9) / C (10-15)
``albi_score``                    Johnson 2015: 0.66 log10(bilirubin µmol/L) + c albumin g/L
``albi_grade``, ``malbi_grade``   1 / 2 / 3 and 1 / 2a / 2b / 3 (Hiraoka 2017)
``bclc_stage``                    BCLC 2022 (nodules, largest diameter, vascular invasion,
                                  extrahepatic spread, Child-Pugh class, ECOG)
``bsa_m2``                        Mosteller or DuBois (``clinical.options.bsa_formula``)
``haic_fu_mg_day``                5-fluorouracil 500 mg/m² per day, days 1-3
``haic_cisplatin_mg``             cisplatin 60 mg/m², day 2
``atezolizumab_mg``               1200 mg flat
``bevacizumab_mg``                15 mg/kg
``afp_ng_ml``                     AFP in ng/mL when recorded in IU/mL (× ``units.afp_iu_factor``)
``afp_ge_<cutoff>``               "<400" / "≥400" (AFP ng/mL ≥ ``clinical.options.afp_cutoff``)
================================  ===========================================================

Laboratory values are converted from the units in ``[units]`` before each rule (bilirubin
1 mg/dL = 17.1 µmol/L, albumin 1 g/dL = 10 g/L; HCC_REFERENCE §0). Categorical results are
ordered ``Categorical`` columns (A < B < C, 1 < 2 < 3, 0 < A < B < C < D).

``[[derived]]`` entries (:class:`hccsurv.config.DerivedVariable`) add binary cuts, ordinal cuts
and recodes; see :func:`derive_variables`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from hccsurv.clinical.albi import albi_grade, albi_score, malbi_grade
from hccsurv.clinical.bclc import bclc_stage
from hccsurv.clinical.child_pugh import (
    ascites_points,
    child_pugh_class,
    child_pugh_points,
    encephalopathy_points,
)
from hccsurv.clinical.dosing import ate_beva_doses, bsa_dubois, bsa_mosteller, haic_fp_doses
from hccsurv.clinical.units import (
    afp_iu_ml_to_ng_ml,
    albumin_g_dl_to_g_l,
    albumin_g_l_to_g_dl,
    bilirubin_mg_dl_to_umol_l,
    bilirubin_umol_l_to_mg_dl,
)
from hccsurv.config import DerivedVariable, StudyConfig
from hccsurv.errors import ConfigError, InputError, Problem

__all__ = [
    "check_categories",
    "derive_clinical",
    "derive_roles",
    "derive_variables",
    "role_columns",
]

_OPS: dict[str, Callable[[pd.Series, float], pd.Series]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}


def _ordered(
    values: pd.Series | np.ndarray, categories: Sequence[str], index: pd.Index
) -> pd.Series:
    return pd.Series(
        pd.Categorical(np.asarray(values, dtype=object), categories=list(categories), ordered=True),
        index=index,
    )


def _num(frame: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(frame[col], errors="coerce").astype("float64")


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_categories(
    frame: pd.DataFrame, config: StudyConfig, patients: pd.Series
) -> list[Problem]:
    """Check the categorical inputs of the clinical scores, one problem per patient.

    Ascites must be a category accepted by :func:`hccsurv.clinical.child_pugh.ascites_points`,
    encephalopathy one accepted by :func:`~hccsurv.clinical.child_pugh.encephalopathy_points`,
    vascular invasion and extrahepatic spread yes/no values accepted by
    :func:`hccsurv.clinical.bclc.bclc_stage`. Missing values are allowed (the score is missing).
    """
    cols = config.clinical
    checks: list[tuple[str | None, Callable[[str], object], str]] = [
        (cols.ascites, ascites_points, "none, mild, moderate (or severe)"),
        (cols.encephalopathy, encephalopathy_points, "none, grade1-2, grade3-4"),
        (
            cols.vascular_invasion,
            lambda v: bclc_stage(1, 10.0, v, "No", "A", 0),
            "Yes or No",
        ),
        (
            cols.extrahepatic_spread,
            lambda v: bclc_stage(1, 10.0, "No", v, "A", 0),
            "Yes or No",
        ),
    ]
    problems: list[Problem] = []
    for col, check, allowed in checks:
        if col is None:
            continue
        values = frame[col]
        filled = values[values.notna() & (values.map(_text) != "")]
        bad: set[str] = set()
        for value in filled.map(_text).unique():
            try:
                check(value)
            except InputError:
                bad.add(value)
        flagged = filled.map(_text).isin(bad)
        problems += [
            Problem(
                where=col,
                message=f"{_text(values[k])!r} is not a recognised value; use {allowed}",
                patient=str(patients[k]),
                column=col,
                value=_text(values[k]),
                rule="category_value",
            )
            for k in flagged.index[flagged.to_numpy(dtype=bool)]
        ]
    return problems


def derive_clinical(frame: pd.DataFrame, config: StudyConfig) -> tuple[pd.DataFrame, list[str]]:
    """Clinical scores, BSA, doses and AFP variables from the configured columns.

    Returns
    -------
    columns, warnings
        The derived columns (same index as ``frame``) and notes on derivations left out.
    """
    cols, opts, units = config.clinical, config.clinical.options, config.units
    index = frame.index
    out = pd.DataFrame(index=index)
    notes: list[str] = []

    bili_mg = bili_umol = alb_gdl = alb_gl = None
    if cols.bilirubin is not None:
        raw = _num(frame, cols.bilirubin)
        bili_mg = raw if units.bilirubin == "mg/dL" else bilirubin_umol_l_to_mg_dl(raw)
        bili_umol = raw if units.bilirubin == "umol/L" else bilirubin_mg_dl_to_umol_l(raw)
    if cols.albumin is not None:
        raw = _num(frame, cols.albumin)
        alb_gdl = raw if units.albumin == "g/dL" else albumin_g_l_to_g_dl(raw)
        alb_gl = raw if units.albumin == "g/L" else albumin_g_dl_to_g_l(raw)

    cp_inputs = (cols.inr, cols.ascites, cols.encephalopathy)
    if (
        bili_mg is not None
        and alb_gdl is not None
        and cols.inr is not None
        and cols.ascites is not None
        and cols.encephalopathy is not None
    ):
        points = child_pugh_points(
            bili_mg,
            alb_gdl,
            _num(frame, cols.inr),
            frame[cols.ascites],
            frame[cols.encephalopathy],
            albumin_band=opts.albumin_band,
        )
        out["child_pugh_points"] = points
        out["child_pugh_class"] = _ordered(child_pugh_class(points), ["A", "B", "C"], index)
    elif cols.bilirubin or cols.albumin or any(cp_inputs):
        notes.append(
            "Child-Pugh not derived: it needs clinical.bilirubin, albumin, inr, ascites and "
            "encephalopathy"
        )

    if bili_umol is not None and alb_gl is not None:
        score = albi_score(bili_umol, alb_gl, albumin_coefficient=opts.albi_coefficient)
        out["albi_score"] = score
        out["albi_grade"] = _ordered(albi_grade(score), ["1", "2", "3"], index)
        out["malbi_grade"] = _ordered(malbi_grade(score), ["1", "2a", "2b", "3"], index)

    bclc_inputs = (
        cols.tumor_number,
        cols.tumor_size_mm,
        cols.vascular_invasion,
        cols.extrahepatic_spread,
        cols.ecog,
    )
    if "child_pugh_class" in out and all(c is not None for c in bclc_inputs):
        number, size, vascular, spread, ecog = (str(c) for c in bclc_inputs)
        stage = bclc_stage(
            _num(frame, number),
            _num(frame, size),
            frame[vascular],
            frame[spread],
            out["child_pugh_class"].astype(object),
            _num(frame, ecog),
            child_pugh_b=opts.bclc_child_pugh_b,
        )
        out["bclc_stage"] = _ordered(stage, ["0", "A", "B", "C", "D"], index)
    elif any(c is not None for c in bclc_inputs):
        notes.append(
            "BCLC stage not derived: it needs the Child-Pugh inputs and clinical.tumor_number, "
            "tumor_size_mm, vascular_invasion, extrahepatic_spread and ecog"
        )

    if cols.height_cm is not None and cols.weight_kg is not None:
        height, weight = _num(frame, cols.height_cm), _num(frame, cols.weight_kg)
        bsa_rule = bsa_mosteller if opts.bsa_formula == "mosteller" else bsa_dubois
        bsa = bsa_rule(height, weight)
        out["bsa_m2"] = bsa
        doses = haic_fp_doses(bsa)
        out["haic_fu_mg_day"] = doses.fluorouracil_mg_per_day
        out["haic_cisplatin_mg"] = doses.cisplatin_mg
        ate_beva = ate_beva_doses(weight)
        out["atezolizumab_mg"] = ate_beva.atezolizumab_mg
        out["bevacizumab_mg"] = ate_beva.bevacizumab_mg

    if cols.afp is not None:
        afp = _num(frame, cols.afp)
        if units.afp == "IU/mL":
            afp = afp_iu_ml_to_ng_ml(afp, ng_per_iu=units.afp_iu_factor)
            out["afp_ng_ml"] = afp
        cut = opts.afp_cutoff
        levels = [f"<{cut:g}", f"≥{cut:g}"]
        flag = np.where(afp >= cut, levels[1], levels[0]).astype(object)
        flag[afp.isna().to_numpy()] = None
        out[f"afp_ge_{cut:g}"] = _ordered(flag, levels, index)
    return out, notes


def derive_variables(frame: pd.DataFrame, derived: Sequence[DerivedVariable]) -> pd.DataFrame:
    """Apply the ``[[derived]]`` rules in order (a rule may use a column made by an earlier one).

    Binary: ``labels[1]`` where ``column <op> value`` holds, ``labels[0]`` where it does not.
    Ordinal: label ``i`` for ``breaks[i-1] <= x < breaks[i]`` (``numpy.searchsorted``, side
    "right"). Recode: ``map[str(x)]``; unmapped values become missing. Missing inputs stay
    missing. Each result is an ordered ``Categorical`` in :meth:`DerivedVariable.level_order`.
    """
    work = frame.copy()
    out = pd.DataFrame(index=frame.index)
    for d in derived:
        levels = d.level_order()
        if d.op is not None and d.value is not None:
            x = _num(work, d.column)
            hit = _OPS[d.op](x, d.value)
            values = np.where(hit, levels[1], levels[0]).astype(object)
            values[x.isna().to_numpy()] = None
        elif d.breaks is not None:
            x = _num(work, d.column)
            idx = np.searchsorted(np.asarray(d.breaks), x.to_numpy(), side="right")
            values = np.asarray(levels, dtype=object)[np.minimum(idx, len(levels) - 1)]
            values[x.isna().to_numpy()] = None
        else:
            mapping = d.map or {}
            source = work[d.column]
            text = source.map(lambda v: _text(v) if pd.notna(v) else None)
            values = text.map(mapping).to_numpy(dtype=object)
        column = _ordered(values, levels, frame.index)
        out[d.name] = column
        work[d.name] = column
    return out


def role_columns(config: StudyConfig) -> set[str]:
    """Derived variables used as the group or as a ready endpoint's time or status."""
    roles = {config.groups.column}
    for ep in config.endpoints.values():
        roles |= {c for c in (ep.time, ep.event) if c is not None}
    return roles & {d.name for d in config.derived}


def derive_roles(raw: pd.DataFrame, config: StudyConfig) -> pd.DataFrame:
    """The table as read plus the derived variables that are a group, a time or a status.

    They are made before validation, from the columns as read, so that a patient whose derived
    group or status is missing or not a valid code is named like any other (a recode leaves
    unmapped values missing). The rules up to the last such variable are applied in order; each
    must read data columns or earlier rules (not a clinical score, which needs validated inputs).
    """
    wanted = role_columns(config)
    if not wanted:
        return raw
    last = max(i for i, d in enumerate(config.derived) if d.name in wanted)
    chain = config.derived[: last + 1]
    available = {str(c) for c in raw.columns}
    problems = []
    for i, d in enumerate(chain):
        if d.name in raw.columns:
            problems.append(
                Problem(
                    where=f"derived[{i}].name",
                    message=f"'{d.name}' is already a column; choose another name",
                    rule="name_clash",
                )
            )
        elif d.column not in available:
            problems.append(
                Problem(
                    where=f"derived[{i}].column",
                    message=(
                        f"'{d.name}' is used as the group or an endpoint's time/status, so it is "
                        f"made from the data as read, but '{d.column}' is not a data column "
                        "(nor an earlier derived variable)"
                    ),
                    rule="unknown_column",
                )
            )
        available.add(d.name)
    if problems:
        raise ConfigError("A derived group, time or status cannot be made", problems)
    values = derive_variables(raw, chain)
    out = raw.copy()
    for name in sorted(wanted, key=[d.name for d in chain].index):
        out[name] = values[name].astype(object).where(values[name].notna(), None)
    out.attrs = dict(raw.attrs)
    return out
