#!/usr/bin/env bash
# Editor-client checks: builds, lints and packs the VS Code extension, then runs the
# pytest suites (pytest-lsp client, headless Neovim) against $SCHOLIA_BIN, by default
# target/release/scholia. Installs what it needs: a virtualenv with requirements.txt
# (in $SCHOLIA_EDITORS_VENV, default target/editors-venv), Debian's neovim when root.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export SCHOLIA_BIN=${SCHOLIA_BIN:-$repo/target/release/scholia}
venv=${SCHOLIA_EDITORS_VENV:-$repo/target/editors-venv}

step() { echo "== $1 ($((SECONDS - started))s since start)"; }
started=$SECONDS

step "server binary"
if [ "$SCHOLIA_BIN" = "$repo/target/release/scholia" ]; then
  cargo build --release --quiet
fi

step "python requirements"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/editors/requirements.txt

if ! command -v nvim >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  step "neovim from apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null
fi

step "VS Code extension: npm ci, compile, lint, package"
(
  cd editors/vscode
  npm ci --no-audit --no-fund --loglevel=error
  npm run --silent compile
  npm run --silent lint
  npm run --silent package >/dev/null
  ls -l scholia.vsix
)

step "pytest"
"$venv/bin/python" -m pytest tests/editors -ra
