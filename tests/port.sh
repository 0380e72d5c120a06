#!/bin/sh
# anysock-port: each rule where the fixtures say (line:col), nothing in
# comments, strings or look-alike names, the exact findings in the legacy
# examples and none in their ports, the library, the tools or the other
# examples; the man page and porting.md agree with --list-rules; hostile
# input is reported without a crash or a hang (the sanitizer build runs
# this too).
set -u
. "${top_srcdir:-.}/tests/common.sh"
src=${top_srcdir:-.}
port="${top_builddir:-.}/tools/anysock-port"
scratch
# line:col rule, as the fixtures' .expected files hold them
findings() { sed -n 's/^\([^:]*:\)\{0,1\}\([^:]*\):\([0-9]*\):\([0-9]*\): warning: .*\[\(.*\)\]$/\3:\4 \5/p'; }

# Each fixture: every finding at the expected line:col, each with its note.
for f in positive pitfalls listeners shapes shapes2; do
    "$port" "$src/tests/port/$f.c" > "$tmp/$f" 2> "$tmp/$f.err"
    check "$f.c: exit 1 (findings)" 1 $?
    findings < "$tmp/$f" > "$tmp/$f.found"
    if cmp -s "$tmp/$f.found" "$src/tests/port/$f.expected"; then
        echo "ok   $f.c: every finding at the expected line:col"
    else
        echo "FAIL $f.c differs from $f.expected:"; diff "$src/tests/port/$f.expected" "$tmp/$f.found"; fail=1
    fi
    check "$f.c: every warning has its note" "$(grep -c ': warning: ' "$tmp/$f")" \
        "$(grep -c ': note: ' "$tmp/$f")"
done
check "the fixtures: every rule fires" "$("$port" --list-rules | grep -c '^[a-z]')" \
    "$(cat "$tmp/positive.found" "$tmp/pitfalls.found" "$tmp/listeners.found" \
           "$tmp/shapes.found" "$tmp/shapes2.found" | cut -d' ' -f2 | sort -u | wc -l | tr -d ' ')"

# A directory is one program: a listener in one file, its peers printed by
# another file's function; IPV6_V6ONLY set in another file; the first
# answer given to another file's connect wrapper (not by sub/, which is a
# program of its own).
(cd "$src/tests/port" && "$OLDPWD/$port" program 2>/dev/null) |
    sed -n 's/: warning: .*\[\(.*\)\]$/ \1/p' > "$tmp/program"
if cmp -s "$tmp/program" "$src/tests/port/program.expected"; then
    echo "ok   program/: a listener here, its peers printed through a function there;" \
         "a wrapper there connecting the first answer here"
else
    echo "FAIL program/ differs:"; diff "$src/tests/port/program.expected" "$tmp/program"; fail=1
fi
(cd "$src/tests/port" && "$OLDPWD/$port" program/server.c program/fetch.c program/sub/client.c \
    program/log.c program/dial.c 2>/dev/null) | sed -n 's/: warning: .*\[\(.*\)\]$/ \1/p' > "$tmp/program2"
check "program/: a subdirectory read between two files splits no program" \
    "$(cat "$src/tests/port/program.expected")" "$(cat "$tmp/program2")"
out=$("$port" "$src/tests/port/program-v6only" 2>&1)
check "program-v6only/: IPV6_V6ONLY set in the other file: nothing reported" \
    "anysock-port: 0 findings in 2 files" "$out"
check "positive.c: the count on stderr" 1 "$(grep -c '^anysock-port: 29 findings in 1 file: ' "$tmp/positive.err")"

# The note names the call that replaces the whole shape.
note() { "$port" "$src/tests/port/notes.c" 2>/dev/null | grep -F "notes.c:$1: note: " | grep -cF "$2"; }
check "notes: inet_addr as the numeric half of a lookup names anysock_connect" 1 \
    "$(note 13:16 'anysock_connect(text, service, ...)')"
