"""What a seeded project holds, without times: counts by kind and a digest of every node and
relation, ids and authors included, so that two ways of loading a dataset can be compared."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from graph.store import Store

_TIMES = {"created_at", "updated_at", "updated_by", "version"}
"""Left out: when something was made, and by whom it was last touched (a load may stamp either)."""


def _plain(model: Any) -> dict[str, Any]:
    return {k: v for k, v in model.model_dump(mode="json").items() if k not in _TIMES}


async def fingerprint(store: Store, project_id: str) -> tuple[dict[str, int], str]:
    snapshot = await store.project_snapshot(project_id, with_text=True)
    memos = (await store.memos_of_projects([project_id]))[project_id]
    documents = await store.get_documents(list(snapshot.document_lengths))
    parts: dict[str, list[Any]] = {
        "participants": sorted((_plain(p) for p in snapshot.participants), key=lambda p: p["id"]),
        "documents": sorted((_plain(d) for d in documents.values()), key=lambda d: d["id"]),
        "codes": sorted((_plain(c) for c in snapshot.codes), key=lambda c: c["id"]),
        "themes": sorted((_plain(t) for t in snapshot.themes), key=lambda t: t["id"]),
        "memberships": sorted(list(m) for m in snapshot.memberships),
        "links": sorted((_plain(x) for x in snapshot.links), key=lambda x: x["id"]),
        "memos": sorted((_plain(m) for m in memos), key=lambda m: m["id"]),
        "excerpts": sorted(list(e) for e in snapshot.excerpts),
        "codings": sorted(list(c) for c in snapshot.codings),
    }
    counts = {kind: len(items) for kind, items in parts.items()}
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return counts, digest
