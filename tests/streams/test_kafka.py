"""Kafka as a configuration switch. No Kafka broker can run here, so these tests build
the flow from the command line's configuration and check its connectors (Bytewax's own
KafkaSource and KafkaSink underneath) and the message conversions; no round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
from bytewax.connectors.kafka import KafkaSink, KafkaSource, KafkaSourceMessage

from ingest.pseudonym import Pseudonymizer
from streams.kafka_connectors import (
    KafkaAlertSink,
    KafkaBatchSource,
    KafkaConfig,
    batch_from_messages,
    sink_messages,
)
from streams.news2_batch import PartitionState
from vigil.cli import build_parser
from vigil.commands.streams import kafka_flow

FIXTURE = Path(__file__).parent.parent / "fixtures" / "hl7v2" / "oru_vitals_and_labs.hl7"


def test_the_broker_switch_builds_the_flow_on_bytewax_kafka_connectors() -> None:
    args = build_parser().parse_args(
        ["stream", "--broker", "kafka", "--bootstrap", "k1:9092,k2:9092", "--alerts-topic", "pg"]
    )
    flow = kafka_flow(args)
    steps = {step.step_id.split(".")[-1]: step for step in flow.substeps}
    source, sink = steps["vitals"].source, steps["sink"].sink
    assert isinstance(source, KafkaBatchSource) and isinstance(source.inner, KafkaSource)
    assert source.inner._brokers == ["k1:9092", "k2:9092"]
    assert source.inner._topics == ["vigil.vitals"]
    assert isinstance(sink, KafkaAlertSink) and isinstance(sink.inner, KafkaSink)
    assert sink.kafka.alerts_topic == "pg" and sink.kafka.dead_letters_topic == "vigil.dead_letters"
    assert list(steps) == [
        "vitals",
        "by_patient_partition",
        "news2_state",
        "drop_partition",
        "sink",
    ]


def message(value: bytes, partition: int = 3) -> KafkaSourceMessage:
    return KafkaSourceMessage(key=b"P1", value=value, partition=partition, topic="vigil.vitals")


def test_json_and_hl7_messages_become_one_batch_and_bad_hl7_is_dead_lettered() -> None:
    reading = {
        "patient_id": "P1",
        "observed_at": "2025-03-01T06:00:00Z",
        "respiration_rate": 25,
        "spo2": 92,
        "on_supplemental_oxygen": False,
        "systolic_bp": 120,
        "pulse": 111,
        "consciousness": "A",
        "temperature": 37.0,
    }
    oru = FIXTURE.read_text().split("MSH|")[1]
    messages = [
        message(json.dumps(reading).encode()),
        message(("MSH|" + oru).replace("\n", "\r").encode()),
        message(b"not a message"),
    ]
    batch = batch_from_messages(messages, partitions=2, pseudonymize=Pseudonymizer("k" * 40))
    assert batch["_stream_partition"] == 1  # Kafka partition 3 -> state partition 3 % 2
    assert len(batch["observed_at"]) == 2
    out = PartitionState().process(batch)
    assert out.scores.num_rows == 2
    assert [a["news2_band"] for a in out.alerts if a["patient_id"] == "P1"] == ["high"]
    assert [d["reason"] for d in out.dead_letters] == [
        "hl7: message does not start with an MSH segment"
    ]


def test_alerts_and_dead_letters_become_keyed_kafka_messages() -> None:
    kafka = KafkaConfig(("k1:9092",))
    alerts = pa.table({"alert_id": ["a1"], "news2_band": ["high"], "emitted_ns": [5]})
    dead = pa.table({"reason": ["late"]})
    scores = pa.table({"news2_score": [3]})
    out = sink_messages([("alerts:0", alerts), ("dead_letters", dead), ("scores", scores)], kafka)
    assert [(m.topic, m.key) for m in out] == [
        ("vigil.alerts", b"a1"),
        ("vigil.dead_letters", None),
    ]
    assert json.loads(out[0].value) == {"kind": "alerts", "alert_id": "a1", "news2_band": "high"}
