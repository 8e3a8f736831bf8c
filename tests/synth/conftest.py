"""Demo worlds shared by the tests: a small one for structure, the scale-1 one for calibration."""

from __future__ import annotations

from pathlib import Path

import pytest

from vawgscope.synth import DemoSummary, write_demo_world

SMALL_SCALE = 0.05


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
