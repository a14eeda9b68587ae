"""HL7 v2 ADT over the real Redis into the live census flow, against the direct path."""

from __future__ import annotations

import pandas as pd
import pytest
from bytewax.outputs import StatelessSinkPartition
from bytewax.testing import TestingSink, cluster_main, run_main

from ingest.hl7v2 import Hl7Intake
from ingest.pseudonym import Pseudonymizer
from streams.census_flow import CensusFlowConfig, RecordReplaySource, build_flow, census_events
from streams.redis_connectors import (
    RedisAdtSource,
    RedisStreamSink,
    adt_key,
    census_records,
    publish_adt,
)
from tests.streams.test_redis import PARTITIONS, URL, client  # noqa: F401 (fixture)

KEY_TEXT = "streams-test-key-" + "k" * 32
KEY = Pseudonymizer(KEY_TEXT)
NO_ED = pd.DataFrame(
    columns=["ed_visit_id", "hospital_id", "disposition", "disposition_decided_at", "departed_at"]
)


@pytest.fixture(scope="module")
def messages() -> list[str]:
    from ingest.export_hl7v2 import to_messages
    from simulator.config import NetworkConfig
    from simulator.network import simulate

    every = to_messages(simulate(NetworkConfig(hospitals=2, days=5, seed=5)))
    return [m for m in every if "|ADT^" in m.split("\r", 1)[0]] + [
        next(m for m in every if "|ORU^R01" in m.split("\r", 1)[0])
    ]


def direct_path(messages: list[str]) -> tuple[pd.DataFrame, CensusFlowConfig]:
    """The batch intake's ADT events through the census flow (what `vigil stream` does
    on a landed feed)."""
    intake = Hl7Intake(KEY)
    for i, message in enumerate(messages):
        intake.add(message, str(i))
    adt = intake.tables()[0]["adt_events"]
    config = CensusFlowConfig(staffed_beds=dict.fromkeys(adt["unit_id"].dropna().unique(), 6))
    out: list = []
    run_main(build_flow(RecordReplaySource(census_events(adt, NO_ED)), TestingSink(out), config))
    occupancy = pd.concat([t.to_pandas() for kind, t in out if kind == "occupancy"])
    return occupancy, config


def rows(frame: pd.DataFrame) -> list[tuple]:
    return sorted(
        (r.hospital_id, r.unit_id, pd.Timestamp(r.at).isoformat(), int(r.census))
        for r in frame.itertuples()
    )


def test_adt_over_redis_gives_the_direct_paths_occupancy(client, messages) -> None:  # noqa: F811
    client, prefix = client
    adt, oru = messages[:-1], messages[-1]
    expected, config = direct_path(adt)
    bad = ["garbage", oru]  # unparseable; vitals, not ADT
    assert publish_adt(client, prefix, [*adt, *bad], PARTITIONS) == len(adt) + 2
    source = RedisAdtSource(
        URL, PARTITIONS, prefix=prefix, count=200, stop_when_idle=True, pseudonymize=KEY
    )
    run_main(build_flow(source, RedisStreamSink(URL, prefix=prefix), config))

    def stream(name: str) -> pd.DataFrame:
        entries = client.xrange(f"{prefix}:{name}")
        return pd.DataFrame([{k.decode(): v.decode() for k, v in f.items()} for _, f in entries])

    occupancy = stream("occupancy")
    assert len(expected) > 100
    assert rows(occupancy) == rows(expected)
    dead = stream("dead_letters")
    assert sorted(dead["reason"]) == [
        "hl7: message does not start with an MSH segment",
        "hl7: message type ORU^R01 is not an ADT message",
    ]
    assert not dead["record"].str.contains("PID").any()  # named by digest, not its text
    for part in range(PARTITIONS):
        assert client.xpending(adt_key(prefix, part), "vigil-census")["pending"] == 0


def test_cancellations_and_updates_become_census_moves(messages) -> None:
    admit = next(m for m in messages if "|ADT^A01" in m and "PV1|1|I|" in m)
    discharge = next(
        m for m in messages if "|ADT^A03" in m and admit.split("PV1|")[1].split("|")[18] in m
    )
    cancel_admit = admit.replace("|ADT^A01", "|ADT^A11")
    cancel_discharge = discharge.replace("|ADT^A03", "|ADT^A13")
    update = admit.replace("|ADT^A01", "|ADT^A08")
    fields = [{b"hl7": m.encode()} for m in (admit, cancel_admit, update, cancel_discharge)]
    records = census_records(fields, KEY)
    assert [(r["event_type"], r["hl7_event"]) for r in records] == [
        ("A01", "A01"),
        ("A03", "A11"),  # the admission is undone: the bed is free again
        ("A01", "A13"),  # the discharge is undone: back in the PV1-3 unit
    ]
    assert len({r["encounter_id"] for r in records}) == 1
    assert records[0]["unit_id"] == records[1]["unit_id"]


class SinkKilled(RuntimeError):
    """The sink process dies before writing."""


