# Sourced by the deploy checks (docker/check, deploy/kubernetes/check, deploy/slurm/check): what
# they share. Each check runs from the root of the checkout.

say() { echo "${SWELL_CHECK_NAME:-check}: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every 0.2 s until it succeeds; fails the check
# with WHAT when SECONDS pass first.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what: not within ${seconds}s"
    sleep 0.2
  done
}

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# make_keys DIR SWELL: a coordinator key, a node key and a client key in DIR, and the authorized
# file that admits the node key (as `node`) and the client key (as `check`).
make_keys() {
  local dir=$1 swell=$2
  mkdir -p "$dir"
  for name in coordinator node client; do "$swell" keygen "$dir/$name" >/dev/null 2>&1; done
  printf 'node node %s\nclient check %s\n' "$(tail -n 1 "$dir/node.pub")" "$(tail -n 1 "$dir/client.pub")" > "$dir/authorized"
}

# nodes_up N SWELL ARGS...: whether `swell status ARGS` shows at least N nodes up.
nodes_up() {
  local want=$1 swell=$2; shift 2
  "$swell" status --json "$@" | python3 -c '
import json, sys
nodes = json.load(sys.stdin)["nodes"]
sys.exit(0 if sum(n["state"] == "up" for n in nodes) >= int(sys.argv[1]) else 1)' "$want"
}

# all_nodes_busy SWELL ARGS...: whether every up node runs a task now.
all_nodes_busy() {
  local swell=$1; shift
  "$swell" status --json "$@" | python3 -c '
import json, sys
up = [n for n in json.load(sys.stdin)["nodes"] if n["state"] == "up"]
sys.exit(0 if up and all(n["running"] > 0 for n in up) else 1)'
}

# The output slow-items.yaml must give.
slow_items_expected() { seq 1 60 | sed 's/.*/item & done/'; }

# need_packages PACKAGE...: installs the Debian packages that are missing (through sudo unless
# root).
need_packages() {
  dpkg -s "$@" >/dev/null 2>&1 && return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  say "installing $*"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# map_modules_as_embedded SWELL FOLDER WHERE CLIENT-ARGS...: examples/map-modules.yaml run on the
# cluster CLIENT-ARGS reach must print what the embedded run prints (WHERE names the cluster in
# the messages; the outputs go in FOLDER).
map_modules_as_embedded() {
  local swell=$1 folder=$2 where=$3; shift 3
  "$swell" run examples/map-modules.yaml "$@" >"$folder/cluster.out" 2>"$folder/cluster.err" \
    || { cat "$folder/cluster.err" >&2; fail "map-modules on $where"; }
  "$swell" run examples/map-modules.yaml --state "$folder/state" >"$folder/embedded.out" 2>/dev/null
  [ -s "$folder/cluster.out" ] || fail "map-modules printed nothing"
  cmp "$folder/cluster.out" "$folder/embedded.out" || fail "map-modules printed other output on $where than embedded"
}
