#!/bin/sh
# Replay the committed fuzz corpus through every harness, built as plain
# programs (fuzz/replay_*, main() in fuzz/replay.c), so `make check`
# keeps the corpus honest without clang or libFuzzer.  A crash, a broken
# invariant (abort) or, in a sanitizer build, a memory error fails it.
# Run from the top build directory, as `make check` does.
srcdir=${CALLSCORE_SRCDIR:-${srcdir:-$(dirname "$0")/..}}
status=0
for t in event event_diff conf ctl ring; do
	prog=./fuzz/replay_$t
	if [ ! -x "$prog" ]; then
		echo "$prog: not built"
		status=1
		continue
	fi
	if ! "$prog" "$srcdir/fuzz/corpus/$t"; then
		echo "FAIL: $prog on $srcdir/fuzz/corpus/$t"
		status=1
	fi
done
exit $status
