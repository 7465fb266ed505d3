/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The control protocol shared by callscored and callscore
 * (callscore-protocol(7)): over a Unix stream socket, or the TCP port of
 * control.tcp, one JSON object per line each way.  Every request and
 * reply carries "v"; a peer refuses a major version it does not know.
 * On TCP the first line must be
 *
 *   {"v":1,"cmd":"auth","token":"..."}	(answered {"v":1,"ok":true})
 *
 * with the token of control.token_file; anything else closes the
 * connection without a reply.  On the Unix socket auth is answered and
 * changes nothing.  Requests:
 *
 *   {"v":1,"cmd":"status"}
 *   {"v":1,"cmd":"kpi","scope":"queue","name":"sales","window":"1h"}
 *	(scope: global|queue|agent|team; window optional = all windows)
 *	A window is a configured rolling one ("5m", "1h"...), or a calendar
 *	window in calendar.timezone: "today" (since local midnight) or
 *	"interval" (since the start of the current 15- or 30-minute
 *	interval).  Every request that takes a window takes these.
 *   {"v":1,"cmd":"queues","window":"15m"}	(window optional: first)
 *   {"v":1,"cmd":"agents","window":"15m"}
 *   {"v":1,"cmd":"teams","window":"15m"}
 *   {"v":1,"cmd":"snapshot"}			(answers once committed)
 *   {"v":1,"cmd":"reload"}			(answers once applied)
 *   {"v":1,"cmd":"scorecard","scope":"queue","name":"sales","window":"1h",
 *	"history":24}	(history: sparkline points wanted, 0 = none)
 *   {"v":1,"cmd":"history","kpi":"aht","scope":"queue","name":"sales",
 *	"window":"1h","since":86400}	(since: seconds back from now)
 *   {"v":1,"cmd":"live"}
 *   {"v":1,"cmd":"report","date":"2026-11-22","scope":"queue",
 *	"name":"sales"}	(date optional = today, local; scope as for kpi)
 *   {"v":1,"cmd":"backup","path":"copy.db"}	(answers once written;
 *	a relative path is taken from the state directory)
 *
 * Replies: {"v":1,"ok":true,...} or {"v":1,"ok":false,"error":"..."}.
 *
 *   status: "version","pid","uptime","time",
 *	"events":{"accepted","rejected","rate","rejects":{reason:n}},
 *	"connections":{"current","total","refused","idle_closed",
 *	    "oversize_closed"},
 *	"udp":{"datagrams","bytes"},
 *	"scopes":{"queues","agents","teams","rejected"},
 *	"snapshot":{"last","age","duration","count","errors"},
 *	"reload":{"ok","failed"},"backup":{"ok","failed"},
 *	"control":{"socket","tcp" (address, or null),"requests",
 *	    "tcp_accepted","tcp_refused","auth_ok","auth_failures"},
 *	"windows":["5m",...,"today","interval"] (rolling ones first)
 *   kpi: "scope","name","windows":[{"window":"5m",
 *	"kpis":{id: number|null, ...},"qa":{criterion: number|null}}]
 *   queues|agents|teams: "window","rows":[{"name":...,"kpis":{...}}]
 *   snapshot: "snapshot":{"time","duration","rows"}
 *   reload: "reload":{"config","count"}
 *   backup: "backup":{"path" (absolute),"bytes","seconds"}
 *   scorecard: "scope","name","window","overall": number|null,
 *	"perspectives":[{"id":"customer","title":"Customer",
 *	    "weight":40,"score": number|null,
 *	    "kpis":[{"id","title","unit","direction":"higher|lower|none",
 *		"value","target","amber" (null when no target),
 *		"status":"green|amber|red|none",
 *		"previous": value over the previous window of the same
 *		    length (from history; null if unknown),
 *		"history":[v, v, ...] (oldest first, evenly spaced, null
 *		    where no snapshot)}]}],
 *	"qa":{criterion: number|null}
 *	For today, "previous" is the value at this time yesterday; for
 *	interval, at the end of the previous interval; "history" spans the
 *	window from its start to now.
 *   history: "kpi","scope","name","window","points":[[time, value], ...]
 *   report: "scope","name","date","timezone" (name, or "local"),
 *	"interval" (seconds),
 *	"rows":[{"start": epoch,"label":"09:15" (local; "02:00 CEST" when
 *	    that time comes twice in the day),"open": false,
 *	    "kpis":{id: number|null, ...}}, ...] (in time order; intervals
 *	    that saw nothing are left out; today's come from the calendar
 *	    ring and end with the current interval, "open": true; other
 *	    days' from the intervals the snapshots stored),
 *	"total":{"kpis":{...},"qa":{...}} (the today window: today only)
 *   live: "time","totals":{"waiting","talking","on_hold","longest_wait",
 *	"agents_logged_in","agents_ready","agents_busy","agents_not_ready",
 *	"occupancy","expired","lost","duplicates","refused"},
 *	"queues":[{"name","waiting","talking","on_hold","longest_wait",
 *	    "service_level","answered","abandoned" (over the first window)}],
 *	"agents":[{"name","team","state":"ready|busy|not_ready|logged_in",
 *	    "since","reason","queue"}]
 */
#ifndef CTL_PROTO_H
#define CTL_PROTO_H

#define CTL_PROTO_VERSION	1
#define CTL_LINE_MAX		4096	/* a request line */

/*
 * Replace the bytes of incomplete UTF-8 sequences with '?'.  A reply that
 * quotes a shortened request string ("%.64s") can cut a character in half,
 * and every reply must stay valid JSON.
 */
static inline void
ctl_proto_utf8_clean(char *s)
{
	unsigned char	*u = (unsigned char *)s;
	unsigned int	 i, n, k;

	for (i = 0; u[i] != '\0'; i += n) {
		if (u[i] < 0x80) {
			n = 1;
			continue;
		}
		if ((u[i] & 0xe0) == 0xc0)
			n = 2;
		else if ((u[i] & 0xf0) == 0xe0)
			n = 3;
		else if ((u[i] & 0xf8) == 0xf0)
			n = 4;
		else
			n = 0;
		for (k = 1; n != 0 && k < n; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				n = 0;
		}
		if (n == 0) {
			u[i] = '?';
			n = 1;
		}
	}
}

#endif
