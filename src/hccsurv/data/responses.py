"""Best-response codes in a cohort column (``[response] source = "column"``).

The codes ``CR`` ``PR`` ``SD`` ``PD`` ``NE`` (mRECIST / RECIST 1.1 best overall response) are read
case- and space-insensitively (``" pr "`` is PR, ``"p d"`` is PD); an empty cell is missing (not
evaluable in the analysis). Written-out forms ("Partial response") are not accepted: free text
from an export may mix confirmed and unconfirmed responses or criteria, and only the user can say
which category a patient's confirmed best response is. Validation answers them with the code to
write (:func:`response_hints`).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["RESPONSE_CODES", "response_codes", "response_hints"]

#: Best-response codes accepted in a ``response.best_response`` column (after strip + upper).
RESPONSE_CODES = ("CR", "PR", "SD", "PD", "NE")

# Written-out forms, answered with the code to write (they are not accepted: see the docstring).
_RESPONSE_HINTS = {
    "COMPLETE RESPONSE": "CR",
    "COMPLETE REMISSION": "CR",
    "PARTIAL RESPONSE": "PR",
    "PARTIAL REMISSION": "PR",
    "STABLE DISEASE": "SD",
    "STABLE": "SD",
    "PROGRESSIVE DISEASE": "PD",
    "PROGRESSION": "PD",
    "NOT EVALUABLE": "NE",
    "NON-EVALUABLE": "NE",
    "NOT EVALUATED": "NE",
    "INEVALUABLE": "NE",
}


def _cells(raw: pd.Series) -> pd.Series:
    """Cells as stripped text; missing cells as ``""``."""
    return raw.map(lambda v: str(v).strip() if pd.notna(v) else "")


def response_codes(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Best responses as codes (missing stays missing) and the mask of unrecognised cells."""
    text = _cells(raw).str.replace(r"\s+", "", regex=True).str.upper()
    bad = (text != "") & ~text.isin(RESPONSE_CODES)
    return text.where((text != "") & ~bad), bad


def response_hints(raw: pd.Series) -> pd.Series:
    """The code a written-out response stands for ("Partial response" -> PR), else ``""``."""
    words = _cells(raw).str.upper().str.split().str.join(" ")
    return words.map(_RESPONSE_HINTS).fillna("")
