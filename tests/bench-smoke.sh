#!/bin/sh
# Every benchmark step once on tiny loads; checks sanity, not speed.  The
# A/B step compares the build with itself.
run="${CALLSCORE_SRCDIR:-.}/bench/run"
python3 "$run" --smoke || exit 1
exec python3 "$run" --smoke --ab "${CALLSCORED:-src/callscored}"
