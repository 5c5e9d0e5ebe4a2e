"""Every Cypher statement the neo4j adapter sends, as named constants.

Values always travel as parameters; labels and relationship types are literal text
from the allow-lists below (statements made per label are dicts keyed by it).
`statements()` lists every statement, so a test can check each one against Neo4j's own grammar.

The graph: every project-owned node has the label `Node` besides its own (ids are
unique across `Node`, which is what lets a memo or a link point at "any node"), and a
`project_id` property. Structure lives in relationships:

    (:Document)-[:ABOUT]->(:Participant)      (:Excerpt)-[:OF]->(:Document)
    (:Excerpt)-[:CODED_AS {coder, created_at, project_id}]->(:Code)
    (:Code)-[:CHILD_OF]->(:Code)              (:Theme)-[:SUBTHEME_OF]->(:Theme)
    (:Code)-[:IN_THEME {created_by, created_at}]->(:Theme)
    (:Turn {speaker, start, end, role, project_id})-[:IN]->(:Document)
    (:Link)-[:FROM]->(concept)  (:Link)-[:TO]->(concept)  (:Link)-[:EVIDENCE {position}]->(:Excerpt)
    (:Memo)-[:ABOUT]->(:Node)                 (:User)-[:MEMBER_OF {role}]->(:Project)
    (:Excerpt)-[:PINNED_TO {position}]->(concept)   a quote pinned to a code or theme

Instants are UTC ISO-8601 strings (DESIGN.md: the driver mis-encodes zoneinfo datetimes).
Written to run on Neo4j 5 and on ArcadeDB, the Bolt server of the test suite.
"""

from __future__ import annotations

from graph.models import NodeKind

LABELS = tuple(k.value for k in NodeKind)
"""The allow-list of node labels."""

TREES = {NodeKind.CODE.value: "CHILD_OF", NodeKind.THEME.value: "SUBTHEME_OF"}
"""Label -> the relationship that makes its tree."""

KIND = "[x IN labels({v}) WHERE x <> 'Node'][0]"
"""The node's own label (its kind), for a variable `v`."""

PING = "RETURN 1 AS one"

# -- schema ------------------------------------------------------------------------
USER_ID_UNIQUE = "CREATE CONSTRAINT user_id IF NOT EXISTS FOR (n:User) REQUIRE n.id IS UNIQUE"
NODE_ID_UNIQUE = "CREATE CONSTRAINT node_id IF NOT EXISTS FOR (n:Node) REQUIRE n.id IS UNIQUE"
NODE_PROJECT_INDEX = "CREATE INDEX node_project IF NOT EXISTS FOR (n:Node) ON (n.project_id)"
DOCUMENT_FULLTEXT = (
    "CREATE FULLTEXT INDEX document_text IF NOT EXISTS FOR (n:Document) ON EACH [n.text] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding'}}"
)


def label_id_unique(label: str) -> str:
    assert label in LABELS
    return f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"


def label_project_index(label: str) -> str:
    assert label in LABELS
    return f"CREATE INDEX {label.lower()}_project IF NOT EXISTS FOR (n:{label}) ON (n.project_id)"


def schema_statements() -> list[str]:
    """Constraints and indexes, created idempotently at start-up."""
    return [
        USER_ID_UNIQUE,
        USER_TOKEN_INDEX,
        NODE_ID_UNIQUE,
        NODE_PROJECT_INDEX,
        EVENT_ID_UNIQUE,
        EVENT_PROJECT_INDEX,
        TURN_PROJECT_INDEX,
        POSITION_PROJECT_INDEX,
        *(label_id_unique(label) for label in LABELS),
        *(label_project_index(label) for label in LABELS),
    ]


# -- nodes in general ------------------------------------------------------------------
NODE = f"MATCH (n:Node {{id: $id}}) RETURN n.project_id AS project_id, {KIND.format(v='n')} AS kind"
NODES = (
    f"UNWIND $ids AS id MATCH (n:Node {{id: id}}) RETURN n.id AS id, n.project_id AS project_id, "
    f"{KIND.format(v='n')} AS kind"
)
CREATE_NODES = {label: f"UNWIND $rows AS props CREATE (n:Node:{label}) SET n = props" for label in LABELS}
"""Create nodes of one label without their relationships (`RELATE`, `ADD_EVIDENCE` add those)."""

