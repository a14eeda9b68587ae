"""Kafka as a configuration switch: Bytewax's own connector (``bytewax.connectors.kafka``).

The early-warning flow is the same dataflow (:func:`streams.news2_flow.build_flow`);
only its ends change. :class:`KafkaBatchSource` wraps Bytewax's ``KafkaSource`` and turns
each poll's messages into one columnar micro-batch, with the same message formats as the
Redis source (:func:`streams.redis_connectors.batch_from_fields`): a JSON object of the
vitals columns, or an HL7 v2 ORU^R01 message (a value starting with ``MSH|``). Kafka
partition ``i`` feeds state partition ``i % partitions``; producers key messages by
patient, so a patient always arrives on the same Kafka partition. Offsets are Bytewax's
recovery state (resume from the last snapshot), not a consumer group.
:class:`KafkaAlertSink` wraps Bytewax's ``KafkaSink``: alerts, sepsis alerts and
escalations go to ``alerts_topic`` keyed by alert id, dead letters to
``dead_letters_topic``; scores stay in the flow (use the Parquet sink for them).

No Kafka broker can run on this machine: the tests build the flow from configuration
and check its connectors and the message conversions, never a round trip.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from bytewax.connectors.kafka import KafkaSink, KafkaSinkMessage, KafkaSource, KafkaSourceMessage
from bytewax.dataflow import Dataflow
from bytewax.inputs import FixedPartitionedSource, StatefulSourcePartition
from bytewax.outputs import DynamicSink, StatelessSinkPartition

from ingest.pseudonym import Pseudonymizer
from streams.news2_columns import Batch
from streams.news2_flow import News2FlowConfig, build_flow
from streams.redis_connectors import ALERT_KINDS, HL7_FIELD, batch_from_fields

HL7_START = b"MSH|"


@dataclass(frozen=True)
class KafkaConfig:
    """Where the flow reads and writes when the broker is Kafka."""

    brokers: tuple[str, ...]
    vitals_topic: str = "vigil.vitals"
    alerts_topic: str = "vigil.alerts"
    dead_letters_topic: str = "vigil.dead_letters"
    batch_size: int = 10_000  # messages per poll, so items are batches (see connectors.py)
    add_config: dict[str, str] = field(default_factory=dict)


def message_fields(value: bytes | None) -> dict[bytes, bytes]:
    """One Kafka message value as the text fields the broker batch reader takes."""
    if value is None:
        return {}
    if value.lstrip().startswith(HL7_START):
        return {HL7_FIELD: value}
    try:
        record = json.loads(value)
    except ValueError:
        return {HL7_FIELD: value}  # neither JSON nor HL7: the HL7 parser says why
    if not isinstance(record, dict):
        return {HL7_FIELD: value}
    return {
        str(k).encode(): b""
        if v is None
        else str(v).lower().encode()
        if isinstance(v, bool)
        else str(v).encode()
        for k, v in record.items()
    }


def batch_from_messages(
    messages: list[Any], partitions: int, pseudonymize: Pseudonymizer | None = None
) -> Batch | None:
    """A poll's ``KafkaSourceMessage`` list as one batch routed to its state partition."""
    readings = [m for m in messages if isinstance(m, KafkaSourceMessage)]
    if not readings:
        return None
    batch = batch_from_fields([message_fields(m.value) for m in readings], pseudonymize)
    batch["_stream_partition"] = (readings[0].partition or 0) % partitions
    return batch


class _BatchPartition(StatefulSourcePartition[Batch, Any]):
    def __init__(self, inner, partitions: int, pseudonymize: Pseudonymizer | None):
        self._inner = inner
        self._partitions = partitions
        self._pseudonymize = pseudonymize

    def next_batch(self) -> list[Batch]:
        batch = batch_from_messages(self._inner.next_batch(), self._partitions, self._pseudonymize)
        return [] if batch is None else [batch]

    def next_awake(self):
        return self._inner.next_awake()

    def snapshot(self) -> Any:
        return self._inner.snapshot()

    def close(self) -> None:
        self._inner.close()


class KafkaBatchSource(FixedPartitionedSource[Batch, Any]):
    """Bytewax's ``KafkaSource`` over ``vitals_topic``, one batch per poll."""

    def __init__(
        self, kafka: KafkaConfig, partitions: int, pseudonymize: Pseudonymizer | None = None
    ):
        self.kafka = kafka
        self.partitions = partitions
        self.pseudonymize = pseudonymize
        self.inner = KafkaSource(
            list(kafka.brokers),
            [kafka.vitals_topic],
            batch_size=kafka.batch_size,
            add_config=dict(kafka.add_config),
        )

    def list_parts(self) -> list[str]:
        return self.inner.list_parts()

    def build_part(self, step_id: str, for_part: str, resume_state: Any) -> _BatchPartition:
        inner = self.inner.build_part(step_id, for_part, resume_state)
        return _BatchPartition(inner, self.partitions, self.pseudonymize)


def sink_messages(items: list[tuple[str, Any]], kafka: KafkaConfig) -> list[KafkaSinkMessage]:
    """Alert and dead-letter rows of the flow's ``(kind, table)`` items as Kafka messages."""
    messages = []
    for key, value in items:
        kind = key.split(":")[0]  # kind:writer when the flow runs several workers
        if kind not in (*ALERT_KINDS, "dead_letters") or not isinstance(value, pa.Table):
            continue
        topic = kafka.dead_letters_topic if kind == "dead_letters" else kafka.alerts_topic
        for row in value.to_pylist():
            row.pop("emitted_ns", None)
            text = json.dumps({"kind": kind, **row}, default=str).encode()
            message_key = row["alert_id"].encode() if "alert_id" in row else None
            messages.append(KafkaSinkMessage(message_key, text, topic=topic))
    return messages


class _AlertSinkPartition(StatelessSinkPartition[tuple[str, Any]]):
    def __init__(self, inner, kafka: KafkaConfig):
        self._inner = inner
        self._kafka = kafka

    def write_batch(self, items: list[tuple[str, Any]]) -> None:
        messages = sink_messages(items, self._kafka)
        if messages:
            self._inner.write_batch(messages)

    def close(self) -> None:
        self._inner.close()


class KafkaAlertSink(DynamicSink[tuple[str, Any]]):
    """Bytewax's ``KafkaSink``: alerts to ``alerts_topic``, dead letters to their topic."""

    def __init__(self, kafka: KafkaConfig):
        self.kafka = kafka
        self.inner = KafkaSink(list(kafka.brokers), None, add_config=dict(kafka.add_config))

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _AlertSinkPartition:
        return _AlertSinkPartition(
            self.inner.build(step_id, worker_index, worker_count), self.kafka
        )


def build_kafka_flow(
    kafka: KafkaConfig,
    config: News2FlowConfig | None = None,
    pseudonymize: Pseudonymizer | None = None,
) -> Dataflow:
    """The early-warning flow between Kafka topics (see the module docstring)."""
    config = config or News2FlowConfig()
    source = KafkaBatchSource(kafka, config.partitions, pseudonymize)
    return build_flow(source, KafkaAlertSink(kafka), config)
