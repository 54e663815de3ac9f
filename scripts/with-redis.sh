#!/usr/bin/env bash
# Run a command with a throw-away Redis server on a free loopback port.
#
#   scripts/with-redis.sh go test -race ./...
#
# Installs redis-server with apt-get when it is missing and we are root,
# starts it on 127.0.0.1 with persistence off, exports REDIS_ADDR for the
# command, and stops the server when the command ends (whatever its outcome).
# The command's exit status is the script's.
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 command [args...]" >&2
	exit 2
fi

if ! command -v redis-server >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "with-redis: installing redis-server" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null
		apt-get install -y -qq redis-server >/dev/null
	else
		echo "with-redis: redis-server is not installed and cannot be installed here (need root and apt-get)" >&2
		exit 1
	fi
fi
# Debian's package starts a system service on port 6379; we never use it.

# A free loopback port: ask the kernel for one, then release it.
free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
	else
		local p
		for _ in $(seq 1 50); do
			p=$((20000 + RANDOM % 20000))
			if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
				echo "$p"
				return
			fi
		done
		echo "with-redis: no free port found" >&2
		return 1
	fi
}

PORT="$(free_port)"
WORKDIR="$(mktemp -d)"
PIDFILE="$WORKDIR/redis.pid"

cleanup() {
	if [ -s "$PIDFILE" ]; then
		pid="$(cat "$PIDFILE")"
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -rf "$WORKDIR"
}
trap cleanup EXIT INT TERM

redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
	--daemonize yes --pidfile "$PIDFILE" --dir "$WORKDIR" \
	--logfile "$WORKDIR/redis.log" >/dev/null

# Wait until it answers.
for _ in $(seq 1 100); do
	if command -v redis-cli >/dev/null 2>&1; then
		redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG && break
	elif (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
		break
	fi
	sleep 0.05
done

export REDIS_ADDR="127.0.0.1:$PORT"
echo "with-redis: redis-server on $REDIS_ADDR" >&2
set +e
"$@"
status=$?
set -e
exit "$status"
