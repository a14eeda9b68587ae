"""Redis Streams connectors: a consumer-group source and an idempotent alert sink.

Layout (``prefix`` defaults to ``vigil``):

- ``<prefix>:vitals:<partition>``: one stream key per patient partition (producers
  choose it with :func:`streams.news2_flow.partition_of`), so Bytewax workers split the
  load by key. Each message is one reading whose fields are the vitals columns as text
  (``observed_at`` in ISO 8601 UTC), or one HL7 v2 ORU^R01 message in the field ``hl7``
  (parsed by :func:`ingest.hl7v2.vitals_from_message`, identifiers pseudonymised at
  intake; a message it cannot use is dead-lettered with its reason). HL7 producers cannot
  compute the pseudonymised id's partition, so they pick the key by their own stable
  hash of the patient: state is placed by stream key, and a patient always arrives on
  the same key.
- ``<prefix>:alerts``: alerts, sepsis alerts and escalations for downstream paging.
- ``<prefix>:dead_letters``: rejected readings with their reason.

Delivery: the source reads with a consumer group (``XREADGROUP``); a message is
acknowledged (``XACK``) by the sink only after the alerts and dead letters of its batch
have been written, in the same ``MULTI``/``EXEC`` transaction. After a crash the group
re-delivers unacknowledged messages (the source reads its pending entries first), so
delivery is at least once; alerts are published idempotently (``SET NX`` on the alert
id guards the ``XADD``), so downstream sees each alert once.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import redis
from bytewax.inputs import FixedPartitionedSource, StatefulSourcePartition
from bytewax.outputs import DynamicSink, StatelessSinkPartition

from ingest.hl7v2 import vitals_from_message
from ingest.pseudonym import Pseudonymizer
from streams.news2_columns import BATCH_COLUMNS, Batch, batch_from_frame

HL7_FIELD = b"hl7"
EMPTY_READINGS = pd.DataFrame({name: pd.Series(dtype=object) for name in BATCH_COLUMNS})

ALERT_KINDS = ("alerts", "sepsis_alerts", "escalations", "capacity_alerts", "boarding_alerts")
# Publish an alert once: the marker key is set only if absent, and only then XADDed.
PUBLISH_ONCE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
end
return false
"""


def vitals_key(prefix: str, partition: int) -> str:
    return f"{prefix}:vitals:{partition}"


def readings_frame(fields: list[dict[bytes, bytes]]) -> pd.DataFrame:
    """Messages' text fields as a vitals frame with typed columns."""
    frame = pd.DataFrame([{k.decode(): v.decode() for k, v in f.items()} for f in fields])
    frame["observed_at"] = pd.to_datetime(
        frame["observed_at"], utc=True, errors="coerce", format="ISO8601"
    )
    frame["observed_at"] = frame["observed_at"].dt.tz_localize(None)
    oxygen = frame["on_supplemental_oxygen"].str.lower()
    frame["on_supplemental_oxygen"] = oxygen.map({"true": True, "false": False}).astype(object)
    frame.loc[frame["on_supplemental_oxygen"].isna(), "on_supplemental_oxygen"] = None
    if "spo2_scale" in frame:
        frame["spo2_scale"] = pd.to_numeric(frame["spo2_scale"], errors="coerce").fillna(1)
    for column in ("encounter_id", "unit_id", "consciousness"):
        if column in frame:
            present = frame[column].notna() & (frame[column] != "")
            frame[column] = frame[column].astype(object).where(present, None)
    return frame


def batch_from_fields(
    messages: list[dict[bytes, bytes]], pseudonymize: Pseudonymizer | None = None
) -> Batch:
    """Broker messages (text fields of a reading, or an HL7 v2 message in field ``hl7``)
    as one batch; HL7 messages the parser cannot use ride on it as ``_rejects``, which
    the flow dead-letters with the parser's reason (any broker: Redis, Kafka)."""
    readings = [fields for fields in messages if HL7_FIELD not in fields]
    rejects: list[dict[str, Any]] = []
    for fields in messages:
        if HL7_FIELD not in fields:
            continue
        text = fields[HL7_FIELD].decode(errors="replace")
        if pseudonymize is None:
            rows, reason = [], "the source has no pseudonym key for HL7 v2 messages"
        else:
            rows, reason = vitals_from_message(text, pseudonymize)
        readings += [_as_fields(row) for row in rows]
        if reason is not None:
            rejects.append({"reason": f"hl7: {reason}", "hl7": text})
    batch = batch_from_frame(readings_frame(readings) if readings else EMPTY_READINGS)
    if rejects:
        batch["_rejects"] = rejects
    return batch


