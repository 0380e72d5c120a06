#!/bin/sh
# The library's files call each other one way only (STYLE.md, "The house
# stays one-way"): when two files need the same helper, it moves one level
# down instead of each calling the other. From the built objects, file A
# depends on file B when A uses a symbol that B defines (nm); this fails
# when files depend on each other in a cycle, naming them and the symbols.
#
#   lib-deps.sh [--levels | --deps] [OBJECT-OR-ARCHIVE...]
#
# --levels prints the levels: 0 for the files that call no other file of
# the library, n for those whose callees all sit below n. --deps prints
# each file's callees. Without objects: the library in $top_builddir/lib.
set -eu

mode=check
case ${1:-} in
--levels) mode=levels; shift ;;
--deps) mode=deps; shift ;;
-*) echo "usage: $0 [--levels | --deps] [OBJECT...]" >&2; exit 2 ;;
esac

nm=${NM:-nm} # libtool's NM may carry a flag ("nm -B"): -P below wins
command -v "${nm%% *}" >/dev/null 2>&1 || { echo "no nm (${nm%% *}): skipping"; exit 77; }

if [ $# -eq 0 ]; then
    # The archive holds exactly the library's objects; a directory may
    # also hold stale ones of a file since removed.
    lib=${top_builddir:-.}/lib
    if [ -f "$lib/.libs/libanysock.a" ]; then
        set -- "$lib/.libs/libanysock.a"
    elif ls "$lib"/.libs/libanysock_la-*.o >/dev/null 2>&1; then
        set -- "$lib"/.libs/libanysock_la-*.o
    else
        set -- "$lib"/libanysock_la-*.o
    fi
fi
for f in "$@"; do
    [ -f "$f" ] || { echo "FAIL: no object $f: build the library first"; exit 1; }
done

# POSIX output with file names: "file.o: name type ..." or, from an
# archive, "lib.a[file.o]: name type ...".
# shellcheck disable=SC2086
$nm -P -A "$@" | awk -v mode="$mode" '
function file_of(s) {
	sub(/:$/, "", s)
	if (match(s, /\[[^]]*\]$/))
		s = substr(s, RSTART + 1, RLENGTH - 2)
	sub(/.*\//, "", s)
	sub(/^libanysock_la-/, "", s)
	sub(/\.o$/, "", s)
	return s
}
# Sort names[1..n] in place (a handful of files: insertion sort).
function sort_names(names, n,    i, j, t) {
	for (i = 2; i <= n; i++) {
		t = names[i]
		for (j = i - 1; j > 0 && names[j] > t; j--)
			names[j + 1] = names[j]
		names[j + 1] = t
	}
}
NF >= 3 {
	f = file_of($1)
	if (!(f in seen)) {
		seen[f] = 1
		file[++nfiles] = f
	}
	if ($3 == "U")
		use[++nuses] = f SUBSEP $2
	else if ($3 ~ /^[A-Z]$/)
		def[$2] = f
}
END {
	sort_names(file, nfiles)
	for (u = 1; u <= nuses; u++) {
		split(use[u], p, SUBSEP)
		if (!(p[2] in def) || def[p[2]] == p[1])
			continue
		if (!((p[1], def[p[2]]) in dep))
			edges++
		dep[p[1], def[p[2]]] = 1
		why[p[1], def[p[2]]] = why[p[1], def[p[2]]] " " p[2]
	}
	if (nfiles < 2 || edges == 0) {
		printf "FAIL: found %d files and %d calls between them: is the output of nm understood?\n", nfiles, edges
		exit 1
	}
	if (mode == "deps") {
		for (i = 1; i <= nfiles; i++) {
			line = file[i] ":"
			for (j = 1; j <= nfiles; j++)
				if ((file[i], file[j]) in dep)
					line = line " " file[j]
			print line
		}
	}

	# Levels: a file gets one once all its callees have theirs.
	done = 0
	for (changed = 1; changed;) {
		changed = 0
		for (i = 1; i <= nfiles; i++) {
			f = file[i]
			if (f in level)
				continue
			top = -1
			ready = 1
			for (j = 1; j <= nfiles && ready; j++) {
				g = file[j]
				if (!((f, g) in dep))
					continue
				if (!(g in level))
					ready = 0
				else if (level[g] > top)
					top = level[g]
			}
			if (ready) {
				level[f] = top + 1
				if (level[f] > maxlevel)
					maxlevel = level[f]
				done++
				changed = 1
			}
		}
	}

	if (done == nfiles) {
		if (mode == "levels")
			for (l = 0; l <= maxlevel; l++) {
				line = "level " l ":"
				for (i = 1; i <= nfiles; i++)
					if (level[file[i]] == l)
						line = line " " file[i]
				print line
			}
		printf "lib-deps: %d files, %d calls between files, %d levels, no cycle\n", nfiles, edges, maxlevel + 1
		exit 0
	}

	# A cycle: which files call each other (reach both ways), and how.
	for (i = 1; i <= nfiles; i++)
		for (j = 1; j <= nfiles; j++)
			if ((file[i], file[j]) in dep)
				reach[file[i], file[j]] = 1
	for (k = 1; k <= nfiles; k++)
		for (i = 1; i <= nfiles; i++)
			if ((file[i], file[k]) in reach)
				for (j = 1; j <= nfiles; j++)
					if ((file[k], file[j]) in reach)
						reach[file[i], file[j]] = 1
	ncycles = 0
	for (i = 1; i <= nfiles; i++) {
		f = file[i]
		if (!((f, f) in reach) || (f in grouped))
			continue
		ncycles++
		line = "["
		n = 0
		for (j = 1; j <= nfiles; j++) {
			g = file[j]
			if ((f, g) in reach && (g, f) in reach) {
				grouped[g] = 1
				member[++n] = g
				line = line (n > 1 ? " " : "") g
			}
		}
		cycle[ncycles] = line "]"
		for (a = 1; a <= n; a++)
			for (b = 1; b <= n; b++)
				if ((member[a], member[b]) in dep)
					calls[ncycles] = calls[ncycles] "\n  " member[a] " -> " member[b] ":" why[member[a], member[b]]
	}
	printf "FAIL: lib/ has %d call cycle(s) between files; move what both sides use one level down:\n", ncycles
	for (c = 1; c <= ncycles; c++)
		printf "%s%s\n", cycle[c], calls[c]
	exit 1
}'
