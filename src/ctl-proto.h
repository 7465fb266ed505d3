/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The control protocol shared by callscored and callscore
 * (callscore-protocol(7)): over a Unix stream socket, one JSON object per
 * line each way.  Every request and reply carries "v"; a peer refuses a
 * major version it does not know.  Requests:
 *
 *   {"v":1,"cmd":"status"}
 *   {"v":1,"cmd":"kpi","scope":"queue","name":"sales","window":"1h"}
 *	(scope: global|queue|agent|team; window optional = all windows)
 *   {"v":1,"cmd":"queues","window":"15m"}	(window optional: first)
 *   {"v":1,"cmd":"agents","window":"15m"}
 *   {"v":1,"cmd":"teams","window":"15m"}
 *   {"v":1,"cmd":"snapshot"}			(answers once committed)
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
 *	"windows":["5m",...]
 *   kpi: "scope","name","windows":[{"window":"5m",
 *	"kpis":{id: number|null, ...},"qa":{criterion: number|null}}]
 *   queues|agents|teams: "window","rows":[{"name":...,"kpis":{...}}]
 *   snapshot: "snapshot":{"time","duration","rows"}
 */
#ifndef CTL_PROTO_H
#define CTL_PROTO_H

#define CTL_PROTO_VERSION	1
#define CTL_LINE_MAX		4096	/* a request line */

#endif
