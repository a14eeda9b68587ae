"""Validation on load: every record either enters the contract or is rejected with a reason.

Rules, checked per record: ``required`` (null in a required column), ``type`` (not
castable to the column's type), ``code_format`` (pattern), ``allowed_value``, ``range``,
``duplicate_key``, ``time_order`` (e.g. discharge before admission) and
``referential_integrity`` (a foreign key with no parent, including a parent that was
itself rejected). A table missing entirely, or missing a required column, is not a
record problem but a broken source: :class:`ContractError`.

Accounting holds per table: records in = records valid + records rejected. A rejected
record appears once per rule it breaks in the rejects table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from contract.schema import (
    BOOLEAN,
    FLOAT,
    INTEGER,
    STRING,
    TABLES,
    TIMESTAMP,
    Column,
    Table,
)

REJECT_COLUMNS = (
    "source",
    "table_name",
    "record_key",
    "rule",
    "column_name",
    "reason",
    "record_json",
)


class ContractError(ValueError):
    """The input is not shaped like the contract at all (missing table or column)."""


@dataclass
class ValidationResult:
    tables: dict[str, pd.DataFrame]  # valid records, typed
    rejects: pd.DataFrame  # one row per rejected record and rule
    records_in: dict[str, int]
    records_rejected: dict[str, int]


def empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype="object") for column in REJECT_COLUMNS})


def reject_rows(
    source: str, table: str, rule: str, reason: str, records: list[dict], keys: list[str]
) -> pd.DataFrame:
    """Rejects for records rejected before validation (e.g. by an adapter's parser)."""
    return pd.DataFrame(
        {
            "source": source,
            "table_name": table,
            "record_key": keys,
            "rule": rule,
            "column_name": None,
            "reason": reason,
            "record_json": [json.dumps(r, default=str, sort_keys=True) for r in records],
        },
        columns=list(REJECT_COLUMNS),
    )


def _cast(series: pd.Series, dtype: str) -> pd.Series:
    """Cast, turning uncastable values into NA (compared with the input to find them)."""
    if dtype == STRING:
        return series.astype("string")
    if dtype == INTEGER:
        numbers = pd.to_numeric(series, errors="coerce")
        whole = numbers.where(numbers.isna() | (numbers == np.floor(numbers)))
        return whole.astype("Int64")
    if dtype == FLOAT:
        return pd.to_numeric(series, errors="coerce").astype("float64")
    if dtype == BOOLEAN:
        if pd.api.types.is_bool_dtype(series):
            return series.astype("boolean")
        text = series.astype("string").str.lower()
        mapped = text.map(
            {"true": True, "false": False, "1": True, "0": False, "y": True, "n": False}
        )
        return mapped.astype("boolean")
    if dtype == TIMESTAMP:
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            return series.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
        parsed = pd.to_datetime(series, errors="coerce", utc=True, format="mixed")
        return parsed.dt.tz_localize(None).astype("datetime64[ns]")
    raise ValueError(f"unknown column type {dtype!r}")


def _column_failures(
    column: Column, raw: pd.Series, typed: pd.Series
) -> list[tuple[str, pd.Series]]:
    failures = []
    missing_raw = raw.isna()
    if column.dtype == STRING:
        missing_raw = missing_raw | (raw.astype("string").str.strip() == "")
    failures.append(("type", typed.isna() & ~missing_raw))
    if column.required:
        failures.append(("required", missing_raw))
    present = typed.notna()
    if column.pattern is not None:
        ok = typed.astype("string").str.fullmatch(column.pattern).fillna(False).astype(bool)
        failures.append(("code_format", present & ~ok))
    if column.allowed is not None:
        ok = typed.astype("string").isin(column.allowed)
        failures.append(("allowed_value", present & ~ok))
    if column.minimum is not None:
        failures.append(("range", present & (typed < column.minimum).fillna(False).astype(bool)))
    if column.maximum is not None:
        failures.append(("range", present & (typed > column.maximum).fillna(False).astype(bool)))
    return failures


def _record_keys(rows: pd.DataFrame, table: Table) -> list[str]:
    present = [column for column in table.key_columns if column in rows.columns]
    return rows[present].astype("string").fillna("").agg("|".join, axis=1).tolist()


def _records_json(frame: pd.DataFrame) -> list[str]:
    return [
        json.dumps({k: (None if pd.isna(v) else v) for k, v in row.items()}, default=str)
        for row in frame.to_dict(orient="records")
    ]


def _validate_table(
    table: Table, frame: pd.DataFrame, valid: dict[str, pd.DataFrame], source: str
) -> tuple[pd.DataFrame, list[pd.DataFrame], int]:
    frame = frame.reset_index(drop=True)
    missing = [c.name for c in table.columns if c.required and c.name not in frame.columns]
    if missing:
        raise ContractError(f"table {table.name} lacks required column(s) {', '.join(missing)}")
    typed = frame.copy()
    failures: list[tuple[str, str, pd.Series]] = []
    for column in table.columns:
        if column.name not in frame.columns:
            typed[column.name] = _cast(pd.Series([None] * len(frame), dtype="object"), column.dtype)
            continue
        typed[column.name] = _cast(frame[column.name], column.dtype)
        for rule, mask in _column_failures(column, frame[column.name], typed[column.name]):
            failures.append((rule, column.name, mask))
    for earlier, later in table.ordering:
        mask = (typed[later] < typed[earlier]).fillna(False).astype(bool)
        failures.append(("time_order", f"{earlier},{later}", mask))
    for system_column, code_column, patterns in table.coded:
        for system, pattern in patterns.items():
            codes = typed[code_column].astype("string")
            ok = codes.str.fullmatch(pattern).fillna(False).astype(bool)
            mask = (typed[system_column] == system).fillna(False).astype(bool) & codes.notna() & ~ok
            failures.append(("code_format", code_column, mask))
    keys = list(table.key_columns)
    duplicated = typed.duplicated(subset=keys, keep="first") & typed[keys].notna().all(axis=1)
    failures.append(("duplicate_key", ",".join(keys), duplicated))
    for column in table.columns:
        if column.references is None:
            continue
        parent_table, parent_column = column.references.split(".")
        if parent_table not in valid:
            continue  # optional parent absent: nothing to check against
        parents = valid[parent_table][parent_column]
        mask = typed[column.name].notna() & ~typed[column.name].isin(parents)
        failures.append(("referential_integrity", column.name, mask.astype(bool)))

    bad = pd.Series(False, index=typed.index)
    parts = []
    for rule, column_name, mask in failures:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            continue
        bad |= mask
        rows = frame[mask]
        parts.append(
            pd.DataFrame(
                {
                    "source": source,
                    "table_name": table.name,
                    "record_key": _record_keys(rows, table),
                    "rule": rule,
                    "column_name": column_name,
                    "reason": f"{table.name}.{column_name} breaks rule {rule}",
                    "record_json": _records_json(rows),
                },
                columns=list(REJECT_COLUMNS),
            )
        )
    return typed[~bad].reset_index(drop=True), parts, int(bad.sum())


def validate(tables: dict[str, pd.DataFrame], source: str) -> ValidationResult:
    """Validate ``tables`` against the contract, parents before children."""
    absent = [t.name for t in TABLES if t.required and t.name not in tables]
    if absent:
        raise ContractError(f"required table(s) missing: {', '.join(absent)}")
    valid: dict[str, pd.DataFrame] = {}
    parts: list[pd.DataFrame] = []
    records_in: dict[str, int] = {}
    rejected: dict[str, int] = {}
    for table in TABLES:
        if table.name not in tables:
            continue
        frame = tables[table.name]
        records_in[table.name] = len(frame)
        valid[table.name], table_parts, rejected[table.name] = _validate_table(
            table, frame, valid, source
        )
        parts.extend(table_parts)
    rejects = pd.concat(parts, ignore_index=True) if parts else empty_rejects()
    return ValidationResult(valid, rejects, records_in, rejected)
