"""Settings from the environment and a `.env` file (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="THEMEMAP_", env_file=".env", extra="ignore")

    store: Literal["embedded", "neo4j"] = Field("embedded", description="Which store adapter serves the API.")
    data_dir: Path = Field(Path("./data"), description="Where the embedded store keeps its files.")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)

    auth: Literal["on", "off"] = Field(
        "on", description="off: no tokens; every request acts as the local user with every right (one-person use)."
    )
    local_user_id: str = Field("local", description="With THEMEMAP_AUTH=off, every request acts as this user.")
    local_user_name: str = "Local analyst"

    neo4j_uri: str = Field("bolt://localhost:7687", validation_alias=AliasChoices("NEO4J_URI"))
    neo4j_user: str = Field("neo4j", validation_alias=AliasChoices("NEO4J_USER"))
    neo4j_password: SecretStr = Field(SecretStr("thememap-dev"), validation_alias=AliasChoices("NEO4J_PASSWORD"))
    neo4j_database: str = Field("thememap", validation_alias=AliasChoices("NEO4J_DATABASE"))
