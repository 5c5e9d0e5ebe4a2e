"""Operations need an authenticated user, except pure introspection (so GraphiQL can
show the schema before a token is entered). Over a websocket the token is checked again
before every operation, so a revoked one closes the connection (4403). When the store could not check the token,
the operation fails with the store's UNAVAILABLE error instead."""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import ExecutionResult, GraphQLError, OperationDefinitionNode
from graphql.language import FieldNode
from strawberry.extensions import SchemaExtension


class RequireUser(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        still_signed_in = getattr(context, "still_signed_in", None)
        if still_signed_in is not None:  # a websocket: each operation checks its token afresh
            if not await still_signed_in():
                await context.refuse()
            context.reset()
        problem = getattr(context, "store_problem", None)
        if problem is not None:  # the token could not be checked: the store is down, not the client wrong
            self.execution_context.result = ExecutionResult(
                data=None, errors=[GraphQLError(problem.message, original_error=problem)]
            )
        elif getattr(context, "user", None) is None and not self._introspection_only():
            message = getattr(context, "auth_problem", None) or "Authentication required"
            self.execution_context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"{message}: send a header 'Authorization: Bearer <token>' with a token from `thememap user add` "
                        "or `thememap user token`.",
                        extensions={"code": "UNAUTHENTICATED"},
                    )
                ],
            )
        yield

    def _introspection_only(self) -> bool:
        document = self.execution_context.graphql_document
        if document is None:
            return False
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                for selection in definition.selection_set.selections:
                    if not (isinstance(selection, FieldNode) and selection.name.value.startswith("__")):
                        return False
        return True
