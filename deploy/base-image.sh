#!/usr/bin/env bash
# Makes the Dockerfile's base image (node:24-bookworm-slim) on a machine that reaches no container registry:
# a Debian bookworm minbase root file system from the apt mirror this machine's sources list names, plus Node.js 24
# and npm from the npm registry (deploy/node-runtime.sh: pinned, integrity-checked), imported into the container
# engine under the FROM name. Needs root (debootstrap).
#
#   deploy/base-image.sh ENGINE [NAME]     ENGINE is podman, docker or buildah; NAME defaults to node:24-bookworm-slim
#
# The debootstrap result is cached as a tarball (RTMPC_CACHE_DIR, default ~/.cache/rtmp-cluster), so a later run
# (or a fresh clone on the same machine) only repeats the quick import.
set -euo pipefail
cd "$(dirname "$0")"

engine=${1:?usage: deploy/base-image.sh ENGINE [NAME]}
name=${2:-node:24-bookworm-slim}
cache="${RTMPC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rtmp-cluster}"
suite=bookworm

# The first mirror the apt sources name for the suite (deb822 .sources files and one-line .list files).
mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    case "$f" in
      *.sources)
        awk -v suite="$suite" '
          /^[[:space:]]*$/ { if (uri != "" && ok) { print uri; exit } uri = ""; ok = 0; next }
          /^URIs:/ { uri = $2 }
          /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
          END { if (uri != "" && ok) print uri }' "$f" | head -n1
        ;;
      *)
        awk -v suite="$suite" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1) == suite) { print $i; exit } } }' "$f"
        ;;
    esac
  done | head -n1
}

node_bin=$(./node-runtime.sh)
npm_dir=$(./node-runtime.sh --npm)
node_version=$(./node-runtime.sh --version)

rootfs_tar="$cache/debian-$suite-minbase.tar"
if [ ! -f "$rootfs_tar" ]; then
  command -v debootstrap >/dev/null || { echo "base-image: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
  url=$(mirror)
  [ -n "$url" ] || { echo "base-image: no apt source for $suite in /etc/apt/sources.list*" >&2; exit 1; }
  echo "base-image: debootstrap --variant=minbase $suite from $url" >&2
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/.rootfs.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  debootstrap --variant=minbase "$suite" "$work/root" "$url" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  # What a slim image leaves out: package caches and lists, documentation, man pages, locales.
  rm -rf "$work/root/var/cache/apt/"* "$work/root/var/lib/apt/lists/"* "$work/root/var/log/"* \
    "$work/root/usr/share/doc/"* "$work/root/usr/share/man/"* "$work/root/usr/share/info/"*
  find "$work/root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  tar --numeric-owner -C "$work/root" -cf "$work/rootfs.tar" .
  mv "$work/rootfs.tar" "$rootfs_tar"
  rm -rf "$work"
  trap - EXIT
fi

# Node and npm go where the official node images put them.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
tar -C "$stage" -xf "$rootfs_tar"
install -m 0755 "$node_bin/node" "$stage/usr/local/bin/node"
mkdir -p "$stage/usr/local/lib/node_modules"
cp -a "$npm_dir" "$stage/usr/local/lib/node_modules/npm"
rm -f "$stage/usr/local/lib/node_modules/npm/.verified"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$stage/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$stage/usr/local/bin/npx"
"$stage/usr/local/bin/node" --version >/dev/null

changes=(--change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
         --change "ENV NODE_VERSION=$node_version" --change 'CMD ["node"]')
case "$engine" in
  podman|docker)
    tar --numeric-owner -C "$stage" -c . | "$engine" import "${changes[@]}" - "$name" >/dev/null ;;
  buildah)
    # buildah has no import; podman shares its storage when both are installed.
    command -v podman >/dev/null || { echo "base-image: importing with buildah needs podman" >&2; exit 1; }
    tar --numeric-owner -C "$stage" -c . | podman import "${changes[@]}" - "$name" >/dev/null ;;
  *) echo "base-image: unknown engine $engine" >&2; exit 1 ;;
esac
echo "base-image: $name (Debian $suite minbase, Node v$node_version)" >&2