class _KilledBeforeWrite(StatelessSinkPartition):
    """Dies on the ``fail_at``-th write that carries occupancy rows, before writing it."""

    def __init__(self, inner, fail_at: int):
        self._inner, self._fail_at, self._writes = inner, fail_at, 0

    def write_batch(self, items: list) -> None:
        kinds = [kind for kind, _ in items]
        kinds += [k for kind, value in items if kind == "source_batch" for k, _ in value[0]]
        if "occupancy" in kinds:
            self._writes += 1
            if self._writes == self._fail_at:
                raise SinkKilled(f"killed before write {self._writes}")
        self._inner.write_batch(items)


class KilledSink(RedisStreamSink):
    def __init__(self, url: str, prefix: str, fail_at: int):
        super().__init__(url, prefix=prefix)
        self.fail_at = fail_at

    def build(self, step_id: str, worker_index: int, worker_count: int):
        return _KilledBeforeWrite(super().build(step_id, worker_index, worker_count), self.fail_at)


@pytest.mark.parametrize("fail_at", [1, 3])
def test_a_sink_killed_before_writing_leaves_its_messages_pending(
    client,  # noqa: F811
    messages,
    fail_at: int,
) -> None:
    """Acknowledgement after the output is written: at the crash, the acknowledged
    messages are exactly those whose occupancy rows are on the broker; the rest are
    pending and a restart redelivers them: nothing lost, nothing duplicated. Two
    workers, so that the state may sit on another worker than the source partition."""
    client, prefix = client
    adt = messages[:400]  # ADT only, about a day: ten reads of 40
    _, config = direct_path(adt)
    publish_adt(client, prefix, adt, 1)  # one stream key: messages in publish order
    key = adt_key(prefix, 0)

    def run(sink) -> None:
        source = RedisAdtSource(
            URL, 1, prefix=prefix, count=40, stop_when_idle=True, pseudonymize=KEY
        )
        cluster_main(build_flow(source, sink, config), [], 0, worker_count_per_proc=2)

    def occupancy() -> list[tuple]:
        entries = client.xrange(f"{prefix}:occupancy")
        frame = pd.DataFrame([{k.decode(): v.decode() for k, v in f.items()} for _, f in entries])
        return rows(frame) if len(frame) else []

    def expected(part: list[str]) -> list[tuple]:
        return rows(direct_path(part)[0]) if part else []

    with pytest.raises(Exception) as crash:  # noqa: PT011 (Bytewax wraps the sink's error)
        run(KilledSink(URL, prefix, fail_at))
    cause = crash.value
    while cause is not None and not isinstance(cause, SinkKilled):
        cause = cause.__cause__ or cause.__context__
    assert isinstance(cause, SinkKilled)
    ids = [mid for mid, _ in client.xrange(key)]
    pending = {
        p["message_id"] for p in client.xpending_range(key, "vigil-census", "-", "+", 10_000)
    }
    delivered = client.xinfo_groups(key)[0]["last-delivered-id"]
    read = ids[: ids.index(delivered) + 1]
    acked = [mid for mid in read if mid not in pending]
    assert acked == ids[: len(acked)]  # acknowledged in order, none skipped
    assert pending and len(acked) < len(adt)  # the killed write's messages were not acked
    assert occupancy() == expected(adt[: len(acked)])  # exactly the acked messages' rows

    run(RedisStreamSink(URL, prefix=prefix))
    assert client.xpending(key, "vigil-census")["pending"] == 0
    # A restart without Bytewax recovery starts the census empty, so the redelivered
    # messages are applied as a new run from the first unacknowledged one.
    assert occupancy() == sorted(expected(adt[: len(acked)]) + expected(adt[len(acked) :]))


def test_vigil_stream_runs_the_census_flow_over_redis(
    client,  # noqa: F811
    messages,
    tmp_path,
    monkeypatch,
) -> None:
    """`vigil stream --flow census --broker redis`: the landed units' staffed beds, the
    intake key from VIGIL_PSEUDONYM_KEY, the direct path's occupancy on the broker."""
    from vigil.cli import main

    client, prefix = client
    adt = messages[:400]
    expected, config = direct_path(adt)
    units = pd.DataFrame(
        {"unit_id": list(config.staffed_beds), "staffed_beds": list(config.staffed_beds.values())}
    )
    (tmp_path / "units").mkdir()
    units.to_parquet(tmp_path / "units" / "part-0.parquet")
    monkeypatch.setenv("VIGIL_PSEUDONYM_KEY", KEY_TEXT)
    publish_adt(client, prefix, adt, PARTITIONS)
    args = ["stream", "--flow", "census", "--broker", "redis", "--input", str(tmp_path)]
    args += ["--redis-prefix", prefix, "--redis-partitions", str(PARTITIONS), "--until-idle"]
    assert main(args) == 0
    entries = client.xrange(f"{prefix}:occupancy")
    occupancy = pd.DataFrame([{k.decode(): v.decode() for k, v in f.items()} for _, f in entries])
    assert rows(occupancy) == rows(expected)
    for part in range(PARTITIONS):
        assert client.xpending(adt_key(prefix, part), "vigil-census")["pending"] == 0