EDGES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "Document": (("participant_id", "ABOUT", "Participant"),),
    "Excerpt": (("document_id", "OF", "Document"),),
    "Code": (("parent_id", "CHILD_OF", "Code"),),
    "Theme": (("parent_id", "SUBTHEME_OF", "Theme"),),
    "Link": (("source_id", "FROM", "Node"), ("target_id", "TO", "Node")),
    "Memo": (("target_id", "ABOUT", "Node"),),
}
"""Label -> its single-valued relationships: (model field naming the other end, type, the other end's label)."""

RELATE = {
    f"{label}.{field}": (
        f"UNWIND $rows AS row MATCH (a:{label} {{id: row.id}}) MATCH (b:{other} {{id: row.to}}) "
        f"CREATE (a)-[:{rel}]->(b)"
    )
    for label, edges in EDGES.items()
    for field, rel, other in edges
}
"""Add one relationship of `EDGES` to new nodes: rows of {id, to}."""

REPOINT = {
    f"{label}.{field}": (
        f"MATCH (a:{label} {{id: $id}}) OPTIONAL MATCH (a)-[r:{rel}]->(b:{other}) WHERE $to IS NULL OR b.id <> $to "
        f"DELETE r WITH DISTINCT a MATCH (b:{other} {{id: $to}}) MERGE (a)-[:{rel}]->(b)"
    )
    for label, edges in EDGES.items()
    for field, rel, other in edges
}
"""Make one relationship of `EDGES` point at `$to` (at nothing when null), leaving it alone if it does already."""

ADD_EVIDENCE = (
    "UNWIND $rows AS row MATCH (l:Link {id: row.id}) MATCH (e:Excerpt {id: row.to}) "
    "CREATE (l)-[:EVIDENCE {position: row.position}]->(e)"
)
CLEAR_EVIDENCE = "MATCH (:Link {id: $id})-[r:EVIDENCE]->() DELETE r"
REPLACE_NODE = "MATCH (n:Node {id: $id}) SET n = $props"

DELETE_NODES = {
    label: f"""
MATCH (n:{label}) WHERE n.id IN $ids
OPTIONAL MATCH (e:Excerpt)-[:OF]->(n)
WITH collect(DISTINCT n) + collect(DISTINCT e) AS gone
UNWIND gone AS g
OPTIONAL MATCH (l:Link)-[:FROM|TO]->(g)
WITH collect(DISTINCT g) + collect(DISTINCT l) AS gone
UNWIND gone AS g
OPTIONAL MATCH (m:Memo)-[:ABOUT]->(g)
WITH collect(DISTINCT g) + collect(DISTINCT m) AS gone
UNWIND gone AS g
DETACH DELETE g
"""
    for label in LABELS
    if label != "Project"
}
"""Delete nodes of one label with what cannot outlive them: a document's excerpts, the links of a
concept, the memos about any of those, and every relationship (codings, memberships, evidence)."""

DELETE_PROJECT = "MATCH (n:Node {project_id: $id}) DETACH DELETE n"
DELETE_PROJECT_TURNS = "MATCH (t:Turn {project_id: $id}) DETACH DELETE t"
DELETE_PROJECT_EVENTS = "MATCH (e:Event {project_id: $id}) DELETE e"
DELETE_PROJECT_POSITIONS = "MATCH (p:Position {project_id: $id}) DETACH DELETE p"
LOCK = "UNWIND $ids AS id MATCH (n:Node {id: id}) SET n._lock = true REMOVE n._lock"
"""Take the nodes' write locks before reading what a write depends on (a version, the
owners left), so two concurrent writers cannot both act on the same old state."""

# -- users ---------------------------------------------------------------------------------
GET_USERS = "UNWIND $ids AS id MATCH (u:User {id: id}) RETURN u AS n"
USER_BY_NAME = "MATCH (u:User) WHERE toLower(u.name) = toLower($name) RETURN u AS n ORDER BY u.created_at, u.id LIMIT 1"
CREATE_USER = "CREATE (u:User $props)"
SET_TOKEN_HASH = "MATCH (u:User {id: $id}) SET u.token_hash = $token_hash RETURN count(u) AS n"
USER_BY_TOKEN_HASH = "MATCH (u:User {token_hash: $token_hash}) RETURN u AS n"
FIND_USERS = """
MATCH (u:User) WITH u, toLower(u.name) AS key
WHERE ($search IS NULL OR key STARTS WITH toLower($search) OR toLower(u.email) = toLower($search))
  AND ($key IS NULL OR key > $key OR (key = $key AND u.id > $id))
RETURN u AS n, key ORDER BY key, u.id LIMIT $limit
"""
"""Users by name prefix or exact email (ignoring case), a keyset page by name then id."""
USER_TOKEN_INDEX = "CREATE INDEX user_token IF NOT EXISTS FOR (n:User) ON (n.token_hash)"

