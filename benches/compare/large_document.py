#!/usr/bin/env python3
"""Editing a 5 MB LaTeX document: time from a one-character `didChange` to the diagnostics
for that version (large documents publish after a 300 ms typing pause, then reparse).

Usage: benches/compare/large_document.py [--scholia PATH] [--edits N]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from lsp_client import LspClient  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scholia", default=os.path.join(REPO, "target", "release", "scholia"))
    parser.add_argument("--edits", type=int, default=15)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    shutil.copy(os.path.join(REPO, "tests", "fixtures", "latex-project", "refs.bib"), folder)
    text = "\\documentclass{article}\n\\bibliography{refs}\n"
    while len(text) < 5 * 1024 * 1024:
        text += "Results improve with depth \\citep{lecun2015}, e.g. by 3.5 points.\n\n"
    path = os.path.join(folder, "big.tex")
    with open(path, "w") as f:
        f.write(text)
    uri = "file://" + path
    client = LspClient([args.scholia, "lsp"], folder)
    client.initialize(folder)

    def diagnostics(version):
        return lambda m: (m.get("method") == "textDocument/publishDiagnostics"
                          and m["params"]["uri"] == uri and m["params"].get("version") == version)

    start = time.perf_counter()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "latex", "version": 1, "text": text}})
    at, _ = client.wait(diagnostics(1), timeout=120)
    print(f"open -> first diagnostics: {(at - start) * 1e3:.0f} ms ({len(text) / 2**20:.1f} MiB)")
    times = []
    for i in range(args.edits):
        version = i + 2
        start = time.perf_counter()
        here = {"line": 5, "character": 0}
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"range": {"start": here, "end": here}, "text": "x"}]})
        at, _ = client.wait(diagnostics(version), timeout=120)
        times.append(at - start)
    print(f"edit -> diagnostics: median {statistics.median(times) * 1e3:.0f} ms, max {max(times) * 1e3:.0f} ms")
    client.close()
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
