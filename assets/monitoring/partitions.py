"""Daily partitions of the monitoring reports: one evaluated day of a model's rows each.

The same daily (UTC) partitions as the landed event feeds (`assets/raw/partitions.py`,
equal by value: a test checks it), so a new landed day is one new partition to
evaluate, and one run can carry raw, dbt and monitoring for the same days.
"""

import dagster as dg

MONITORING_DAYS = dg.DailyPartitionsDefinition(start_date="2020-01-01", timezone="UTC")
