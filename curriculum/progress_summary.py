"""Progress summaries: `ProgressSnapshot` rows kept fresh by a task, so that dashboards read
progress over thousands of enrolments with one aggregate query.

How they stay fresh:

- Each app says which of its models are evidence for the progress engine (`watch(model)`,
  next to where it registers its evidence provider). Saving or deleting such a row marks the
  trainee's snapshots stale (`mark_stale`: one UPDATE that bumps `generation`).
- The beat task `curriculum.refresh_progress_summaries` (`refresh_due`) recomputes, in
  bounded batches (each one computation of the engine, `progress_for_many`, and one bulk write), snapshots that are stale, missing (new enrolments), or older than
  `PROGRESS_SUMMARY_MAX_AGE_SECONDS` (evidence that changes with time alone, such as an
  assessment whose blinding ends, and anything written by a bulk update that sends no signal).
- A refresh clears `stale` only if `generation` has not moved while it computed
  (compare-and-set), so evidence saved mid-refresh is never lost.

Dashboards show how fresh the figures are (`freshness`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Q
from django.db.models.functions import Mod
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from curriculum.models import (
    LIVE_ENROLMENT_STATUSES,
    Enrolment,
    ProgressBand,
    ProgressSnapshot,
    RequirementSnapshot,
)

DEFAULT_BATCH = 500
_TENTH = Decimal("0.1")


def band_of(share: float, complete: bool) -> str:
    """The progress band of a share of requirements met (0.0-1.0)."""
    if complete:
        return ProgressBand.COMPLETE
    if share < 0.25:
        return ProgressBand.BAND_0_25
    if share < 0.5:
        return ProgressBand.BAND_25_50
    if share < 0.75:
        return ProgressBand.BAND_50_75
    return ProgressBand.BAND_75_99


# --- Marking stale ---------------------------------------------------------------------------


def mark_stale(trainee_ids: Iterable[int]) -> int:
    """The trainees' snapshots need recomputing (their evidence changed)."""
    ids = {pk for pk in trainee_ids if pk}
    if not ids:
        return 0
    return (ProgressSnapshot.objects.filter(enrolment__trainee_id__in=ids)
            .update(stale=True, generation=F("generation") + 1))