check "notes: inet_addr alone names anysock_pton" 1 "$(note 41:9 'anysock_pton(text, &addr')"
check "notes: h_addr names anysock_connect" 1 "$(note 19:17 'anysock_connect(host, service, ...)')"
check "notes: h_addr of a bind address names anysock_listen" 1 \
    "$(note 28:27 'anysock_listen(host, service, ...)')"
check "notes: gethostbyname for bind names anysock_listen" 1 \
    "$(note 26:22 'anysock_listen(host, service, ...)')"
check "notes: inet_ntoa's drop-in prints no port" 1 "$(note 35:17 'ANYSOCK_NTOP_NOPORT')"
"$port" --json "$src/tests/port/notes.c" 2>/dev/null | grep -q '"fix": "anysock_connect(text, service'
check "--json: the note of the shape" 0 $?

out=$("$port" "$src/tests/port/negative.c" 2>&1)
check "negative.c: comments, strings, look-alikes, suppressions: exit 0" 0 $?
check "negative.c: nothing reported" "anysock-port: 0 findings in 1 file" "$out"
out=$("$port" "$src/tests/port/dualstack.c" 2>&1)
check "dualstack.c: per-family branches, the build without IPv6, correct dual-stack code: exit 0" 0 $?
check "dualstack.c: nothing reported" "anysock-port: 0 findings in 1 file" "$out"

(cd "$src" && "$OLDPWD/$port" examples/porting/daytime-server-legacy.c \
    examples/porting/daytime-client-legacy.c 2>/dev/null) |
    sed -n 's/: warning: .*\[\(.*\)\]$/ \1/p' > "$tmp/legacy"
if cmp -s "$tmp/legacy" "$src/tests/port/legacy.expected"; then
    echo "ok   the legacy examples: exactly the expected findings"
else
    echo "FAIL legacy findings differ:"; diff "$src/tests/port/legacy.expected" "$tmp/legacy"; fail=1
