"""Shared fixtures.

Every test keeps its pseudonymisation secret in its own folder. The demo worlds are built
once per test run: a small one (scale 0.05) for structure, the scale-1 one for calibration,
and the scale-1 world ingested into a store for tests that go through the whole system.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vawgscope.synth import DemoSummary, write_demo_world

SMALL_SCALE = 0.05


@pytest.fixture(autouse=True)
def _private_secret(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    path = tmp_path_factory.mktemp("secret") / "secret.key"
    monkeypatch.setenv("VAWGSCOPE_SECRET_FILE", str(path))
    return path


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    """A small Parquet demo world (scale 0.05, default seed), built once per session."""
    return write_demo_world(tmp_path_factory.mktemp("small_world"), scale=SMALL_SCALE)


@pytest.fixture(scope="session")
def small_world_dir(small_world: DemoSummary) -> Path:
    """Folder of :func:`small_world`."""
    return small_world.out_dir


@pytest.fixture(scope="session")
def demo_world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scale-1 Parquet demo world (default seed), built once per session."""
    out = tmp_path_factory.mktemp("demo_world")
    write_demo_world(out, scale=1.0)
    return out


@pytest.fixture(scope="session")
def demo_store(demo_world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scale-1 demo world ingested into a store, once per session."""
    from vawgscope.ingest import ingest

    folder = tmp_path_factory.mktemp("demo_store")
    ingest(demo_world_dir, folder / "store.duckdb", secret_path=folder / "key" / "secret.key")
    return folder / "store.duckdb"
