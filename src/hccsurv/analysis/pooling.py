"""``hccsurv.pool(models)``: Rubin's rules over Cox models fitted on imputed datasets.

Equivalent of R ``summary(mice::pool(with(imp, coxph(...))), conf.int = TRUE)`` (mice 3.15,
checked with the installed mice 3.15.0): the complete-data df of a Cox model is
``max(nevent - length(coef), 1)`` of the first model (mice ``get.dfcom``). Formulas:
:mod:`hccsurv.core.rubin`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hccsurv.analysis.coxph import CoxModel
from hccsurv.core._result import jsonable
from hccsurv.core.rubin import RubinPooled, rubin_pool
from hccsurv.errors import InputError

POOLED_COLUMNS = (
    "term",
    "estimate",
    "std.error",
    "statistic",
    "df",
    "p.value",
    "conf.low",
    "conf.high",
    "riv",
    "lambda",
    "fmi",
)


@dataclass(frozen=True)
class PooledModel(RubinPooled):
    """Pooled Cox coefficients (log hazard ratios), one entry per coefficient name."""

    terms: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per term with the columns of mice's ``summary(pool(...), conf.int = TRUE)``."""
        return pd.DataFrame(
            {
                "term": list(self.terms),
                "estimate": self.estimate,
                "std.error": self.std_error,
                "statistic": self.statistic,
                "df": self.df,
                "p.value": self.p_value,
                "conf.low": self.conf_low,
                "conf.high": self.conf_high,
                "riv": self.riv,
                "lambda": self.lambda_,
                "fmi": self.fmi,
            },
            columns=list(POOLED_COLUMNS),
        )

    def to_dict(self) -> dict[str, Any]:
        """``m``, ``dfcom``, ``conf_level`` and per term the pooled columns."""
        rows = self.to_frame().to_dict(orient="records")
        return {
            "m": self.m,
            "dfcom": jsonable(self.dfcom),
            "conf_level": self.conf_level,
            "terms": jsonable({r.pop("term"): r for r in rows}),
        }


def pool(models: Sequence[CoxModel], conf_level: float = 0.95) -> PooledModel:
    """Pool ``hccsurv.coxph`` fits, one per completed dataset, by Rubin's rules."""
    if len(models) < 2:
        raise InputError("pool needs the fits of at least two imputed datasets")
    names = models[0].fit.names
    if any(mo.fit.names != names for mo in models):
        raise InputError("every model must have the same coefficients in the same order")
    q = np.array([mo.fit.coef for mo in models])
    u = np.array([np.diag(mo.fit.var) for mo in models])
    dfcom = float(max(models[0].n_events - len(names), 1))
    r = rubin_pool(q, u, dfcom, conf_level)
    return PooledModel(**{k: getattr(r, k) for k in r.__dataclass_fields__}, terms=names)
