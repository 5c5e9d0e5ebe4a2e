"""The embedded store's SQLite schema.

Every node has a row in `nodes` (id, project, label); each label's table references
it with ON DELETE CASCADE, and a trigger removes the `nodes` row when a label row goes.
Memos and concept links reference `nodes`, so deleting anything, directly or through a
cascade, also removes the memos and links about it: nothing dangles, by construction.
"""

from __future__ import annotations

SCHEMA_VERSION = 1

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    # FULL: a commit is on disk (WAL fsynced) before the mutation returns, so neither
    # kill -9 nor a power cut loses an acknowledged write.
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    # Several server processes (`thememap serve --workers N`) write to one file: a write waits
    # for another process's transaction (an import may take seconds) as long as a request may
    # take (THEMEMAP_REQUEST_TIMEOUT's default) instead of failing with "database is locked".
    "PRAGMA busy_timeout = 30000",
)


def fold(text: str) -> str:
    """Case folding for names (uniqueness and order): Python's, registered in SQLite as
    `fold` because SQLite's own lower() folds ASCII only, and Cypher's toLower() does not."""
    return text.lower()


_STAMPS = """
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
"""

_NODE_ID = "id TEXT PRIMARY KEY REFERENCES nodes(id) ON DELETE CASCADE"

TABLES = f"""
DROP INDEX IF EXISTS codes_unique_name;
DROP INDEX IF EXISTS themes_unique_name;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    created_at TEXT NOT NULL,
    token_hash TEXT
);

CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS nodes_by_project ON nodes(project_id);

CREATE TABLE IF NOT EXISTS projects (
    {_NODE_ID},
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    {_STAMPS},
    blind_coding INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS members (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);

CREATE TABLE IF NOT EXISTS participants (
    {_NODE_ID},
    project_id TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    attributes TEXT NOT NULL,
    {_STAMPS}
);
CREATE INDEX IF NOT EXISTS participants_by_project ON participants(project_id, pseudonym);

CREATE TABLE IF NOT EXISTS documents (
    {_NODE_ID},
    project_id TEXT NOT NULL,
    participant_id TEXT REFERENCES participants(id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,
    groups TEXT NOT NULL DEFAULT '[]',
    {_STAMPS}
);
CREATE INDEX IF NOT EXISTS documents_by_project ON documents(project_id, title);
CREATE INDEX IF NOT EXISTS documents_by_participant ON documents(participant_id);

CREATE TABLE IF NOT EXISTS turns (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    speaker TEXT NOT NULL,
    role TEXT,
    PRIMARY KEY (document_id, start)
);

CREATE TABLE IF NOT EXISTS excerpts (
    {_NODE_ID},
    project_id TEXT NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    {_STAMPS}
);
CREATE INDEX IF NOT EXISTS excerpts_in_text_order ON excerpts(document_id, start, "end", id);

CREATE TABLE IF NOT EXISTS positions (
    node_id TEXT PRIMARY KEY REFERENCES nodes(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    x REAL NOT NULL,
    y REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS positions_by_project ON positions(project_id);

CREATE TABLE IF NOT EXISTS codes (
    {_NODE_ID},
    project_id TEXT NOT NULL,
    parent_id TEXT REFERENCES codes(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    color TEXT,
    version INTEGER NOT NULL,
    {_STAMPS},
    codable INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX IF NOT EXISTS codes_unique_folded_name
    ON codes(project_id, ifnull(parent_id, ''), fold(name));
CREATE INDEX IF NOT EXISTS codes_by_parent ON codes(parent_id);

CREATE TABLE IF NOT EXISTS codings (
    excerpt_id TEXT NOT NULL REFERENCES excerpts(id) ON DELETE CASCADE,
    code_id TEXT NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    coder_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (excerpt_id, code_id, coder_id)
);
CREATE INDEX IF NOT EXISTS codings_by_code ON codings(code_id, excerpt_id);

CREATE TABLE IF NOT EXISTS themes (
    {_NODE_ID},
    project_id TEXT NOT NULL,
    parent_id TEXT REFERENCES themes(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    {_STAMPS}
);
CREATE UNIQUE INDEX IF NOT EXISTS themes_unique_folded_name ON themes(project_id, fold(name));
CREATE INDEX IF NOT EXISTS themes_by_parent ON themes(parent_id);

CREATE TABLE IF NOT EXISTS theme_codes (
    theme_id TEXT NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
    code_id TEXT NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (theme_id, code_id)
);
CREATE INDEX IF NOT EXISTS theme_codes_by_code ON theme_codes(code_id);

CREATE TABLE IF NOT EXISTS links (
    {_NODE_ID},
    project_id TEXT NOT NULL,
    source_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    source_kind TEXT NOT NULL,
    target_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    target_kind TEXT NOT NULL,
    kind TEXT NOT NULL,
    label TEXT,
    note TEXT,
    version INTEGER NOT NULL,
    {_STAMPS}
);
CREATE INDEX IF NOT EXISTS links_by_project ON links(project_id, created_at);
CREATE INDEX IF NOT EXISTS links_by_source ON links(source_id);
CREATE INDEX IF NOT EXISTS links_by_target ON links(target_id);

CREATE TABLE IF NOT EXISTS link_evidence (
    link_id TEXT NOT NULL REFERENCES links(id) ON DELETE CASCADE,
    excerpt_id TEXT NOT NULL REFERENCES excerpts(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (link_id, excerpt_id)
);
CREATE INDEX IF NOT EXISTS link_evidence_by_excerpt ON link_evidence(excerpt_id);

CREATE TABLE IF NOT EXISTS pinned_quotes (
    target_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    excerpt_id TEXT NOT NULL REFERENCES excerpts(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (target_id, excerpt_id)
);
CREATE INDEX IF NOT EXISTS pinned_quotes_by_excerpt ON pinned_quotes(excerpt_id);

CREATE TABLE IF NOT EXISTS memos (
    {_NODE_ID},
    project_id TEXT NOT NULL,
    target_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    target_kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    {_STAMPS}
);
CREATE INDEX IF NOT EXISTS memos_by_project ON memos(project_id, created_at);
CREATE INDEX IF NOT EXISTS memos_by_target ON memos(target_id);

CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    type TEXT NOT NULL,
    target_ids TEXT NOT NULL,
    at TEXT NOT NULL,
    summary TEXT NOT NULL,
    before TEXT,
    after TEXT,
    reverts TEXT
);
CREATE INDEX IF NOT EXISTS events_by_project ON events(project_id, at, id);
"""

