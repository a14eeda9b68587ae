"""MLflow tracking and registry for Vigil's models (aliases, never stages).

MLflow (and pandas with it) is imported where a function uses it, not at module level:
every Dagster process imports this module through the code location (the daemon's code
server and each run's worker), and only the runs that train or score need MLflow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from mlflow.tracking import MlflowClient

CHAMPION = "champion"
CHALLENGER = "challenger"


@dataclass(frozen=True)
class Tracking:
    """Where MLflow keeps runs (SQLite) and artifacts (a folder under VIGIL_HOME)."""

    tracking_uri: str
    artifact_dir: Path

    def activate(self, experiment: str) -> str:
        """Point MLflow at this store and return the experiment id (created if new)."""
        import mlflow
        from mlflow.tracking import MlflowClient

        mlflow.set_tracking_uri(self.tracking_uri)
        mlflow.set_registry_uri(self.tracking_uri)
        client = MlflowClient(self.tracking_uri)
        found = client.get_experiment_by_name(experiment)
        if found is not None:
            experiment_id = found.experiment_id
        else:
            location = (self.artifact_dir / experiment).resolve().as_uri()
            experiment_id = client.create_experiment(experiment, artifact_location=location)
        mlflow.set_experiment(experiment_id=experiment_id)
        return experiment_id

    def client(self) -> MlflowClient:
        from mlflow.tracking import MlflowClient

        return MlflowClient(self.tracking_uri, registry_uri=self.tracking_uri)


def log_and_register(
    model: Any,
    model_name: str,
    example: pd.DataFrame,
    metrics: Mapping[str, float],
    predict: Callable[[pd.DataFrame], Any] | None = None,
) -> str:
    """Log ``model`` in the active run with signature and input example; register it.

    The signature's output is ``predict(example)`` (default: the positive-class
    probability of a classifier). Returns the new registered version. cloudpickle is
    used because skops (MLflow's default for scikit-learn) refuses some pipeline
    components and Vigil's own estimators.
    """
    import mlflow
    from mlflow.models import infer_signature

    output = predict(example) if predict else model.predict_proba(example)[:, 1]
    signature = infer_signature(example, output)
    info = mlflow.sklearn.log_model(
        model,
        name="model",
        signature=signature,
        input_example=example.head(5),
        serialization_format="cloudpickle",
        pip_requirements=model_requirements(),
        registered_model_name=model_name,
    )
    mlflow.log_metrics(dict(metrics))
    return str(info.registered_model_version)


def nested_trial_logger(metric: str) -> Callable[[int, dict[str, Any], float, str], None]:
    """An Optuna trial hook recording each trial as a nested MLflow run of the active run."""

    def log_trial(number: int, params: dict[str, Any], value: float, state: str) -> None:
        import mlflow

        with mlflow.start_run(run_name=f"trial-{number}", nested=True):
            mlflow.log_params(params)
            mlflow.log_metric(metric, value)
            mlflow.set_tag("optuna_state", state)

    return log_trial


def model_requirements() -> list[str]:
    """Pinned requirements of a scikit-learn model, stated rather than inferred (no uv export)."""
    import cloudpickle
    import numpy
    import pandas
    import sklearn

    return [
        f"scikit-learn=={sklearn.__version__}",
        f"pandas=={pandas.__version__}",
        f"numpy=={numpy.__version__}",
        f"cloudpickle=={cloudpickle.__version__}",
    ]


def alias_version(client: MlflowClient, model_name: str, alias: str) -> str | None:
    from mlflow.exceptions import MlflowException

    try:
        return str(client.get_model_version_by_alias(model_name, alias).version)
    except MlflowException:
        return None


def load_version(model_name: str, version: str) -> Any:
    import mlflow

    return mlflow.sklearn.load_model(f"models:/{model_name}/{version}")
