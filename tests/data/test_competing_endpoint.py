"""An endpoint from dates with competing events: the first date decides the cause, the time runs
to it, ``<name>_event`` is the cause-specific indicator, and the config keys are checked."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from hccsurv.config import EndpointConfig
from hccsurv.data.endpoints import endpoint_from_dates

TTP = EndpointConfig(
    label="Time to progression",
    start="start",
    events=["progression"],
    competing={"Death": "death", "Transplant": "transplant"},
    last_contact="contact",
)


def _dates(**columns: list[str | None]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame({"start": ["2024-01-01"] * n, **columns})
    return pd.DataFrame({c: pd.to_datetime(frame[c]) for c in frame.columns})


def test_the_first_date_decides_the_cause() -> None:
    dates = _dates(
        progression=["2024-03-01", "2024-05-01", None, "2024-02-01", None, "2025-03-01"],
        death=["2024-04-01", "2024-04-20", None, "2024-02-01", None, None],
        transplant=[None, None, "2024-01-31", None, None, None],
        contact=["2024-04-01", "2024-04-20", "2024-06-01", "2024-02-01", "2024-06-30", None],
    )
    values = endpoint_from_dates(dates, TTP, cutoff=pd.Timestamp("2024-12-31"), days_per_unit=1)
    assert values.cause is not None
    # progression first; death first; transplant; a tie goes to the endpoint's own event;
    # censored at last contact; progression after the cut-off: censored at the cut-off
    assert values.cause.tolist() == [1.0, 2.0, 3.0, 1.0, 0.0, 0.0]
    assert values.time.tolist() == [60.0, 110.0, 30.0, 31.0, 181.0, 365.0]
    assert values.event.tolist() == [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]


def test_no_usable_time_leaves_the_cause_missing() -> None:
    dates = _dates(progression=[None], death=[None], transplant=[None], contact=[None])
    values = endpoint_from_dates(dates, TTP, cutoff=None, days_per_unit=1)
    assert values.cause is not None and values.cause.isna().all() and values.event.isna().all()


def test_cause_labels_in_code_order() -> None:
    assert TTP.cause_labels == ("Time to progression", "Death", "Transplant")
    renamed = TTP.model_copy(update={"cause_label": "Progression"})
    assert renamed.cause_labels[0] == "Progression"
    assert EndpointConfig(label="OS", start="s", events=["d"], last_contact="c").cause_labels == ()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"competing": {}}, "at least one"),
        ({"competing": {"Death": "progression"}}, "both an event and a competing event"),
        ({"competing": {"time to progression": "death"}}, "repeat one another"),
        ({"cause_label": "Progression"}, "needs competing"),
    ],
)
def test_bad_competing_keys_are_explained(extra: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "label": "Time to progression",
        "start": "start",
        "events": ["progression"],
        "last_contact": "contact",
    }
    with pytest.raises(ValidationError, match=message):
        EndpointConfig.model_validate({**base, **extra})


def test_competing_needs_dates() -> None:
    with pytest.raises(ValidationError, match="endpoint from dates"):
        EndpointConfig.model_validate(
            {
                "label": "TTP",
                "time": "t",
                "event": "e",
                "time_unit": "days",
                "competing": {"Death": "death"},
            }
        )
