"""schema.graphql at the repo root is the exported SDL."""

from __future__ import annotations

from pathlib import Path

from schema.build import build_schema

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_graphql_is_current() -> None:
    assert SDL.read_text(encoding="utf-8") == build_schema().as_str() + "\n", (
        "schema.graphql is stale: run `make schema` (thememap export-schema) and commit it."
    )


async def test_required_operations_exist() -> None:
    result = await build_schema().execute(
        "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }"
    )
    assert result.data is not None
    query = result.data["__schema"]["queryType"]
    mutation = result.data["__schema"]["mutationType"]
    assert {f["name"] for f in query["fields"]} >= {
        "projects",
        "project",
        "participant",
        "document",
        "excerpt",
        "code",
        "theme",
    }
    assert {f["name"] for f in mutation["fields"]} >= {
        "createProject",
        "updateProject",
        "deleteProject",
        "addParticipant",
        "updateParticipant",
        "deleteParticipant",
        "addDocument",
        "deleteDocument",
        "createExcerpt",
        "deleteExcerpt",
        "codeExcerpt",
        "uncodeExcerpt",
        "codeText",
        "createCode",
        "updateCode",
        "deleteCode",
        "mergeCodes",
        "createTheme",
        "updateTheme",
        "deleteTheme",
        "addCodeToTheme",
        "removeCodeFromTheme",
        "linkConcepts",
        "updateLink",
        "unlink",
        "addMemo",
        "updateMemo",
        "deleteMemo",
    }
