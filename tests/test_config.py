from pathlib import Path

import pytest

from cleanclaim.config import ConfigError, load_config


def test_config_from_env_resolves_relative_paths(tmp_path, monkeypatch):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[policies]\ndirs = ["packs"]\n[pricing]\napm_participant = true\n')
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(cfg))
    config = load_config()
    assert config.get("pricing", "apm_participant") is True
    assert config.resolve_path(config.get("policies", "dirs")[0]) == tmp_path / "packs"


def test_missing_and_broken_config_name_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(tmp_path / "none.toml"))
    with pytest.raises(ConfigError, match="none.toml"):
        load_config()
    bad = tmp_path / "bad.toml"
    bad.write_text("[pricing\n")
    monkeypatch.setenv("CLEANCLAIM_CONFIG", str(bad))
    with pytest.raises(ConfigError, match="bad.toml: not valid TOML"):
        load_config()


def test_no_config_is_empty(tmp_path, monkeypatch):
    monkeypatch.delenv("CLEANCLAIM_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert load_config().section("policies") == {}