# -- membership ------------------------------------------------------------------------------
ROLES = (
    "MATCH (:User {id: $user_id})-[r:MEMBER_OF]->(p:Project) WHERE p.id IN $ids "
    "RETURN p.id AS project_id, r.role AS role"
)
MEMBERS_OF_PROJECTS = (
    "MATCH (u:User)-[r:MEMBER_OF]->(p:Project) WHERE p.id IN $ids "
    "RETURN p.id AS project_id, u.id AS user_id, r.role AS role, p.id AS key ORDER BY toLower(u.name), u.id"
)
MEMBER_ROLE = "MATCH (:User {id: $user_id})-[r:MEMBER_OF]->(:Project {id: $project_id}) RETURN r.role AS role"
HOLDERS_OF_ROLE = (
    "MATCH (u:User)-[r:MEMBER_OF]->(:Project {id: $project_id}) WHERE r.role = $role RETURN u.id AS id ORDER BY u.id"
)
SET_ROLE = (
    "MATCH (u:User {id: $user_id}) MATCH (p:Project {id: $project_id}) MERGE (u)-[r:MEMBER_OF]->(p) SET r.role = $role"
)
REMOVE_MEMBER = "MATCH (:User {id: $user_id})-[r:MEMBER_OF]->(:Project {id: $project_id}) DELETE r"

# -- projects --------------------------------------------------------------------------------
LIST_PROJECTS = "MATCH (p:Project) RETURN p AS n ORDER BY toLower(p.name), p.id"
GET_PROJECTS = "UNWIND $ids AS id MATCH (p:Project {id: id}) RETURN p AS n"

# -- participants and documents ----------------------------------------------------------------
GET_PARTICIPANTS = "UNWIND $ids AS id MATCH (p:Participant {id: id}) RETURN p AS n"
PARTICIPANTS_OF_PROJECTS = (
    "MATCH (p:Participant) WHERE p.project_id IN $ids RETURN p AS n, p.project_id AS key "
    "ORDER BY toLower(p.pseudonym), p.id"
)
_DOCUMENT = "OPTIONAL MATCH (d)-[:ABOUT]->(p:Participant) RETURN d AS n, p.id AS participant_id"
GET_DOCUMENTS = f"UNWIND $ids AS id MATCH (d:Document {{id: id}}) {_DOCUMENT}"
DOCUMENTS_OF_PROJECTS = (
    f"MATCH (d:Document) WHERE d.project_id IN $ids {_DOCUMENT}, d.project_id AS key ORDER BY toLower(d.title), d.id"
)
DOCUMENTS_OF_PARTICIPANTS = (
    "MATCH (d:Document)-[:ABOUT]->(p:Participant) WHERE p.id IN $ids "
    "RETURN d AS n, p.id AS participant_id, p.id AS key ORDER BY toLower(d.title), d.id"
)

