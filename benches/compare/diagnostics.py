#!/usr/bin/env python3
"""scholia next to harper-ls, driven by the same client: time to the first
publishDiagnostics after didOpen, and after a one-character edit, on the same LaTeX and
Markdown documents. Prints medians and the ratio scholia / harper-ls.

The two servers diagnose different things: harper-ls checks grammar and spelling of the
opened file; scholia checks citations, bibliography and structure of the whole project
the file belongs to. scholia runs with models off (an empty SCHOLIA_HOME, so no runtime
or model is found, and `claims.enabled = false`): its figure is the time to its
non-model diagnostics, with no background TL;DR work competing for the CPU. With models
on, the first publish is the same set and model verdicts follow in a later one.

Usage: benches/compare/diagnostics.py [--scholia PATH] [--harper PATH] [--runs N] [--edits N]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from lsp_client import LspClient  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(os.path.dirname(REPO), "shared", "data", "papers")
# (name, project folder, main file, languageId)
DOCUMENTS = [
    ("araa-gps", "latex/araa-gps", "src/tex/ms.tex", "latex"),
    ("chembench", "latex/chembench-paper", "src/tex/ms.tex", "latex"),
    ("gmr-joss", "markdown/gmr-joss", "paper.md", "markdown"),
]
SCHOLIA_OPTIONS = {"scholia": {"claims": {"enabled": False}}}
# harper-ls skips files over 120,000 characters by default (araa-gps's is 152 KB).
HARPER_SETTINGS = {"harper-ls": {"maxFileLength": 10_000_000}}
INCREMENTAL = 2


def is_publish(uri):
    return lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri


def edit_site(text):
    """(line, character) at the start of a prose line near the middle of the document."""
    lines = text.split("\n")
    for offset in range(len(lines)):
        for line in (len(lines) // 2 + offset, len(lines) // 2 - offset):
            if 0 <= line < len(lines) and lines[line][:1].isalpha():
                return line, 0
    raise ValueError("no prose line to edit")


def send_edit(client, uri, version, text, line, insert, sync):
    """Inserts (or, with insert=False, deletes) one "x" at (line, 0); returns the new text."""
    lines = text.split("\n")
    lines[line] = ("x" + lines[line]) if insert else lines[line][1:]
    new_text = "\n".join(lines)
    end = {"line": line, "character": 0 if insert else 1}
    change = ({"range": {"start": {"line": line, "character": 0}, "end": end}, "text": "x" if insert else ""}
              if sync == INCREMENTAL else {"text": new_text})
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                             "contentChanges": [change]})
    return new_text


def open_document(client, uri, language, text):
    """Seconds from didOpen to the document's first diagnostics, and their count."""
    start = time.perf_counter()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}})
    at, message = client.wait(is_publish(uri), timeout=300)
    client.drain(0.5)
    return at - start, len(message["params"]["diagnostics"])


def measure(server, folder, main, language, edits, reopens=3):
    """Cold open (the server's first document), warm reopens, then one-character edits."""
    command, options, configuration = server
    text = open(main, encoding="utf-8").read()
    uri = "file://" + main
    client = LspClient(command, folder, configuration)
    capabilities = client.initialize(folder, options)
    sync = capabilities.get("textDocumentSync")
    sync = sync.get("change") if isinstance(sync, dict) else sync
    cold, count = open_document(client, uri, language, text)
    warm = []
    for _ in range(reopens):
        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        client.drain(0.3)
        warm.append(open_document(client, uri, language, text)[0])
    line, _ = edit_site(text)
    edit_times = []
    for i in range(edits):
        start = time.perf_counter()
        text = send_edit(client, uri, i + 2, text, line, i % 2 == 0, sync)
        at, _ = client.wait(is_publish(uri))
        edit_times.append(at - start)
        client.drain(0.2)
    rss = client.peak_rss_kib()
    client.close()
    return {"cold": cold, "warm": statistics.median(warm), "edit": statistics.median(edit_times),
            "diagnostics": count, "rss_mib": rss / 1024}


def version(command):
    try:
        out = subprocess.run(command + ["--version"], capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown version"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scholia", default=os.path.join(REPO, "target", "release", "scholia"))
    parser.add_argument("--harper", default=shutil.which("harper-ls") or "/opt/peers/bin/harper-ls")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args()
    no_models = tempfile.mkdtemp(prefix="scholia-no-models-")
    servers = {"scholia": (["env", f"SCHOLIA_HOME={no_models}", args.scholia, "lsp"], SCHOLIA_OPTIONS, SCHOLIA_OPTIONS),
               "harper-ls": ([args.harper, "--stdio"], None, HARPER_SETTINGS)}
    for name, path in [("scholia", args.scholia), ("harper-ls", args.harper)]:
        if not os.path.exists(path):
            sys.exit(f"{name} not found at {path}")
    if not os.path.isdir(DATA):
        sys.exit(f"skipped: {DATA} not found")
    print(f"{version([args.harper])}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'document':10} {'metric':24} {'scholia':>9} {'harper-ls':>9} {'ratio':>6}")
    for name, project, main_file, language in DOCUMENTS:
        folder = os.path.join(DATA, project)
        main = os.path.join(folder, main_file)
        runs = {server: [] for server in servers}
        for _ in range(args.runs):  # interleaved, so load changes hit both alike
            for server, spec in servers.items():
                runs[server].append(measure(spec, folder, main, language, args.edits))
        for metric, label in [("cold", "first didOpen -> diags"), ("warm", "reopen -> diags"),
                              ("edit", "edit -> diags")]:
            a = statistics.median(r[metric] for r in runs["scholia"]) * 1e3
            b = statistics.median(r[metric] for r in runs["harper-ls"]) * 1e3
            print(f"{name:10} {label + ' (ms)':24} {a:9.2f} {b:9.2f} {a / b:6.2f}")
        a = statistics.median(r["rss_mib"] for r in runs["scholia"])
        b = statistics.median(r["rss_mib"] for r in runs["harper-ls"])
        print(f"{name:10} {'peak RSS (MiB)':24} {a:9.1f} {b:9.1f} {a / b:6.2f}")
        counts = ", ".join(f"{s} {runs[s][-1]['diagnostics']}" for s in servers)
        print(f"{name:10} diagnostics on open: {counts}; load average {os.getloadavg()[0]:.1f}")
    shutil.rmtree(no_models, ignore_errors=True)


if __name__ == "__main__":
    main()
