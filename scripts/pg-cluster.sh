#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks.
#
#   scripts/pg-cluster.sh start DIR [PORT]   init + start a cluster in DIR; prints ONE line on stdout:
#                                            postgres://marionette:marionette@127.0.0.1:PORT/marionette
#   scripts/pg-cluster.sh url DIR            print that URL again for a running cluster
#   scripts/pg-cluster.sh stop DIR           stop it (fast) and remove DIR; safe to repeat
#
# The cluster listens only on 127.0.0.1:PORT (PORT defaults to a free one) and on a unix socket inside
# DIR. It is built for speed, not durability (fsync, synchronous_commit and full_page_writes off).
# It holds a NON-superuser role `marionette` (password `marionette`, NOSUPERUSER NOBYPASSRLS, so
# row-level security applies to it; CREATEDB so tests may make scratch databases) that owns the
# databases `marionette` and `marionette_test`.
#
# initdb and postgres refuse to run as root: as root the cluster runs as the system user `postgres`
# (created by Debian's postgresql package; created here if missing), or $PG_CLUSTER_USER.
# Server binaries: $PG_BIN, else /usr/lib/postgresql/15/bin, else the newest /usr/lib/postgresql/*/bin.
# Everything but the URL goes to stderr.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

exec 3>&1 1>&2   # fd 3 = real stdout (for the URL only); everything else goes to stderr

MARKER=.marionette-pg-cluster
ROLE=marionette
PASSWORD=marionette
DATABASES=(marionette marionette_test)

usage() { die "usage: $0 start DIR [PORT] | url DIR | stop DIR"; }

find_pg_bin() {
    if [ -n "${PG_BIN:-}" ]; then
        [ -x "$PG_BIN/initdb" ] || die "PG_BIN=$PG_BIN has no initdb"
        echo "$PG_BIN"; return
    fi
    if [ -x /usr/lib/postgresql/15/bin/initdb ]; then echo /usr/lib/postgresql/15/bin; return; fi
    local newest
    newest=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    [ -n "$newest" ] && [ -x "$newest/initdb" ] \
        || die "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (run scripts/install-deps.sh)"
    echo "$newest"
}

# Run a command as the cluster's owner (as ourselves when not root). fd 3 is closed for it, so that
# the postmaster that pg_ctl leaves running does not hold our stdout open (a caller's $(...) would hang).
PG_USER=""
as_pg() {
    if [ -n "$PG_USER" ]; then runuser -u "$PG_USER" -- "$@" 3>&-; else "$@" 3>&-; fi
}

setup_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    PG_USER="${PG_CLUSTER_USER:-postgres}"
    if ! id -u "$PG_USER" >/dev/null 2>&1; then
        log "creating system user $PG_USER"
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$PG_USER"
    fi
}

abs_dir() { (cd "$1" && pwd -P); }

