"""GraphQL object types. Each wraps a domain model (kept in `model`) and resolves its
relations through the request's DataLoaders."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Union

import strawberry
from strawberry.scalars import JSON

from graph import cursors, models
from graph.analysis import results
from graph.models import NodeKind
from graph.service.reading import concepts_in_order, participants_in_order
from schema.context import Info
from schema.limits import check_page_size

ThemeStatus = strawberry.enum(models.ThemeStatus, description="Where a theme is in its review.")
LinkKind = strawberry.enum(
    models.LinkKind,
    description="How two concepts relate. ASSOCIATED_WITH and CONTRADICTS are symmetric: they read the same both ways.",
)
Role = strawberry.enum(models.Role, description="A member's role in a project.")
SpeakerRole = strawberry.enum(
    models.SpeakerRole,
    description="Who a speaker of a transcript is: the participant the document is about, or an interviewer.",
)


ConceptOrder = strawberry.enum(
    results.ConceptOrder,
    description="NAME: by name (the default); EXCERPTS: most excerpts first (prevalence); PARTICIPANTS: most "
    "participants first; RECENT: most recently changed first. Ties stay by name.",
)
ExcerptOrder = strawberry.enum(
    results.ExcerptOrder,
    description="TEXT: in document and text order (the default); RECENT: most recently coded with the code first "
    "(under blind coding, by when you coded them). A page's cursors only resume the same order.",
)
ParticipantOrder = strawberry.enum(
    results.ParticipantOrder,
    description="PSEUDONYM: by pseudonym (the default); RECENT: most recently changed first.",
)


def _counted(order: results.ConceptOrder) -> bool:
    return order in (results.ConceptOrder.EXCERPTS, results.ConceptOrder.PARTICIPANTS)


@strawberry.type(description="A person who codes, builds themes and writes memos.")
class User:
    id: strawberry.ID
    name: str
    address: strawberry.Private[str | None]

    @classmethod
    def of(cls, m: models.User) -> User:
        return cls(id=strawberry.ID(m.id), name=m.name, address=m.email)

    @strawberry.field(description="The user's email address: shown only to the user themselves.")
    def email(self, info: Info) -> str | None:
        me = info.context.user
        return self.address if me is not None and me.id == self.id else None


WITH_DESCENDANTS = (
    "Count the excerpts coded with this code or with any code below it in the tree (children, their children...), "
    "each excerpt and participant once: a category's or a parent's total."
)
THEME_DESCENDANTS = (
    "Count each of the theme's codes with the codes below it in the tree, so that a parent or a category code in "
    "the theme brings its children's excerpts; each excerpt and participant once."
)
MEMOS = "Memos about this, oldest first, paginated (Project.memos lists every memo of the project)."


@strawberry.type(description="A user's membership of a project.")
class Member:
    user_id: strawberry.Private[str]
    role: Role

    @classmethod
    def of(cls, m: models.Membership) -> Member:
        return cls(user_id=m.user_id, role=m.role)

    @strawberry.field
    async def user(self, info: Info) -> User | None:
        found = await info.context.loaders.user.load(self.user_id)
        return User.of(found) if found else None


@strawberry.interface(description="Anything stored in a project; carries its provenance.")
class Node:
    id: strawberry.ID
    created_at: datetime
    updated_at: datetime
    created_by_id: strawberry.Private[str]
    updated_by_id: strawberry.Private[str]

    @strawberry.field(description="Who created this.")
    async def created_by(self, info: Info) -> User | None:
        user = await info.context.loaders.user.load(self.created_by_id)
        return User.of(user) if user else None

    @strawberry.field(description="Who changed this last.")
    async def updated_by(self, info: Info) -> User | None:
        user = await info.context.loaders.user.load(self.updated_by_id)
        return User.of(user) if user else None


def _node_fields(m: models.Stamped) -> dict[str, Any]:
    return {
        "id": strawberry.ID(m.id),
        "created_at": m.created_at,
        "updated_at": m.updated_at,
        "created_by_id": m.created_by,
        "updated_by_id": m.updated_by,
    }


@strawberry.type(description="A research project: everything else belongs to exactly one project.")
class Project(Node):
    name: str
    description: str
    blind_coding: bool = strawberry.field(
        description="While true, ANALYSTs see only their own codings (in excerpts, counts, analyses and activity), so "
        "they can code the same documents independently. OWNERs set it with updateProject."
    )

    @classmethod
    def of(cls, m: models.Project) -> Project:
        return cls(**_node_fields(m), name=m.name, description=m.description, blind_coding=m.blind_coding)

    @strawberry.field(description="Members and their roles, by name.")
    async def members(self, info: Info) -> list[Member]:
        return [Member.of(m) for m in await info.context.loaders.members_of_project.load(self.id)]

    @strawberry.field(description="Your role in this project.")
    async def my_role(self, info: Info) -> Role:
        found = (await info.context.reader.principal(self.id)).role
        assert found is not None, "a project is shown only to its members"
        return found

    @strawberry.field(description="Participants (cases), by pseudonym unless `orderBy` says otherwise.")
    async def participants(
        self, info: Info, order_by: ParticipantOrder = results.ParticipantOrder.PSEUDONYM
    ) -> list[Participant]:
        found = await info.context.loaders.participants_of_project.load(self.id)
        return [Participant.of(p) for p in participants_in_order(found, order_by)]

    @strawberry.field(description="Documents (transcripts), by title.")
    async def documents(self, info: Info) -> list[Document]:
        return [Document.of(d) for d in await info.context.loaders.documents_of_project.load(self.id)]

    @strawberry.field(
        description="The document sets its documents are in (setDocumentGroups), by name: what a case "
        "filter's `documentGroups` can keep to."
    )
    async def document_groups(self, info: Info) -> list[str]:
        documents = await info.context.loaders.documents_of_project.load(self.id)
        return sorted({g for d in documents for g in d.groups}, key=lambda g: (g.casefold(), g))

    @strawberry.field(
        description="Every code of the project, flat and by name unless `orderBy` says otherwise (EXCERPTS and "
        "PARTICIPANTS count as `excerptCount` and `participantCount` do); use `parent`/`children` for the tree."
    )
    async def codes(self, info: Info, order_by: ConceptOrder = results.ConceptOrder.NAME) -> list[Code]:
        loaders = info.context.loaders
        found = await loaders.codes_of_project.load(self.id)
        stats = await loaders.code_stats.load_many([c.id for c in found]) if _counted(order_by) else None
        return [Code.of(c) for c in concepts_in_order(found, order_by, stats)]

    @strawberry.field(
        description="Every theme of the project, flat and by name unless `orderBy` says otherwise (EXCERPTS and "
        "PARTICIPANTS count as `excerptCount` and `participantCount` do); use `parent`/`subthemes` for the tree."
    )
    async def themes(self, info: Info, order_by: ConceptOrder = results.ConceptOrder.NAME) -> list[Theme]:
        loaders = info.context.loaders
        found = await loaders.themes_of_project.load(self.id)
        stats = await loaders.theme_stats.load_many([t.id for t in found]) if _counted(order_by) else None
        return [Theme.of(t) for t in concepts_in_order(found, order_by, stats)]

    @strawberry.field(description="Concept links between codes and themes, oldest first.")
    async def links(self, info: Info) -> list[Link]:
        return [Link.of(x) for x in await info.context.loaders.links_of_project.load(self.id)]

    @strawberry.field(description="Memos about anything in the project, oldest first.")
    async def memos(self, info: Info) -> list[Memo]:
        return [Memo.of(x) for x in await info.context.loaders.memos_of_project.load(self.id)]


@strawberry.type(description="A participant (a case), known by a pseudonym.")
class Participant(Node):
    project_id: strawberry.Private[str]
    pseudonym: str
    attributes: JSON = strawberry.field(
        description='Case attributes for comparison, e.g. {"involvement": "child protection plan", "babyAgeMonths": 7}.'
    )

    @classmethod
    def of(cls, m: models.Participant) -> Participant:
        return cls(**_node_fields(m), project_id=m.project_id, pseudonym=m.pseudonym, attributes=dict(m.attributes))

    @strawberry.field
    async def project(self, info: Info) -> Project:
        return Project.of(await info.context.loaders.project.load(self.project_id))

    @strawberry.field(description="Documents about this participant.")
    async def documents(self, info: Info) -> list[Document]:
        return [Document.of(d) for d in await info.context.loaders.documents_of_participant.load(self.id)]

    @strawberry.field(description=MEMOS)
    async def memos(self, info: Info, first: int = 20, after: str | None = None) -> MemoConnection:
        return await memos_of(info, self.id, first, after)


@strawberry.type(
    description="A stretch of a transcript one speaker says. Offsets are Unicode code points, 0-based, end "
    "exclusive, like an excerpt's; `text` is the document's text[start:end]."
)
class Turn:
    speaker: str = strawberry.field(description="The speaker's label as the file gives it.")
    start: int
    end: int
    text: str
    role: SpeakerRole | None = strawberry.field(
        description="Who the speaker is, once someone has said (setSpeakerRole, or the import's options)."
    )


@strawberry.type(description="A document, usually an interview transcript.")
class Document(Node):
    project_id: strawberry.Private[str]
    participant_id: strawberry.Private[str | None]
    title: str
    text: str
    kind: str
    groups: list[str] = strawberry.field(
        description="The document sets it is in (such as 'age: 67' or 'second interviews'), by name."
    )

    @classmethod
    def of(cls, m: models.Document) -> Document:
        return cls(
            **_node_fields(m),
            project_id=m.project_id,
            participant_id=m.participant_id,
            title=m.title,
            text=m.text,
            kind=m.kind,
            groups=list(m.groups),
        )

    @strawberry.field(description="Length of the text in Unicode code points (the unit of excerpt offsets).")
    def length(self) -> int:
        return len(self.text)

    @strawberry.field
    async def project(self, info: Info) -> Project:
        return Project.of(await info.context.loaders.project.load(self.project_id))

    @strawberry.field(description="The participant the document is about, if any.")
    async def participant(self, info: Info) -> Participant | None:
        if self.participant_id is None:
            return None
        found = await info.context.loaders.participant.load(self.participant_id)
        return Participant.of(found) if found else None

    @strawberry.field(
        description="Who says what, in text order: the speaker turns an imported transcript holds (none for "
        "text typed in or imported from REFI-QDA)."
    )
    async def turns(self, info: Info) -> list[Turn]:
        return [
            Turn(speaker=t.speaker, start=t.start, end=t.end, text=self.text[t.start : t.end], role=t.role)
            for t in await info.context.loaders.turns_of_document.load(self.id)
        ]

    @strawberry.field(description="Excerpts of this document in text order (under blind coding, an ANALYST's own).")
    async def excerpts(
        self,
        info: Info,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="At most this many (up to the page-size limit), then pass the last one's `cursor` as "
                "`after` for the next ones; without it, all of them."
            ),
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="An excerpt's `cursor`: list those after it.")
        ] = None,
    ) -> list[Excerpt]:
        if first is not None:
            check_page_size(first, info.context.limits)
        found = await info.context.loaders.excerpts_of_document.load(self.id)
        return [Excerpt.of(e) for e in models.Page.of_list(found, first, after).items]

    @strawberry.field(description=MEMOS)
    async def memos(self, info: Info, first: int = 20, after: str | None = None) -> MemoConnection:
        return await memos_of(info, self.id, first, after)


@strawberry.type(description="One coder's application of a code to an excerpt.")
class Coding:
    code_id: strawberry.Private[str]
    coder_id: strawberry.Private[str]
    created_at: datetime

    @strawberry.field
    async def code(self, info: Info) -> Code:
        return Code.of(await info.context.loaders.code.load(self.code_id))

    @strawberry.field
    async def coder(self, info: Info) -> User:
        user = await info.context.loaders.user.load(self.coder_id)
        return User.of(user) if user else User(id=strawberry.ID(self.coder_id), name=self.coder_id, address=None)


@strawberry.type(
    description="A passage of a document. Offsets are Unicode code points, 0-based, end exclusive; "
    "`text` is always the document's text[start:end]."
)
class Excerpt(Node):
    project_id: strawberry.Private[str]
    document_id: strawberry.Private[str]
    start: int
    end: int
    text: str

    @classmethod
    def of(cls, m: models.Excerpt) -> Excerpt:
        return cls(
            **_node_fields(m),
            project_id=m.project_id,
            document_id=m.document_id,
            start=m.start,
            end=m.end,
            text=m.text,
        )

    @strawberry.field(
        description="This excerpt's place in document and text order, the order of every excerpt list: pass it as "
        "`after` to any excerpt list in that order (Document.excerpts, Code.excerpts, Theme.excerpts, findExcerpts) to "
        "resume after it."
    )
    def cursor(self) -> str:
        return cursors.encode([self.document_id, self.start, self.end, self.id])

    @strawberry.field
    async def document(self, info: Info) -> Document:
        return Document.of(await info.context.loaders.document.load(self.document_id))

    @strawberry.field(description="The participant whose document this excerpt is from, if any.")
    async def participant(self, info: Info) -> Participant | None:
        document = await info.context.loaders.document.load(self.document_id)
        if document is None or document.participant_id is None:
            return None
        found = await info.context.loaders.participant.load(document.participant_id)
        return Participant.of(found) if found else None

    @strawberry.field(
        description="Every coding of this excerpt, one per (code, coder), by code name then coder name "
        "(under blind coding, an ANALYST sees only their own)."
    )
    async def codings(self, info: Info) -> list[Coding]:
        loaders = info.context.loaders
        codings = await self._visible_codings(info)
        codes = await loaders.code.load_many([c.code_id for c in codings])
        coders = await loaders.user.load_many([c.coder_id for c in codings])

        def order(i: int) -> tuple[str, str]:
            code, coder = codes[i], coders[i]
            return (code.name.lower() if code else "", coder.name.lower() if coder else codings[i].coder_id)

        return [
            Coding(code_id=codings[i].code_id, coder_id=codings[i].coder_id, created_at=codings[i].created_at)
            for i in sorted(range(len(codings)), key=order)
        ]

    async def _visible_codings(self, info: Info) -> list[models.Coding]:
        return await info.context.loaders.codings_of_excerpt.load(self.id)

    @strawberry.field(
        description="The distinct codes applied to this excerpt by any coder (under blind coding, an ANALYST's own)."
    )
    async def codes(self, info: Info) -> list[Code]:
        codings = await self._visible_codings(info)
        ids = list(dict.fromkeys(c.code_id for c in codings))
        found = await info.context.loaders.code.load_many(ids)
        return sorted((Code.of(c) for c in found if c), key=lambda c: (c.name.lower(), c.id))

    @strawberry.field(description=MEMOS)
    async def memos(self, info: Info, first: int = 20, after: str | None = None) -> MemoConnection:
        return await memos_of(info, self.id, first, after)


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ExcerptEdge:
    cursor: str
    node: Excerpt


@strawberry.type(description="A page of excerpts; pass `pageInfo.endCursor` as `after` for the next page.")
class ExcerptConnection:
    edges: list[ExcerptEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: models.Page, after: str | None) -> ExcerptConnection:
        edges = [ExcerptEdge(cursor=c, node=Excerpt.of(e)) for e, c in zip(page.items, page.cursors)]
        return cls(
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=edges[-1].cursor if edges else after),
        )


@strawberry.type
class UserEdge:
    cursor: str
    node: User


@strawberry.type(description="A page of users; pass `pageInfo.endCursor` as `after` for the next page.")
class UserConnection:
    edges: list[UserEdge]
    page_info: PageInfo


@strawberry.type(description="A code in the codebook; codes form a tree through `parent`.")
class Code(Node):
    project_id: strawberry.Private[str]
    parent_id: strawberry.Private[str | None]
    name: str
    description: str
    color: str | None
    codable: bool = strawberry.field(
        description="False for a category that only groups other codes: excerpts are coded with its children."
    )
    version: int = strawberry.field(description="Increases on every change; pass it as expectedVersion when updating.")

    @classmethod
    def of(cls, m: models.Code) -> Code:
        return cls(
            **_node_fields(m),
            project_id=m.project_id,
            parent_id=m.parent_id,
            name=m.name,
            description=m.description,
            color=m.color,
            codable=m.codable,
            version=m.version,
        )

    @strawberry.field
    async def parent(self, info: Info) -> Code | None:
        if self.parent_id is None:
            return None
        found = await info.context.loaders.code.load(self.parent_id)
        return Code.of(found) if found else None

    @strawberry.field
    async def children(self, info: Info) -> list[Code]:
        return [Code.of(c) for c in await info.context.loaders.children_of_code.load(self.id)]

    @strawberry.field(description="Themes this code belongs to.")
    async def themes(self, info: Info) -> list[Theme]:
        return [Theme.of(t) for t in await info.context.loaders.themes_of_code.load(self.id)]

    @strawberry.field(
        description="Distinct excerpts coded with this code (by any coder; under blind coding, an ANALYST's own); "
        "child codes not included unless withDescendants."
    )
    async def excerpt_count(
        self, info: Info, with_descendants: Annotated[bool, strawberry.argument(description=WITH_DESCENDANTS)] = False
    ) -> int:
        return (await self._stats(info, with_descendants)).excerpt_count

    @strawberry.field(
        description="Distinct participants with at least one excerpt coded with this code; child codes not included "
        "unless withDescendants."
    )
    async def participant_count(
        self, info: Info, with_descendants: Annotated[bool, strawberry.argument(description=WITH_DESCENDANTS)] = False
    ) -> int:
        return (await self._stats(info, with_descendants)).participant_count

    async def _stats(self, info: Info, with_descendants: bool) -> models.ConceptStats:
        loaders = info.context.loaders
        return await (loaders.code_family_stats if with_descendants else loaders.code_stats).load(self.id)

    @strawberry.field(
        description="Quotes analysts pinned to this code (pinQuote), in their order: the report quotes these first. Under blind coding an ANALYST sees those they marked or coded."
    )
    async def pinned_quotes(self, info: Info) -> list[Excerpt]:
        return [Excerpt.of(e) for e in await info.context.loaders.pinned_quotes.load(self.id)]

    @strawberry.field(
        description="Excerpts coded with this code, in document and text order, or (orderBy: RECENT) most recently "
        "coded with it first."
    )
    async def excerpts(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        order_by: ExcerptOrder = results.ExcerptOrder.TEXT,
    ) -> ExcerptConnection:
        check_page_size(first, info.context.limits)
        loaders = info.context.loaders
        loader = loaders.recently_coded if order_by is results.ExcerptOrder.RECENT else loaders.excerpts_of_code
        return ExcerptConnection.of(await loader.load((self.id, first, after)), after)

    @strawberry.field(description=MEMOS)
    async def memos(self, info: Info, first: int = 20, after: str | None = None) -> MemoConnection:
        return await memos_of(info, self.id, first, after)


@strawberry.type(description="A theme built from codes; themes form a tree through `parent`.")
class Theme(Node):
    project_id: strawberry.Private[str]
    parent_id: strawberry.Private[str | None]
    name: str
    description: str
    status: ThemeStatus
    version: int = strawberry.field(description="Increases on every change; pass it as expectedVersion when updating.")

    @classmethod
    def of(cls, m: models.Theme) -> Theme:
        return cls(
            **_node_fields(m),
            project_id=m.project_id,
            parent_id=m.parent_id,
            name=m.name,
            description=m.description,
            status=m.status,
            version=m.version,
        )

    @strawberry.field
    async def parent(self, info: Info) -> Theme | None:
        if self.parent_id is None:
            return None
        found = await info.context.loaders.theme.load(self.parent_id)
        return Theme.of(found) if found else None

    @strawberry.field
    async def subthemes(self, info: Info) -> list[Theme]:
        return [Theme.of(t) for t in await info.context.loaders.subthemes_of_theme.load(self.id)]

    @strawberry.field(description="Codes that are members of this theme directly (not those of subthemes).")
    async def codes(self, info: Info) -> list[Code]:
        return [Code.of(c) for c in await info.context.loaders.codes_of_theme.load(self.id)]

    @strawberry.field(
        description="Distinct excerpts coded (by any coder; under blind coding, an ANALYST's own) with any code of this "
        "theme or of its subthemes, recursively (withDescendants: or with any code below one of those codes)."
    )
    async def excerpt_count(
        self,
        info: Info,
        with_descendants: Annotated[bool, strawberry.argument(description=THEME_DESCENDANTS)] = False,
    ) -> int:
        return (await self._stats(info, with_descendants)).excerpt_count

    @strawberry.field(
        description="Distinct participants with an excerpt coded with any code of this theme or of its subthemes "
        "(withDescendants: or with any code below one of those codes)."
    )
    async def participant_count(
        self,
        info: Info,
        with_descendants: Annotated[bool, strawberry.argument(description=THEME_DESCENDANTS)] = False,
    ) -> int:
        return (await self._stats(info, with_descendants)).participant_count

    async def _stats(self, info: Info, with_descendants: bool) -> models.ConceptStats:
        loaders = info.context.loaders
        return await (loaders.theme_family_stats if with_descendants else loaders.theme_stats).load(self.id)

    @strawberry.field(
        description="Quotes analysts pinned to this theme (pinQuote), in their order: the report quotes these first. Under blind coding an ANALYST sees those they marked or coded."
    )
    async def pinned_quotes(self, info: Info) -> list[Excerpt]:
        return [Excerpt.of(e) for e in await info.context.loaders.pinned_quotes.load(self.id)]

    @strawberry.field(
        description="Excerpts coded (by any coder; under blind coding, an ANALYST's own) with any code of this theme "
        "or of its subthemes, recursively, in document and text order: the excerpts `excerptCount` counts."
    )
    async def excerpts(self, info: Info, first: int = 20, after: str | None = None) -> ExcerptConnection:
        check_page_size(first, info.context.limits)
        return ExcerptConnection.of(await info.context.loaders.excerpts_of_theme.load((self.id, first, after)), after)

    @strawberry.field(description=MEMOS)
    async def memos(self, info: Info, first: int = 20, after: str | None = None) -> MemoConnection:
        return await memos_of(info, self.id, first, after)


Concept = Annotated[Union[Code, Theme], strawberry.union("Concept", description="A code or a theme.")]


def concept(m: models.Code | models.Theme) -> Code | Theme:
    """A code or theme model as its GraphQL type."""
    return Code.of(m) if isinstance(m, models.Code) else Theme.of(m)


async def load_concept(info: Info, id: str, kind: NodeKind) -> Code | Theme:
    if kind is NodeKind.CODE:
        return Code.of(await info.context.loaders.code.load(id))
    return Theme.of(await info.context.loaders.theme.load(id))


@strawberry.type(description="A typed link between two concepts, with the excerpts that support it.")
class Link(Node):
    model: strawberry.Private[models.Link]
    kind: LinkKind
    label: str | None
    note: str | None
    version: int

    @classmethod
    def of(cls, m: models.Link) -> Link:
        return cls(**_node_fields(m), model=m, kind=m.kind, label=m.label, note=m.note, version=m.version)

    @strawberry.field
    async def source(self, info: Info) -> Concept:
        return await load_concept(info, self.model.source_id, self.model.source_kind)

    @strawberry.field
    async def target(self, info: Info) -> Concept:
        return await load_concept(info, self.model.target_id, self.model.target_kind)

    @strawberry.field(description="True for kinds that read the same both ways (ASSOCIATED_WITH, CONTRADICTS).")
    def symmetric(self) -> bool:
        return self.model.kind.symmetric

    @strawberry.field(description="Excerpts offered as evidence for this link.")
    async def evidence(self, info: Info) -> list[Excerpt]:
        found = await info.context.loaders.excerpt.load_many(list(self.model.evidence_excerpt_ids))
        return [Excerpt.of(e) for e in found if e]

    @strawberry.field(description=MEMOS)
    async def memos(self, info: Info, first: int = 20, after: str | None = None) -> MemoConnection:
        return await memos_of(info, self.id, first, after)


_NODE_TYPES: dict[NodeKind, Any] = {
    NodeKind.PROJECT: Project,
    NodeKind.PARTICIPANT: Participant,
    NodeKind.DOCUMENT: Document,
    NodeKind.EXCERPT: Excerpt,
    NodeKind.CODE: Code,
    NodeKind.THEME: Theme,
    NodeKind.LINK: Link,
}


@strawberry.type(description="A note about any node of a project.")
class Memo(Node):
    target_id: strawberry.Private[str]
    target_kind: strawberry.Private[NodeKind]
    title: str
    body: str
    version: int

    @classmethod
    def of(cls, m: models.Memo) -> Memo:
        return cls(
            **_node_fields(m),
            target_id=m.target_id,
            target_kind=m.target_kind,
            title=m.title,
            body=m.body,
            version=m.version,
        )

    @strawberry.field(description="The node this memo is about.")
    async def target(self, info: Info) -> Node:
        found = await info.context.loaders.for_kind(self.target_kind).load(self.target_id)
        return _NODE_TYPES[self.target_kind].of(found)

    @strawberry.field(description="Who wrote the memo.")
    async def author(self, info: Info) -> User | None:
        user = await info.context.loaders.user.load(self.created_by_id)
        return User.of(user) if user else None


_NODE_TYPES[NodeKind.MEMO] = Memo


@strawberry.type
class MemoEdge:
    cursor: str
    node: Memo


@strawberry.type(description="A page of memos; pass `pageInfo.endCursor` as `after` for the next page.")
class MemoConnection:
    edges: list[MemoEdge]
    page_info: PageInfo


async def memos_of(info: Info, id: str, first: int, after: str | None) -> MemoConnection:
    """A page of the memos about node `id`, through the request's loader (one store call per page size)."""
    check_page_size(first, info.context.limits)
    page = await info.context.loaders.memos_of_node.load((id, first, after))
    edges = [MemoEdge(cursor=c, node=Memo.of(m)) for m, c in zip(page.items, page.cursors)]
    return MemoConnection(
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=edges[-1].cursor if edges else after),
    )


async def load_node(info: Info, id: str) -> Node | None:
    """Any node by id, typed by its label."""
    ref = await info.context.loaders.node.load(id)
    if ref is None:
        return None
    found = await info.context.loaders.for_kind(ref.kind).load(id)
    return _NODE_TYPES[ref.kind].of(found) if found else None
