# shellcheck shell=bash
# What scripts/cluster-up.sh and scripts/cluster-down.sh share (sourced,
# not run): where the cluster's state lives, and the processes they start,
# each known by a pid file, so that the scripts act on exactly those.

CLUSTER_DIR=${POSTERN_CLUSTER_DIR:-/tmp/postern-cluster}
PG_BIN=${POSTERN_PG_BIN:-/usr/lib/postgresql/15/bin}

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# as_postgres CMD...: PostgreSQL refuses to run as root, so as root (a
# container) its binaries run as the package's postgres user.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# pid_of NAME: the pid in CLUSTER_DIR/NAME.pid while that process runs the
# binary the file names beside it (a pid reused by another program after a
# crash is not ours); nothing and status 1 otherwise.
pid_of() {
  local file=$CLUSTER_DIR/$1.pid pid binary exe
  [ -f "$file" ] || return 1
  read -r pid binary <"$file" || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  # A zombie (killed, not yet reaped) runs nothing.
  [ "$(awk '{sub(/^[0-9]+ \(.*\) /, ""); print $1}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [ "${exe% (deleted)}" = "$binary" ] || return 1
  echo "$pid"
}

# pg_running: the cluster's PostgreSQL answers pg_ctl status.
pg_running() {
  [ -f "$CLUSTER_DIR/pg/data/PG_VERSION" ] && as_postgres "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/pg/data" status >/dev/null 2>&1
}
