"""`--dist loadgroup` that works with pytest 9.2: xdist groups handed to the scheduler in a
file instead of in the test ids.

pytest-xdist's loadgroup tells its scheduler (in the controller process, which collects
nothing) a test's `xdist_group` by appending `@<group>` to the test's id in the worker.
pytest 9.2 stores ids in a structured form and ignores that rewrite, so every group is
silently spread over all workers (pytest-xdist issue 1386, open). Until xdist carries groups
itself, the workers write {test id: group} to a file of the run (named after xdist's
test-run id) at the end of their collection, before they report it, and the controller's
scheduler (`pytest_xdist_make_scheduler`, a documented xdist hook) reads it. Where xdist's
own suffix does work, the ids carry it and the file agrees with it.

xdist sorts the work units by size, largest first (`--loadscope-reorder`, its default): the
groups are handed out before the single tests, so a long group never becomes the run's tail.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from pathlib import Path


def groups_file(run_id: str) -> Path:
    return Path(tempfile.gettempdir()) / f"rastrack-xdist-groups-{run_id}.json"


def group_of(item) -> str | None:
    """The item's group, as xdist names it (several groups joined with "_")."""
    names = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
             for mark in item.iter_markers("xdist_group")}
    return "_".join(sorted(names)) or None


def ensure_run_id(config) -> None:
    """In the controller: fix the test-run id now, so that the scheduler knows the file's name
    (xdist would otherwise make one up when it starts the workers)."""
    if hasattr(config, "workerinput") or not hasattr(config.option, "testrunuid"):
        return
    if config.option.testrunuid is None:
        config.option.testrunuid = uuid.uuid4().hex


def record(config, items) -> None:
    """In an xdist worker, after collection: write the groups of this run's tests."""
    if not hasattr(config, "workerinput") or not config.getvalue("loadgroup"):
        return
    groups = {item.nodeid: group for item in items if (group := group_of(item))}
    target = groups_file(config.workerinput["testrunuid"])
    partial = target.with_name(f"{target.name}.{os.getpid()}")
    partial.write_text(json.dumps(groups))
    partial.replace(target)


def make_scheduler(config, log):
    """In the controller, for `--dist loadgroup`: xdist's loadgroup scheduler, grouping by the
    file the workers wrote."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    target = groups_file(config.option.testrunuid)

    class FileGroupScheduling(LoadGroupScheduling):
        _groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self._groups is None:
                # Read once all workers have reported their collection (schedule()).
                self._groups = json.loads(target.read_text()) if target.exists() else {}
            return self._groups.get(nodeid) or super()._split_scope(nodeid)

    return FileGroupScheduling(config, log)


def forget(config) -> None:
    """In the controller, at the end of the run."""
    run_id = getattr(config.option, "testrunuid", None)
    if run_id and not hasattr(config, "workerinput"):
        groups_file(run_id).unlink(missing_ok=True)
