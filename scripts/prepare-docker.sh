#!/usr/bin/env bash
# Makes the images that Dockerfile, Dockerfile.gpu and docker-compose.yml start from, without any
# image registry, so `docker build .` and `docker compose up` work unchanged on a machine that
# cannot reach Docker Hub. From a minimal Debian bookworm root file system (debootstrap, from the
# machine's own Debian mirror):
#   debian:bookworm-slim   that root file system as it is;
#   node:<N>-bookworm-slim the same plus Node and npm from the npm registry, N and the tag taken from
#                          the Dockerfile's `ARG NODE_IMAGE=` line (one place for the Node version);
#   redis:7-bookworm       the same plus Debian's redis-server 7 (docker-compose.yml's Redis).
# See docs/deployment.md ("Building without a registry").
#
#   sudo scripts/prepare-docker.sh            # once per machine (about 2 minutes; idempotent)
#   sudo FORCE=1 scripts/prepare-docker.sh    # make the images again even if the tags exist
#
# Needs root (debootstrap), a running Docker engine, debootstrap, npm and the host's CA bundle.
#
# Environment (all optional):
#   NODE_IMAGE   the tag to produce; default: the `ARG NODE_IMAGE=` default in Dockerfile
#                (node:<major>-bookworm-slim), so the Node version lives in one place.
#   NODE_VERSION the npm dist-tag or range of `node-linux-<arch>` to install; default: the major
#                version in NODE_IMAGE's tag.
#   NPM_VERSION  npm version to install next to Node; default: 10.
#   DEBIAN_MIRROR, DEBIAN_SUITE  default: the first URI in /etc/apt/sources.list*, bookworm.
#   CA_BUNDLE    the CA bundle npm needs inside builds; default: $NODE_EXTRA_CA_CERTS or
#                /etc/ssl/certs/ca-certificates.crt. Installed in the image as
#                /etc/ssl/certs/ca-certificates.crt and named by NODE_EXTRA_CA_CERTS.
#   REDIS_IMAGE  the Redis tag to produce; default: the `image:` of docker-compose.yml's redis service.
#   FORCE=1      make the images again although the tags exist.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "prepare-docker: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and chroot need it)"
command -v docker >/dev/null || die "no docker CLI (apt-get install docker.io)"
docker info >/dev/null 2>&1 || die "the Docker engine is not reachable (start dockerd)"
command -v debootstrap >/dev/null || die "no debootstrap (apt-get install debootstrap)"
command -v npm >/dev/null || die "no npm on the host (it downloads Node from the npm registry)"

NODE_IMAGE="${NODE_IMAGE:-$(sed -n 's/^ARG NODE_IMAGE=//p' Dockerfile | head -n 1)}"
[ -n "$NODE_IMAGE" ] || die "no NODE_IMAGE and no 'ARG NODE_IMAGE=' line in Dockerfile"
major="$(printf '%s' "$NODE_IMAGE" | sed -n 's/^node:\([0-9][0-9]*\)[-.].*$/\1/p; s/^node:\([0-9][0-9]*\)$/\1/p')"
NODE_VERSION="${NODE_VERSION:-$major}"
[ -n "$NODE_VERSION" ] || die "cannot read a Node major version from NODE_IMAGE=$NODE_IMAGE; set NODE_VERSION"
NPM_VERSION="${NPM_VERSION:-10}"
DEBIAN_SUITE="${DEBIAN_SUITE:-bookworm}"
if [ -z "${DEBIAN_MIRROR:-}" ]; then
  DEBIAN_MIRROR="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -Eo 'https?://[^ ]*/debian/?( |$)' | grep -v security | head -n 1 | tr -d ' ')" || true
fi
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CA_BUNDLE="${CA_BUNDLE:-${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}}"
[ -s "$CA_BUNDLE" ] || die "no CA bundle at $CA_BUNDLE (set CA_BUNDLE)"

DEBIAN_IMAGE="debian:${DEBIAN_SUITE}-slim"
REDIS_IMAGE="${REDIS_IMAGE:-$(sed -n '/^  redis:/,/^  [a-z]/s/^    image: *//p' docker-compose.yml | head -n 1)}"
[ -n "$REDIS_IMAGE" ] || die "no REDIS_IMAGE and no image for the redis service in docker-compose.yml"

