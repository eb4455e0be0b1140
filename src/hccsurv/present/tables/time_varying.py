"""The table of an endpoint by response: the naive comparison from the start beside the landmark
analyses and the time-varying Cox model (``analysis.time_varying``)."""

from __future__ import annotations

from hccsurv.analysis.time_varying import TimeVaryingAnalysis
from hccsurv.present.format import DEFAULT_OPTIONS, FormatOptions, format_hr_ci, format_p
from hccsurv.present.table import Column, Row, Table


def time_varying_table(
    analysis: TimeVaryingAnalysis, options: FormatOptions = DEFAULT_OPTIONS
) -> tuple[Table, ...]:
    """One row per method: n, events, HR of response vs no response (95% CI), p."""
    frame = analysis.to_frame()
    rows = tuple(
        Row(
            (
                str(r["method"]),
                str(int(r["n"])),
                str(int(r["events"])),
                format_hr_ci(r["hr"], r["hr_lower"], r["hr_upper"], options=options),
                format_p(r["p"], options=options),
            )
        )
        for r in frame.to_dict(orient="records")
    )
    return (
        Table(
            id="time_varying",
            title=f"{analysis.endpoint} by objective response: naive, landmark and time-varying",
            columns=(
                Column("method", "Method", "left"),
                Column("n", "n"),
                Column("events", "Events"),
                Column("hr", "HR, response vs none (95% CI)"),
                Column("p", "p"),
            ),
            rows=rows,
            footnotes=(
                "Naive: responders vs non-responders from the start of treatment, biased in "
                "favour of responders (immortal time: they had to survive until the response).",
                "Landmark: patients still in follow-up at the landmark, by response reached by "
                "then, followed from the landmark. Time-varying: each patient counted as "
                "non-responding until the confirmed response (Cox model on start-stop rows, "
                "robust variance clustered on the patient).",
                *analysis.notes,
            ),
            data=frame,
        ),
    )
