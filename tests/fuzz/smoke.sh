#!/bin/sh
# make fuzz-smoke: run each libFuzzer target (tests/fuzz/fuzz_NAME) for
# FUZZ_SECONDS on a scratch copy of its seed corpus (tests/fuzz/corpus/NAME,
# under fuzz-work/), every seed first; print its figures; stop at the
# first target that fails, with the end of its log and the input that
# failed (fuzz-work/NAME/crash-*).
# Usage: tests/fuzz/smoke.sh TARGET...   (FUZZ_SECONDS, top_srcdir)
set -u
seconds=${FUZZ_SECONDS:-30}
src=${top_srcdir:-.}
total=0
for p; do
    t=${p##*/fuzz_}
    # What each target reads at most: whole hosts files and C files with
    # lines longer than the readers' buffers; command lines; the rest are
    # short texts.
    case $t in
        hosts|lex) len=4096 ;;
        options|proxy_read) len=1024 ;;
        *) len=256 ;;
    esac
    rm -rf "fuzz-work/$t" && mkdir -p "fuzz-work/$t" && cp "$src/tests/fuzz/corpus/$t"/* "fuzz-work/$t/" ||
        { echo "fuzz_$t: no seed corpus in $src/tests/fuzz/corpus/$t"; exit 1; }
    seeds=$(ls "fuzz-work/$t" | wc -l)
    if ! "$p" -max_total_time="$seconds" -max_len="$len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="fuzz-work/$t-" "fuzz-work/$t" \
        >"fuzz-work/$t.log" 2>&1; then
        tail -n 60 "fuzz-work/$t.log"
        echo "FAIL fuzz_$t: the input is in fuzz-work/$t-*"
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz-work/$t.log")
    new=$(sed -n 's/^stat::new_units_added: *//p' "fuzz-work/$t.log")
    cov=$(grep -o 'cov: [0-9]*' "fuzz-work/$t.log" | tail -n 1)
    known=$(grep -h 'still there' "fuzz-work/$t.log" | head -n 1)
    printf 'fuzz_%-12s %3s s, %2s seeds: %9s runs, %4s new inputs, %s%s\n' "$t" "$seconds" \
        "$seeds" "${runs:-?}" "${new:-?}" "${cov:-cov: ?}" "${known:+ ($known)}"
    total=$((total + ${runs:-0}))
done
echo "fuzz-smoke: $# targets, $total runs, no failure"