def _on_evidence_change(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    mark_stale([getattr(instance, "trainee_id", None)])


def watch(model) -> None:
    """Saving or deleting a `model` row (which has a `trainee` foreign key) marks that
    trainee's progress snapshots stale. Call from `AppConfig.ready()`; idempotent."""
    uid = f"progress-summary-{model._meta.label_lower}"
    post_save.connect(_on_evidence_change, sender=model, dispatch_uid=uid + "-save")
    post_delete.connect(_on_evidence_change, sender=model, dispatch_uid=uid + "-delete")


# --- Refreshing ------------------------------------------------------------------------------


def _decimal(value) -> Decimal:
    return Decimal(value).quantize(_TENTH)


def refresh_enrolment(enrolment: Enrolment, *, now: datetime.datetime | None = None) -> ProgressSnapshot:
    """Recompute one enrolment's snapshot with the progress engine and store it."""
    from curriculum.progress import progress_for

    generations = _generations([enrolment.pk])
    _store([(enrolment, progress_for(enrolment))], generations, now or timezone.now())
    return ProgressSnapshot.objects.get(pk=enrolment.pk)


def refresh_enrolments(enrolments: Iterable[Enrolment], *, now: datetime.datetime | None = None) -> int:
    """Recompute a batch of enrolments' snapshots as one computation (each kind of evidence
    read once for the batch's trainees, `progress_for_many`) and store them in bulk."""
    from curriculum.progress import progress_for_many

    enrolments = list(enrolments)
    if not enrolments:
        return 0
    generations = _generations([e.pk for e in enrolments])
    _store(list(zip(enrolments, progress_for_many(enrolments), strict=True)), generations, now or timezone.now())
    return len(enrolments)


def _generations(ids: list[int]) -> dict[int, int]:
    """Each existing snapshot's generation before computing (the compare-and-set's "before")."""
    return dict(ProgressSnapshot.objects.filter(pk__in=ids).values_list("pk", "generation"))


# Stays within SQLite's bound on query parameters (two per snapshot in the compare-and-set).
_CHUNK = 400


def _store(computed: list[tuple], generations: dict[int, int], now: datetime.datetime) -> None:
    """Write computed progress, in bulk. A snapshot ends fresh only if its generation has not
    moved since `generations` was read: every existing one is written stale first, then one
    UPDATE clears `stale` where (enrolment, generation) is still what it was, so evidence saved
    while the batch computed (mark_stale bumps the generation) leaves its snapshot stale."""
    ids = [enrolment.pk for enrolment, _ in computed]
    created, updated = [], []
    for enrolment, progress in computed:
        snapshot = ProgressSnapshot(
            pk=enrolment.pk, met_count=progress.met_count, total=progress.total, share=progress.share,
            band=band_of(progress.share, progress.complete), computed_at=now, stale=True)
        if enrolment.pk in generations:
            updated.append(snapshot)
        else:
            snapshot.stale = False
            created.append(snapshot)
    with transaction.atomic():
        # A snapshot someone else created meanwhile (another refresh) is theirs: keep it.
        ProgressSnapshot.objects.bulk_create(created, ignore_conflicts=True)
        ProgressSnapshot.objects.bulk_update(updated, ["met_count", "total", "share", "band", "computed_at", "stale"],
                                             batch_size=_CHUNK)
        read = list(generations.items())
        for start in range(0, len(read), _CHUNK):
            unchanged = Q(pk__in=[])
            for pk, generation in read[start:start + _CHUNK]:
                unchanged |= Q(pk=pk, generation=generation)
            ProgressSnapshot.objects.filter(unchanged).update(stale=False)
        RequirementSnapshot.objects.filter(snapshot_id__in=ids).delete()
        RequirementSnapshot.objects.bulk_create(
            (RequirementSnapshot(snapshot_id=enrolment.pk, requirement_id=item.requirement.pk,
                                 type=item.requirement.type, component_kind=item.requirement.component.kind,
                                 provider=item.provider or "", value=_decimal(item.value),
                                 target=_decimal(item.target), met=item.met)
             for enrolment, progress in computed for item in progress.requirements),
            batch_size=1000)


AGE_BUCKETS = 8


def _too_old(now: datetime.datetime) -> Q:
    """Snapshots older than their maximum age. The age is staggered by enrolment (pk modulo
    AGE_BUCKETS, from half the maximum age to the whole of it), so that snapshots all
    computed together by a bulk refresh do not all fall due together a day later: each
    bucket falls due at its own time, and no snapshot is ever older than the maximum."""
    max_age = settings.PROGRESS_SUMMARY_MAX_AGE_SECONDS
    condition = Q()
    for bucket in range(AGE_BUCKETS):
        age = max_age - bucket * max_age // (2 * AGE_BUCKETS)
        condition |= Q(age_bucket=bucket,
                       progress_snapshot__computed_at__lt=now - datetime.timedelta(seconds=age))
    return condition


def due_enrolments(*, now: datetime.datetime | None = None):
    """Live enrolments whose snapshot is stale, missing or older than its (staggered) maximum
    age; missing and stale first, then the oldest."""
    now = now or timezone.now()
    return (Enrolment.objects.filter(status__in=LIVE_ENROLMENT_STATUSES)
            .annotate(age_bucket=Mod("pk", AGE_BUCKETS))
            .filter(Q(progress_snapshot__isnull=True) | Q(progress_snapshot__stale=True) | _too_old(now))
            .select_related("trainee", "pathway")
            .order_by(F("progress_snapshot__computed_at").asc(nulls_first=True), "pk"))


def refresh_due(*, limit: int = DEFAULT_BATCH, now: datetime.datetime | None = None) -> int:
    """Refresh up to `limit` due snapshots; returns how many. Idempotent: two workers running
    it at once only repeat work."""
    return refresh_enrolments(due_enrolments(now=now)[:limit], now=now)


def refresh_all(*, batch: int = DEFAULT_BATCH, progress=None) -> int:
    """Recompute every live enrolment's snapshot (after a bulk load; `manage.py
    refresh_progress --all`)."""
    done = 0
    queryset = (Enrolment.objects.filter(status__in=LIVE_ENROLMENT_STATUSES)
                .select_related("trainee", "pathway").order_by("pk"))
    last = 0
    # Batches by primary key (keyset), each one computation and one bulk write.
    while chunk := list(queryset.filter(pk__gt=last)[:batch]):
        done += refresh_enrolments(chunk)
        last = chunk[-1].pk
        if progress:
            progress(done)
    return done


# --- Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredProgress:
    """A live enrolment and its progress as last stored (`snapshot` is None before the first
    computation). Read, never computed: a page showing it costs no evidence queries."""

    enrolment: Enrolment
    snapshot: ProgressSnapshot | None

    @property
    def computed(self) -> bool:
        return self.snapshot is not None

    @property
    def stale(self) -> bool:
        """New evidence arrived after it was computed: the beat task recomputes it soon."""
        return self.snapshot is not None and self.snapshot.stale

    @property
    def percent(self) -> int:
        return round(self.snapshot.share * 100) if self.snapshot is not None else 0


def stored_progress_of(trainee_ids: Iterable[int]) -> dict[int, list[StoredProgress]]:
    """The live enrolments of these trainees with their stored snapshots, by trainee id, each
    trainee's in enrolment order: one query whatever the number of trainees.

    Nothing is computed or marked here: a stale or missing snapshot is already due for the
    beat task (`due_enrolments` takes missing and stale ones first), so a page only says how
    old what it shows is."""
    ids = list(trainee_ids)
    found: dict[int, list[StoredProgress]] = {pk: [] for pk in ids}
    if not ids:
        return found
    enrolments = (Enrolment.objects.filter(trainee_id__in=ids, status__in=LIVE_ENROLMENT_STATUSES)
                  .select_related("pathway", "progress_snapshot")
                  .order_by("trainee_id", "enrolled_on", "id"))
    for enrolment in enrolments:
        try:
            snapshot = enrolment.progress_snapshot
        except ProgressSnapshot.DoesNotExist:
            snapshot = None
        found[enrolment.trainee_id].append(StoredProgress(enrolment=enrolment, snapshot=snapshot))
    return found


def freshness(enrolments) -> dict:
    """How fresh the snapshots behind `enrolments` (live ones) are: the oldest computation,
    and how many are stale or not computed yet. One query."""
    figures = enrolments.filter(status__in=LIVE_ENROLMENT_STATUSES).aggregate(
        oldest=Min("progress_snapshot__computed_at"),
        stale=_count(Q(progress_snapshot__stale=True)),
        missing=_count(Q(progress_snapshot__isnull=True)),
    )
    return {"computed_at": figures["oldest"], "stale": figures["stale"], "not_computed": figures["missing"]}


def _count(condition: Q):
    from django.db.models import Count

    return Count("pk", filter=condition)
