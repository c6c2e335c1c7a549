#!/usr/bin/env bash
# npm run image: builds the rtmp-cluster container image from deploy/Dockerfile.
#
#   IMAGE=name:tag   image name (default localhost/rtmp-cluster:dev)
#   ENGINE=podman|docker|buildah   default: the first one installed, in that order
#
# When the Dockerfile's base image is not in the engine's storage it is made locally (deploy/base-image.sh), since
# the machines this project is built on may reach no container registry; the build itself never pulls.
# NODE_EXTRA_CA_CERTS, when set, is handed to `npm ci` as a build secret and never lands in a layer.
set -euo pipefail
cd "$(dirname "$0")/.."

image=${IMAGE:-localhost/rtmp-cluster:dev}
engine=${ENGINE:-}
if [ -z "$engine" ]; then
  for candidate in podman docker buildah; do
    if command -v "$candidate" >/dev/null; then engine=$candidate; break; fi
  done
fi
[ -n "$engine" ] || { echo "image: install podman, docker or buildah" >&2; exit 1; }

base=$(awk 'toupper($1) == "FROM" { print $2; exit }' deploy/Dockerfile)
has_image() {
  case "$engine" in
    podman) podman image exists "$1" ;;
    docker) docker image inspect "$1" >/dev/null 2>&1 ;;
    buildah) buildah inspect --type image "$1" >/dev/null 2>&1 ;;
  esac
}
if ! has_image "$base"; then
  echo "image: $base is not in $engine's storage; making it locally" >&2
  deploy/base-image.sh "$engine" "$base"
fi

secret_file=${NODE_EXTRA_CA_CERTS:-}
if [ -z "$secret_file" ] || [ ! -f "$secret_file" ]; then
  # The Dockerfile always mounts the secret; an empty one means "no extra CA".
  secret_file=$(mktemp)
  trap 'rm -f "$secret_file"' EXIT
fi

args=(-f deploy/Dockerfile -t "$image" --secret "id=npm_ca,src=$secret_file")
case "$engine" in
  # chroot isolation: builds work where the machine cannot create user or network namespaces for a build container.
  podman) podman build --pull=never --isolation=chroot "${args[@]}" . ;;
  buildah) buildah bud --pull-never --isolation=chroot "${args[@]}" . ;;
  docker) DOCKER_BUILDKIT=1 docker build --pull=false "${args[@]}" . ;;
esac

case "$engine" in
  docker) size=$(docker image inspect -f '{{.Size}}' "$image") ;;
  *) size=$(podman image inspect -f '{{.Size}}' "$image" 2>/dev/null || buildah inspect -f '{{.Size}}' --type image "$image" 2>/dev/null || echo 0) ;;
esac
echo "image: $image ($((size / 1000000)) MB)"
