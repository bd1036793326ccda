#!/usr/bin/env bash
# The whole test suite, from a fresh clone: builds, fetches the ONNX Runtime library and
# the default models (idempotent; needs python3 with pip), runs the Rust tests, then the
# editor-client suites (VS Code extension build, pytest-lsp, headless Neovim).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release
./target/release/scholia models fetch --fixtures
cargo test --release
bash tests/editors/run.sh
