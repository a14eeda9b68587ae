"""Every ML asset and retrain job, so the code location wires the family in one line."""

from assets.ml.assets import readmission_model, readmission_retrain_job, readmission_scores
from assets.ml.demand_forecast import (
    demand_forecast_model,
    demand_forecast_retrain_job,
    forecast_daily,
)
from assets.ml.deterioration import (
    deterioration_model,
    deterioration_retrain_job,
    deterioration_scores,
)
from assets.ml.length_of_stay import (
    length_of_stay_model,
    length_of_stay_predictions,
    length_of_stay_retrain_job,
)

ml_assets = [
    readmission_model,
    readmission_scores,
    length_of_stay_model,
    length_of_stay_predictions,
    demand_forecast_model,
    forecast_daily,
    deterioration_model,
    deterioration_scores,
]
ml_jobs = [
    readmission_retrain_job,
    length_of_stay_retrain_job,
    demand_forecast_retrain_job,
    deterioration_retrain_job,
]
