# Sourced by docker/check and deploy/kubernetes/check: a podman of the checks' own, and the images
# they run. No image registry is needed: the base image is made from Debian's packages
# (mmdebstrap) and Swell's image from the host's release binaries (docker/Dockerfile, target
# prebuilt).
#
# Everything podman keeps (configuration, image store, containers) is in $SWELL_PODMAN_HOME
# (default /var/tmp/swell-check-podman), so the checks neither read nor change the host's own
# podman settings and images; a second check on the same machine reuses the images.

: "${SWELL_PODMAN_HOME:=/var/tmp/swell-check-podman}"
SWELL_CHECK_BASE=localhost/swell-check-base:bookworm
SWELL_CHECK_IMAGE=localhost/swell:check

podman_setup() {
  mkdir -p "$SWELL_PODMAN_HOME"
  # runc and cgroupfs work where podman's defaults (crun, systemd's cgroups) do not. podman's
  # default ulimits are above what a sandboxed host allows (runc fails with "error setting
  # rlimit"): open files are kept within the host's hard limit, processes at 4096 (more than
  # the pid limit of some hosts fails as well).
  local files procs
  files=$(ulimit -Hn); if [ "$files" = unlimited ] || [ "$files" -gt 65536 ]; then files=65536; fi
  procs=$(ulimit -Hu); if [ "$procs" = unlimited ] || [ "$procs" -gt 4096 ]; then procs=4096; fi
  cat > "$SWELL_PODMAN_HOME/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$files:$files", "nproc=$procs:$procs"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  cat > "$SWELL_PODMAN_HOME/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$SWELL_PODMAN_HOME/storage"
runroot = "$SWELL_PODMAN_HOME/run"
CONF
  export CONTAINERS_CONF="$SWELL_PODMAN_HOME/containers.conf"
  export CONTAINERS_STORAGE_CONF="$SWELL_PODMAN_HOME/storage.conf"
}

# The stand-in for debian:bookworm-slim, with Swell's runtime libraries already in it.
podman_base_image() {
  podman image exists "$SWELL_CHECK_BASE" && return 0
  echo "making the base image $SWELL_CHECK_BASE from Debian's packages" >&2
  local tarball="$SWELL_PODMAN_HOME/base.tar"
  mmdebstrap --quiet --variant=minbase --include=libzmq5,libsqlite3-0,tini bookworm "$tarball" >&2
  podman import --quiet "$tarball" "$SWELL_CHECK_BASE" >/dev/null
  rm -f "$tarball"
}

# Swell's image, from the release binaries in $1 (default .build/release), built again each time.
podman_swell_image() {
  local binaries=${1:-.build/release}
  podman_base_image
  echo "building $SWELL_CHECK_IMAGE from $binaries" >&2
  podman build --quiet --pull=never -f docker/Dockerfile --target prebuilt \
    --build-arg RUNTIME_IMAGE="$SWELL_CHECK_BASE" --build-arg BINARIES="$binaries" \
    -t "$SWELL_CHECK_IMAGE" . >/dev/null
  # The image it replaced, untagged now.
  podman image prune --force >/dev/null 2>&1 || true
}

# Prints the path of a podman-compose that supports `up --scale` (Debian 12's 1.0.3 ignores it),
# installed from PyPI into $SWELL_PODMAN_HOME/venv the first time.
SWELL_COMPOSE_VERSION=1.5.0
podman_compose() {
  local venv="$SWELL_PODMAN_HOME/venv"
  if [ "$("$venv/bin/podman-compose" --version 2>/dev/null | head -n 1)" != "podman-compose version $SWELL_COMPOSE_VERSION" ]; then
    echo "installing podman-compose $SWELL_COMPOSE_VERSION from PyPI into $venv" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet "podman-compose==$SWELL_COMPOSE_VERSION" >&2
  fi
  echo "$venv/bin/podman-compose"
}

# What docker/check and deploy/kubernetes/check start with: the release binaries (they must be
# built), the packages, a podman of the checks' own and Swell's image on it.
podman_prepare() {
  for program in swell swell-coordinator swell-node; do
    [ -x ".build/release/$program" ] || fail ".build/release/$program is missing: run swift build -c release first"
  done
  need_packages podman runc mmdebstrap slirp4netns uidmap python3 python3-venv
  podman_setup
  podman_swell_image .build/release
}
