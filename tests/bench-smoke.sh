#!/bin/sh
# Every benchmark step once on tiny loads; checks sanity, not speed.
exec python3 "${CALLSCORE_SRCDIR:-.}/bench/run" --smoke
