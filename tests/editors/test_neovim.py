"""A real editor end to end: headless Neovim with editors/nvim opens the fixture's main.tex,
hovers a citation and reports the hover text, the diagnostics and the user commands it got.
Runs with every Neovim found: Debian's (0.7: vim.lsp.start_client) and the one the
requirements install into the virtual environment (0.11: vim.lsp.config/enable, and the
vim.lsp.start path of 0.8-0.10)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SCHOLIA_BIN

HERE = Path(__file__).parent


def neovims() -> dict[str, str]:
    """First line of `nvim --version` by real path, for each Neovim found."""
    found = {shutil.which("nvim"), shutil.which("nvim", path=str(Path(sys.executable).parent))}
    versions = {}
    for nvim in filter(None, found):
        version = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=30)
        versions[os.path.realpath(nvim)] = version.stdout.split("\n", 1)[0]
    return versions


NEOVIMS = sorted(neovims().items(), key=lambda item: item[1])
VERSIONS = [pytest.param(nvim, id=version) for nvim, version in NEOVIMS]
# setup() on each Neovim; on those newer than 0.7 also the 0.8-0.10 path (vim.lsp.start).
STARTS = [
    pytest.param(nvim, start, id=f"{version}-{start}")
    for nvim, version in NEOVIMS
    for start in ("setup", "legacy")
    if start == "setup" or not version.startswith("NVIM v0.7")
]
pytestmark = pytest.mark.skipif(not NEOVIMS, reason="nvim not found (apt-get install neovim)")


def scholia_home() -> str:
    """scholia's data folder (models) as the server would find it outside the test."""
    if os.environ.get("SCHOLIA_HOME"):
        return os.environ["SCHOLIA_HOME"]
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data) / "scholia")


def models_present() -> bool:
    verify = subprocess.run([str(SCHOLIA_BIN), "models", "verify"], env={**os.environ, "SCHOLIA_HOME": scholia_home()},
                            capture_output=True, text=True, timeout=120)
    return verify.returncode == 0


def run_neovim(nvim: str, project: Path, out_dir: Path, settings: dict, start: str = "setup") -> list[str]:
    """Lines `kind: text` written by nvim/hover.lua."""
    out = out_dir / "nvim-report.txt"
    env = {
        **os.environ,
        # The models where the user has them; a cache of this run's own.
        "SCHOLIA_HOME": scholia_home(),
        "SCHOLIA_CACHE_DIR": str(out_dir / "cache"),
        "SCHOLIA_BIN": str(SCHOLIA_BIN),
        "SCHOLIA_NVIM": str(REPO / "editors" / "nvim"),
        "SCHOLIA_OUT": str(out),
        "SCHOLIA_SETTINGS": json.dumps(settings),
        "SCHOLIA_NVIM_START": start,
        # Keep the user's own configuration, plugins and state out of the run.
        "XDG_CONFIG_HOME": str(out_dir / "config"),
        "XDG_DATA_HOME": str(out_dir / "data"),
        "XDG_STATE_HOME": str(out_dir / "state"),
    }
    command = [nvim, "--headless", "-n", "-i", "NONE", "-u", str(HERE / "nvim" / "init.lua"), "main.tex",
               "+luafile " + str(HERE / "nvim" / "hover.lua")]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert out.exists(), f"nvim wrote no report (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    return out.read_text().splitlines()


def of_kind(lines: list[str], kind: str) -> list[str]:
    return [line.removeprefix(kind + ": ") for line in lines if line.startswith(kind + ": ")]


@pytest.mark.parametrize(("nvim", "start"), STARTS or [(None, None)])
def test_hover_diagnostics_and_commands(nvim, start, latex_project, tmp_path):
    lines = run_neovim(nvim, latex_project, tmp_path, {}, start)
    assert of_kind(lines, "error") == [], lines
    assert of_kind(lines, "attached") == ["scholia"]
    hover = of_kind(lines, "hover")
    assert any("ImageNet Classification with Deep Convolutional Neural Networks" in h for h in hover), lines
    [tldr] = of_kind(lines, "tldr")
    if models_present():
        # lecun2015's abstract is one sentence: the TL;DR is that sentence.
        assert tldr.startswith("Deep learning allows computational models"), lines
    else:
        assert tldr.startswith("*TL;DR unavailable"), lines

    diagnostics = of_kind(lines, "diagnostic")
    assert any(d.startswith("method.tex:2:undefined-key:") and "missing2020" in d for d in diagnostics), lines
    assert any(d.startswith("method.tex:2:key-case-mismatch:") and "Knuth84" in d for d in diagnostics), lines
    assert any(":unused-entry:" in d for d in diagnostics), lines

    # Each announced command (the server's, then the stand-in's) got its user command.
    user_commands = of_kind(lines, "command")
    assert "scholia.draftAbstract :ScholiaDraftAbstract defined" in user_commands, lines
    assert all(c.endswith(" defined") for c in user_commands), lines


@pytest.mark.parametrize("nvim", VERSIONS or [None])
def test_settings_reach_the_server(nvim, latex_project, tmp_path):
    lines = run_neovim(nvim, latex_project, tmp_path, {"unusedEntries": False})
    assert of_kind(lines, "error") == [], lines
    diagnostics = of_kind(lines, "diagnostic")
    assert any(":duplicate-key:" in d for d in diagnostics), lines
    assert not any(":unused-entry:" in d for d in diagnostics), lines
