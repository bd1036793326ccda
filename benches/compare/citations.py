#!/usr/bin/env python3
"""scholia next to texlab on the same LaTeX projects, driven by the same client:
time to first diagnostics after didOpen, hover latency on citations, completion latency
inside `\\citep{`, peak RSS. Prints medians and the ratio scholia / texlab.

Usage: benches/compare/citations.py [--scholia PATH] [--texlab PATH] [--runs N]
"""

import argparse
import os
import re
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from lsp_client import LspClient  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(os.path.dirname(REPO), "shared", "data", "papers", "latex")
PROJECTS = {"araa-gps": "src/tex/ms.tex", "chembench-paper": "src/tex/ms.tex"}
CITE = re.compile(r"\\[a-zA-Z]*cite[a-z]*\*?(?:\[[^\]]*\])*\{([^}]*)\}")


def citation_positions(text, limit):
    """(line, character) of the first character of up to `limit` cited keys."""
    out = []
    for match in CITE.finditer(text):
        start = match.start(1)
        line = text.count("\n", 0, start)
        column = start - (text.rfind("\n", 0, start) + 1)
        out.append((line, len(text[start - column:start].encode("utf-16-le")) // 2 + 1))
        if len(out) == limit:
            break
    return out


def measure(command, folder, main, hovers):
    text = open(main, encoding="utf-8").read()
    uri = "file://" + main
    client = LspClient(command, folder)
    client.initialize(folder)
    start = time.perf_counter()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "latex", "version": 1, "text": text}})
    at, _ = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
    first_diagnostics = at - start
    hover_times = []
    found = 0
    for line, character in hovers:
        elapsed, result = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
        hover_times.append(elapsed)
        found += result is not None
    # Completion right after `\citep{` typed at the end of the document.
    lines = text.split("\n")
    end_line = len(lines) - 1
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
        {"range": {"start": {"line": end_line, "character": 0}, "end": {"line": end_line, "character": 0}}, "text": "\\citep{"}]})
    completion_times = []
    items = 0
    for _ in range(10):
        elapsed, result = client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": end_line, "character": 7}})
        completion_times.append(elapsed)
        items = len(result["items"] if isinstance(result, dict) else result or [])
    rss = client.peak_rss_kib()
    client.close()
    return {"first_diagnostics": first_diagnostics, "hover": statistics.median(hover_times),
            "completion": statistics.median(completion_times), "rss_mib": rss / 1024,
            "hovers_answered": found, "completion_items": items}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scholia", default=os.path.join(REPO, "target", "release", "scholia"))
    parser.add_argument("--texlab", default=shutil.which("texlab") or "/opt/peers/bin/texlab")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--hovers", type=int, default=50)
    args = parser.parse_args()
    servers = {"scholia": [args.scholia, "lsp"], "texlab": [args.texlab]}
    for name, command in servers.items():
        if not os.path.exists(command[0]):
            sys.exit(f"{name} not found at {command[0]}")
    if not os.path.isdir(DATA):
        sys.exit(f"skipped: {DATA} not found")
    print(f"{'project':16} {'metric':20} {'scholia':>10} {'texlab':>10} {'ratio':>7}")
    for project, main_file in PROJECTS.items():
        folder = os.path.join(DATA, project)
        main = os.path.join(folder, main_file)
        hovers = citation_positions(open(main, encoding="utf-8").read(), args.hovers)
        runs = {name: [measure(command, folder, main, hovers) for _ in range(args.runs)] for name, command in servers.items()}
        for metric, unit, scale in [("first_diagnostics", "ms", 1e3), ("hover", "ms", 1e3), ("completion", "ms", 1e3), ("rss_mib", "MiB", 1)]:
            a = statistics.median(r[metric] for r in runs["scholia"]) * scale
            b = statistics.median(r[metric] for r in runs["texlab"]) * scale
            print(f"{project:16} {metric + ' (' + unit + ')':20} {a:10.3f} {b:10.3f} {a / b:7.2f}")
        for name in servers:
            r = runs[name][-1]
            print(f"{project:16} {name}: {r['hovers_answered']}/{len(hovers)} hovers answered, {r['completion_items']} completion items")


if __name__ == "__main__":
    main()
