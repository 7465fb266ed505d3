#!/bin/sh
# Replay the committed fuzz corpus through every harness, built as plain
# programs (fuzz/replay_*, main() in fuzz/replay.c), so `make check`
# keeps the corpus honest without clang or libFuzzer.  A crash, a broken
# invariant (abort) or, in a sanitizer build, a memory error fails it.
# Run from the top build directory, as `make check` does.
#
# The programs are those the Makefile built (FUZZ_REPLAY); target T
# replays fuzz/corpus/T/, or the corpus of the target its name starts
# with (event_diff: event).  Every corpus needs a program and every
# program a corpus.  REPLAY_WRAPPER, if set, prefixes each run (valgrind
# in scripts/sanitize).
srcdir=${CALLSCORE_SRCDIR:-${srcdir:-$(dirname "$0")/..}}
status=0
n=0
for prog in ./fuzz/replay_*; do
	[ -f "$prog" ] && [ -x "$prog" ] || continue
	t=${prog#./fuzz/replay_}
	corpus=$srcdir/fuzz/corpus/$t
	[ -d "$corpus" ] || corpus=$srcdir/fuzz/corpus/${t%%_*}
	if [ ! -d "$corpus" ]; then
		echo "FAIL: $prog: no fuzz/corpus/$t"
		status=1
		continue
	fi
	n=$((n + 1))
	if ! $REPLAY_WRAPPER "$prog" "$corpus"; then
		echo "FAIL: $prog on $corpus"
		status=1
	fi
done
for corpus in "$srcdir"/fuzz/corpus/*; do
	t=${corpus##*/}
	if [ ! -x "./fuzz/replay_$t" ]; then
		echo "FAIL: fuzz/corpus/$t: fuzz/replay_$t is not built" \
		    "(Makefile.am FUZZ_REPLAY)"
		status=1
	fi
done
if [ "$n" -eq 0 ]; then
	echo "FAIL: no fuzz/replay_* programs in $(pwd)"
	status=1
fi
exit $status
