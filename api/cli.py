"""The `thememap` command: serve the API, load demo datasets, export the SDL."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.auth import issue_token
from api.settings import Settings
from api.stores import make_store
from graph.errors import BadInput, DomainError, StoreUnavailable
from graph.models import User
from graph.policy import Actor
from graph.service import Service
from seeds.refi.content import Offsets
from seeds.registry import Dataset, datasets
from seeds.synthetic import SIZES

app = typer.Typer(help="thememap: collaborative theme mapping for qualitative research.", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)

StoreOption = Annotated[
    Optional[str], typer.Option("--store", help="Store adapter: embedded or neo4j \\[env THEMEMAP_STORE].")
]
SizeChoice = Enum("SizeChoice", {name: name for name in SIZES}, type=str)  # type: ignore[misc]
"""The synthetic study's sizes, as typer choices."""

DataDirOption = Annotated[
    Optional[Path],
    typer.Option("--data-dir", help="Embedded store directory \\[env THEMEMAP_DATA_DIR, default ./data]."),
]


def _settings(store: str | None, data_dir: Path | None) -> Settings:
    """Settings from the environment, with command-line options taking precedence."""
    overrides: dict[str, object] = {"store": store, "data_dir": data_dir}
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValueError as exc:
        console.print(f"[red]Invalid settings:[/red] {exc}")
        raise typer.Exit(2) from exc


@app.command()
def serve(
    host: Annotated[
        Optional[str], typer.Option(help="Interface to listen on \\[env THEMEMAP_HOST, default 127.0.0.1].")
    ] = None,
    port: Annotated[
        Optional[int], typer.Option(min=1, max=65535, help="TCP port, 1 to 65535 \\[env THEMEMAP_PORT, default 8000].")
    ] = None,
    store: StoreOption = None,
    data_dir: DataDirOption = None,
    workers: Annotated[
        Optional[int],
        typer.Option(
            help="Server processes, sharing nothing but the store, to use more than one core "
            "\\[env THEMEMAP_WORKERS, default 1; at most twice the cores]."
        ),
    ] = None,
    reload: Annotated[bool, typer.Option(help="Restart when the code changes (development).")] = False,
) -> None:
    """Serve the theme-map web page at /, the GraphQL API at /graphql (with GraphiQL), /healthz and /readyz."""
    import uvicorn

    settings = _settings(store, data_dir)
    settings.refuse_unsafe_production()
    host = host or settings.host
    port = port or settings.port
    workers = _workers(settings.workers if workers is None else workers, reload)
    _fail_fast(lambda: asyncio.run(_check_store(settings)))
    # The app factory (in each worker process, and in each new one with --reload) reads the environment.
    os.environ["THEMEMAP_STORE"] = settings.store
    os.environ["THEMEMAP_DATA_DIR"] = str(settings.data_dir)
    base = f"http://{host}:{port}"
    processes = f", {workers} worker processes" if workers > 1 else ""
    console.print(f"thememap on the {settings.store} store{processes}:", highlight=False)
    console.print(f"  web page  {base}/  (sign in with an API token)", highlight=False, soft_wrap=True)
    console.print(f"  GraphiQL  {base}/graphql", highlight=False, soft_wrap=True)
    # No log config of uvicorn's own: its records reach the app's JSON handler, and the app
    # logs one line per request (with its id) instead of uvicorn's access log.
    # Forwarded headers are read by the app, and only from THEMEMAP_TRUSTED_PROXIES (api.auth.client_address).
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=workers,
        # The parent kills a worker that does not answer its health check within this many seconds
        # and starts another: uvicorn's 5 s killed workers still importing on a busy machine.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )


