"""`vigil news2` and `vigil detect` on files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from vigil.cli import main


def test_news2_command_scores_csv_and_keeps_bad_rows(tmp_path: Path) -> None:
    source = tmp_path / "obs.csv"
    source.write_text(
        "respiration_rate,spo2,on_supplemental_oxygen,systolic_bp,pulse,consciousness,"
        "temperature,bed\n"
        "16,97,false,120,70,A,37.0,B1\n"
        "25,92,true,95,131,V,39.5,B2\n"
        "16,97,false,120,70,A,98.6,B3\n"
    )
    assert main(["news2", "--input", str(source), "--output", str(tmp_path / "out.parquet")]) == 0
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out["bed"].tolist() == ["B1", "B2", "B3"]
    assert out["news2_band"].tolist()[:2] == ["low", "high"]
    assert pd.isna(out["news2_band"][2]) and pd.isna(out["news2_score"][2])
    assert out["error"].notna().tolist() == [False, False, True]


def test_detect_command_writes_scores_in_input_order(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    stamps = pd.date_range("2026-01-01", periods=500, freq="7min")
    values = rng.normal(10, 1, len(stamps))
    values[400] = 40
    pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%d %H:%M:%S"), "value": values}).to_csv(
        tmp_path / "series.csv", index=False
    )
    args = ["detect", "--input", str(tmp_path / "series.csv"), "--output"]
    assert main([*args, str(tmp_path / "scored.csv")]) == 0
    scored = pd.read_csv(tmp_path / "scored.csv")
    assert scored.columns.tolist() == ["timestamp", "value", "anomaly_score"]
    assert len(scored) == 500 and scored["anomaly_score"].between(0, 1).all()
    assert scored["anomaly_score"][400] > 0.999
    assert (scored["anomaly_score"] > 0.999).mean() < 0.02


def test_detect_command_rejects_unreadable_timestamp(tmp_path: Path, capsys) -> None:
    (tmp_path / "bad.csv").write_text("timestamp,value\n2026-01-01,1\nyesterday,2\n")
    assert main(["detect", "--input", str(tmp_path / "bad.csv"), "--output", "x.csv"]) == 2
    assert "row 3" in capsys.readouterr().out
