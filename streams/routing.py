"""Which Bytewax worker holds a state key, so partition state can sit beside its source.

Bytewax 0.21 routes a stateful step's key to worker ``SipHash-1-3(key) % workers``
(Rust's ``DefaultHasher`` with zero keys over the key's ``str`` hash: its UTF-8 bytes
and a 0xFF terminator), while a ``FixedPartitionedSource`` gives its i-th partition to
worker ``i % workers``. With keys named ``part-<i>`` the two disagree (measured: on 2
workers every micro-batch crossed processes), so :func:`colocated_key` picks, for
partition ``i``, a key name that routes to worker ``i % workers``.

This only decides *where* state lives, never results; a test checks the mapping
against Bytewax itself, so an upgrade that changes the hash shows up as a failure.
"""

from __future__ import annotations

MASK = 0xFFFFFFFFFFFFFFFF


def _rotl(x: int, bits: int) -> int:
    return ((x << bits) | (x >> (64 - bits))) & MASK


def siphash13(data: bytes, k0: int = 0, k1: int = 0) -> int:
    """SipHash-1-3 (Aumasson and Bernstein), as Rust's ``DefaultHasher``."""
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573

    def sip_round() -> None:
        nonlocal v0, v1, v2, v3
        v0 = (v0 + v1) & MASK
        v1 = _rotl(v1, 13) ^ v0
        v0 = _rotl(v0, 32)
        v2 = (v2 + v3) & MASK
        v3 = _rotl(v3, 16) ^ v2
        v0 = (v0 + v3) & MASK
        v3 = _rotl(v3, 21) ^ v0
        v2 = (v2 + v1) & MASK
        v1 = _rotl(v1, 17) ^ v2
        v2 = _rotl(v2, 32)

    end = len(data) - len(data) % 8
    for i in range(0, end, 8):
        word = int.from_bytes(data[i : i + 8], "little")
        v3 ^= word
        sip_round()
        v0 ^= word
    last = ((len(data) & 0xFF) << 56) | int.from_bytes(data[end:], "little")
    v3 ^= last
    sip_round()
    v0 ^= last
    v2 ^= 0xFF
    for _ in range(3):
        sip_round()
    return v0 ^ v1 ^ v2 ^ v3


def worker_of(key: str, workers: int) -> int:
    """The worker Bytewax 0.21 routes state key ``key`` to."""
    return siphash13(key.encode() + b"\xff") % workers


def colocated_key(partition: int, workers: int) -> str:
    """A state key for ``partition`` that lives on worker ``partition % workers``."""
    if workers <= 1:
        return f"part-{partition}"
    target = partition % workers
    suffix = 0
    while True:
        key = f"part-{partition}" if suffix == 0 else f"part-{partition}.{suffix}"
        if worker_of(key, workers) == target:
            return key
        suffix += 1
