"""Where the bundled sources, user imports and the compiled store live."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

SCHEMA_VERSION = 4  # 4: NCCI table precedence, MUE rows per table with effective dates
BUNDLED_DIR = Path(__file__).resolve().parents[1] / "data" / "sources"


def imports_dir() -> Path:
    """User imports: $CLEANCLAIM_DATA_DIR, else $XDG_DATA_HOME/cleanclaim/imports."""
    explicit = os.environ.get("CLEANCLAIM_DATA_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cleanclaim" / "imports"


def load_manifest(directory: Path) -> dict:
    """A sources directory's manifest.json ({"tables": []} when absent)."""
    path = directory / "manifest.json"
    if not path.exists():
        return {"format": 1, "tables": []}
    return json.loads(path.read_text(encoding="utf-8"))


def manifests_hash() -> str:
    """Hash of the bundled and imported manifests (plus schema version)."""
    digest = hashlib.sha256(f"schema{SCHEMA_VERSION}".encode())
    for directory in (BUNDLED_DIR, imports_dir()):
        path = directory / "manifest.json"
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:16]


def bundled_hash() -> str:
    """Hash of the bundled manifest alone (plus schema version): names the base store."""
    path = BUNDLED_DIR / "manifest.json"
    digest = hashlib.sha256(f"schema{SCHEMA_VERSION}".encode())
    digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:16]


def base_store_path() -> Path:
    """The bundled tables compiled alone, $XDG_CACHE_HOME/cleanclaim/base-<hash>.sqlite: an import
    copies it and loads only the imported files instead of compiling everything again."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cleanclaim" / f"base-{bundled_hash()}.sqlite"


def store_path() -> Path:
    """$CLEANCLAIM_STORE, else $XDG_CACHE_HOME/cleanclaim/store-<hash>.sqlite."""
    explicit = os.environ.get("CLEANCLAIM_STORE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cleanclaim" / f"store-{manifests_hash()}.sqlite"