# -- excerpts and codings -----------------------------------------------------------------------
_EXCERPT = "RETURN e AS n, d.id AS document_id"
GET_EXCERPTS = f"UNWIND $ids AS id MATCH (e:Excerpt {{id: id}})-[:OF]->(d:Document) {_EXCERPT}"
EXCERPTS_OF_DOCUMENTS = (
    f"MATCH (e:Excerpt)-[:OF]->(d:Document) WHERE d.id IN $ids {_EXCERPT}, d.id AS key "
    "ORDER BY d.id, e.start, e.`end`, e.id"
)
EXCERPTS_OF_CODE = """
MATCH (:Code {id: $code_id})<-[r:CODED_AS]-(e:Excerpt)-[:OF]->(d:Document)
WHERE $coder IS NULL OR r.coder = $coder
WITH DISTINCT e, d
WHERE d.id > $document_id OR (d.id = $document_id AND (e.start > $start OR (e.start = $start
      AND (e.`end` > $end OR (e.`end` = $end AND e.id > $excerpt_id)))))
RETURN e AS n, d.id AS document_id ORDER BY d.id, e.start, e.`end`, e.id LIMIT $limit
"""
RECENTLY_CODED = """
MATCH (:Code {id: $code_id})<-[r:CODED_AS]-(e:Excerpt)-[:OF]->(d:Document)
WHERE $coder IS NULL OR r.coder = $coder
WITH e, d, min(r.created_at) AS coded_at
WHERE coded_at < $at OR (coded_at = $at AND e.id < $id)
RETURN e AS n, d.id AS document_id, coded_at ORDER BY coded_at DESC, e.id DESC LIMIT $limit
"""
UNCODE_EXCERPT = (
    "MATCH (:Excerpt {id: $excerpt_id})-[r:CODED_AS {coder: $coder}]->(:Code {id: $code_id}) "
    "DELETE r RETURN count(*) AS removed"
)
DOCUMENT_TEXTS = "UNWIND $ids AS id MATCH (d:Document {id: id}) RETURN d.id AS id, d.text AS text"
SAME_SPANS = """
UNWIND $spans AS s
MATCH (:Document {id: s.document_id})<-[:OF]-(e:Excerpt) WHERE e.start = s.start AND e.`end` = s.`end`
RETURN s.document_id AS document_id, e.start AS start, e.`end` AS `end`, e.id AS id ORDER BY e.created_at, e.id
"""
"""Written from the document to its excerpts: ArcadeDB plans the other direction as a scan of every
excerpt per span (1,000 spans among 13,000 excerpts: 77 s, against 1.1 s this way)."""
CODE_EXCERPTS = (
    "UNWIND $rows AS row MATCH (e:Excerpt {id: row.excerpt_id}) MATCH (c:Code {id: row.code_id}) "
    "MERGE (e)-[r:CODED_AS {coder: row.coder}]->(c) ON CREATE SET r.created_at = row.at, r.project_id = row.project_id"
)
CODERS_UNDER = {
    "Excerpt": "MATCH (:Excerpt {id: $id})-[r:CODED_AS]->(:Code) RETURN DISTINCT r.coder AS id",
    "Document": "MATCH (:Document {id: $id})<-[:OF]-(:Excerpt)-[r:CODED_AS]->(:Code) RETURN DISTINCT r.coder AS id",
    "Code": "MATCH (:Excerpt)-[r:CODED_AS]->(:Code {id: $id}) RETURN DISTINCT r.coder AS id",
}
RELATED_EXCERPTS = "MATCH (e:Excerpt)-[:OF]->(:Document {id: $id}) RETURN e.id AS id ORDER BY id"
RELATED_CODINGS = """
MATCH (e:Excerpt)-[r:CODED_AS]->(c:Code) WHERE c.id = $id OR e.id IN $held
RETURN e.id AS excerpt_id, c.id AS code_id, r.coder AS coder_id, r.created_at AS created_at, r.project_id AS project_id
ORDER BY excerpt_id, code_id, coder_id
"""
RELATED_MEMBERSHIPS = (
    "MATCH (c:Code)-[:IN_THEME]->(t:Theme) WHERE c.id = $id OR t.id = $id "
    "RETURN c.id AS code_id, t.id AS theme_id ORDER BY code_id, theme_id"
)
RELATED_LINKS = "MATCH (l:Link)-[:FROM|TO]->(:Node {id: $id}) RETURN DISTINCT l.id AS id ORDER BY id"
RELATED_CITING = "MATCH (l:Link)-[:EVIDENCE]->(e:Excerpt) WHERE e.id IN $held RETURN DISTINCT l.id AS id ORDER BY id"
RELATED_MEMOS = "MATCH (m:Memo)-[:ABOUT]->(n:Node) WHERE n.id IN $held RETURN m.id AS id ORDER BY id"
RELATED_DOCUMENTS = "MATCH (d:Document)-[:ABOUT]->(:Participant {id: $id}) RETURN d.id AS id ORDER BY id"
"""What holds on to a node (`Transaction.related`); `$held` is the node and a document's excerpts."""
CREATORS_UNDER = {
    "Excerpt": "MATCH (e:Excerpt {id: $id}) RETURN e.created_by AS id",
    "Document": "MATCH (:Document {id: $id})<-[:OF]-(e:Excerpt) RETURN DISTINCT e.created_by AS id",
}
CODINGS = """
UNWIND $ids AS id
MATCH (e:Excerpt {id: id})-[r:CODED_AS]->(c:Code)
RETURN e.id AS excerpt_id, c.id AS code_id, r.coder AS coder_id, r.created_at AS created_at, r.project_id AS project_id
ORDER BY excerpt_id, code_id, coder_id
"""
"""The codings of the excerpts `$ids` (distinct ids), as `Coding` fields."""
CODINGS_OF_EXCERPTS = (
    "MATCH (e:Excerpt)-[r:CODED_AS]->(c:Code) WHERE e.id IN $ids "
    "RETURN e.id AS excerpt_id, c.id AS code_id, r.coder AS coder_id, r.created_at AS created_at, "
    "r.project_id AS project_id, e.id AS key ORDER BY code_id, coder_id"
)

