"""User configuration: one TOML file, read once per run.

Where it is looked for, first found wins:
1. `$CLEANCLAIM_CONFIG` (a path),
2. `cleanclaim.toml` in the current directory,
3. `$XDG_CONFIG_HOME/cleanclaim/config.toml` (default `~/.config/cleanclaim/config.toml`).

Sections are owned by the capability that reads them, e.g.::

    [policies]
    dirs = ["./my-packs"]          # extra payer policy packs (YAML)

    [history]
    db = "postgresql://user@host/cleanclaim"   # default: SQLite under the XDG data dir

    [pricing]
    apm_participant = false        # 2026 has two PFS conversion factors

Relative paths in the file are relative to the file's folder (see `resolve_path`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """The config file exists but cannot be read; the message names the file."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.path}: [{name}] must be a table, not {type(value).__name__}")
        return value

    def get(self, section: str, key: str, default: Any = None) -> Any:
        return self.section(section).get(key, default)

    def resolve_path(self, value: str | os.PathLike) -> Path:
        """A path from the file, made absolute against the file's folder."""
        p = Path(value).expanduser()
        if not p.is_absolute() and self.path is not None:
            p = self.path.parent / p
        return p


def config_candidates() -> list[Path]:
    found = []
    env = os.environ.get("CLEANCLAIM_CONFIG")
    if env:
        return [Path(env).expanduser()]
    found.append(Path.cwd() / "cleanclaim.toml")
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    found.append(Path(xdg) / "cleanclaim" / "config.toml")
    return found


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read the config file (explicit path, else the first candidate that exists)."""
    if path is not None:
        candidates = [Path(path).expanduser()]
        if not candidates[0].exists():
            raise ConfigError(f"{candidates[0]}: config file not found")
    else:
        candidates = config_candidates()
        if os.environ.get("CLEANCLAIM_CONFIG") and not candidates[0].exists():
            raise ConfigError(f"{candidates[0]}: config file (CLEANCLAIM_CONFIG) not found")
    for candidate in candidates:
        if candidate.is_file():
            try:
                with candidate.open("rb") as fh:
                    return Config(candidate.resolve(), tomllib.load(fh))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{candidate}: not valid TOML: {exc}") from None
    return Config()
