#!/usr/bin/env bash
# Load benchmark: Smtp.Core's sample MailServer (--discard) against Postfix's smtp-sink, both driven by
# Postfix's smtp-source in the same run, plus an idle-connection memory test. Loopback only; every step
# is bounded by `timeout`. Usage: benchmarks/load/run.sh   (env: STEP_TIMEOUT seconds per step, default
# 300; IDLE_CONNECTIONS, default 10000; QUICK=1 for a short smoke run with small counts).
set -euo pipefail
cd "$(dirname "$0")/../.."

STEP_TIMEOUT=${STEP_TIMEOUT:-300}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smtp-core-load.XXXXXX")
SERVER_PID=""
SINK_PID=""

find_tool() {
    command -v "$1" 2>/dev/null || { for d in /usr/sbin /sbin /usr/local/sbin; do [ -x "$d/$1" ] && { echo "$d/$1"; return; }; done; echo "missing: $1 (install postfix, python3)" >&2; exit 1; }
}
SMTP_SOURCE=$(find_tool smtp-source)
SMTP_SINK=$(find_tool smtp-sink)
PYTHON=$(find_tool python3)

cleanup() {
    for pid in $SERVER_PID $SINK_PID; do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in $SERVER_PID $SINK_PID; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Both servers get room for the idle-connection test (10,000 sockets plus the runtime's own).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "== machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(uname -sr), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "== dotnet $(dotnet --version), $(dpkg-query -W -f='postfix ${Version}' postfix 2>/dev/null || echo 'postfix (version unknown)')"

echo "== building samples/MailServer (Release)"
timeout "$STEP_TIMEOUT" dotnet build samples/MailServer -c Release -o "$WORK/bin" -v quiet -nologo >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log"; exit 1; }

# Every client here is 127.0.0.1, so the per-address limit (a defence for real deployments) is lifted.
echo "== starting MailServer --discard"
DOTNET_gcServer=${DOTNET_gcServer:-0} dotnet "$WORK/bin/MailServer.dll" --listen 127.0.0.1:0 --discard \
    --max-connections 20000 --max-connections-per-address 20000 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 200); do
    PORT=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/server.out" | head -1)
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
[ -n "$PORT" ] || { echo "MailServer did not start:"; cat "$WORK/server.out" "$WORK/server.err"; exit 1; }
echo "   MailServer pid $SERVER_PID on 127.0.0.1:$PORT"

echo "== starting smtp-sink"
SINK_PORT=$(free_port)
SINK_USER=()
[ "$(id -u)" = "0" ] && SINK_USER=(-u nobody)  # smtp-sink refuses to run as root without -u
"$SMTP_SINK" "${SINK_USER[@]}" -m 1000 127.0.0.1:"$SINK_PORT" 4096 >"$WORK/sink.log" 2>&1 &
SINK_PID=$!
for _ in $(seq 1 50); do
    "$PYTHON" -c "import socket,sys; socket.create_connection(('127.0.0.1',$SINK_PORT),1).close()" 2>/dev/null && break
    sleep 0.1
done
echo "   smtp-sink pid $SINK_PID on 127.0.0.1:$SINK_PORT"

# Runs smtp-source against one port; prints elapsed seconds, or FAIL.
time_source() {
    local port=$1; shift
    local start end
    start=$(date +%s.%N)
    if timeout "$STEP_TIMEOUT" "$SMTP_SOURCE" "$@" -f sender@example.com -t rcpt@example.com 127.0.0.1:"$port" \
        >"$WORK/source.out" 2>&1; then
        end=$(date +%s.%N)
        awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
    else
        echo "FAIL(exit $?: $(tail -c 300 "$WORK/source.out" | tr '\n' ' '))"
    fi
}

rate() { awk -v n="$1" -v t="$2" 'BEGIN { if (t + 0 > 0) printf "%.0f", n / t; else print "-" }'; }

declare -a ROWS
row() {
    local name=$1 messages=$2; shift 2
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "MailServer died:"; cat "$WORK/server.err"; exit 1; }
    local t_core t_sink r_core r_sink ratio
    t_core=$(time_source "$PORT" "$@")
    t_sink=$(time_source "$SINK_PORT" "$@")
    r_core=$(rate "$messages" "$t_core"); r_sink=$(rate "$messages" "$t_sink")
    ratio=$(awk -v a="$r_core" -v b="$r_sink" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.2f", a / b; else print "-" }')
    ROWS+=("$(printf '| %-44s | %8s | %9s s | %10s | %9s s | %10s | %5s |' "$name" "$messages" "$t_core" "$r_core" "$t_sink" "$r_sink" "$ratio")")
    echo "${ROWS[-1]}"
}

if [ "${QUICK:-0}" = "1" ]; then M_A=2000; M_B=1000; M_C=30; M_D=100; else M_A=30000; M_B=10000; M_C=300; M_D=100; fi

echo "== smtp-source rows (messages/second; ratio = Smtp.Core / smtp-sink)"
HEADER='| row                                          | messages | Smtp.Core time | Smtp.Core msg/s | smtp-sink time | smtp-sink msg/s | ratio |'
echo "$HEADER"
row "(a) 1 KB, 10 sessions (-d -s 10 -l 1000)" "$M_A" -d -s 10 -m "$M_A" -l 1000
row "(b) 1 KB, 1 session (-d -s 1 -l 1000)" "$M_B" -d -s 1 -m "$M_B" -l 1000
row "(c) 1 MB, 10 sessions (-d -s 10 -l 1000000)" "$M_C" -d -s 10 -m "$M_C" -l 1000000
row "(d) 100 sessions x 1 message (-s 100)" "$M_D" -s 100 -m "$M_D" -l 1000

echo "== idle connections: $IDLE_CONNECTIONS to MailServer (pid $SERVER_PID)"
timeout "$STEP_TIMEOUT" "$PYTHON" benchmarks/load/idle_connections.py 127.0.0.1 "$PORT" "$SERVER_PID" "$IDLE_CONNECTIONS" 180 \
    || echo "   idle-connection test did not complete (exit $?)"
kill -0 "$SERVER_PID" 2>/dev/null || { echo "MailServer died during the idle test:"; cat "$WORK/server.err"; exit 1; }

echo "== stopping MailServer (SIGTERM)"
kill -TERM "$SERVER_PID"
STATUS=0
timeout 30 tail --pid="$SERVER_PID" -f /dev/null || STATUS=$?
wait "$SERVER_PID" 2>/dev/null && echo "   exited 0" || echo "   exit status $? (timeout status $STATUS)"
SERVER_PID=""

echo
echo "== summary"
echo "$HEADER"
echo '|---|---:|---:|---:|---:|---:|---:|'
printf '%s\n' "${ROWS[@]}"