# -- speaker turns ------------------------------------------------------------------------------
TURN_PROJECT_INDEX = "CREATE INDEX turn_project IF NOT EXISTS FOR (n:Turn) ON (n.project_id)"
TURNS_OF_DOCUMENTS = (
    "MATCH (t:Turn)-[:IN]->(d:Document) WHERE d.id IN $ids "
    "RETURN d.id AS key, t.speaker AS speaker, t.start AS start, t.`end` AS `end`, t.role AS role ORDER BY key, start"
)
DELETE_TURNS = "MATCH (t:Turn)-[:IN]->(d:Document) WHERE d.id IN $ids DETACH DELETE t"
ADD_TURNS = (
    "UNWIND $rows AS row MATCH (d:Document {id: row.document_id}) "
    "CREATE (t:Turn {project_id: d.project_id, speaker: row.speaker, start: row.start, `end`: row.`end`, role: row.role})"
    "-[:IN]->(d)"
)
SET_SPEAKER_ROLE = "MATCH (t:Turn {speaker: $speaker})-[:IN]->(:Document {id: $id}) SET t.role = $role"

# -- the map's node positions ------------------------------------------------------------------
# A Position places one node; when the node goes (DETACH DELETE) its Position is left without a
# node, is never read again, and is cleared by the project's next save.
POSITION_PROJECT_INDEX = "CREATE INDEX position_project IF NOT EXISTS FOR (n:Position) ON (n.project_id)"
POSITIONS = (
    "MATCH (p:Position {project_id: $project_id})-[:PLACES]->(n:Node) RETURN n.id AS id, p.x AS x, p.y AS y ORDER BY id"
)
DELETE_LEFT_POSITIONS = "MATCH (p:Position {project_id: $project_id}) WHERE NOT (p)-[:PLACES]->() DELETE p"
SET_POSITIONS = (
    "UNWIND $rows AS row MATCH (n:Node {id: row.id}) MERGE (p:Position)-[:PLACES]->(n) "
    "SET p.project_id = n.project_id, p.x = row.x, p.y = row.y"
)

# -- codes and themes ---------------------------------------------------------------------------
_CODE = "OPTIONAL MATCH (c)-[:CHILD_OF]->(p:Code) RETURN c AS n, p.id AS parent_id"
_THEME = "OPTIONAL MATCH (t)-[:SUBTHEME_OF]->(p:Theme) RETURN t AS n, p.id AS parent_id"
GET_CODES = f"UNWIND $ids AS id MATCH (c:Code {{id: id}}) {_CODE}"
CODES_OF_PROJECTS = (
    f"MATCH (c:Code) WHERE c.project_id IN $ids {_CODE}, c.project_id AS key ORDER BY toLower(c.name), c.id"
)
CHILDREN_OF_CODES = (
    "MATCH (c:Code)-[:CHILD_OF]->(p:Code) WHERE p.id IN $ids "
    "RETURN c AS n, p.id AS parent_id, p.id AS key ORDER BY toLower(c.name), c.id"
)
CODES_OF_THEMES = (
    f"MATCH (c:Code)-[:IN_THEME]->(t:Theme) WHERE t.id IN $ids WITH c, t.id AS key {_CODE}, key "
    "ORDER BY toLower(c.name), c.id"
)
GET_THEMES = f"UNWIND $ids AS id MATCH (t:Theme {{id: id}}) {_THEME}"
THEMES_OF_PROJECTS = (
    f"MATCH (t:Theme) WHERE t.project_id IN $ids {_THEME}, t.project_id AS key ORDER BY toLower(t.name), t.id"
)
SUBTHEMES_OF_THEMES = (
    "MATCH (t:Theme)-[:SUBTHEME_OF]->(p:Theme) WHERE p.id IN $ids "
    "RETURN t AS n, p.id AS parent_id, p.id AS key ORDER BY toLower(t.name), t.id"
)
THEMES_OF_CODES = (
    f"MATCH (c:Code)-[:IN_THEME]->(t:Theme) WHERE c.id IN $ids WITH t, c.id AS key {_THEME}, key "
    "ORDER BY toLower(t.name), t.id"
)

