/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * The control socket server (ctl-proto.h): answers callscore.
 */
#ifndef CTL_H
#define CTL_H

struct callscored;
struct conf;
struct ctl;

/* Bind the control socket; NULL with *cause on failure. */
struct ctl	*ctl_new(struct callscored *, char **);
void		 ctl_free(struct ctl *);
/* The control socket's path. */
const char	*ctl_path(const struct ctl *);
/*
 * Before a reload swaps in next: read its token file again if TCP
 * control is on.  -1 with *cause (the running token stays).
 */
int		 ctl_reconf(struct ctl *, const struct conf *, char **);

#endif
