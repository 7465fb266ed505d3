#!/bin/sh
#
# Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
#
# Drive "callscore top" on a real terminal: a detached tmux session on a
# private tmux server.  Checks that a frame fits the window and follows a
# resize, that a daemon that cannot be reached is shown and retried, and
# that every way out (q, ^C, SIGTERM) leaves the alternate screen, shows
# the cursor and restores the terminal modes.  Also that top refuses a
# standard output that is not a terminal.
#
# usage: CALLSCORE=/path/to/callscore tests/top.sh control-socket
# The daemon behind control-socket must answer "status" and "live".
# Exit status: 0 pass, 1 fail, 77 skip (no tmux).

sock=$1
if [ -z "$CALLSCORE" ] || [ -z "$sock" ]; then
	echo "usage: CALLSCORE=callscore $0 control-socket" >&2
	exit 1
fi
if ! command -v tmux >/dev/null 2>&1; then
	echo "top.sh: tmux not found, skipped"
	exit 77
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/callscore-top.XXXXXX") || exit 1
tmux="tmux -L callscore-top-$$ -f /dev/null"
trap '$tmux kill-server >/dev/null 2>&1; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "top.sh: FAIL: $*" >&2
	if [ -f "$dir/pane" ]; then
		echo "--- last screen:" >&2
		cat "$dir/pane" >&2
		echo "---" >&2
	fi
	exit 1
}

# Save the screen in $dir/pane.
capture() {
	$tmux capture-pane -p -t top >"$dir/pane" 2>/dev/null
}

# Wait (at most 10 s) until the screen has a line matching the regex $1.
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		capture
		grep -q -- "$1" "$dir/pane" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "no line matching \"$1\" on the screen${2:+ ($2)}"
}

pane() {
	$tmux display-message -p -t top "$1"
}

# Start top in a new session; "top-exit=N" and the modes follow its end.
start() {
	$tmux kill-session -t top >/dev/null 2>&1
	cat >"$dir/run" <<EOF
#!/bin/sh
# ^C goes to the whole foreground group: this shell must outlive it.
trap : INT
sh -c 'echo \$\$ >"\$1"; exec "\$2" --socket "\$3" top' sh \
    "$dir/pid" "$CALLSCORE" "$1"
echo "top-exit=\$?"
stty -a | tr ' ;' '\n\n' | grep -x -e '-*icanon' -e '-*echo' | tr '\n' ' '
echo
exec sleep 600
EOF
	chmod +x "$dir/run"
	rm -f "$dir/pid"
	$tmux new-session -d -s top -x 100 -y 30 "$dir/run" ||
	    fail "cannot start tmux"
}

# The terminal is back: top has exited with $1, modes and screen restored.
check_restored() {
	wait_for '^-*icanon -*echo *$' "$2"
	grep -q "^top-exit=$1\$" "$dir/pane" ||
	    fail "exit status is not $1 after $2"
	grep -q '^icanon echo *$' "$dir/pane" ||
	    fail "terminal modes not restored after $2"
	[ "$(pane '#{alternate_on}')" = 0 ] ||
	    fail "still on the alternate screen after $2"
	[ "$(pane '#{cursor_flag}')" = 1 ] ||
	    fail "cursor still hidden after $2"
}

# Not a terminal: refused.
"$CALLSCORE" --socket "$sock" top </dev/null >"$dir/out" 2>"$dir/err"
rv=$?
[ $rv -eq 1 ] || fail "top on a pipe exited $rv, not 1"
grep -q "not a terminal" "$dir/err" || fail "top on a pipe: no reason given"

# A frame that fits, on the alternate screen, without a cursor.
start "$sock"
wait_for '^callscore top  .*  q: quit$' "first frame"
wait_for '^calls: [0-9]* waiting' "first frame"
wait_for '^agents: [0-9]* logged in' "first frame"
[ "$(pane '#{alternate_on}')" = 1 ] || fail "not on the alternate screen"
[ "$(pane '#{cursor_flag}')" = 0 ] || fail "cursor not hidden"
awk 'length($0) > 100 { exit 1 }' "$dir/pane" ||
    fail "a line is wider than 100 columns"
# The header is flush with the right edge: exactly the width.
[ "$(head -n 1 "$dir/pane" | awk '{ print length($0) }')" = 100 ] ||
    fail "header not 100 columns wide"

# SIGWINCH: the next frame fits the new size at once.
$tmux resize-window -t top -x 60 -y 12 || fail "cannot resize"
i=0
while :; do
	capture
	[ "$(head -n 1 "$dir/pane" | awk '{ print length($0) }')" = 60 ] &&
	    break
	i=$((i + 1))
	[ $i -lt 100 ] || fail "header not refit to 60 columns"
	sleep 0.1
done
awk 'length($0) > 60 { exit 1 }' "$dir/pane" ||
    fail "a line is wider than 60 columns after resize"
[ "$(grep -c . "$dir/pane")" -le 12 ] || fail "more than 12 lines"
grep -q '^agents: ' "$dir/pane" || fail "agents summary cut after resize"

# q quits.
$tmux send-keys -t top q
check_restored 0 "q"

# ^C: SIGINT, as a shell expects.
start "$sock"
wait_for '^calls: ' "before ^C"
$tmux send-keys -t top C-c
check_restored 130 "^C"

# SIGTERM.
start "$sock"
wait_for '^calls: ' "before SIGTERM"
[ -s "$dir/pid" ] || fail "no pid"
kill -TERM "$(cat "$dir/pid")" || fail "cannot signal top"
check_restored 143 "SIGTERM"

# No daemon: said on screen, retried, quit still works.
start "$dir/nosuch.sock"
wait_for '^disconnected: cannot connect to ' "without a daemon"
$tmux send-keys -t top q
check_restored 0 "q without a daemon"

echo "top.sh: ok"
exit 0
