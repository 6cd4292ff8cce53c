#!/usr/bin/env bash
# Load benchmark for the Smtp.Core client: MailSend --count 30000 --connections 10 into Postfix's smtp-sink,
# against Postfix's own smtp-source (-s 10 sessions, -m 30000 messages, -l 1000-byte messages) into the same sink,
# in the same run. Loopback only; every step is bounded by `timeout`. Prints messages/s for both and the ratio.
# Usage: benchmarks/load/mailsend.sh [COUNT] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."

COUNT="${1:-30000}"
CONNECTIONS="${2:-10}"
SINK=/usr/sbin/smtp-sink
SOURCE=/usr/sbin/smtp-source
for tool in "$SINK" "$SOURCE"; do
    [ -x "$tool" ] || { echo "missing $tool (Debian package postfix)" >&2; exit 1; }
done

work="$(mktemp -d)"
sink_pid=""
cleanup() {
    if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

timeout 600 dotnet build samples/MailSend -c Release -o "$work/bin" -v quiet -nologo >/dev/null

# A free loopback port for the sink.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
user_args=()
if [ "$(id -u)" = "0" ]; then user_args=(-u nobody); fi
# Backlog 256: both clients open their sessions at once.
timeout 900 "$SINK" "${user_args[@]}" "127.0.0.1:$port" 256 &
sink_pid=$!
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

# A 1000-byte message, like smtp-source -l 1000.
python3 - "$work/message.eml" <<'PY'
import sys
head = b"From: load@example.org\r\nTo: sink@example.org\r\nSubject: MailSend load\r\n\r\n"
line = b"x" * 78 + b"\r\n"
body = (line * 20)[: 1000 - len(head)]
open(sys.argv[1], "wb").write(head + body)
PY

now() { date +%s.%N; }

start="$(now)"
timeout 600 "$SOURCE" -d -s "$CONNECTIONS" -m "$COUNT" -l 1000 -f load@example.org -t sink@example.org "127.0.0.1:$port" >/dev/null
end="$(now)"
source_rate="$(python3 -c "print(round($COUNT / ($end - $start)))")"

start="$(now)"
timeout 600 dotnet "$work/bin/MailSend.dll" --server "127.0.0.1:$port" --tls none --from load@example.org --to sink@example.org \
    --count "$COUNT" --connections "$CONNECTIONS" "$work/message.eml" | tee "$work/mailsend.out"
end="$(now)"
mailsend_rate="$(python3 -c "print(round($COUNT / ($end - $start)))")"
mailsend_own="$(grep -o '[0-9]* messages/s' "$work/mailsend.out" | grep -o '^[0-9]*')"

echo "date:        $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine:     $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name:[[:space:]]*//')"
echo "messages:    $COUNT x 1000 bytes over $CONNECTIONS connections into smtp-sink"
echo "smtp-source: $source_rate messages/s (wall clock)"
echo "MailSend:    $mailsend_own messages/s (its own clock: first connect to last reply); $mailsend_rate messages/s wall clock incl. .NET start-up"
echo "ratio:       $(python3 -c "print(round($mailsend_own / $source_rate, 2))") (MailSend own clock / smtp-source), $(python3 -c "print(round($mailsend_rate / $source_rate, 2))") (wall clock)"
