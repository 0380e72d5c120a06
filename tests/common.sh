# common.sh - what the shell tests share. Source it, then:
#   on_test_host "$0" "$@"   as root, run the script again on a throw-away
#                            host (tests/netns/run.sh); else stay here
#   need TOOL...             skip (77) when one is not installed
#   scratch                  $tmp, removed at exit with every process in
#                            $pids (a "-PID" entry is a process group)
#   check NAME WANT GOT      one "ok"/"FAIL" line; a failure sets $fail
#   wait_until COMMAND...    until COMMAND succeeds (a minute at most)
#   wait_for FILE PATTERN [PID]  until FILE has a line with PATTERN

on_test_host() {
    if [ "$(id -u)" = 0 ] && [ -z "${ANYSOCK_NETNS:-}" ]; then
        exec "${top_srcdir:-.}/tests/netns/run.sh" "$@"
    fi
}

need() {
    for tool; do
        command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
    done
}

scratch() {
    tmp=$(mktemp -d)
    pids=
    fail=0
    trap 'for p in $pids; do kill -- "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' \
        EXIT INT TERM
}

check() {
    if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got '$3'"; fail=1; fi
}

# wait_until COMMAND...: until COMMAND succeeds, looking every 0.1 s.
# Done as soon as it does; the bound (a minute) only ends a hang, it is no
# guess at how long a busy machine takes (a fixed 5 s once failed under
# load).
wait_until() {
    for _ in $(seq 600); do "$@" && return 0; sleep 0.1; done
    return 1
}

# wait_for FILE PATTERN [PID]: until a line matching PATTERN is in FILE (a
# server's "listening on ..." line, say); with PID, not past that
# process's end (then the line is there or never will be).
wait_for() {
    wait_until line_or_gone "$@" && grep -q -- "$2" "$1"
}

# start_server LOG COMMAND...: COMMAND in the background, its output in
# LOG; waits for its "listening on" line (a server's first, see
# anysock_listener_ntop) and sets $pid and $port (its first address's).
start_server() {
    log=$1; shift
    "$@" > "$log" 2>&1 &
    pid=$!
    pids="$pids $pid"
    wait_for "$log" 'listening on' "$pid" || { cat "$log"; echo "FAIL: $* did not start"; exit 1; }
    port=$(grep -m1 'listening on' "$log" | sed 's/.*listening on [^,]*:\([0-9]*\).*/\1/')
}

line_or_gone() { # FILE PATTERN [PID]: the line is there, or PID has ended
    grep -q -- "$2" "$1" 2>/dev/null || { [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; }
}
