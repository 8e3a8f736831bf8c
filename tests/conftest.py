"""Shared fixtures: every test keeps its pseudonymisation secret in its own folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_secret(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    path = tmp_path_factory.mktemp("secret") / "secret.key"
    monkeypatch.setenv("VAWGSCOPE_SECRET_FILE", str(path))
    return path
