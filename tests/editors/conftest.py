"""Shared by the editor-client tests: the binary under test and a fresh fixture project."""

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCHOLIA_BIN = Path(os.environ.get("SCHOLIA_BIN", REPO / "target" / "release" / "scholia")).resolve()


def pytest_configure(config):
    if not SCHOLIA_BIN.is_file():
        raise pytest.UsageError(f"{SCHOLIA_BIN} is missing: run `cargo build --release` or set SCHOLIA_BIN")


@pytest.fixture
def latex_project(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/latex-project (main.tex, sections/, refs.bib)."""
    return Path(shutil.copytree(REPO / "tests" / "fixtures" / "latex-project", tmp_path / "latex-project"))
