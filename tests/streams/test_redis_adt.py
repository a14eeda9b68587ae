"""HL7 v2 ADT over the real Redis into the live census flow, against the direct path."""

from __future__ import annotations

import pandas as pd
import pytest
from bytewax.testing import TestingSink, run_main

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

KEY = Pseudonymizer("streams-test-key-" + "k" * 32)
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