cmd_start() {
    local dir="${1:-}" port="${2:-}"
    [ -n "$dir" ] || usage
    mkdir -p "$dir"
    dir="$(abs_dir "$dir")"
    if [ -e "$dir/data/PG_VERSION" ]; then
        die "$dir already holds a cluster; run '$0 stop $dir' first"
    fi
    if [ -n "$(ls -A "$dir")" ]; then
        die "$dir is not empty; give an empty or new folder"
    fi
    local bin; bin="$(find_pg_bin)"
    setup_user

    : >"$dir/$MARKER"
    mkdir -p "$dir/data" "$dir/run"
    chmod 0700 "$dir" "$dir/data" "$dir/run"
    if [ -n "$PG_USER" ]; then
        chown -R "$PG_USER:" "$dir"
        as_pg test -w "$dir/data" \
            || die "user $PG_USER cannot reach $dir (a parent folder is closed to it); use a folder such as one from mktemp -d"
    fi

    log "initdb in $dir/data ($bin)"
    as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log"; die "initdb failed"; }

    # hba: superuser only over the private unix socket; everyone else by password over 127.0.0.1.
    cat >"$dir/data/pg_hba.conf" <<EOF
local   all   all                  trust
host    all   all   127.0.0.1/32   scram-sha-256
EOF
    [ -z "$PG_USER" ] || chown "$PG_USER:" "$dir/data/pg_hba.conf"

    # Pick a port now and retry with a new one if another process took it meanwhile.
    local fixed_port="$port" attempt
    for attempt in 1 2 3; do
        [ -n "$fixed_port" ] || port="$(free_ports 1)"
        local sock="$dir/run/.s.PGSQL.$port"
        [ "${#sock}" -le 107 ] || die "unix socket path too long (${#sock} > 107 bytes): $sock; use a shorter DIR"
        cat >"$dir/data/postgresql.auto.conf" <<EOF
# written by scripts/pg-cluster.sh: a throwaway test cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
unix_socket_permissions = 0700
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
log_min_messages = warning
EOF
        [ -z "$PG_USER" ] || chown "$PG_USER:" "$dir/data/postgresql.auto.conf"
        log "starting PostgreSQL on 127.0.0.1:$port (log: $dir/postgres.log)"
        if as_pg "$bin/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -s; then
            break
        fi
        tail -n 20 "$dir/postgres.log" || true
        if [ -n "$fixed_port" ] || [ "$attempt" -eq 3 ]; then
            die "PostgreSQL did not start"
        fi
        log "retrying with another port"
    done

    # From here on a failure stops the server again (DIR stays, with its logs, for `stop` to remove).
    STARTED_PGCTL="$bin/pg_ctl" STARTED_DATA="$dir/data"
    trap 'rc=$?; [ "$rc" -eq 0 ] || as_pg "$STARTED_PGCTL" stop -D "$STARTED_DATA" -m immediate -s || true' EXIT

    local i
    for i in $(seq 1 100); do
        pg_isready -q -h 127.0.0.1 -p "$port" -t 1 && break
        [ "$i" -lt 100 ] || die "PostgreSQL on 127.0.0.1:$port is not accepting connections"
        sleep 0.1
    done
    echo "$port" >"$dir/port"

    as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$port" -U postgres -d postgres >/dev/null <<EOF \
        || die "creating role $ROLE and its databases failed"
CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD' NOSUPERUSER NOBYPASSRLS NOCREATEROLE CREATEDB;
$(for db in "${DATABASES[@]}"; do echo "CREATE DATABASE $db OWNER $ROLE;"; done)
EOF
    # Same check as a client would make: password login over TCP, and not a superuser.
    local super
    super=$(PGPASSWORD="$PASSWORD" psql -X -At -h 127.0.0.1 -p "$port" -U "$ROLE" -d "${DATABASES[0]}" \
        -c "SELECT usesuper FROM pg_user WHERE usename = current_user") \
        || die "cannot log in as $ROLE over 127.0.0.1:$port"
    [ "$super" = f ] || die "role $ROLE is a superuser"

    log "PostgreSQL ready on 127.0.0.1:$port (databases: ${DATABASES[*]})"
    cmd_url "$dir"
}

cmd_url() {
    local dir="${1:-}"
    [ -n "$dir" ] && [ -f "$dir/port" ] || die "no cluster in ${dir:-<missing DIR>}"
    echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$(cat "$dir/port")/${DATABASES[0]}" >&3
}

cmd_stop() {
    local dir="${1:-}"
    [ -n "$dir" ] || usage
    if [ ! -e "$dir" ]; then
        log "nothing to stop: $dir does not exist"
        return 0
    fi
    dir="$(abs_dir "$dir")"
    if [ ! -e "$dir/$MARKER" ] && [ -n "$(ls -A "$dir")" ]; then
        die "$dir was not made by $0 (no $MARKER); not removing it"
    fi
    if [ -f "$dir/data/postmaster.pid" ]; then
        local bin; bin="$(find_pg_bin)"
        setup_user
        local pid; pid="$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)"
        log "stopping PostgreSQL in $dir"
        if ! as_pg "$bin/pg_ctl" stop -D "$dir/data" -m fast -w -t 30 -s; then
            if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
                log "pg_ctl stop failed; killing postmaster $pid"
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    url)   shift; cmd_url "$@" ;;
    stop)  shift; cmd_stop "$@" ;;
    *)     usage ;;
esac
