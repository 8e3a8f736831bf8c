"""The demo survey, written and analysed once per test run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vawgscope.survey import run_survey, write_demo_survey


@pytest.fixture(scope="session")
def demo_survey_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo survey (default seed) with its ground-truth files."""
    folder = tmp_path_factory.mktemp("demo_survey")
    write_demo_survey(folder)
    return folder


@pytest.fixture(scope="session")
def demo_survey_out(demo_survey_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of the survey run on the demo survey."""
    out = tmp_path_factory.mktemp("demo_survey_out")
    run_survey(demo_survey_dir, out)
    return out


@pytest.fixture(scope="session")
def demo_survey_result(demo_survey_out: Path) -> dict[str, Any]:
    """survey.json of the demo survey run."""
    import json

    return json.loads((demo_survey_out / "survey.json").read_text(encoding="utf-8"))
