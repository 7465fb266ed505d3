/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * statsd-load: the baseline's load generator for bench/run.  It sends the
 * same call records as the peers' benchmark (shared bench-peers loadgen)
 * as statsd lines over UDP to a statsd server (collectd's statsd plugin),
 * so that callscore can be compared with it in the same run on the same
 * machine.  One call record is 8 statsd lines:
 *
 *	cc.qNN.wait:<ms>|ms  cc.qNN.hold:<ms>|ms  cc.qNN.talk:<ms>|ms
 *	cc.qNN.csat:<1-5>|ms  cc.qNN.(un)resolved:1|c  cc.qNN.(no)fcr:1|c
 *	cc.agent.aNNN.talk:<ms>|ms  cc.agent.aNNN.calls:1|c
 *
 * so the records a server aggregated are the sum of its
 * cc.qNN.resolved and cc.qNN.unresolved counters.  Records are generated
 * once into a ring and replayed, whole records packed into datagrams of
 * at most -s bytes and sent with sendmmsg(2), so the sender spends its
 * time in system calls, not formatting.  Bounded by -n records and -t
 * seconds; -r paces records per second (0 = as fast as possible).  It
 * only sends to the address given (127.0.0.1 by default) and prints one
 * JSON object.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SL_LINES	8	/* statsd lines per call record */
#define SL_BATCH	64	/* datagrams per sendmmsg */
#define SL_MAXSEC	600	/* hard bound on a run */

static uint64_t	sl_state = 0x9E3779B97F4A7C15ULL;

static uint64_t	sl_rand(void);
static double	sl_urand(void);
static double	sl_mono(void);
static void	sl_usage(void) __attribute__((noreturn));

static uint64_t
sl_rand(void)
{
	uint64_t	x = sl_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (sl_state = x);
}

static double
sl_urand(void)
{
	return ((double)(sl_rand() >> 11) * (1.0 / 9007199254740992.0));
}

static double
sl_mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
}

