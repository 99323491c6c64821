# Shared by .ci/setup, .ci/test and .ci/launch. Sourced, not run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
# Keep build output outside the clone so repeated runs (and fresh clones on the
# same machine) reuse compiled dependencies.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ai-desktop/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

say() { printf '\n==> %s\n' "$*"; }

# Seconds since the script started, for the timing lines CI prints.
SECONDS=0
elapsed() { printf '(%dm%02ds)' $((SECONDS / 60)) $((SECONDS % 60)); }
