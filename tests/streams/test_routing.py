"""The routing model behind co-located partition state, checked against Bytewax itself."""

from __future__ import annotations

import threading

import bytewax.operators as op
from bytewax.dataflow import Dataflow
from bytewax.inputs import (
    DynamicSource,
    FixedPartitionedSource,
    StatefulSourcePartition,
    StatelessSourcePartition,
)
from bytewax.testing import TestingSink, cluster_main

from streams.routing import colocated_key, siphash13, worker_of

WORKERS = 3
KEYS = [f"part-{i}" for i in range(12)] + ["census", "H01", "part-3.1"]


class _Once(StatelessSourcePartition):
    def __init__(self, items):
        self._items = items

    def next_batch(self):
        if self._items is None:
            raise StopIteration
        items, self._items = self._items, None
        return items


class WorkerKeys(DynamicSource):
    """Each worker records its thread and emits every key once."""

    def __init__(self, threads: dict):
        self.threads = threads

    def build(self, step_id, worker_index, worker_count):
        self.threads[worker_index] = threading.get_ident()
        return _Once([(key, worker_index) for key in KEYS] if worker_index == 0 else [])


class _Part(StatefulSourcePartition):
    def __init__(self, name):
        self._done = False
        self.name = name

    def next_batch(self):
        if self._done:
            raise StopIteration
        self._done = True
        return []

    def snapshot(self):
        return None


class PartThreads(FixedPartitionedSource):
    def __init__(self, threads: dict):
        self.threads = threads

    def list_parts(self):
        return [f"part-{i}" for i in range(7)]

    def build_part(self, step_id, for_part, resume_state):
        self.threads[for_part] = threading.get_ident()
        return _Part(for_part)


def test_siphash13_reference_vector() -> None:
    # SipHash-1-3 with zero keys over the empty input (Rust's DefaultHasher, str b"").
    assert siphash13(b"") == 0xD1FBA762150C532C


def test_state_keys_and_source_partitions_land_where_the_model_says() -> None:
    worker_threads: dict[int, int] = {}
    part_threads: dict[str, int] = {}
    state_threads: list = []
    flow = Dataflow("routing_probe")
    keyed = op.input("keys", flow, WorkerKeys(worker_threads))
    op.input("parts", flow, PartThreads(part_threads))
    placed = op.stateful_map("where", keyed, lambda s, v: (None, threading.get_ident()))
    op.output("out", placed, TestingSink(state_threads))
    cluster_main(flow, [], 0, worker_count_per_proc=WORKERS)
    worker_of_thread = {thread: worker for worker, thread in worker_threads.items()}
    for key, thread in state_threads:
        assert worker_of_thread[thread] == worker_of(key, WORKERS), key
    for part, thread in part_threads.items():
        assert worker_of_thread[thread] == int(part.split("-")[1]) % WORKERS, part


def test_colocated_key_routes_to_the_partitions_worker() -> None:
    for workers in (1, 2, 3, 4):
        for partition in range(16):
            key = colocated_key(partition, workers)
            assert worker_of(key, workers) == partition % workers
