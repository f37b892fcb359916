#!/usr/bin/env bash
# Compare armgraph with Checkov on the same inputs, alternating runs (A B A B …), and print the
# median wall time of each, their ratio, and the peak memory of both. Not run by CI.
#
#   scripts/compare-checkov.sh [PAIRS] [INPUT_DIR...]
#
# Installs Checkov in a temporary virtualenv when `checkov` is not on PATH. Needs python3 and
# GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."

pairs="${1:-5}"
shift || true
inputs=("$@")
if [ "${#inputs[@]}" -eq 0 ]; then
    inputs=(../shared/corpus)
fi

checkov_bin="$(command -v checkov || true)"
if [ -z "$checkov_bin" ]; then
    venv="$(mktemp -d)/checkov-venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet checkov
    checkov_bin="$venv/bin/checkov"
fi

cargo build --release --example armgraph
armgraph_bin=target/release/examples/armgraph

measure() { # prints "seconds max_rss_kb" (wall time to the millisecond; GNU time rounds to 10 ms)
    local start end rss_file
    rss_file="$(mktemp)"
    start="$(date +%s%N)"
    # Both tools exit 1 when they find something: that is a result, not a failure.
    /usr/bin/time -o "$rss_file" -f '%M' "$@" >/dev/null 2>/dev/null || true
    end="$(date +%s%N)"
    awk -v s="$start" -v e="$end" -v m="$(tail -n 1 "$rss_file")" \
        'BEGIN { printf "%.3f %d\n", (e - s) / 1e9, m }'
    rm -f "$rss_file"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for input in "${inputs[@]}"; do
    a_times=(); b_times=(); a_rss=0; b_rss=0
    for _ in $(seq "$pairs"); do
        # Human output (the default) to /dev/null: the whole process, all rules on.
        read -r t m < <(measure "$armgraph_bin" "$input")
        a_times+=("$t"); if [ "$m" -gt "$a_rss" ]; then a_rss="$m"; fi
        read -r t m < <(measure "$checkov_bin" --quiet --compact --framework arm -d "$input")
        b_times+=("$t"); if [ "$m" -gt "$b_rss" ]; then b_rss="$m"; fi
    done
    a_med="$(printf '%s\n' "${a_times[@]}" | median)"
    b_med="$(printf '%s\n' "${b_times[@]}" | median)"
    ratio="$(awk -v a="$a_med" -v b="$b_med" 'BEGIN { if (a > 0) printf "%.1f", b / a; else print "inf" }')"
    printf '%s: armgraph %ss (%s MiB peak), checkov %ss (%s MiB peak), checkov/armgraph %sx\n' \
        "$input" "$a_med" "$((a_rss / 1024))" "$b_med" "$((b_rss / 1024))" "$ratio"
done