@app.command()
def seed(
    name: Annotated[Optional[str], typer.Argument(help="Dataset to load; leave out to list the datasets.")] = None,
    replace: Annotated[bool, typer.Option(help="Delete the dataset's project first and load it afresh.")] = False,
    size: Annotated[
        SizeChoice, typer.Option(help="Size of the synthetic study (see README, Performance).")
    ] = SizeChoice.S,
    seed: Annotated[
        int, typer.Option(help="Random seed of the synthetic study; the same seed gives the same study.")
    ] = 1,
    store: StoreOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Load a dataset into the store (idempotent: a loaded dataset is left as it is)."""
    known = datasets(size.value, seed)
    if name is None:
        table = Table("name", "dataset")
        for dataset in known.values():
            table.add_row(dataset.name, dataset.summary)
        console.print(table)
        return
    if name not in known:
        console.print(f"[red]No dataset named {name!r}.[/red] Known: {', '.join(known)}")
        raise typer.Exit(2)
    settings = _settings(store, data_dir)
    _fail_fast(lambda: asyncio.run(_seed(settings, known[name], replace)))


WORKER_HEALTHCHECK_SECONDS = 30


def _workers(workers: int, reload: bool) -> int:
    """The number of server processes, refused (exit 2) below 1, above twice the cores this
    process may use (each worker keeps its own analysis snapshots: past the cores, more
    workers add memory, not speed), or beside --reload (which runs one process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    most = 2 * cores
    if not 1 <= workers <= most:
        _refuse(
            f"--workers (THEMEMAP_WORKERS) must be between 1 and {most} (twice the {cores} cores here; "
            f"each worker keeps its own analysis snapshots in memory), not {workers}."
        )
    if workers > 1 and reload:
        _refuse("--reload runs one server process; leave out --workers or --reload.")
    return workers


def _fail_fast(run: Callable[[], None]) -> None:
    """Run `run`; if the store cannot be used, say so in one line and exit 1."""
    try:
        run()
    except StoreUnavailable as exc:
        err_console.print(f"thememap: {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


async def _check_store(settings: Settings) -> None:
    store = make_store(settings)
    await store.open()
    await store.close()


async def _seed(settings: Settings, dataset: Dataset, replace: bool) -> None:
    store = make_store(settings)
    await store.open()
    service = Service(store)
    try:
        if await dataset.is_loaded(service):
            if not replace:
                console.print(f"{dataset.name} is already loaded; use --replace to load it afresh.")
                return
            await dataset.remove(service)
        with Progress(
            TextColumn(f"seeding {dataset.name}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("seed", total=dataset.steps())
            project_id = await dataset.load(service, lambda n: progress.advance(task, n))
        console.print(f"Loaded {dataset.name} as project {project_id}.")
    finally:
        await store.close()


user_app = typer.Typer(help="Users and their API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")


def _with_service(settings: Settings, job: Callable[[Service], Awaitable[None]]) -> None:
    async def run() -> None:
        store = make_store(settings)
        await store.open()
        try:
            await job(Service(store))
        except StoreUnavailable:
            raise
        except DomainError as exc:  # what the service refused: one line, no traceback
            _refuse(exc.message)
        finally:
            await store.close()

    _fail_fast(lambda: asyncio.run(run()))


def _refuse(message: str) -> NoReturn:
    """Say why the command cannot be done, in one line, and exit 2."""
    err_console.print(f"thememap: {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _operator(settings: Settings) -> Actor:
    """Whoever runs the CLI operates the service: the local user, with every right."""
    return Actor(settings.local_user_id, trusted=True)


def _show_token(name: str, token: str) -> None:
    console.print(f"API token for {name} (shown once; keep it secret):")
    console.print(token, highlight=False, soft_wrap=True)
    console.print("Use it as the header  Authorization: Bearer <token>  (in GraphiQL: the Headers pane).")


async def _user(service: Service, name: str) -> User:
    user = await service.user_named(name)
    if user is None:
        _refuse(f"no user named {name!r}; create one with `thememap user add {name}`.")
    return user


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The user's name (unique).")],
    email: Annotated[Optional[str], typer.Option(help="The user's email address.")] = None,
    store: StoreOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create a user and print their API token (only a hash of it is stored)."""

    async def job(s: Service) -> None:
        user = await s.create_user(name, email)
        _show_token(user.name, await issue_token(s, user.id))
        console.print(f"User id: {user.id}")

    _with_service(_settings(store, data_dir), job)


@user_app.command("token")
def user_token(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    store: StoreOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Issue a new API token for a user; their earlier token stops working."""

    async def job(s: Service) -> None:
        user = await _user(s, name)
        _show_token(user.name, await issue_token(s, user.id))
        console.print(f"User id: {user.id}")

    _with_service(_settings(store, data_dir), job)


@user_app.command("list")
def user_list(
    search: Annotated[
        Optional[str], typer.Option(help="Only users whose name starts with this, or whose email it is.")
    ] = None,
    store: StoreOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """List users by name: name, the id that addMember needs, and email address, tab-separated."""

    async def job(s: Service) -> None:
        users = await s.list_users(search)
        for user in users:  # one line each, tab-separated, ids whole (a table would cut them to fit)
            console.print(f"{user.name}\t{user.id}\t{user.email or ''}", highlight=False, markup=False, soft_wrap=True)
        if not users:
            console.print("No users." if search is None else f"No user's name starts with {search!r}.")

    _with_service(_settings(store, data_dir), job)


@user_app.command("revoke")
def user_revoke(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    store: StoreOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Revoke a user's API token."""

    async def job(s: Service) -> None:
        user = await _user(s, name)
        await s.set_token_hash(user.id, None)
        console.print(f"Revoked the API token of {user.name}.")

    _with_service(_settings(store, data_dir), job)


class ExportFormat(str, Enum):
    qdpx = "qdpx"
    qdc = "qdc"


@app.command("export")
def export_project(
    project_id: Annotated[str, typer.Argument(help="The project's id.")],
    out: Annotated[Path, typer.Option("--out", help="The file to write.")],
    format: Annotated[
        ExportFormat, typer.Option(help="qdpx: the whole project; qdc: its codebook.")
    ] = ExportFormat.qdpx,
    store: StoreOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Export a project as REFI-QDA (.qdpx, for NVivo, ATLAS.ti, MAXQDA, QualCoder...) or its codebook (.qdc)."""
    from seeds.refi.export import export

    settings = _settings(store, data_dir)

    async def job(s: Service) -> None:
        data = await export(s.reader(_operator(settings)), project_id, format.value)
        try:
            out.write_bytes(data)
        except OSError as exc:
            _refuse(f"cannot write {out}: {exc.strerror or exc}; choose a path in a writable folder.")
        console.print(f"Wrote {out} ({len(data):,} bytes).")

    _with_service(settings, job)


@app.command("import")
def import_project(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="REFI-QDA files (.qdpx, .qde, .qdc) or transcripts (.docx, .odt, .txt, .md, .vtt, .srt).",
            exists=True,
            dir_okay=False,
        ),
    ],
    project: Annotated[
        Optional[str],
        typer.Option(
            help="Merge into this project (by GUID) instead of a new one; transcripts need it, as they become "
            "documents of this project."
        ),
    ] = None,
    as_user: Annotated[str, typer.Option("--as", help="The name of the user the import is recorded as.")] = "",
    offsets: Annotated[
        Offsets,
        typer.Option(
            help="The unit of the file's selection positions: code points (the standard's), UTF-16 code units "
            "(NVivo's) or auto (guessed from where the selections fall)."
        ),
    ] = Offsets.AUTO,
    match_users: Annotated[
        bool,
        typer.Option(
            help="REFI-QDA: the file's users whose GUID or name is a member's code as that member (OWNER only)."
        ),
    ] = False,
    preview: Annotated[
        bool, typer.Option(help="Say what the import would create, update and leave out; write nothing.")
    ] = False,
    participant: Annotated[
        Optional[str], typer.Option(help="Transcripts: the id of the participant they are about.")
    ] = None,
    participant_speaker: Annotated[
        Optional[list[str]],
        typer.Option(help="Transcripts: the participant's speaker label, e.g. Amira (may be repeated)."),
    ] = None,
    interviewer: Annotated[
        Optional[list[str]], typer.Option(help="Transcripts: an interviewer's speaker label (may be repeated).")
    ] = None,
    store: StoreOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Import REFI-QDA projects or codebooks (merging by GUID) and transcripts (each a document with its
    speaker turns); prints what came in. Each file is imported whole or not at all; one that is refused
    leaves the others alone."""
    from seeds.transcripts.imports import Options
    from seeds.uploads import ImportOptions, import_upload

    settings = _settings(store, data_dir)
    options = ImportOptions(
        match_users=match_users,
        offsets=offsets,
        transcript=Options(participant, tuple(participant_speaker or ()), tuple(interviewer or ())),
        preview=preview,
    )

    async def one(s: Service, actor: Actor, file: Path) -> list[str]:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise BadInput(f"cannot read it: {exc.strerror or exc}.") from None
        return (await import_upload(s, actor, data, file.name, project, options)).lines

    async def job(s: Service) -> None:
        user = (
            await _user(s, as_user)
            if as_user
            else await s.ensure_user(settings.local_user_id, settings.local_user_name)
        )
        refused: list[str] = []
        with Progress(
            TextColumn("importing {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("", total=len(files))
            for file in files:
                progress.update(task, description=file.name)
                try:
                    lines = await one(s, Actor(user.id, trusted=True), file)
                except StoreUnavailable:
                    raise
                except DomainError as exc:
                    refused.append(f"{file}: {exc.message}")
                else:
                    for line in [f"{file}:", *lines]:
                        progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
                progress.advance(task)
        if refused:
            for reason in refused:
                err_console.print(f"thememap: {reason}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2)

    _with_service(settings, job)


@app.command("export-schema")
def export_schema(
    output: Annotated[Path, typer.Option(help="Where to write the SDL.")] = Path("schema.graphql"),
) -> None:
    """Write the GraphQL schema (SDL) to a file."""
    from schema.build import build_schema

    output.write_text(build_schema().as_str() + "\n", encoding="utf-8")
    console.print(f"Wrote {output}.")


if __name__ == "__main__":
    app()
