"""Read the lesion table the config names (``[response] source = "lesions"``).

The response engine (:mod:`hccsurv.clinical.response`) checks the table column by column; this
module does the I/O and the link to the cohort: the patient-id column must exist, and only the
rows of analysed patients are kept. Rows of patients excluded from the cohort go with them (the
exclusion is in the patient flow); rows whose patient is not in the cohort file at all are
counted in a warning, since they usually mean an id typed differently in the two files.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pandas as pd

from hccsurv.config import StudyConfig
from hccsurv.data.readers import read_table
from hccsurv.errors import ConfigError, Problem

__all__ = ["read_lesions"]


def read_lesions(
    config: StudyConfig, analysed: Iterable[str], read: Iterable[str]
) -> tuple[pd.DataFrame | None, list[str]]:
    """The lesion rows of the analysed patients, and warnings; ``None`` without a lesion file.

    Parameters
    ----------
    config
        The study config; its ``response.lesion_file`` is resolved against the config's folder.
    analysed
        Patient ids (as text) of the analysed cohort.
    read
        Patient ids (as text) of every row of the cohort file, excluded patients included.

    Raises
    ------
    ConfigError
        The lesion file lacks the patient-id column named by
        ``response.lesion_columns.patient_id``.
    DataReadError
        The lesion file cannot be read.
    """
    response = config.response
    if response is None or response.source != "lesions" or response.lesion_file is None:
        return None, []
    path = config.resolve(response.lesion_file)
    table = read_table(path)
    id_column = response.lesion_columns.patient_id
    if id_column not in table.columns:
        columns = [str(c) for c in table.columns]
        hint = difflib.get_close_matches(id_column, columns, n=1, cutoff=0.6)
        raise ConfigError(
            "The study config names columns that are not in the lesion file",
            [
                Problem(
                    where="response.lesion_columns.patient_id",
                    message=(
                        f"column '{id_column}' is not in {path.name}"
                        + (f"; did you mean '{hint[0]}'?" if hint else "")
                        + f" (columns: {', '.join(columns)})"
                    ),
                    rule="unknown_column",
                )
            ],
        )
    ids = table[id_column].astype(str)
    unknown = ids[~ids.isin(set(read))]
    warnings: list[str] = []
    if len(unknown):  # counted, not named: warnings reach the report, patient ids must not
        warnings.append(
            f"{path.name}: {len(unknown)} row(s) of {unknown.nunique()} patient(s) not in the "
            f"cohort file are not used; check the ids in column '{id_column}'"
        )
    return table[ids.isin(set(analysed))], warnings