have() { docker image inspect "$1" >/dev/null 2>&1; }
if [ "${FORCE:-0}" != 1 ] && have "$DEBIAN_IMAGE" && have "$NODE_IMAGE" && have "$REDIS_IMAGE"; then
  say "$DEBIAN_IMAGE, $NODE_IMAGE ($(docker run --rm "$NODE_IMAGE" node --version)) and $REDIS_IMAGE exist; FORCE=1 makes them again"
  exit 0
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) die "no node-linux package for $(uname -m)" ;;
esac

work="$(mktemp -d /tmp/inferq-base.XXXXXX)"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
rootfs="$work/rootfs"

say "debootstrap --variant=minbase $DEBIAN_SUITE from $DEBIAN_MIRROR"
# ca-certificates: so Node (via NODE_EXTRA_CA_CERTS) and tools in derived images trust the same CAs.
debootstrap --variant=minbase --include=ca-certificates "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }

# What a slim image does not need: package lists, docs, man pages, locales other than C.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true

say "docker import as $DEBIAN_IMAGE"
tar -C "$rootfs" --numeric-owner -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' \
  - "$DEBIAN_IMAGE" >/dev/null

say "node-linux-$arch@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
(cd "$work" && npm pack --silent "node-linux-$arch@$NODE_VERSION" "npm@$NPM_VERSION" >packed.txt)
mkdir -p "$work/node" "$work/npm"
tar -xzf "$work/$(sed -n 1p "$work/packed.txt")" -C "$work/node" --strip-components=1
tar -xzf "$work/$(sed -n 2p "$work/packed.txt")" -C "$work/npm" --strip-components=1
install -m 0755 "$work/node/bin/node" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$work/npm" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# The host's bundle may hold a CA that the machine's outbound TLS (to the npm registry) needs.
install -m 0644 "$CA_BUNDLE" "$rootfs/etc/ssl/certs/ca-certificates.crt"

# The `node` user (uid/gid 1000) that the official node images have and the Dockerfiles run as.
echo 'node:x:1000:' >>"$rootfs/etc/group"
echo 'node:x:1000:1000::/home/node:/bin/sh' >>"$rootfs/etc/passwd"
echo 'node:*:19000:0:99999:7:::' >>"$rootfs/etc/shadow"
install -d -o 1000 -g 1000 "$rootfs/home/node"

say "docker import as $NODE_IMAGE"
tar -C "$rootfs" --numeric-owner -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change "ENV NODE_VERSION=$("$work/node/bin/node" --version | tr -d v)" \
  --change 'CMD ["node"]' \
  - "$NODE_IMAGE" >/dev/null
say "$NODE_IMAGE: node $(docker run --rm "$NODE_IMAGE" node --version), npm $(docker run --rm "$NODE_IMAGE" npm --version), $(docker image inspect -f '{{.Size}}' "$NODE_IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}')"

# Redis from Debian's own package, in a container (apt reaches the same mirror as debootstrap).
# Same interface as the official image for what docker-compose.yml uses: redis-server and
# redis-cli on PATH, data in /data, run as the unprivileged `redis` user.
say "docker build $REDIS_IMAGE (redis-server from $DEBIAN_SUITE)"
mkdir -p "$work/redis"
# Debian's redis-server starts in protected mode (no remote clients) when given no config file;
# the official image builds it with protected mode off, so other containers can connect.
cat >"$work/redis/entrypoint.sh" <<'SH'
#!/bin/sh
case "$1 $*" in
  redis-server*protected-mode*) ;;
  redis-server*) set -- "$@" --protected-mode no ;;
esac
exec "$@"
SH
chmod 0755 "$work/redis/entrypoint.sh"
cat >"$work/redis/Dockerfile" <<DOCKERFILE
FROM $DEBIAN_IMAGE
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \\
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* \\
 && install -d -o redis -g redis /data
COPY entrypoint.sh /usr/local/bin/redis-entrypoint
WORKDIR /data
USER redis
EXPOSE 6379
ENTRYPOINT ["/usr/local/bin/redis-entrypoint"]
CMD ["redis-server"]
DOCKERFILE
docker build -q -t "$REDIS_IMAGE" "$work/redis" >/dev/null
say "$REDIS_IMAGE: $(docker run --rm "$REDIS_IMAGE" redis-server --version | cut -d' ' -f1-3)"