FULL_TEXT = """
CREATE VIRTUAL TABLE documents_fts USING fts5(
    text, content='documents', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO documents_fts(documents_fts) VALUES ('rebuild');
"""
"""Full-text index of transcripts (word-based, case- and accent-insensitive), created once
and rebuilt from the documents if it is new, then kept in step by the triggers below."""

FULL_TEXT_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS documents_fts_insert AFTER INSERT ON documents
BEGIN INSERT INTO documents_fts(rowid, text) VALUES (new.rowid, new.text); END;
CREATE TRIGGER IF NOT EXISTS documents_fts_delete AFTER DELETE ON documents
BEGIN INSERT INTO documents_fts(documents_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END;
CREATE TRIGGER IF NOT EXISTS documents_fts_update AFTER UPDATE OF text ON documents
BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO documents_fts(rowid, text) VALUES (new.rowid, new.text);
END;
"""

USER_INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS users_by_token ON users(token_hash) WHERE token_hash IS NOT NULL;
CREATE INDEX IF NOT EXISTS users_by_name ON users(fold(name));
CREATE INDEX IF NOT EXISTS members_by_user ON members(user_id, project_id);
"""

NODE_TABLES = ("projects", "participants", "documents", "excerpts", "codes", "themes", "links", "memos")

TRIGGERS = "\n".join(
    f"CREATE TRIGGER IF NOT EXISTS {table}_release_node AFTER DELETE ON {table} "
    f"BEGIN DELETE FROM nodes WHERE id = old.id; END;"
    for table in NODE_TABLES
)
