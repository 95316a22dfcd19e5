"""Checking every chain: the first broken link is reported by stream and sequence number."""

from __future__ import annotations

from dataclasses import dataclass

from rastrack.audit.models import GENESIS_HASH, AuditEntry, AuditStreamHead
from rastrack.audit.services import hash_of


@dataclass(frozen=True)
class BrokenLink:
    stream: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"stream {self.stream!r} at #{self.seq}: {self.problem}"


def first_broken_link() -> BrokenLink | None:
    heads = dict(AuditStreamHead.objects.values_list("stream", "seq"))
    head_hashes = dict(AuditStreamHead.objects.values_list("stream", "hash"))
    stream, expected_seq, prev_hash = None, 1, GENESIS_HASH
    seen_streams: set[str] = set()

    def close(stream_name: str, last_seq: int, last_hash: str) -> BrokenLink | None:
        head_seq = heads.get(stream_name)
        if head_seq is None:
            return BrokenLink(stream_name, last_seq, "the stream has no head record")
        if head_seq > last_seq:
            return BrokenLink(stream_name, last_seq + 1, "entry missing (removed) at the end")
        if head_seq != last_seq or head_hashes[stream_name] != last_hash:
            return BrokenLink(stream_name, last_seq, "the stream head does not match its last entry")
        return None

    entries = AuditEntry.objects.order_by("stream", "seq").iterator(chunk_size=2000)
    for entry in entries:
        if entry.stream != stream:
            if stream is not None and (broken := close(stream, expected_seq - 1, prev_hash)):
                return broken
            stream, expected_seq, prev_hash = entry.stream, 1, GENESIS_HASH
            seen_streams.add(stream)
        if entry.seq != expected_seq:
            return BrokenLink(stream, expected_seq, "entry missing (removed)")
        if entry.prev_hash != prev_hash:
            return BrokenLink(stream, entry.seq, "does not link to the previous entry")
        if hash_of(entry) != entry.hash:
            return BrokenLink(stream, entry.seq, "contents do not match the hash (edited)")
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    if stream is not None and (broken := close(stream, expected_seq - 1, prev_hash)):
        return broken
    for orphan in sorted(set(heads) - seen_streams):
        return BrokenLink(orphan, 1, "every entry of the stream is missing (removed)")
    return None
