"""The patient flow of a study (STROBE item 13): read, excluded by reason, analysed.

Exclusion reasons are mutually exclusive: a patient with several problems is counted under the
first one found (the order of the rules in :mod:`hccsurv.data.validate`), so the counts add up
to ``read - analysed``. Patient ids are kept for the analyst but leave ``to_dict()`` only when
``include_identifiers=True`` (privacy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hccsurv.core._result import Result, jsonable

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EndpointCount", "Exclusion", "PatientFlow"]


@dataclass(frozen=True)
class Exclusion:
    """Rows excluded for one reason (``rule`` from :mod:`hccsurv.data.validate`).

    ``count`` counts rows (both rows of a duplicated id), ``patients`` the distinct ids.
    """

    rule: str
    reason: str
    count: int
    patients: tuple[str, ...]


@dataclass(frozen=True)
class EndpointCount:
    """Patients with a usable time and event for one endpoint, and their events."""

    endpoint: str
    n: int
    events: int


@dataclass(frozen=True)
class PatientFlow(Result):
    """From the rows read to the patients analysed.

    Attributes
    ----------
    read
        Rows in the cohort file.
    excluded
        One :class:`Exclusion` per reason, in rule order (empty without ``exclude_invalid``).
    analysed
        Patients kept.
    analysed_by_group
        Patients kept per group label, in display order.
    endpoints
        Per endpoint, patients with a usable time and event, and events.
    missing
        Missing values per column among the patients kept (columns without any are listed as 0).
    note
        How rows became patients when not one row per id: "rows numbered; the file has no id
        column", or the long format's rows per patient (empty otherwise).
    """

    read: int
    excluded: tuple[Exclusion, ...]
    analysed: int
    analysed_by_group: dict[str, int]
    endpoints: tuple[EndpointCount, ...]
    missing: dict[str, int]
    note: str = ""

    @property
    def n_excluded(self) -> int:
        """Total number of patients excluded."""
        return sum(e.count for e in self.excluded)

    def to_dict(self, *, include_identifiers: bool = False) -> dict[str, Any]:
        """JSON-able flow; patient ids only with ``include_identifiers=True``."""
        excluded = [
            {"rule": e.rule, "reason": e.reason, "count": e.count}
            | ({"patients": list(e.patients)} if include_identifiers else {})
            for e in self.excluded
        ]
        return {
            "read": self.read,
            "excluded": excluded,
            "n_excluded": self.n_excluded,
            "analysed": self.analysed,
            "analysed_by_group": jsonable(self.analysed_by_group),
            "endpoints": [jsonable(e) for e in self.endpoints],
            "missing": jsonable(self.missing),
            "note": self.note,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per flow step: ``step``, ``reason``, ``n`` (no patient ids)."""
        import pandas as pd

        rows: list[dict[str, object]] = [{"step": "read", "reason": self.note, "n": self.read}]
        rows += [{"step": "excluded", "reason": e.reason, "n": e.count} for e in self.excluded]
        rows.append({"step": "analysed", "reason": "", "n": self.analysed})
        rows += [
            {"step": "analysed", "reason": f"group {g}", "n": n}
            for g, n in self.analysed_by_group.items()
        ]
        rows += [{"step": "endpoint", "reason": e.endpoint, "n": e.n} for e in self.endpoints]
        return pd.DataFrame(rows, columns=["step", "reason", "n"])
