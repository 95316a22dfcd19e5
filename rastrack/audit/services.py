"""Writing the audit trail: `audit_record` for one event, `audited` for "change + entry".

Both must run inside the service's transaction, so the entry commits with the change or
not at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import IntegrityError, connections, models, router, transaction
from django.utils import timezone

from rastrack.audit.canonical import canonical_json, canonicalise, sha256_hex
from rastrack.audit.models import GENESIS_HASH, AuditEntry, AuditStreamHead
from rastrack.core.compiled import CompiledQuery, prepared_cursor
from rastrack.core.middleware import current_request_id

MAX_ATTEMPTS = 8

# A stream's head, locked: read by every audited write, so its SQL is compiled once.
_HEAD_FOR_UPDATE = CompiledQuery(lambda stream: AuditStreamHead.objects.select_for_update().filter(stream=stream),
                                 stand_ins={"stream": "compiled-query stand-in"})


def stream_for(instance: models.Model) -> str:
    return f"{instance._meta.label_lower}:{instance.pk}"


def portfolio_stream(trainee_id: int) -> str:
    """The one chain of everything that is evidence in a trainee's portfolio (cases, sessions,
    assessments, sign-offs, certificates, documents): one name, so no writer starts a second."""
    return f"portfolio:{trainee_id}"


def entry_hash(*, stream: str, seq: int, occurred_at, actor_id, action: str, object_type: str,
               object_id: str, before, after, request_id: str, prev_hash: str) -> str:
    payload = {
        "stream": stream, "seq": seq, "occurred_at": occurred_at, "actor": actor_id,
        "action": action, "object_type": object_type, "object_id": object_id,
        "before": before, "after": after, "request_id": request_id, "prev_hash": prev_hash,
    }
    return sha256_hex(canonical_json(payload))


def hash_of(entry: AuditEntry) -> str:
    return entry_hash(
        stream=entry.stream, seq=entry.seq, occurred_at=entry.occurred_at,
        actor_id=entry.actor_id, action=entry.action, object_type=entry.object_type,
        object_id=entry.object_id, before=entry.before, after=entry.after,
        request_id=entry.request_id, prev_hash=entry.prev_hash,
    )


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The instance's concrete field values (foreign keys as ids), JSON-native."""
    wanted = set(fields) if fields is not None else None
    data = {}
    for field in instance._meta.concrete_fields:
        if wanted is not None and field.name not in wanted:
            continue
        if field.name == "password":
            continue  # never put a password hash in the trail
        data[field.attname if field.is_relation else field.name] = field.value_from_object(instance)
    return canonicalise(data)


def audit_record(*, actor, action: str, obj: models.Model | None = None,
                 object_type: str | None = None, object_id: Any = None,
                 before: Any = None, after: Any = None, stream: str | None = None) -> AuditEntry:
    """Append one entry to its stream's chain. Call inside the service's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    if not object_type or object_id is None:
        raise ValueError("An audit entry needs an object (obj, or object_type and object_id).")
    stream = stream or f"{object_type}:{object_id}"
    before, after = canonicalise(before), canonicalise(after)
    actor_id = getattr(actor, "pk", actor)
    request_id = current_request_id() or ""
    fields = {"stream": stream, "actor_id": actor_id, "action": action, "object_type": object_type,
              "object_id": str(object_id), "before": before, "after": after, "request_id": request_id}
    if not transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return _record(fields)
    return _record(fields)


def _record(fields: dict) -> AuditEntry:
    stream = fields["stream"]
    for _attempt in range(MAX_ATTEMPTS):
        # Locking the stream's head row makes same-stream writers queue behind each other
        # instead of spinning on retries; writers to other streams lock other rows and never
        # wait. Under the lock the next sequence number is ours alone, so the append needs
        # no savepoint (it would cost two statements on every write).
        head = _HEAD_FOR_UPDATE.first(stream=stream)
        if head is not None:
            return _append(head=head, **fields)
        # A stream's first two writers have no head to lock: the unique (stream, seq) insert
        # decides between them, in a savepoint so that the loser rolls back this insert only,
        # not the caller's change, and retries against the new head.
        try:
            with transaction.atomic():
                return _append(head=None, **fields)
        except IntegrityError:
            continue  # another writer took this sequence number: read the new head, retry
    raise IntegrityError(f"Could not append to audit stream {stream} after {MAX_ATTEMPTS} tries.")


def _append(*, head, stream, actor_id, action, object_type, object_id, before, after, request_id):
    seq, prev_hash = (head.seq + 1, head.hash) if head else (1, GENESIS_HASH)
    entry = AuditEntry(
        stream=stream, seq=seq, occurred_at=timezone.now(), actor_id=actor_id, action=action,
        object_type=object_type, object_id=object_id, before=before, after=after,
        request_id=request_id, prev_hash=prev_hash,
    )
    entry.hash = hash_of(entry)
    if head:
        head.seq, head.hash = seq, entry.hash
        alias = router.db_for_write(AuditEntry)
        if connections[alias].vendor == "postgresql":
            _insert_and_advance(entry, head, alias)
        else:
            entry.save()
            head.save(update_fields=["seq", "hash"])
    else:
        entry.save()
        AuditStreamHead.objects.create(stream=stream, seq=seq, hash=entry.hash)
    return entry


_ENTRY_COLUMNS = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
# Names from the models and placeholders only: the values travel as parameters.
_INSERT_AND_ADVANCE_SQL = (  # noqa: S608
    'WITH appended AS (INSERT INTO "{entries}" ({columns}) VALUES ({values}) RETURNING "id") '
    'UPDATE "{heads}" SET "seq" = %s, "hash" = %s WHERE "stream" = %s RETURNING (SELECT "id" FROM appended)'
).format(entries=AuditEntry._meta.db_table, heads=AuditStreamHead._meta.db_table,
         columns=", ".join(f'"{f.column}"' for f in _ENTRY_COLUMNS), values=", ".join(["%s"] * len(_ENTRY_COLUMNS)))


def _insert_and_advance(entry: AuditEntry, head: AuditStreamHead, alias: str) -> None:
    """The entry and its stream's new head (locked by the caller) in one statement: every
    audited write makes both, and on PostgreSQL a data-modifying WITH does it in one round
    trip. The rows are those `entry.save()` and `head.save()` write (the other databases'
    path, and the one a test compares this with)."""
    connection = connections[alias]
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in _ENTRY_COLUMNS]
    with prepared_cursor(connection) as cursor:
        cursor.execute(_INSERT_AND_ADVANCE_SQL, [*values, head.seq, head.hash, head.stream])
        (entry.pk,) = cursor.fetchone()
    entry._state.adding, entry._state.db = False, alias


@contextlib.contextmanager
def audited(*, actor, action: str, instance: models.Model, fields: Iterable[str] | None = None,
            stream: str | None = None) -> Iterator[None]:
    """Make "write the change and its audit entry" one step for a service::

        with audited(actor=user, action="accreditation.suspend", instance=accreditation):
            accreditation.status = Status.SUSPENDED
            accreditation.save(update_fields=["status"])

    The snapshot before and after, and the entry, are written in one transaction with the
    change. A new instance (no pk yet) is recorded with `before=None`.
    """
    fields = list(fields) if fields is not None else None
    with transaction.atomic():
        before = snapshot(instance, fields) if instance.pk is not None else None
        yield
        audit_record(actor=actor, action=action, obj=instance, before=before,
                     after=snapshot(instance, fields), stream=stream)
