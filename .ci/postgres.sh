#!/usr/bin/env bash
# Makes a local PostgreSQL ready for the store tests (internal/store), idempotently, on Debian as root:
# installs the Debian postgresql package if missing, creates and starts a cluster, creates the role and
# the database, then prints on standard output the line to eval:
#   export BLASON_TEST_POSTGRES=postgres://...
# Use: eval "$(bash .ci/postgres.sh)". Progress goes to standard error.
set -euo pipefail

role=blason_test
password=blason_test
database=blason_test

log() { echo "postgres.sh: $*" >&2; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
	log "installing the postgresql package"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq postgresql >&2
fi

version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
	log "creating cluster $version/main"
	pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online" { found = 1 } END { exit !found }'; then
	log "starting cluster $version/main"
	pg_ctlcluster "$version" main start >&2
fi
port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')"

for _ in $(seq 1 60); do
	if pg_isready -q -h 127.0.0.1 -p "$port"; then break; fi
	sleep 0.5
done
pg_isready -h 127.0.0.1 -p "$port" >&2

psql_admin() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"; }
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != 1 ]; then
	log "creating role $role"
	psql_admin -c "CREATE ROLE $role LOGIN PASSWORD '$password'"
fi
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ]; then
	log "creating database $database"
	psql_admin -c "CREATE DATABASE $database OWNER $role"
fi

echo "export BLASON_TEST_POSTGRES='postgres://$role:$password@127.0.0.1:$port/$database?sslmode=disable'"
