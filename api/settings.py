"""Settings from the environment and a `.env` file (pydantic-settings)."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class UnsafeSettings(SystemExit):
    """Settings production must not run with. A SystemExit, so that any runner (uvicorn's
    factory loading, the CLI) stops with its one-line message and no traceback."""


DEFAULT_NEO4J_PASSWORD = "thememap-dev"
"""The docker-compose development password: refused in production."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="THEMEMAP_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] = Field(
        "development", description="production: no GraphiQL, no introspection, auth required, no default secrets."
    )
    store: Literal["embedded", "neo4j"] = Field("embedded", description="Which store adapter serves the API.")
    data_dir: Path = Field(Path("./data"), description="Where the embedded store keeps its files.")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(
        1,
        description="Server processes of `thememap serve`; they share nothing but the store (README, More "
        "than one core, and behind a proxy).",
    )

    auth: Literal["on", "off"] = Field(
        "on", description="off: no tokens; every request acts as the local user with every right (one-person use)."
    )
    local_user_id: str = Field("local", description="With THEMEMAP_AUTH=off, every request acts as this user.")
    local_user_name: str = "Local analyst"

    # Limits on what one request may ask (README "Operations and security").
    max_depth: int = Field(15, ge=1, description="Deepest nesting of fields an operation may have.")
    max_tokens: int = Field(5000, ge=10, description="Most lexical tokens a GraphQL document may have.")
    max_aliases: int = Field(50, ge=0, description="Most aliased fields an operation may have.")
    max_page_size: int = Field(500, ge=1, description="Largest `first` a paginated field accepts.")
    max_cost: int = Field(
        100_000, ge=1, description="Most field values an operation may resolve, pages multiplied through nesting."
    )
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Largest request body, except REFI-QDA imports.")
    max_upload_bytes: int = Field(
        512 * 1024 * 1024, ge=1024, description="Largest body of POST /projects/{id}/import (a REFI-QDA file)."
    )
    request_timeout: float = Field(30.0, gt=0, description="Seconds an HTTP request may take before it is stopped.")

    # Browsers: which other origins may call the API (CORS) and open its websocket.
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated origins, e.g. https://app.example.org; none by default."
    )
    auth_failure_limit: int = Field(10, ge=1, description="Failed authentications per client address per window.")
    auth_failure_window: float = Field(60.0, gt=0, description="The rate limit's window, in seconds.")
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated Host names the server answers to (* for any); by default THEMEMAP_HOST and "
        "the loopback names, which keeps DNS rebinding away from a local server.",
    )
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For names the "
        "client; from anyone else the header is ignored. None by default.",
    )

    neo4j_uri: str = Field("bolt://localhost:7687", validation_alias=AliasChoices("NEO4J_URI"))
    neo4j_user: str = Field("neo4j", validation_alias=AliasChoices("NEO4J_USER"))
    neo4j_password: SecretStr = Field(
        SecretStr(DEFAULT_NEO4J_PASSWORD), validation_alias=AliasChoices("NEO4J_PASSWORD")
    )
    neo4j_database: str = Field("thememap", validation_alias=AliasChoices("NEO4J_DATABASE"))
    neo4j_retry_seconds: float = Field(
        5.0,
        gt=0,
        validation_alias=AliasChoices("NEO4J_RETRY_SECONDS"),
        description="How long a request retries through a lost Bolt connection before it answers UNAVAILABLE "
        "(graph.neo4j.store.RETRY_SECONDS); also the connect timeout.",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """A comma-separated list in the environment; origins compared without a trailing slash."""
        items = value.split(",") if isinstance(value, str) else value
        return [str(o).strip().rstrip("/") for o in items if str(o).strip()] if isinstance(items, list) else items

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        items = value.split(",") if isinstance(value, str) else value
        return [str(h).strip().lower() for h in items if str(h).strip()] if isinstance(items, list) else items

    @property
    def answered_hosts(self) -> set[str]:
        """The Host names requests may carry: THEMEMAP_ALLOWED_HOSTS, or THEMEMAP_HOST and the loopback names."""
        return set(self.allowed_hosts) or {self.host.lower(), "localhost", "127.0.0.1", "::1"}

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        """A comma-separated list of addresses (a /32 or /128 network) or networks."""
        items = value.split(",") if isinstance(value, str) else value
        return (
            [ip_network(str(p).strip(), strict=False) for p in items if str(p).strip()]
            if isinstance(items, list)
            else items
        )

    @property
    def production(self) -> bool:
        return self.env == "production"

    def unsafe_for_production(self) -> list[str]:
        """Why these settings must not serve in production (empty when they may, or in development)."""
        if not self.production:
            return []
        problems = []
        if self.auth == "off":
            problems.append("THEMEMAP_AUTH=off (production requires authentication)")
        if self.store == "neo4j" and self.neo4j_password.get_secret_value() in ("", DEFAULT_NEO4J_PASSWORD):
            problems.append("NEO4J_PASSWORD is the development default (set the server's real password)")
        if "*" in self.allowed_origins:
            problems.append("THEMEMAP_ALLOWED_ORIGINS=* (list the origins you trust)")
        return problems

    def refuse_unsafe_production(self) -> None:
        if problems := self.unsafe_for_production():
            raise UnsafeSettings(
                "thememap: refusing to start with THEMEMAP_ENV=production: " + "; ".join(problems) + "."
            )
