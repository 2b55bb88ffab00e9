#!/usr/bin/env bash
# The one command that runs every test on a fresh Debian machine (as root): installs the test
# servers when missing, then checks formatting, lints and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test