NAMED = {
    "Code": """
MATCH (c:Code {project_id: $project_id}) WHERE toLower(c.name) = toLower($name)
OPTIONAL MATCH (c)-[:CHILD_OF]->(p:Code)
WITH c, p WHERE (p IS NULL AND $parent_id IS NULL) OR p.id = $parent_id
RETURN c.id AS id ORDER BY c.created_at, id
""",
    "Theme": (
        "MATCH (t:Theme {project_id: $project_id}) WHERE toLower(t.name) = toLower($name) "
        "RETURN t.id AS id ORDER BY t.created_at, id"
    ),
    "Participant": (
        "MATCH (p:Participant {project_id: $project_id}) WHERE toLower(p.pseudonym) = toLower($name) "
        "RETURN p.id AS id ORDER BY p.created_at, id"
    ),
}
"""Oldest first. Names compare by Cypher's toLower(), the only fold both Neo4j and ArcadeDB have
(it keeps accents, like the embedded store's fold)."""

ANCESTORS = {
    label: f"MATCH path = (:{label} {{id: $id}})-[:{rel}*1..]->(a:{label}) RETURN a.id AS id ORDER BY length(path)"
    for label, rel in TREES.items()
}
THEME_CODES = (
    "UNWIND $ids AS id MATCH (c:Code)-[:IN_THEME]->(t:Theme {id: id}) "
    "RETURN t.id AS theme_id, c.id AS code_id ORDER BY theme_id, code_id"
)
"""The member codes of the themes `$ids` (distinct ids), one row per membership."""
ADD_TO_THEMES = (
    "UNWIND $rows AS row MATCH (c:Code {id: row.code_id}) MATCH (t:Theme {id: row.theme_id}) "
    "MERGE (c)-[r:IN_THEME]->(t) ON CREATE SET r.created_by = row.actor, r.created_at = row.at"
)
REMOVE_FROM_THEME = (
    "MATCH (:Code {id: $code_id})-[r:IN_THEME]->(:Theme {id: $theme_id}) DELETE r RETURN count(*) AS removed"
)

PINNED_QUOTES = (
    "UNWIND $ids AS id MATCH (e:Excerpt)-[p:PINNED_TO]->(:Node {id: id}) "
    "RETURN id AS key, e.id AS excerpt_id ORDER BY key, p.position"
)
"""The quotes pinned to the codes or themes `$ids` (distinct ids), in their order."""
CLEAR_PINNED = "MATCH (:Excerpt)-[p:PINNED_TO]->(:Node {id: $id}) DELETE p"
ADD_PINNED = (
    "MATCH (t:Node {id: $id}) UNWIND $rows AS row MATCH (e:Excerpt {id: row.excerpt_id}) "
    "CREATE (e)-[:PINNED_TO {position: row.position}]->(t)"
)

MOVE_CODINGS = (
    "MATCH (e:Excerpt)-[r:CODED_AS]->(:Code {id: $source_id}) MATCH (t:Code {id: $target_id}) "
    "MERGE (e)-[n:CODED_AS {coder: r.coder}]->(t) "
    "ON CREATE SET n.created_at = r.created_at, n.project_id = r.project_id"
)
MOVE_MEMBERSHIPS = (
    "MATCH (:Code {id: $source_id})-[r:IN_THEME]->(th:Theme) MATCH (t:Code {id: $target_id}) "
    "MERGE (t)-[n:IN_THEME]->(th) ON CREATE SET n.created_by = r.created_by, n.created_at = r.created_at"
)
MOVE_LINK_SOURCES = (
    "MATCH (l:Link)-[r:FROM]->(:Code {id: $source_id}) MATCH (t:Code {id: $target_id}) DELETE r CREATE (l)-[:FROM]->(t)"
)
MOVE_LINK_TARGETS = (
    "MATCH (l:Link)-[r:TO]->(:Code {id: $source_id}) MATCH (t:Code {id: $target_id}) DELETE r CREATE (l)-[:TO]->(t)"
)
SELF_LINKS = "MATCH (l:Link)-[:FROM]->(c:Code {id: $id}) WHERE (l)-[:TO]->(c) RETURN l.id AS id"
"""Links from a code to itself, which merging a code into another makes of their links."""
MOVE_MEMOS = (
    "MATCH (m:Memo)-[r:ABOUT]->(:Code {id: $source_id}) MATCH (t:Code {id: $target_id}) "
    "DELETE r CREATE (m)-[:ABOUT]->(t)"
)


