#!/usr/bin/env python3
"""How scholia's cost grows with project size: projects of 1, 10 and 100 copies of the
chembench chapters (ms.tex's body, the appendix and their inputs; each copy in its own
folder with its labels renamed so they stay unique), one main file that `\\input`s every
copy, and bib/biber/etc/tugboat.bib (3,644 entries) next to chembench's references.bib.
Measures the time from didOpen of the main file to its first diagnostics, hover latency
on a citation of a tugboat entry, completion latency inside `\\citep{` and peak RSS (from
/proc), with models off (empty SCHOLIA_HOME, claims disabled). Prints medians, the cost
per copy and the growth ratios t10/t1 and t100/t10 (linear growth gives 10).

Usage: benches/compare/scaling.py [--scholia PATH] [--runs N] [--copies 1,10,100] [--keep DIR]
"""

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from lsp_client import LspClient  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(os.path.dirname(REPO), "shared", "data")
CHEMBENCH = os.path.join(DATA, "papers", "latex", "chembench-paper", "src", "tex")
TUGBOAT = os.path.join(DATA, "bib", "biber", "etc", "tugboat.bib")
SCHOLIA_OPTIONS = {"scholia": {"claims": {"enabled": False}}}
INPUT = re.compile(r"\\(input|include)\{([^}]*)\}")
LABELED = re.compile(r"\\(label|ref|eqref|pageref|autoref|cref|Cref|nameref)\{([^}]*)\}")


def chapter():
    """ms.tex between \\maketitle and \\end{document}."""
    text = open(os.path.join(CHEMBENCH, "ms.tex"), encoding="utf-8").read()
    body = text[text.index("\\maketitle") + len("\\maketitle"):text.index("\\end{document}")]
    return body


def localise(text, copy):
    """Points inputs into the copy's folder and prefixes labels and references with it."""
    text = INPUT.sub(lambda m: f"\\{m.group(1)}{{{copy}/{m.group(2)}}}", text)
    return LABELED.sub(lambda m: f"\\{m.group(1)}{{" + ",".join(f"{copy}-{k.strip()}" for k in m.group(2).split(",")) + "}", text)


def first_tugboat_key():
    with open(TUGBOAT, encoding="utf-8", errors="replace") as bib:
        for line in bib:
            match = re.match(r"\s*@(?!string|preamble|comment)\w+\s*\{\s*([^,\s]+)\s*,", line, re.IGNORECASE)
            if match:
                return match.group(1)
    raise ValueError("no entry in tugboat.bib")


def build_project(root, copies):
    """Writes the project under `root`; returns the main file's path and its text."""
    for name in ("preamble.tex", "acronymns.tex", "authors.tex", "references.bib"):
        shutil.copy(os.path.join(CHEMBENCH, name), root)
    shutil.copy(TUGBOAT, root)
    inputs = []
    for i in range(copies):
        copy = f"copy{i:03d}"
        shutil.copytree(CHEMBENCH, os.path.join(root, copy), ignore=shutil.ignore_patterns("*.bib", "ms.tex"))
        for folder, _, files in os.walk(os.path.join(root, copy)):
            for name in files:
                if name.endswith(".tex"):
                    path = os.path.join(folder, name)
                    text = open(path, encoding="utf-8").read()
                    open(path, "w", encoding="utf-8").write(localise(text, copy))
        open(os.path.join(root, copy, "chapter.tex"), "w", encoding="utf-8").write(localise(chapter(), copy))
        inputs.append(f"\\input{{{copy}/chapter}}")
    key = first_tugboat_key()
    main_text = "\n".join([
        "\\documentclass[11pt, oneside]{article}", "\\input{preamble.tex}", "\\addbibresource{tugboat.bib}",
        "\\begin{document}", *inputs, f"A closing remark \\autocite{{{key}}}.", "\\end{document}", ""])
    main = os.path.join(root, "main.tex")
    open(main, "w", encoding="utf-8").write(main_text)
    return main, main_text


