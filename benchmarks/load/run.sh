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
# Median of the numeric lines (failed runs print FAIL and are left out; none left prints "-").
median() { grep -E '^[0-9]+(\.[0-9]+)?$' | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
failures() { grep -cvE '^[0-9]+(\.[0-9]+)?$' || true; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)

# Each row runs REPS times against each server, alternating, and reports the median time (the shortest rows
# last a tenth of a second, where one scheduling hiccup decides a single run) and the server's CPU time per
# message (user + system, from /proc, summed over the repetitions).
REPS=${REPS:-3}
declare -a ROWS
row() {
    local name=$1 messages=$2; shift 2
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "MailServer died:"; cat "$WORK/server.err"; exit 1; }
    local times_core=() times_sink=() c0 s0 c1 s1 cpu_core=0 cpu_sink=0
    for _ in $(seq 1 "$REPS"); do
        c0=$(cpu_ticks "$SERVER_PID"); times_core+=("$(time_source "$PORT" "$@")"); c1=$(cpu_ticks "$SERVER_PID")
        s0=$(cpu_ticks "$SINK_PID"); times_sink+=("$(time_source "$SINK_PORT" "$@")"); s1=$(cpu_ticks "$SINK_PID")
        cpu_core=$((cpu_core + c1 - c0)); cpu_sink=$((cpu_sink + s1 - s0))
    done
    local t_core t_sink r_core r_sink ratio u_core u_sink
    if [ "${VERBOSE:-0}" = "1" ]; then
        echo "   $name: Smtp.Core ${times_core[*]}" >&2
        echo "   $name: smtp-sink ${times_sink[*]}" >&2
    fi
    t_core=$(printf '%s\n' "${times_core[@]}" | median); t_sink=$(printf '%s\n' "${times_sink[@]}" | median)
    local f_core f_sink
    f_core=$(printf '%s\n' "${times_core[@]}" | failures); f_sink=$(printf '%s\n' "${times_sink[@]}" | failures)
    if [ "$f_core" != "0" ] || [ "$f_sink" != "0" ]; then
        echo "   $name: failed runs: Smtp.Core $f_core, smtp-sink $f_sink (left out of the medians; CPU still counts them)" >&2
        printf '%s\n' "${times_core[@]}" "${times_sink[@]}" | grep -v -E '^[0-9.]+$' | head -2 >&2
    fi
    r_core=$(rate "$messages" "$t_core"); r_sink=$(rate "$messages" "$t_sink")
    ratio=$(awk -v a="$r_core" -v b="$r_sink" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.2f", a / b; else print "-" }')
    u_core=$(awk -v t="$cpu_core" -v n="$messages" -v r="$REPS" -v k="$TICK" 'BEGIN { printf "%.0f", t / k * 1e6 / (n * r) }')
    u_sink=$(awk -v t="$cpu_sink" -v n="$messages" -v r="$REPS" -v k="$TICK" 'BEGIN { printf "%.0f", t / k * 1e6 / (n * r) }')
    ROWS+=("$(printf '| %-44s | %8s | %9s s | %10s | %6s | %9s s | %10s | %6s | %5s |' "$name" "$messages" "$t_core" "$r_core" "$u_core" "$t_sink" "$r_sink" "$u_sink" "$ratio")")
    echo "${ROWS[-1]}"
}

if [ "${QUICK:-0}" = "1" ]; then M_A=2000; M_B=1000; M_C=30; M_D=100; M_W=1000; else M_A=30000; M_B=10000; M_C=300; M_D=100; M_W=10000; fi

# Both servers get the same warm-up (persistent sessions, then short ones), so that no row measures the
# .NET JIT compiling the session's code paths for the first time.
echo "== warm-up: $M_W messages over 10 sessions and 500 one-message sessions, against each server"
for port in "$PORT" "$SINK_PORT"; do
    time_source "$port" -d -s 10 -m "$M_W" -l 1000 >/dev/null
    time_source "$port" -s 100 -m 500 -l 1000 >/dev/null
done

echo "== smtp-source rows (median of $REPS runs each; msg/s; CPU µs per message; ratio = Smtp.Core / smtp-sink)"
HEADER='| row                                          | messages | Smtp.Core time | Smtp.Core msg/s | CPU µs | smtp-sink time | smtp-sink msg/s | CPU µs | ratio |'
echo "$HEADER"
row "(a) 1 KB, 10 sessions (-d -s 10 -l 1000)" "$M_A" -d -s 10 -m "$M_A" -l 1000
row "(b) 1 KB, 1 session (-d -s 1 -l 1000)" "$M_B" -d -s 1 -m "$M_B" -l 1000
row "(c) 1 MB, 10 sessions (-d -s 10 -l 1000000)" "$M_C" -d -s 10 -m "$M_C" -l 1000000
REPS=${REPS_D:-101} row "(d) 100 sessions x 1 message (-s 100)" "$M_D" -s 100 -m "$M_D" -l 1000

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
echo '|---|---:|---:|---:|---:|---:|---:|---:|---:|'
printf '%s\n' "${ROWS[@]}"