# -- links and memos --------------------------------------------------------------------------
_LINK = (
    "MATCH (l)-[:FROM]->(s:Node) MATCH (l)-[:TO]->(t:Node) OPTIONAL MATCH (l)-[ev:EVIDENCE]->(e:Excerpt) "
    f"RETURN l AS n, s.id AS source_id, {KIND.format(v='s')} AS source_kind, t.id AS target_id, "
    f"{KIND.format(v='t')} AS target_kind, collect([ev.position, e.id]) AS evidence"
)
GET_LINKS = f"UNWIND $ids AS id MATCH (l:Link {{id: id}}) {_LINK}"
LINKS_OF_PROJECTS = (
    f"MATCH (l:Link) WHERE l.project_id IN $ids {_LINK}, l.project_id AS key ORDER BY n.created_at, n.id"
)
LINKS_BETWEEN = f"""
UNWIND [[$a, $b], [$b, $a]] AS ends
MATCH (x:Node {{id: ends[0]}})
MATCH (x)<-[:FROM]-(l:Link)-[:TO]->(y:Node) WHERE y.id = ends[1]
WITH DISTINCT l
{_LINK} ORDER BY n.created_at, n.id
"""
"""Each end looked up by its id: ArcadeDB answers `x.id IN [...]` by scanning every node (65 ms a
link at size M, so seconds for a seed's links)."""

_MEMO = f"MATCH (m)-[:ABOUT]->(t:Node) RETURN m AS n, t.id AS target_id, {KIND.format(v='t')} AS target_kind"
GET_MEMOS = f"UNWIND $ids AS id MATCH (m:Memo {{id: id}}) {_MEMO}"
MEMOS_OF_TARGET = f"""
MATCH (m:Memo)-[:ABOUT]->(t:Node {{id: $target_id}})
WHERE m.created_at > $at OR (m.created_at = $at AND m.id > $id)
RETURN m AS n, t.id AS target_id, {KIND.format(v="t")} AS target_kind ORDER BY m.created_at, m.id LIMIT $limit
"""
MEMOS_OF_PROJECTS = (
    f"MATCH (m:Memo) WHERE m.project_id IN $ids {_MEMO}, m.project_id AS key ORDER BY n.created_at, n.id"
)


# -- activity ---------------------------------------------------------------------------------
EVENT_ID_UNIQUE = "CREATE CONSTRAINT event_id IF NOT EXISTS FOR (n:Event) REQUIRE n.id IS UNIQUE"
EVENT_PROJECT_INDEX = "CREATE INDEX event_project IF NOT EXISTS FOR (n:Event) ON (n.project_id)"
LOG_EVENTS = "UNWIND $rows AS props CREATE (e:Event) SET e = props"
PROJECT_REVISION = "MATCH (e:Event {project_id: $project_id}) RETURN count(e) AS n"
ACTIVITY = """
MATCH (e:Event {project_id: $project_id})
WHERE (e.at < $at OR (e.at = $at AND e.id < $id))
  AND ($actor_id IS NULL OR e.actor_id = $actor_id) AND ($target_id IS NULL OR $target_id IN e.target_ids)
RETURN e AS n ORDER BY e.at DESC, e.id DESC LIMIT $limit
"""
REMOVED = """
MATCH (e:Event {project_id: $project_id})
WHERE (e.type ENDS WITH '.deleted' OR e.type = 'code.merged') AND e.target_ids[0] IN $ids
RETURN e.target_ids[0] AS id, max(e.at) AS at
"""
LAST_EVENT = (
    "MATCH (e:Event {project_id: $project_id}) RETURN e.at AS at, e.id AS id ORDER BY e.at DESC, e.id DESC LIMIT 1"
)
ENTRIES_SINCE = (
    "MATCH (e:Event {project_id: $project_id}) WHERE e.at > $at OR (e.at = $at AND e.id > $id) "
    "RETURN e.type AS type, e.target_ids AS target_ids, e.at AS at, e.id AS id ORDER BY e.at, e.id LIMIT $limit"
)
"""What a snapshot update needs of the history entries after its kept snapshot's last one."""
GET_EVENT = "MATCH (e:Event {id: $id}) RETURN e AS n"
EVENTS_SINCE = (
    "MATCH (e:Event {project_id: $project_id}) WHERE (e.at > $at OR (e.at = $at AND e.id > $id)) "
    "AND ($kinds IS NULL OR split(e.type, '.')[0] IN $kinds) "
    "RETURN e AS n ORDER BY e.at, e.id LIMIT $limit"
)

