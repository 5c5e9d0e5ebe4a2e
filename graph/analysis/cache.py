"""Snapshots kept between questions, per project revision.

Reading a whole project is most of an analytic question's cost on a large project, and
analysts ask many questions between two changes. Every change to a project appends to
its activity history in the change's own transaction, so the number of history
entries is a revision number: an adapter reads it first, in the same read transaction
as the snapshot, and reuses the kept snapshot while it is unchanged. When it has changed,
the kept snapshot is brought up to date from the history entries after it
(graph.analysis.incremental). A change made by another process is seen the same way,
since the count and the entries live in the store.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from graph.analysis.snapshot import Snapshot

KEPT_PROJECTS = 4
"""Snapshots kept at once (least recently used dropped first); bounds the memory."""


class SnapshotCache:
    def __init__(self, size: int = KEPT_PROJECTS) -> None:
        self._size = size
        self._kept: OrderedDict[str, tuple[Snapshot, bool]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, project_id: str, revision: int, with_text: bool) -> Snapshot | None:
        """The kept snapshot of the project at `revision`, if it has texts when asked for."""
        with self._lock:
            kept = self._kept.get(project_id)
            if kept is None or kept[0].revision != revision or (with_text and not kept[1]):
                return None
            self._kept.move_to_end(project_id)
            return kept[0]

    def latest(self, project_id: str) -> tuple[Snapshot, bool] | None:
        """The kept snapshot of the project at whatever revision, and whether it has excerpt
        texts: where an update starts."""
        with self._lock:
            return self._kept.get(project_id)

    def put(self, snapshot: Snapshot, with_text: bool) -> Snapshot:
        """Keep `snapshot`, unless a later one of its project is kept already (two reads raced)."""
        with self._lock:
            kept = self._kept.get(snapshot.project_id)
            if kept is not None and kept[0].revision > snapshot.revision:
                return snapshot
            self._kept[snapshot.project_id] = (snapshot, with_text)
            self._kept.move_to_end(snapshot.project_id)
            dropped = [] if kept is None or kept[0] is snapshot else [kept[0]]
            while len(self._kept) > self._size:
                dropped.append(self._kept.popitem(last=False)[1][0])
        for old in dropped:
            old.release()
        return snapshot
