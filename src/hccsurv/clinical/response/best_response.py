"""Best overall response with confirmation, response dates and duration of response.

Semantics follow admiralonco ``derive_param_confirmed_bor()`` (HCC_REFERENCE §1.8), applied to
the assessments up to and including the first PD:

- a CR is confirmed by the first later CR at least ``confirm_days`` later, when every assessment
  from the CR to that confirmation is CR or NE and at most ``max_nr_ne`` of them are NE;
- a PR is confirmed by the first later CR or PR at least ``confirm_days`` later, when the
  assessments in between are CR, PR, NE or (with ``accept_sd``, at most one) SD, at most
  ``max_nr_ne`` are NE, and no PR follows a CR;
- BOR is, in this order: confirmed CR; confirmed PR; SD (a CR, PR or SD at least ``sd_min_days``
  after the reference date); NON-CR/NON-PD (same window); PD; NE (NE assessments, or responses
  before the SD window); NE when there is no post-baseline assessment at all.

The unconfirmed BOR ranks CR > PR (any time) > SD (window) > NON-CR/NON-PD > PD > NE.
Duration of response (§9): from the first confirmed CR/PR to the first PD or death; otherwise
censored at the last assessment that is not NE. Computed with pandas merges and group
operations (no loop over patients).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hccsurv.clinical.response.lesions import ResponseRules, truth
from hccsurv.clinical.response.timepoint import TimepointResponses
from hccsurv.core._result import Result

_KEY = ["patient_id", "reader"]
_RANK = {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6}
_CODES = np.array(["", "CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"])
_FIELDS = (
    "patient_id",
    "reader",
    "bor",
    "bor_unconfirmed",
    "first_response_date",
    "pd_date",
    "dor_days",
    "dor_event",
    "n_assessments",
    "evaluable",
    "reader_calls",
)


@dataclass(frozen=True)
class BestResponses(Result):
    """Per patient (and reading): confirmed BOR and its dates.

    ``first_response_date`` and ``dor_days`` are set for confirmed responders only (``""`` and
    NaN otherwise); ``pd_date`` is ``""`` without PD; ``evaluable`` is False when the patient has
    no post-baseline assessment other than NE; ``reader_calls`` lists each reader's confirmed
    BOR (``"R1=PR; R2=SD"``) for adjudicated results, ``""`` otherwise.
    """

    patient_id: tuple[str, ...]
    reader: tuple[str, ...]
    bor: tuple[str, ...]
    bor_unconfirmed: tuple[str, ...]
    first_response_date: tuple[str, ...]
    pd_date: tuple[str, ...]
    dor_days: np.ndarray
    dor_event: np.ndarray
    n_assessments: np.ndarray
    evaluable: np.ndarray
    reader_calls: tuple[str, ...]
    rules: ResponseRules
    rule_version: str

    def to_frame(self) -> pd.DataFrame:
        """One row per patient (reading) with the columns listed in the class docstring."""
        return pd.DataFrame({name: list(getattr(self, name)) for name in _FIELDS})

    def with_reader_calls(self, calls: tuple[str, ...]) -> BestResponses:
        """A copy with the ``reader_calls`` column filled in (same row order)."""
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        values["reader_calls"] = calls
        return BestResponses(**values)


def _confirmed(pre: pd.DataFrame, rules: ResponseRules) -> pd.DataFrame:
    """Rows of ``pre`` (CR/PR assessments) that are confirmed, with their candidate code."""
    cand = pre[pre["resp"].isin(["CR", "PR"])][[*_KEY, "date", "resp"]]
    later = pre[[*_KEY, "date", "resp"]].rename(columns={"date": "date_j", "resp": "resp_j"})
    pairs = cand.merge(later, on=_KEY)
    pairs = pairs[pairs["date_j"] > pairs["date"]].sort_values([*_KEY, "date", "date_j"])
    gap_ok = (pairs["date_j"] - pairs["date"]).dt.days >= rules.confirm_days
    is_cr = pairs["resp"] == "CR"
    first_cond = gap_ok & np.where(
        is_cr, pairs["resp_j"] == "CR", pairs["resp_j"].isin(["CR", "PR"])
    )
    cand_key = [pairs[k] for k in [*_KEY, "date"]]
    before = first_cond.astype(int).groupby(cand_key).cumsum() - first_cond.astype(int)
    window = pairs[before == 0].assign(first=first_cond[before == 0])
    allowed = np.where(
        window["resp"] == "CR",
        window["resp_j"].isin(["CR", "NE"]),
        window["resp_j"].isin(["CR", "PR", "SD", "NE"]),
    )
    cr_date = window["date_j"].where(window["resp_j"] == "CR")
    pr_date = window["date_j"].where(window["resp_j"] == "PR")
    window = window.assign(
        allowed=allowed,
        ne=window["resp_j"] == "NE",
        sd=window["resp_j"] == "SD",
        cr_date=cr_date,
        pr_date=pr_date,
    )
    agg = window.groupby([*_KEY, "date", "resp"]).agg(
        first=("first", "any"),
        allowed=("allowed", "all"),
        n_ne=("ne", "sum"),
        n_sd=("sd", "sum"),
        min_cr=("cr_date", "min"),
        max_pr=("pr_date", "max"),
    )
    agg = agg.reset_index()
    order_ok = agg["min_cr"].isna() | agg["max_pr"].isna() | (agg["min_cr"] > agg["max_pr"])
    ok = agg["first"] & agg["allowed"] & (agg["n_ne"] <= rules.max_nr_ne)
    pr_ok = (agg["n_sd"] <= (1 if rules.accept_sd else 0)) & order_ok
    ok &= (agg["resp"] == "CR") | pr_ok
    return agg[ok][[*_KEY, "date", "resp"]]


def _best(records: pd.DataFrame, readings: pd.DataFrame) -> pd.DataFrame:
    """Lowest rank, then earliest date, per reading; readings without records get NE."""
    best = records.sort_values([*_KEY, "rank", "date"]).drop_duplicates(_KEY)
    out = readings.merge(best[[*_KEY, "rank", "date"]], on=_KEY, how="left")
    out["rank"] = out["rank"].fillna(_RANK["NE"]).astype(int)
    return out


def best_overall_response(
    timepoints: TimepointResponses,
    rules: ResponseRules | None = None,
    death_dates: Mapping[str, object] | None = None,
) -> BestResponses:
    """Confirmed best overall response for every reading in ``timepoints``.

    Parameters
    ----------
    timepoints
        Per-visit overall responses (one reader, several readers, or an adjudicated reading).
    rules
        ``confirm_days``, ``sd_min_days``, ``max_nr_ne``, ``accept_sd``.
    death_dates
        Optional ``patient_id -> death date`` (ends the duration of response when before PD).

    Returns
    -------
    BestResponses
        One row per (patient, reader) in ``timepoints.readings``.

    References
    ----------
    admiralonco ``derive_param_confirmed_bor()``; Eisenhauer et al., Eur J Cancer 2009, Table 3.
    """
    rules = rules or ResponseRules()
    tp = timepoints.to_frame()
    df = pd.DataFrame(
        {
            "patient_id": tp["patient_id"],
            "reader": tp["reader"],
            "date": pd.to_datetime(tp["assessment_date"]),
            "ref": pd.to_datetime(tp["reference_date"]),
            "resp": tp["overall_response"],
        }
    )
    readings = pd.DataFrame(list(timepoints.readings), columns=_KEY)
    readings = readings if len(readings) else df[_KEY].drop_duplicates()
    keys = [df[k] for k in _KEY]
    first_pd = df["date"].where(df["resp"] == "PD").groupby(keys).transform("min")
    pre = df[first_pd.isna() | (df["date"] <= first_pd)]
    in_window = (pre["date"] - pre["ref"]).dt.days >= rules.sd_min_days
    rank = pre["resp"].map(_RANK).to_numpy(dtype=int)
    is_resp = pre["resp"].isin(["CR", "PR"]).to_numpy()
    stable = pre["resp"].isin(["CR", "PR", "SD", "NON-CR/NON-PD"]).to_numpy()
    base_rank = np.where(stable, np.where(in_window, np.maximum(rank, 3), 6), rank)
    windowed = pre.assign(rank=base_rank)
    confirmed = _confirmed(pre, rules)
    conf_rank = confirmed.assign(rank=confirmed["resp"].map(_RANK))
    bor = _best(pd.concat([windowed, conf_rank]), readings)
    unconf = _best(pre.assign(rank=np.where(is_resp, rank, base_rank)), readings)
    first_resp = confirmed.groupby(_KEY)["date"].min().rename("first_resp").reset_index()
    pd_first = df[df["resp"] == "PD"].groupby(_KEY)["date"].min().rename("pd").reset_index()
    withpd = df.merge(pd_first, on=_KEY, how="left")
    adequate = (withpd["resp"] != "NE") & (withpd["pd"].isna() | (withpd["date"] <= withpd["pd"]))
    last_ok = withpd[adequate]
    last = last_ok.groupby(_KEY)["date"].max().rename("last").reset_index()
    counts = df.groupby(_KEY).size().rename("n").reset_index()
    out = (
        bor.merge(unconf[[*_KEY, "rank"]].rename(columns={"rank": "urank"}), on=_KEY)
        .merge(first_resp, on=_KEY, how="left")
        .merge(pd_first, on=_KEY, how="left")
        .merge(last, on=_KEY, how="left")
        .merge(counts, on=_KEY, how="left")
    )
    responder = out["rank"].isin([1, 2]).to_numpy()
    death = (
        pd.to_datetime(out["patient_id"].map(dict(death_dates)), errors="coerce")
        if death_dates is not None
        else pd.Series(pd.NaT, index=out.index)
    )
    end_event = pd.concat([out["pd"], death], axis=1).min(axis=1)
    has_event = end_event.notna().to_numpy()
    end = end_event.where(has_event, out["last"])
    dor = (end - out["first_resp"]).dt.days.to_numpy(dtype=float)
    n = out["n"].fillna(0).to_numpy(dtype=int)
    evaluable = df[df["resp"] != "NE"][_KEY].drop_duplicates().assign(_ev=True)
    ev = truth(out[_KEY].merge(evaluable, on=_KEY, how="left")["_ev"])

    def iso(series: pd.Series, mask: np.ndarray) -> tuple[str, ...]:
        text = pd.to_datetime(series).dt.strftime("%Y-%m-%d").fillna("")
        return tuple(str(v) for v in np.where(mask, text.to_numpy(dtype=str), ""))

    return BestResponses(
        patient_id=tuple(out["patient_id"].astype(str)),
        reader=tuple(out["reader"].astype(str)),
        bor=tuple(_CODES[out["rank"].to_numpy(dtype=int)].tolist()),
        bor_unconfirmed=tuple(_CODES[out["urank"].to_numpy(dtype=int)].tolist()),
        first_response_date=iso(out["first_resp"], responder),
        pd_date=iso(out["pd"], out["pd"].notna().to_numpy()),
        dor_days=np.where(responder, dor, np.nan),
        dor_event=responder & has_event,
        n_assessments=n,
        evaluable=ev,
        reader_calls=("",) * len(out),
        rules=rules,
        rule_version=timepoints.criteria,
    )


@dataclass(frozen=True)
class ResponseCounts(Result):
    """BOR counts, ORR and DCR per group, with numerator and denominator.

    ORR = confirmed CR + PR; DCR = CR + PR + SD + NON-CR/NON-PD (HCC_REFERENCE §1.8). The
    denominator is every patient (``all_treated``, non-evaluable patients count as NE) or the
    evaluable patients only (``evaluable_only``).
    """

    group: tuple[str, ...]
    n_cr: np.ndarray
    n_pr: np.ndarray
    n_sd: np.ndarray
    n_non_cr_non_pd: np.ndarray
    n_pd: np.ndarray
    n_ne: np.ndarray
    orr_events: np.ndarray
    dcr_events: np.ndarray
    denominator: np.ndarray
    denominator_rule: str

    @property
    def orr(self) -> np.ndarray:
        """ORR as a proportion per group."""
        return np.asarray(self.orr_events / self.denominator, dtype=float)

    @property
    def dcr(self) -> np.ndarray:
        """DCR as a proportion per group."""
        return np.asarray(self.dcr_events / self.denominator, dtype=float)

    def to_frame(self) -> pd.DataFrame:
        """One row per group."""
        cols = (
            "group",
            "n_cr",
            "n_pr",
            "n_sd",
            "n_non_cr_non_pd",
            "n_pd",
            "n_ne",
            "orr_events",
            "dcr_events",
            "denominator",
        )
        frame = pd.DataFrame({c: list(getattr(self, c)) for c in cols})
        frame["orr"] = self.orr
        frame["dcr"] = self.dcr
        frame["denominator_rule"] = self.denominator_rule
        return frame


def response_counts(
    best: BestResponses,
    groups: Mapping[str, str] | None = None,
    denominator: str | None = None,
) -> ResponseCounts:
    """Count BOR categories, ORR and DCR per group.

    Parameters
    ----------
    best
        One reading per patient (for example the adjudicated one).
    groups
        ``patient_id -> group``; all patients form one group ``"all"`` when omitted.
    denominator
        ``"all_treated"`` or ``"evaluable_only"``; defaults to ``best.rules.denominator``.
    """
    rule = denominator or best.rules.denominator
    frame = best.to_frame()
    frame["group"] = frame["patient_id"].map(dict(groups)) if groups is not None else "all"
    if rule == "evaluable_only":
        frame = frame[frame["evaluable"]]
    tab = pd.crosstab(frame["group"], frame["bor"]).reindex(columns=_CODES[1:], fill_value=0)
    counts = {code: tab[code].to_numpy(dtype=int) for code in _CODES[1:]}
    return ResponseCounts(
        group=tuple(str(g) for g in tab.index),
        n_cr=counts["CR"],
        n_pr=counts["PR"],
        n_sd=counts["SD"],
        n_non_cr_non_pd=counts["NON-CR/NON-PD"],
        n_pd=counts["PD"],
        n_ne=counts["NE"],
        orr_events=counts["CR"] + counts["PR"],
        dcr_events=counts["CR"] + counts["PR"] + counts["SD"] + counts["NON-CR/NON-PD"],
        denominator=tab.sum(axis=1).to_numpy(dtype=int),
        denominator_rule=rule,
    )
