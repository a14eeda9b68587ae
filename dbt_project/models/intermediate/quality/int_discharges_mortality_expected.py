"""Expected in-hospital death of every discharge from a fitted case-mix model.

A logistic regression of in-hospital death on age band, sex, emergency admission,
Charlson band and diagnosis group, fitted on every discharge in the data (NHS Digital
SHMI specification; Jarman et al. 1999, HSMR); the model is clinical.mortality_risk.
Summed per hospital and month, the probabilities are the expected deaths behind the
mortality O/E ratio; on the fitting population they sum to the observed deaths.
One row per discharge (deaths included).
"""

from clinical.mortality_risk import RISK_FACTORS, expected_death_probability


def model(dbt, session):
    discharges = dbt.ref("int_discharges_risk_factored").df()
    discharges = discharges.sort_values("encounter_id", kind="stable").reset_index(drop=True)
    # Back to DATE columns (pandas holds dates as timestamps).
    for column in ("discharge_date", "discharge_month"):
        discharges[column] = discharges[column].dt.date
    discharges["expected_death_probability"] = expected_death_probability(
        discharges[list(RISK_FACTORS)], discharges["is_death"]
    )
    return discharges
