"""Warm a freshly forked web or Celery worker up, then freeze the garbage collector's view of
what it loaded.

Everything imported and built at start-up (modules, URL patterns, models, templates' loaders,
serializers) lives as long as the process. Left to the collector, each full collection walks
all of it again (100+ ms in the middle of a request on the progress page); `gc.freeze()`
moves those objects to a permanent generation that collections skip, and keeps their pages
shared with the parent after fork (no copy-on-write from the collector's bookkeeping).
Called by gunicorn's `post_worker_init` (gunicorn.conf.py) and by Celery's
`worker_process_init` (each pool process) and `worker_ready` (the main process, which runs the
tasks with the solo and thread pools) in rastrack/celery.py.
"""

from __future__ import annotations

import gc


def warm_up() -> None:
    """Load what the first requests would load: every app's models, the URL patterns (and
    with them the views and their serializers) and the template engines."""
    from django.apps import apps
    from django.template import engines
    from django.urls import get_resolver

    apps.get_models()
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    engines.all()  # builds the template backends and their loaders


def warm_up_and_freeze() -> int:
    """Warm up, collect once, freeze; returns how many objects were frozen."""
    warm_up()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
