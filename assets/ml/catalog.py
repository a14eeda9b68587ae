"""Every ML asset and retrain job, so the code location wires the family in one line."""

from assets.ml.assets import readmission_model, readmission_retrain_job, readmission_scores

ml_assets = [readmission_model, readmission_scores]
ml_jobs = [readmission_retrain_job]
