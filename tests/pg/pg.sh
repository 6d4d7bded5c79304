#!/bin/sh
# A private PostgreSQL server for the tests, never the system's service:
#   pg.sh start DIR   initdb in DIR (new or empty), start the server on a
#                     Unix socket in DIR only (no TCP), create the database
#                     iotjobs, and print the store URL of it
#   pg.sh url DIR     print that URL again
#   pg.sh stop DIR    stop the server (DIR is left for the caller to remove)
#   pg.sh restart DIR stop it fast (as a crash would) and start it again
# As root, the server runs as the user postgres (initdb refuses root), so
# DIR is handed to that user. Debian's binaries are not on PATH: pg_config
# (libpq-dev) says where they are.
set -eu
cmd=$1
dir=$(cd "$2" && pwd)
bindir=$(pg_config --bindir 2>/dev/null || true)
if [ ! -x "$bindir/initdb" ]; then
	bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
fi
if [ ! -x "$bindir/initdb" ]; then
	echo "pg.sh: no PostgreSQL server here; install it with:" >&2
	echo "  sudo apt-get install -y postgresql" >&2
	exit 1
fi

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

url() {
	echo "postgresql:///iotjobs?host=$dir&user=iotjobs"
}

server_start() {
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	    -t 60 -o "-k $dir -c listen_addresses= -c max_connections=400" \
	    start >/dev/null
}

case $cmd in
start)
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$dir"
	fi
	as_owner "$bindir/initdb" -D "$dir/data" -U iotjobs -A trust \
	    -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
	server_start
	as_owner "$bindir/createdb" -h "$dir" -U iotjobs iotjobs
	url
	;;
url)
	url
	;;
stop)
	as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
	;;
restart)
	as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop \
	    >/dev/null
	server_start
	;;
*)
	echo "usage: pg.sh start|url|stop|restart DIR" >&2
	exit 2
	;;
esac
