#!/usr/bin/env bash
# A short libFuzzer run of every target in fuzz/ (60 s each by default; FUZZ_SECONDS
# changes it), seeded from the test fixtures and, where present, ../shared/data. A crash
# fails the run and leaves the input in fuzz/artifacts/<target>/.
#
# cargo-fuzz needs nightly flags (-Z sanitizer); RUSTC_BOOTSTRAP=1 lets the stable
# toolchain accept them. cargo-fuzz is installed from crates.io when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz --version 0.13.2

data=../shared/data
seeds() { # target -> seed folders (missing ones are skipped)
    case "$1" in
        latex_ir) echo tests/fixtures "$data/papers/latex" ;;
        markdown_ir) echo tests/fixtures "$data/papers/markdown" ;;
        bibtex) echo tests/fixtures "$data/bib/typst-biblatex" ;;
        csl) echo tests/fixtures/markdown-project ;;
        *) echo tests/fixtures ;;
    esac
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in $(cd fuzz && cargo fuzz list); do
    mkdir -p "$work/$target"
    # libFuzzer reads seed files from one folder level: flatten the trees into it.
    for dir in $(seeds "$target"); do
        if [ -d "$dir" ]; then
            find "$dir" -type f -size -200k -exec cp --backup=numbered -t "$work/$target" {} +
        fi
    done
    echo "fuzz $target: ${seconds}s from $(ls "$work/$target" | wc -l) seeds"
    # pipefail: the fuzzer's own exit status decides, whatever the filter prints.
    if ! (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$target" "$work/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
        { grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|Done|Test unit written)" || true; }); then
        echo "fuzz $target found a problem: see fuzz/artifacts/$target/"
        exit 1
    fi
done