# -- analysis ----------------------------------------------------------------------------------
MEMBERSHIPS = "MATCH (c:Code {project_id: $project_id})-[:IN_THEME]->(t:Theme) RETURN c.id AS code_id, t.id AS theme_id"
_EXCERPT_FACT = """
OPTIONAL MATCH (d)-[:ABOUT]->(p:Participant)
RETURN e.id AS id, d.id AS document_id, p.id AS participant_id, e.start AS start, e.`end` AS `end`,
       CASE WHEN $with_text THEN e.text ELSE null END AS text
"""
EXCERPT_FACTS = "MATCH (e:Excerpt {project_id: $project_id})-[:OF]->(d:Document)" + _EXCERPT_FACT
EXCERPT_FACTS_OF = "UNWIND $ids AS id MATCH (e:Excerpt {id: id})-[:OF]->(d:Document)" + _EXCERPT_FACT
EXCERPT_FACTS_IN = "MATCH (d:Document)<-[:OF]-(e:Excerpt) WHERE d.id IN $documents" + _EXCERPT_FACT
"""Two statements, each starting from the nodes named, by `{id: ...}`: with `OR` in one, or with
`WHERE e.id IN $ids`, ArcadeDB read every excerpt (0.1-0.5 s after each coding at M, 1-5 ms so)."""
CODING_FACTS_OF = (
    "MATCH (e:Excerpt)-[r:CODED_AS]->(c:Code) WHERE e.id IN $ids "
    "RETURN e.id AS excerpt_id, c.id AS code_id, r.coder AS coder_id"
)
CODING_FACTS = (
    "MATCH (e:Excerpt {project_id: $project_id})-[r:CODED_AS]->(c:Code) "
    "RETURN e.id AS excerpt_id, c.id AS code_id, r.coder AS coder_id"
)
DOCUMENT_FACTS = (
    "MATCH (d:Document {project_id: $project_id}) OPTIONAL MATCH (d)-[:ABOUT]->(p:Participant) "
    "RETURN d.id AS id, d.length AS length, d.groups AS groups, d.title AS title, p.id AS participant_id"
)
"""Lengths in code points, stored at creation: Cypher's size() of a string is not that everywhere."""
TURN_FACTS = (
    "MATCH (t:Turn {project_id: $project_id})-[:IN]->(d:Document) "
    "RETURN d.id AS document_id, t.start AS start, t.`end` AS `end`, t.role AS role ORDER BY document_id, start"
)
TURN_FACTS_OF = (
    "MATCH (t:Turn)-[:IN]->(d:Document) WHERE d.id IN $ids "
    "RETURN d.id AS document_id, t.start AS start, t.`end` AS `end`, t.role AS role ORDER BY document_id, start"
)
SEARCH_DOCUMENTS = """
CALL db.index.fulltext.queryNodes('document_text', $query) YIELD node
WITH node WHERE node.project_id = $project_id
OPTIONAL MATCH (node)-[:ABOUT]->(p:Participant)
RETURN node.id AS id, p.id AS participant_id, node.text AS text
"""
PROJECT_DOCUMENTS = (
    "MATCH (d:Document {project_id: $project_id}) OPTIONAL MATCH (d)-[:ABOUT]->(p:Participant) "
    "RETURN d.id AS id, p.id AS participant_id, d.text AS text"
)


def statements() -> dict[str, str]:
    """Every statement the adapter can send, by name (`NAME[key]` for the dicts of statements)."""
    found: dict[str, str] = {}
    for name, value in globals().items():
        if not name.isupper() or name.startswith("_") or name in ("KIND", "TREES"):
            continue
        if isinstance(value, str):
            found[name] = value
        elif isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            found.update({f"{name}[{key}]": statement for key, statement in value.items()})
    found.update({f"SCHEMA[{i}]": s for i, s in enumerate(schema_statements())})
    return found