def measure(command, root, main, text):
    uri = "file://" + main
    client = LspClient(command, root)
    client.initialize(root, SCHOLIA_OPTIONS)
    start = time.perf_counter()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "latex", "version": 1, "text": text}})
    at, message = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri, timeout=600)
    opened = at - start
    lines = text.split("\n")
    cite_line = next(i for i, line in enumerate(lines) if "\\autocite{" in line)
    character = lines[cite_line].index("\\autocite{") + len("\\autocite{") + 1
    hovers = []
    for _ in range(20):
        elapsed, result = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": cite_line, "character": character}})
        hovers.append(elapsed)
    if result is None:
        raise RuntimeError("no hover on the tugboat citation")
    end_line = len(lines) - 1
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
        {"range": {"start": {"line": end_line, "character": 0}, "end": {"line": end_line, "character": 0}}, "text": "\\citep{"}]})
    completions = []
    for _ in range(10):
        elapsed, result = client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": end_line, "character": 7}})
        completions.append(elapsed)
    items = len(result["items"] if isinstance(result, dict) else result or [])
    rss = client.peak_rss_kib()
    client.close()
    return {"open": opened, "hover": statistics.median(hovers), "completion": statistics.median(completions),
            "rss_mib": rss / 1024, "items": items, "diagnostics": len(message["params"]["diagnostics"])}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scholia", default=os.path.join(REPO, "target", "release", "scholia"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--copies", default="1,10,100")
    parser.add_argument("--keep", help="build the projects under this folder and keep them")
    args = parser.parse_args()
    if not os.path.exists(args.scholia):
        sys.exit(f"scholia not found at {args.scholia}")
    if not (os.path.isdir(CHEMBENCH) and os.path.isfile(TUGBOAT)):
        sys.exit(f"skipped: {CHEMBENCH} or {TUGBOAT} not found")
    work = args.keep or tempfile.mkdtemp(prefix="scholia-scaling-")
    no_models = os.path.join(work, "no-models")
    os.makedirs(no_models, exist_ok=True)
    command = ["env", f"SCHOLIA_HOME={no_models}", args.scholia, "lsp"]
    results = {}
    print(f"{'copies':>6} {'MB':>6} {'open ms':>9} {'hover ms':>9} {'compl ms':>9} {'RSS MiB':>8} "
          f"{'open ms/copy':>12} {'MiB/copy':>8} {'items':>6} {'diags':>6} {'load':>5}")
    for copies in [int(c) for c in args.copies.split(",")]:
        root = os.path.join(work, f"project-{copies}")
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)
        main_file, text = build_project(root, copies)
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(root) for f in fs if f.endswith(".tex"))
        runs = [measure(command, root, main_file, text) for _ in range(args.runs)]
        r = {k: statistics.median(run[k] for run in runs) for k in ("open", "hover", "completion", "rss_mib")}
        results[copies] = r
        last = runs[-1]
        print(f"{copies:6d} {size / 1e6:6.2f} {r['open'] * 1e3:9.1f} {r['hover'] * 1e3:9.3f} {r['completion'] * 1e3:9.2f} "
              f"{r['rss_mib']:8.1f} {r['open'] * 1e3 / copies:12.2f} {r['rss_mib'] / copies:8.2f} {last['items']:6d} "
              f"{last['diagnostics']:6d} {os.getloadavg()[0]:5.1f}", flush=True)
        if not args.keep:
            shutil.rmtree(root)
    sizes = sorted(results)
    for small, large in zip(sizes, sizes[1:]):
        growth = {k: results[large][k] / results[small][k] for k in ("open", "hover", "completion", "rss_mib")}
        print(f"t{large}/t{small} (copies x{large / small:g}): open {growth['open']:.2f}, hover {growth['hover']:.2f}, "
              f"completion {growth['completion']:.2f}, RSS {growth['rss_mib']:.2f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
