#!/usr/bin/env bash
# Measures an idle node agent: resident memory and CPU over a window, after a warm-up.
# Starts its own controller and agent on free loopback ports (plaintext, tls.mode off, as on
# loopback in dev mode) and stops both at the end. RSS counts the pages shared with other
# processes (the JDK's CDS archive, the agent's own archive) in full; PSS divides them among
# the processes that map them.
#   scripts/agent-footprint.sh [WINDOW_SECONDS=60] [WARMUP_SECONDS=15]
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
window=${1:-60}
warmup=${2:-15}
work=$(mktemp -d)
trap 'kill $controller $agent 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
grpc=$(free_port)
"$root/bin/drover" --version >/dev/null   # builds the jars if needed
"$root/bin/drover" controller --listen "127.0.0.1:$grpc" --http-listen 127.0.0.1:0 \
  --data-dir "$work/controller" --tls-mode off >"$work/controller.log" 2>&1 &
controller=$!
"$root/bin/drover" agent --controller "127.0.0.1:$grpc" --data-dir "$work/agent" \
  --http-listen 127.0.0.1:0 --name footprint --tls-mode off >"$work/agent.log" 2>&1 &
agent=$!

echo "agent pid $agent; warming up for ${warmup}s, then measuring for ${window}s" >&2
sleep "$warmup"
grep -q "connected to the controller" "$work/agent.log" || { echo "agent did not connect:"; cat "$work/agent.log"; exit 1; } >&2

ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$agent/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$agent/status"; }
pss_kib() { awk '/^Pss:/ {print $2}' "/proc/$agent/smaps_rollup"; }
start_cpu=$(cpu); max_rss=0; sum_rss=0; sum_pss=0; n=0
for ((i = 0; i < window; i++)); do
  r=$(rss_kib); sum_rss=$((sum_rss + r)); n=$((n + 1)); ((r > max_rss)) && max_rss=$r
  sum_pss=$((sum_pss + $(pss_kib)))
  sleep 1
done
end_cpu=$(cpu)
threads=$(awk '/^Threads/ {print $2}' "/proc/$agent/status")
cpu_pct=$(awk -v d=$((end_cpu - start_cpu)) -v t="$ticks" -v w="$window" 'BEGIN {printf "%.2f", 100 * d / t / w}')
printf 'agent idle over %ss: RSS avg %.1f MiB, max %.1f MiB; PSS avg %.1f MiB; CPU %s%% of one core; %s threads; load %s (%s, %s cores, %s)\n' \
  "$window" "$(awk -v s=$sum_rss -v n=$n 'BEGIN {print s / n / 1024}')" \
  "$(awk -v m=$max_rss 'BEGIN {print m / 1024}')" \
  "$(awk -v s=$sum_pss -v n=$n 'BEGIN {print s / n / 1024}')" "$cpu_pct" "$threads" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "$(java -version 2>&1 | head -1 | tr -d '"')" "$(nproc)" "$(uname -sr)"
