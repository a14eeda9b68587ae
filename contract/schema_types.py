"""The building blocks of the contract: column types, columns and tables."""

from __future__ import annotations

from dataclasses import dataclass, field

# Column types, as the landing zone's Parquet and DuckDB understand them.
STRING, INTEGER, FLOAT, BOOLEAN, TIMESTAMP = "string", "integer", "float", "boolean", "timestamp"


@dataclass(frozen=True)
class Column:
    """One column: its type, meaning, code system, and the rules a value must meet."""

    name: str
    dtype: str
    description: str
    required: bool = True
    code_system: str | None = None
    pattern: str | None = None  # regular expression a non-null value must match
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    references: str | None = None  # "<table>.<column>" the value must exist in


@dataclass(frozen=True)
class Table:
    """One contract table: grain, key, columns, and its event time (None: reference data)."""

    name: str
    grain: str
    key: str | tuple[str, ...]  # a column, or the columns that together identify a row
    columns: tuple[Column, ...]
    required: bool = True
    event_time: str | None = None
    # (earlier, later): when both are set, later must not precede earlier.
    ordering: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # (system column, code column, {system: pattern}): code format by code system.
    coded: tuple[tuple[str, str, dict[str, str]], ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def key_columns(self) -> tuple[str, ...]:
        return (self.key,) if isinstance(self.key, str) else self.key

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)