static void
sl_usage(void)
{
	fprintf(stderr, "usage: statsd-load [-h host] [-p port] -n records "
	    "-t seconds [-r records/s]\n"
	    "                   [-q queues] [-a agents] [-s payload] "
	    "[-B ring]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 sa;
	struct mmsghdr		 msgs[SL_BATCH];
	struct iovec		 iov[SL_BATCH];
	struct timespec		 ts;
	const char		*host = "127.0.0.1";
	char			*buf;
	size_t			*roff, cap, used = 0, len, rl;
	long long		 nrec = 0, ring = 65536, sent = 0, pkts = 0;
	long long		 errs = 0, bytes = 0, cur = 0, i, k, brec, start;
	double			 maxsec = 0, rate = 0, t0, t1, tend, d, per;
	unsigned int		 wait, hold, talk, csat;
	int			 port = 8125, queues = 20, agents = 500;
	int			 payload = 1400, ch, fd, n, nb, maxb, off, r;
	int			 q, a, resolved, fcr, sb = 4 << 20;

	while ((ch = getopt(argc, argv, "a:B:h:n:p:q:r:s:t:")) != -1) {
		switch (ch) {
		case 'a':
			agents = atoi(optarg);
			break;
		case 'B':
			ring = atoll(optarg);
			break;
		case 'h':
			host = optarg;
			break;
		case 'n':
			nrec = atoll(optarg);
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'q':
			queues = atoi(optarg);
			break;
		case 'r':
			rate = atof(optarg);
			break;
		case 's':
			payload = atoi(optarg);
			break;
		case 't':
			maxsec = atof(optarg);
			break;
		default:
			sl_usage();
		}
	}
	if (nrec <= 0 || maxsec <= 0 || ring <= 0 || ring > 10000000 ||
	    queues <= 0 || queues > 99 || agents <= 0 || agents > 999 ||
	    payload < 256 || payload > 65000 || port <= 0 || port > 65535 ||
	    rate < 0)
		sl_usage();
	if (maxsec > SL_MAXSEC)
		maxsec = SL_MAXSEC;

	/* The ring of records: the sender replays it cyclically. */
	cap = (size_t)ring * 256;
	if ((buf = malloc(cap)) == NULL ||
	    (roff = calloc((size_t)ring + 1, sizeof *roff)) == NULL) {
		perror("statsd-load: malloc");
		return (1);
	}
	for (i = 0; i < ring; i++) {
		q = (int)(sl_rand() % (uint64_t)queues);
		a = (int)(sl_rand() % (uint64_t)agents);
		wait = (unsigned int)(-45000.0 * log(1.0 - sl_urand() * 0.999));
		hold = sl_urand() < 0.7 ? 0 :
		    5000 + (unsigned int)(sl_rand() % 115000);
		talk = 30000 + (unsigned int)(sl_rand() % 870000);
		csat = 1 + (unsigned int)(sl_rand() % 5);
		resolved = sl_urand() < 0.85;
		fcr = resolved && sl_urand() < 0.8;
		roff[i] = used;
		n = snprintf(buf + used, cap - used,
		    "cc.q%02d.wait:%u|ms\ncc.q%02d.hold:%u|ms\n"
		    "cc.q%02d.talk:%u|ms\ncc.q%02d.csat:%u|ms\n"
		    "cc.q%02d.%s:1|c\ncc.q%02d.%s:1|c\n"
		    "cc.agent.a%03d.talk:%u|ms\ncc.agent.a%03d.calls:1|c\n",
		    q, wait, q, hold, q, talk, q, csat,
		    q, resolved ? "resolved" : "unresolved",
		    q, fcr ? "fcr" : "nofcr", a, talk, a);
		if (n < 0 || (size_t)n >= cap - used) {
			fprintf(stderr, "statsd-load: ring overflow\n");
			return (1);
		}
		used += (size_t)n;
	}
	roff[ring] = used;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "statsd-load: %s: not an IPv4 address\n", host);
		return (2);
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("statsd-load: socket");
		return (1);
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sb, sizeof sb);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		perror("statsd-load: connect");
		return (1);
	}

	/* Datagrams per burst when paced: about 1 ms worth. */
	per = (double)payload / ((double)used / (double)ring);
	if (per < 1)
		per = 1;
	maxb = SL_BATCH;
	if (rate > 0) {
		maxb = (int)(rate / 1000.0 / per) + 1;
		if (maxb > SL_BATCH)
			maxb = SL_BATCH;
	}

	t0 = sl_mono();
	tend = t0 + maxsec;
	while (sent < nrec && sl_mono() < tend) {
		if (rate > 0 && (d = t0 + (double)sent / rate - sl_mono()) > 0) {
			ts.tv_sec = (time_t)d;
			ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
			nanosleep(&ts, NULL);
		}
		nb = 0;
		brec = 0;
		while (nb < maxb && sent + brec < nrec) {
			start = cur;
			len = 0;
			k = 0;
			while (cur < ring && sent + brec + k < nrec) {
				rl = roff[cur + 1] - roff[cur];
				if (len + rl > (size_t)payload && k > 0)
					break;
				len += rl;
				cur++;
				k++;
			}
			iov[nb].iov_base = buf + roff[start];
			iov[nb].iov_len = len;
			memset(&msgs[nb].msg_hdr, 0, sizeof msgs[nb].msg_hdr);
			msgs[nb].msg_hdr.msg_iov = &iov[nb];
			msgs[nb].msg_hdr.msg_iovlen = 1;
			brec += k;
			nb++;
			if (cur >= ring)
				cur = 0;
		}
		off = 0;
		while (off < nb) {
			r = sendmmsg(fd, msgs + off, (unsigned int)(nb - off), 0);
			if (r == -1) {
				if (errno == EINTR)
					continue;
				if (errno == ENOBUFS || errno == EAGAIN ||
				    errno == ECONNREFUSED) {
					errs++;	/* sent and lost */
					off++;
					continue;
				}
				perror("statsd-load: sendmmsg");
				return (1);
			}
			for (i = off; i < off + r; i++)
				bytes += msgs[i].msg_len;
			off += r;
		}
		pkts += nb;
		sent += brec;
	}
	t1 = sl_mono();
	close(fd);
	printf("{\"records\":%lld,\"lines\":%lld,\"datagrams\":%lld,"
	    "\"bytes\":%lld,\"send_errors\":%lld,\"elapsed\":%.6f,"
	    "\"rate\":%.1f,\"queues\":%d,\"agents\":%d,\"payload\":%d}\n",
	    sent, sent * SL_LINES, pkts, bytes, errs, t1 - t0,
	    t1 > t0 ? (double)sent / (t1 - t0) : 0, queues, agents, payload);
	free(buf);
	free(roff);
	return (0);
}
