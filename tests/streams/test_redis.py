"""The flow against the real Redis on 127.0.0.1:6379: consumer group, ack, idempotent alerts."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest
import redis
from bytewax.testing import TestingSink, TestingSource, cluster_main, run_main

from streams.news2_columns import batch_from_frame
from streams.news2_flow import News2FlowConfig, build_flow
from streams.redis_connectors import (
    RedisStreamSink,
    RedisStreamSource,
    publish_readings,
    vitals_key,
)
from tests.conftest import require_service
from tests.streams.test_news2_batch import random_feed

URL = "redis://127.0.0.1:6379/0"
PARTITIONS = 2


@pytest.fixture
def client():
    require_service("127.0.0.1", 6379, "Redis")
    client = redis.Redis.from_url(URL)
    prefix = f"vigil-test-{uuid.uuid4().hex[:8]}"
    yield client, prefix
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def expected_outputs(frame: pd.DataFrame) -> tuple[list[str], int]:
    """Alert ids and dead-letter count of the same readings through the in-memory flow."""
    out: list = []
    config = News2FlowConfig(partitions=PARTITIONS, emit_scores=False)
    run_main(build_flow(TestingSource([batch_from_frame(frame)]), TestingSink(out), config))
    ids = sorted(
        aid
        for kind, table in out
        if kind in ("alerts", "sepsis_alerts", "escalations")
        for aid in table.column("alert_id").to_pylist()
    )
    return ids, sum(table.num_rows for kind, table in out if kind == "dead_letters")


def published(client, prefix: str) -> pd.DataFrame:
    entries = client.xrange(f"{prefix}:alerts")
    return pd.DataFrame([{k.decode(): v.decode() for k, v in f.items()} for _, f in entries])


def run_redis(prefix: str, workers: int = 1) -> None:
    source = RedisStreamSource(URL, PARTITIONS, prefix=prefix, count=500, stop_when_idle=True)
    flow = build_flow(
        source,
        RedisStreamSink(URL, prefix=prefix),
        News2FlowConfig(partitions=PARTITIONS, emit_scores=False),
    )
    if workers == 1:
        run_main(flow)
    else:
        cluster_main(flow, [], 0, worker_count_per_proc=workers)


@pytest.mark.parametrize("workers", [1, 2])
def test_redis_flow_publishes_every_alert_once_and_acks_every_message(client, workers) -> None:
    client, prefix = client
    frame = random_feed(21, 2000)
    assert publish_readings(client, prefix, frame, PARTITIONS) == len(frame)
    run_redis(prefix, workers)
    alerts = published(client, prefix)
    expected_ids, expected_dead = expected_outputs(frame)
    assert sorted(alerts["alert_id"]) == expected_ids
    assert client.xlen(f"{prefix}:dead_letters") == expected_dead > 0
    for part in range(PARTITIONS):
        assert client.xpending(vitals_key(prefix, part), "vigil-news2")["pending"] == 0


def test_unacknowledged_messages_are_redelivered_and_alerts_not_republished(client) -> None:
    client, prefix = client
    frame = random_feed(22, 1000)
    publish_readings(client, prefix, frame, PARTITIONS)
    run_redis(prefix)
    first = published(client, prefix)
    # A crashed consumer: it read messages (now pending) but never acknowledged them.
    for part in range(PARTITIONS):
        key = vitals_key(prefix, part)
        client.xgroup_setid(key, "vigil-news2", id="0")
        client.xreadgroup("vigil-news2", "vigil", {key: ">"}, count=100)
        assert client.xpending(key, "vigil-news2")["pending"] == 100
    run_redis(prefix)
    again = published(client, prefix)
    assert len(again) == len(first)  # re-processing published nothing twice
    for part in range(PARTITIONS):
        assert client.xpending(vitals_key(prefix, part), "vigil-news2")["pending"] == 0


@pytest.fixture(scope="module")
def oru_messages() -> list[str]:
    from ingest.export_hl7v2 import to_messages
    from simulator.config import NetworkConfig
    from simulator.network import simulate

    messages = to_messages(simulate(NetworkConfig(hospitals=1, days=6, seed=5)))
    # ingest.hl7v2.vitals_from_message takes ~0.1 s a message here: keep the test short.
    vitals = [m for m in messages if "|ORU^R01" in m.split("\r", 1)[0] and "|85353-1^" in m]
    return vitals[:200]  # vital-sign panels (LOINC 85353-1), not the lab results' ORU^R01


def test_hl7_messages_give_the_direct_paths_alerts_and_bad_ones_are_dead_lettered(
    client, oru_messages
) -> None:
    from ingest.hl7v2 import vitals_from_message
    from ingest.pseudonym import Pseudonymizer
    from streams.redis_connectors import publish_hl7

    client, prefix = client
    pseudonymize = Pseudonymizer("streams-test-key-" + "k" * 32)
    bad = ["garbage", oru_messages[0].replace("OBX|", "NTE|")]  # unparseable; no vitals
    messages = [*oru_messages, *bad]
    assert publish_hl7(client, prefix, messages, PARTITIONS) == len(messages)
    source = RedisStreamSource(
        URL, PARTITIONS, prefix=prefix, count=300, stop_when_idle=True, pseudonymize=pseudonymize
    )
    config = News2FlowConfig(partitions=PARTITIONS, emit_scores=False)
    run_main(build_flow(source, RedisStreamSink(URL, prefix=prefix), config))

    rows = [row for m in oru_messages for row in vitals_from_message(m, pseudonymize)[0]]
    expected_ids, expected_dead = expected_outputs(pd.DataFrame(rows))
    alerts = published(client, prefix)
    assert len(rows) == len(oru_messages) == 200
    assert sorted(alerts["alert_id"]) == expected_ids and len(expected_ids) > 0
    dead = [
        {k.decode(): v.decode() for k, v in fields.items()}
        for _, fields in client.xrange(f"{prefix}:dead_letters")
    ]
    reasons = sorted(d["reason"] for d in dead if d["reason"].startswith("hl7: "))
    assert reasons == [
        "hl7: message does not start with an MSH segment",
        "hl7: no vital-sign OBX in the message",
    ]
    assert len(dead) == expected_dead + 2
    for part in range(PARTITIONS):
        assert client.xpending(vitals_key(prefix, part), "vigil-news2")["pending"] == 0
