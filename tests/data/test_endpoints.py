"""Endpoints from hand-made dates: earliest event, censoring rule, administrative cut-off."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccsurv.config import EndpointConfig
from hccsurv.data.endpoints import endpoint_from_columns, endpoint_from_dates

START = "2024-01-01"


def _dates(**columns: list[str | None]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame({"start": [START] * n, **columns})
    return pd.DataFrame({c: pd.to_datetime(frame[c]) for c in frame.columns})


PFS = EndpointConfig(
    label="PFS",
    start="start",
    events=["progression", "death"],
    last_contact="contact",
    censoring="last_assessment",
    last_assessment="assessment",
)
OS = EndpointConfig(label="OS", start="start", events=["death"], last_contact="contact")


def test_pfs_earliest_of_two_dates() -> None:
    dates = _dates(
        progression=["2024-03-01", None, "2024-05-01", None],
        death=["2024-04-01", "2024-02-15", "2024-04-20", None],
        assessment=["2024-02-20", "2024-02-01", "2024-04-01", "2024-06-01"],
        contact=["2024-04-01", "2024-02-15", "2024-04-20", "2024-07-01"],
    )
    values = endpoint_from_dates(dates, PFS, cutoff=None, days_per_unit=1.0)
    # 60 days to progression; 45 days to death; death (110) before progression (121); censored
    # at the last assessment (152 days), not at last contact (182)
    assert values.time.tolist() == [60.0, 45.0, 110.0, 152.0]
    assert values.event.tolist() == [1.0, 1.0, 1.0, 0.0]


def test_last_followup_censoring_and_months() -> None:
    dates = _dates(death=[None], contact=["2024-07-01"])
    values = endpoint_from_dates(dates, OS, cutoff=None, days_per_unit=30.4375)
    assert values.time.iloc[0] == pytest.approx(182 / 30.4375, rel=1e-12)
    assert values.event.iloc[0] == 0.0


def test_cutoff_censors_later_events_and_contacts() -> None:
    dates = _dates(
        death=["2024-03-01", "2025-02-01", None, None],
        contact=["2024-03-01", "2025-02-01", "2025-03-01", "2024-10-01"],
    )
    values = endpoint_from_dates(dates, OS, cutoff=pd.Timestamp("2024-12-31"), days_per_unit=1.0)
    # event before the cut-off counts; death after it is censored at the cut-off (365 days);
    # contact after the cut-off is cut back to it; contact before it stays
    assert values.time.tolist() == [60.0, 365.0, 365.0, 274.0]
    assert values.event.tolist() == [1.0, 0.0, 0.0, 0.0]


def test_event_on_cutoff_day_counts() -> None:
    dates = _dates(death=["2024-12-31"], contact=["2024-12-31"])
    values = endpoint_from_dates(dates, OS, cutoff=pd.Timestamp("2024-12-31"), days_per_unit=1)
    assert (values.time.iloc[0], values.event.iloc[0]) == (365.0, 1.0)


def test_pfs_cutoff_with_last_assessment() -> None:
    dates = _dates(
        progression=["2025-01-10", None],
        death=[None, "2025-03-01"],
        assessment=["2024-11-01", "2024-12-01"],
        contact=["2025-01-10", "2025-03-01"],
    )
    values = endpoint_from_dates(dates, PFS, cutoff=pd.Timestamp("2024-12-31"), days_per_unit=1)
    # events after the cut-off: censored at the last assessment on or before the cut-off
    assert values.time.tolist() == [305.0, 335.0]
    assert values.event.tolist() == [0.0, 0.0]


def test_death_after_cutoff_without_contact_censored_at_cutoff() -> None:
    dates = _dates(death=["2025-02-01"], contact=[None])
    values = endpoint_from_dates(dates, OS, cutoff=pd.Timestamp("2024-12-31"), days_per_unit=1)
    assert (values.time.iloc[0], values.event.iloc[0]) == (365.0, 0.0)


def test_unusable_rows_are_missing() -> None:
    dates = _dates(death=[None, None], contact=[None, "2024-02-01"])
    dates.loc[1, "start"] = pd.NaT
    values = endpoint_from_dates(dates, OS, cutoff=None, days_per_unit=1.0)
    assert values.time.isna().all() and values.event.isna().all()


def test_ready_columns_converted_to_study_unit() -> None:
    frame = pd.DataFrame({"t": [30.4375, 365.25, np.nan], "e": [1, 0, 1]})
    endpoint = EndpointConfig(label="TTF", time="t", event="e", time_unit="days")
    values = endpoint_from_columns(frame, endpoint, days_per_unit=30.4375)
    assert values.time.tolist()[:2] == [1.0, 12.0]
    assert np.isnan(values.time.iloc[2]) and np.isnan(values.event.iloc[2])
    assert values.event.tolist()[:2] == [1.0, 0.0]