class _RedisPartition(StatefulSourcePartition[Batch, None]):
    def __init__(
        self,
        client: redis.Redis,
        key: str,
        group: str,
        consumer: str,
        count: int,
        block_ms: int,
        stop_when_idle: bool,
        partition: int = 0,
        pseudonymize: Pseudonymizer | None = None,
    ):
        self._client = client
        self._partition = partition
        self._pseudonymize = pseudonymize
        self._key = key
        self._group = group
        self._consumer = consumer
        self._count = count
        self._block_ms = block_ms
        self._stop_when_idle = stop_when_idle
        self._pending_done = False
        try:
            client.xgroup_create(key, group, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    def _read(self) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """The next messages: first this consumer's unacknowledged ones, then new ones."""
        start = ">" if self._pending_done else "0"
        block = self._block_ms if self._pending_done else None
        reply = self._client.xreadgroup(
            self._group, self._consumer, {self._key: start}, count=self._count, block=block
        )
        messages = reply[0][1] if reply else []
        if not self._pending_done and not messages:
            self._pending_done = True
            return []
        if not messages and self._stop_when_idle:
            raise StopIteration
        return messages

    def next_batch(self) -> list[Batch]:
        messages = self._read()
        if not messages:
            return []
        batch = batch_from_fields([fields for _, fields in messages], self._pseudonymize)
        batch["_source_ids"] = (self._key, self._group, [mid for mid, _ in messages])
        batch["_stream_partition"] = self._partition
        return [batch]

    def snapshot(self) -> None:
        return None  # the consumer group's pending-entries list is the position


class RedisStreamSource(FixedPartitionedSource[Batch, None]):
    """Reads ``<prefix>:vitals:<i>`` for ``i`` in ``range(partitions)`` with a consumer group.

    ``stop_when_idle`` ends a partition when a read finds nothing new (replays, tests);
    a live deployment keeps it False and blocks for ``block_ms`` per read.
    ``pseudonymize`` (the intake key, :class:`ingest.pseudonym.Pseudonymizer`) lets the
    source accept HL7 v2 ORU^R01 messages; without it they are dead-lettered.
    """

    def __init__(
        self,
        url: str,
        partitions: int,
        group: str = "vigil-news2",
        consumer: str = "vigil",
        prefix: str = "vigil",
        count: int = 10_000,
        block_ms: int = 100,
        stop_when_idle: bool = False,
        pseudonymize: Pseudonymizer | None = None,
    ):
        self.url = url
        self.pseudonymize = pseudonymize
        self.partitions = partitions
        self.group = group
        self.consumer = consumer
        self.prefix = prefix
        self.count = count
        self.block_ms = block_ms
        self.stop_when_idle = stop_when_idle

    def list_parts(self) -> list[str]:
        return [vitals_key(self.prefix, i) for i in range(self.partitions)]

    def build_part(self, step_id: str, for_part: str, resume_state: None) -> _RedisPartition:
        client = redis.Redis.from_url(self.url)
        return _RedisPartition(
            client,
            for_part,
            self.group,
            self.consumer,
            self.count,
            self.block_ms,
            self.stop_when_idle,
            int(for_part.rsplit(":", 1)[1]),
            self.pseudonymize,
        )


def _as_fields(row: dict[str, Any]) -> dict[bytes, bytes]:
    """A parsed row as the text fields of a reading message (what readings_frame reads)."""
    clean = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
    return {k.encode(): v.encode() for k, v in _field_map(clean).items()}


def _field_map(row: dict[str, Any]) -> dict[str, str]:
    flat = _fields(row)
    return dict(zip(flat[::2], flat[1::2], strict=True))


def _fields(row: dict[str, Any]) -> list[str]:
    flat = []
    for name, value in row.items():
        flat += [
            name,
            ""
            if value is None
            else value.isoformat()
            if hasattr(value, "isoformat")
            else str(value),
        ]
    return flat


class _RedisSinkPartition(StatelessSinkPartition[tuple[str, Any]]):
    def __init__(self, client: redis.Redis, prefix: str, marker_ttl_s: int):
        self._client = client
        self._prefix = prefix
        self._ttl = marker_ttl_s
        self._publish = client.register_script(PUBLISH_ONCE)

    def write_batch(self, items: list[tuple[str, Any]]) -> None:
        pipe = self._client.pipeline(transaction=True)
        for key, value in items:
            self._add(pipe, key, value)
        pipe.execute()

    def _add(self, pipe: Any, key: str, value: Any) -> None:
        kind = key.split(":")[0]  # kind:writer when the flow runs several workers
        if kind == "source_ack":
            key, group, ids = value
            pipe.xack(key, group, *ids)
        elif kind == "source_batch":  # the census flow's outputs of a read, then its ack
            outputs, ack = value
            for out_key, table in outputs:
                self._add(pipe, out_key, table)
            self._add(pipe, "source_ack", ack)
        elif kind in ALERT_KINDS:
            for row in value.to_pylist():
                row.pop("emitted_ns", None)
                marker = f"{self._prefix}:published:{kind}:{row['alert_id']}"
                self._publish(
                    keys=[marker, f"{self._prefix}:alerts"],
                    args=[self._ttl, "kind", kind, *_fields(row)],
                    client=pipe,
                )
        elif kind in ("dead_letters", "occupancy"):  # occupancy: the census flow's
            for row in value.to_pylist():
                pipe.xadd(f"{self._prefix}:{kind}", _field_map(row))


class RedisStreamSink(DynamicSink[tuple[str, Any]]):
    """Alerts and escalations (and the census flow's capacity and boarding alerts) to
    ``<prefix>:alerts`` (once each), dead letters to ``<prefix>:dead_letters``, census
    occupancy rows to ``<prefix>:occupancy``; acknowledges source messages after writing
    them. Score tables are not sent to the broker."""

    def __init__(self, url: str, prefix: str = "vigil", marker_ttl_s: int = 7 * 24 * 3600):
        self.url = url
        self.prefix = prefix
        self.marker_ttl_s = marker_ttl_s

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _RedisSinkPartition:
        return _RedisSinkPartition(redis.Redis.from_url(self.url), self.prefix, self.marker_ttl_s)


def publish_readings(client: redis.Redis, prefix: str, frame: pd.DataFrame, partitions: int) -> int:
    """Producer helper: XADD each reading of ``frame`` to its partition's stream key."""
    from streams.news2_flow import partition_of

    parts = partition_of(frame["patient_id"].to_numpy(), partitions)
    pipe = client.pipeline(transaction=False)
    for part, row in zip(parts, frame.to_dict("records"), strict=True):
        clean = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
        pipe.xadd(vitals_key(prefix, int(part)), _field_map(clean))
    pipe.execute()
    return len(frame)


def hl7_partition(message: str, partitions: int) -> int:
    """Producer's stable partition of an HL7 v2 message: a hash of its PID-3 patient id
    (the producer sees the source identifier, not the pseudonym)."""
    from streams.news2_flow import partition_of

    pid = next((s for s in message.replace("\n", "\r").split("\r") if s.startswith("PID|")), "")
    fields = pid.split("|")
    patient = fields[3].split("^")[0] if len(fields) > 3 else ""
    return int(partition_of(pd.Series([patient]).to_numpy(dtype=object), partitions)[0])


def _publish_messages(client: redis.Redis, keys: list[str], messages: list[str]) -> int:
    """XADD each HL7 v2 message, as field ``hl7``, to its stream key, in one pipeline."""
    pipe = client.pipeline(transaction=False)
    for key, message in zip(keys, messages, strict=True):
        pipe.xadd(key, {"hl7": message})
    pipe.execute()
    return len(messages)


def publish_hl7(client: redis.Redis, prefix: str, messages: list[str], partitions: int) -> int:
    """Producer helper: XADD each HL7 v2 message, as field ``hl7``, to its partition's key."""
    keys = [vitals_key(prefix, hl7_partition(m, partitions)) for m in messages]
    return _publish_messages(client, keys, messages)


# --- ADT for the census flow -------------------------------------------------------

ADT_GROUP = "vigil-census"
# A live ADT event as the census applies it (clinical.census: A01 in, A02 move, A03 out):
# a bed-stay registration (A04) enters like an admission, a cancelled admission (A11)
# leaves like a discharge, a cancelled discharge (A13) returns to the PV1-3 unit.
CENSUS_EVENT = {"A01": "A01", "A02": "A02", "A03": "A03", "A04": "A01", "A11": "A03", "A13": "A01"}


def adt_key(prefix: str, partition: int) -> str:
    return f"{prefix}:adt:{partition}"


def census_records(
    messages: list[dict[bytes, bytes]], pseudonymize: Pseudonymizer | None
) -> list[dict[str, Any]]:
    """HL7 v2 ADT messages (field ``hl7``) as census event records, parsed by
    :func:`ingest.hl7v2.adt_events_from_message`; a message it cannot use becomes a
    record without ``hospital_id`` and with ``_reason``, which the census flow
    dead-letters (``hl7: <reason>``, the record naming the message by digest only).
    A08 updates and visits without a bed stay give no record."""
    from ingest.hl7v2 import adt_events_from_message

    records: list[dict[str, Any]] = []
    for fields in messages:
        text = fields.get(HL7_FIELD, b"").decode(errors="replace")
        if pseudonymize is None:
            rows, reason = [], "the source has no pseudonym key for HL7 v2 messages"
        else:
            rows, reason = adt_events_from_message(text, pseudonymize)
        if reason is not None:
            digest = hashlib.sha256(text.encode()).hexdigest()[:16]
            records.append({"_reason": f"hl7: {reason}", "message_sha256": digest})
        for row in rows:
            records.append(
                {
                    "encounter_id": row["encounter_id"],
                    "hospital_id": row["hospital_id"],
                    "unit_id": row["unit_id"],
                    "event_type": CENSUS_EVENT[row["event_type"]],
                    "hl7_event": row["event_type"],
                    "event_at": pd.Timestamp(row["event_at"]).floor("us").to_pydatetime(),
                }
            )
    return records


class _AdtPartition(_RedisPartition):
    def next_batch(self) -> list[dict[str, Any]]:
        messages = self._read()
        if not messages:
            return []
        records = census_records([fields for _, fields in messages], self._pseudonymize)
        # One item per read, kept on its stream key's state; the sink acknowledges the
        # messages in the transaction that writes their outputs (see streams.census_flow).
        ack = (self._key, self._group, [m for m, _ in messages])
        return [{"_records": records, "_source_ack": ack, "_stream_partition": self._partition}]


class RedisAdtSource(RedisStreamSource):
    """Reads HL7 v2 ADT messages from ``<prefix>:adt:<i>`` with a consumer group, for the
    live census flow (:mod:`streams.census_flow`); ``pseudonymize`` is the intake key.
    Producers key messages by hospital (:func:`publish_adt`), so each hospital's events
    stay in order on one key."""

    def __init__(self, url: str, partitions: int, group: str = ADT_GROUP, **options: Any):
        super().__init__(url, partitions, group=group, **options)

    def list_parts(self) -> list[str]:
        return [adt_key(self.prefix, i) for i in range(self.partitions)]

    def build_part(self, step_id: str, for_part: str, resume_state: None) -> _AdtPartition:
        return _AdtPartition(
            redis.Redis.from_url(self.url),
            for_part,
            self.group,
            self.consumer,
            self.count,
            self.block_ms,
            self.stop_when_idle,
            int(for_part.rsplit(":", 1)[1]),
            self.pseudonymize,
        )


def adt_partition(message: str, partitions: int) -> int:
    """Producer's stable partition of an ADT message: a hash of its sending facility
    (MSH-4), so one hospital's events keep their order on one stream key."""
    from streams.news2_flow import partition_of

    msh = message.replace("\n", "\r").split("\r", 1)[0].split("|")
    facility = msh[3].split("^")[0] if len(msh) > 3 else ""
    return int(partition_of(pd.Series([facility]).to_numpy(dtype=object), partitions)[0])


def publish_adt(client: redis.Redis, prefix: str, messages: list[str], partitions: int) -> int:
    """Producer helper: XADD each HL7 v2 ADT message, as field ``hl7``, to its hospital's key."""
    keys = [adt_key(prefix, adt_partition(m, partitions)) for m in messages]
    return _publish_messages(client, keys, messages)