fi
out=$("$port" "$src/lib" "$src/examples/porting/daytime-server.c" "$src/examples/porting/daytime-client.c" \
    "$src/examples/porting/udp-echo-client.c" "$src"/examples/*.c "$src/tools" 2>&1)
rc=$?
check "the library, the ports, the tools and the other examples: clean (or suppressed with a reason)" 0 $rc
[ $rc = 0 ] || echo "$out"

# --rules, --json, usage
check "--rules inet-ntoa: only that rule" "15:17 inet-ntoa" \
    "$("$port" --rules inet-ntoa "$src/tests/port/positive.c" 2>/dev/null | findings)"
"$port" --rules no-such-rule "$src/tests/port/positive.c" > /dev/null 2>&1
check "--rules with an unknown id: exit 2" 2 $?
"$port" > /dev/null 2>&1
check "no arguments: exit 2" 2 $?
"$port" --json "$src/tests/port/positive.c" > "$tmp/json" 2>/dev/null
check "--json: one object per finding" 29 "$(grep -o '"rule": ' "$tmp/json" | wc -l | tr -d ' ')"
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d) == 29 and d[0]["line"] == 11' "$tmp/json"
    check "--json parses as JSON" 0 $?
fi
check "--json with nothing found: []" "[]" "$("$port" --json "$src/tests/port/negative.c" 2>/dev/null)"

# One source of truth: the man page and porting.md hold --list-rules' text.
sed -n '/^\.\\" rules: begin/,/^\.\\" rules: end/p' "$src/doc/anysock-port.1" | sed '1d;$d' > "$tmp/man"
"$port" --list-rules=man > "$tmp/man.want"
cmp -s "$tmp/man" "$tmp/man.want"
check "anysock-port.1 lists the rules as the program has them" 0 $?
sed -n '/^<!-- rules: begin/,/^<!-- rules: end/p' "$src/doc/porting.md" | sed '1d;$d' > "$tmp/md"
"$port" --list-rules=markdown > "$tmp/md.want"
cmp -s "$tmp/md" "$tmp/md.want"
check "porting.md lists the rules as the program has them" 0 $?

# Hostile input: reported, no crash, no hang.
h="$tmp/hostile"
mkdir -p "$h/loop"
printf 'int a; /* never closed\ninet_ntoa(x);\n' > "$h/comment.c"
printf 'const char *s = "never closed\ninet_ntoa(x);\n' > "$h/string.c"
awk 'BEGIN { print "int x;"; for (i = 0; i < 100; i++) printf "%79s\n", "" }' > "$h/nul.c"
head -c 64 /dev/zero >> "$h/nul.c"; printf '\ninet_ntoa(y);\n' >> "$h/nul.c"
printf 'inet_ntoa(z);\0\0\0\n' > "$h/binary.c"
ln -s .. "$h/loop/up"
ln -s "$h/loop" "$h/loop/self"
mkfifo "$h/fifo.c"
awk 'BEGIN { for (i = 0; i < 400000; i++) printf "x = inet_ntoa(a); "; print "" }' > "$h/long.c"
out=$(timeout 60 "$port" "$h/comment.c" 2>&1)
check "unterminated comment: noted, nothing inside reported" 0 $?
echo "$out" | grep -q 'comment.c:1: note: unterminated comment' || { echo "FAIL no note: $out"; fail=1; }
out=$(timeout 60 "$port" "$h/string.c" 2>&1)
check "unterminated string: noted, the next line scanned" 1 $?
echo "$out" | grep -q 'string.c:2:1: warning: .*\[inet-ntoa\]' || { echo "FAIL: $out"; fail=1; }
out=$(timeout 60 "$port" "$h/nul.c" 2>&1)
check "NUL bytes past the start: scanned" 1 $?
out=$(timeout 60 "$port" "$h/binary.c" 2>&1)
check "a binary file: noted and skipped" 0 $?
echo "$out" | grep -q 'binary file' || { echo "FAIL: $out"; fail=1; }
timeout 60 "$port" "$h/long.c" > "$tmp/long" 2>&1
check "a 7 MB single line: every finding, no hang" 400000 "$(grep -c ': warning: ' "$tmp/long")"
awk 'BEGIN { print "int f(char *p) {"; for (i = 0; i < 100000; i++) print "if (p) {";
    print "puts(inet_ntoa(a));"; for (i = 0; i < 100000; i++) print "}"; print "}" }' > "$h/deep.c"
timeout 60 "$port" "$h/deep.c" > "$tmp/deep" 2>&1
check "100,000 nested blocks: the finding inside, no crash" 1 "$(grep -c ': warning: .*\[inet-ntoa\]' "$tmp/deep")"
awk 'BEGIN { print "int f(int a, char *host) {"; print "if (a == 0) host++;";
    for (i = 1; i < 100000; i++) printf "else if (a == %d && *host == '"':'"') host = inet_ntoa(b);\n", i;
    print "return atoi(host + 1); }" }' > "$h/chain.c"
timeout 60 "$port" "$h/chain.c" > "$tmp/chain" 2>&1
check "100,000 else-ifs: every finding, no crash" 100000 "$(grep -c ': warning: ' "$tmp/chain")"
out=$(timeout 60 "$port" "$h" 2>&1)
rc=$?
[ $rc != 124 ] || { echo "FAIL: the symlink loop hangs"; fail=1; }
check "a directory with a symlink loop and a FIFO: exit 2 (the FIFO), the rest scanned" 2 $rc
echo "$out" | grep -q 'fifo.c: error: not a regular file' || { echo "FAIL: $out"; fail=1; }
out=$(timeout 60 "$port" "$h/no-such-file.c" "$src/tests/port/negative.c" 2>&1)
check "a missing file: exit 2, and the next one still scanned" 2 $?
echo "$out" | grep -q 'no-such-file.c: error: No such file' || { echo "FAIL: $out"; fail=1; }
echo "$out" | grep -q '0 findings in 1 file' || { echo "FAIL: $out"; fail=1; }
exit $fail
