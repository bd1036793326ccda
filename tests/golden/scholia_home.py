"""Where scholia keeps its runtime library and models, found the way the binary finds it
(`SCHOLIA_HOME`, else `$XDG_DATA_HOME/scholia`, else `~/.local/share/scholia`). Shared by
the golden-vector generators and the Python comparison benchmarks."""

import os
from pathlib import Path


def data_dir() -> Path:
    if os.environ.get("SCHOLIA_HOME"):
        return Path(os.environ["SCHOLIA_HOME"])
    if os.environ.get("XDG_DATA_HOME"):
        return Path(os.environ["XDG_DATA_HOME"]) / "scholia"
    return Path.home() / ".local/share/scholia"
