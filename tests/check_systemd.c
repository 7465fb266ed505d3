/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * Tests for the systemd unit as make generates it
 * ($CALLSCORE_BUILDDIR/systemd/callscored.service): every @var@ was
 * substituted, `systemd-analyze verify` has nothing to say (on stderr:
 * systemd 252 exits 0 even on keys it cannot parse), and
 * `systemd-analyze security --offline=yes` rates the sandbox 1.2 or
 * better.  Without systemd-analyze (or the build directory) the suite is
 * skipped (exit 77) with a note.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#define EXPOSURE_MAX	1.2	/* RELIABILITY.md S1, TCP-binding unit */
#define OUTPUT_MAX	(256 * 1024)

struct run {
	int	 status;	/* exit code, or -1 if it did not exit */
	char	*out;
	char	*err;
};

static char	 tmpdir[] = "/tmp/check_systemd.XXXXXX";
static char	*analyze;	/* systemd-analyze, or NULL */
static char	*unit;		/* the generated unit */

static void	 cleanup(void);
static char	*find_program(const char *);
static char	*read_file(const char *);
static void	 run_analyze(struct run *, const char *, const char *,
		     const char *, const char *);
static void	 run_free(struct run *);
static char	*unit_for_verify(const char *);
static char	*path_join(const char *, const char *);
static int	 has_var(const char *);

static char *
path_join(const char *dir, const char *name)
{
	char	*p;

	/* Also used from main(), outside a test: no ck_assert here. */
	if (asprintf(&p, "%s/%s", dir, name) == -1) {
		perror("asprintf");
		exit(1);
	}
	return (p);
}

/* An autoconf-style @var@ (not "@system-service"): 1 if any. */
static int
has_var(const char *s)
{
	const char	*p;

	for (; (s = strchr(s, '@')) != NULL; s = p) {
		for (p = s + 1; (*p >= 'a' && *p <= 'z') || *p == '_'; p++)
			continue;
		if (*p == '@' && p > s + 1)
			return (1);
	}
	return (0);
}

/* An executable called name in $PATH, or NULL. */
static char *
find_program(const char *name)
{
	const char	*path = getenv("PATH");
	char		*copy, *dir, *last, *p;

	if (path == NULL || *path == '\0')
		path = "/usr/bin:/bin";
	if ((copy = strdup(path)) == NULL) {
		perror("strdup");
		exit(1);
	}
	for (dir = strtok_r(copy, ":", &last); dir != NULL;
	    dir = strtok_r(NULL, ":", &last)) {
		p = path_join(*dir != '\0' ? dir : ".", name);
		if (access(p, X_OK) == 0) {
			free(copy);
			return (p);
		}
		free(p);
	}
	free(copy);
	return (NULL);
}

/* The whole of a (small) file, NUL-terminated; NULL if absent. */
static char *
read_file(const char *path)
{
	char	*buf;
	ssize_t	 n;
	size_t	 len = 0;
	int	 fd;

	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1)
		return (NULL);
	buf = malloc(OUTPUT_MAX + 1);
	ck_assert_ptr_nonnull(buf);
	while (len < OUTPUT_MAX &&
	    (n = read(fd, buf + len, OUTPUT_MAX - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		ck_assert_int_gt(n, 0);
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (buf);
}

/*
 * Run systemd-analyze with up to three arguments and the unit; stdout
 * and stderr go to files (no pipe to deadlock on), read back after.
 */
static void
run_analyze(struct run *r, const char *a1, const char *a2, const char *a3,
    const char *file)
{
	const char	*argv[8];
	char		*out, *err;
	pid_t		 pid;
	int		 fd, i = 0, status;

	argv[i++] = "systemd-analyze";
	argv[i++] = a1;
	if (a2 != NULL)
		argv[i++] = a2;
	if (a3 != NULL)
		argv[i++] = a3;
	argv[i++] = "--no-pager";
	argv[i++] = file;
	argv[i] = NULL;

	out = path_join(tmpdir, "stdout");
	err = path_join(tmpdir, "stderr");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* Plain ASCII, no colours: the output is parsed. */
		setenv("LC_ALL", "C", 1);
		setenv("SYSTEMD_COLORS", "0", 1);
		setenv("SYSTEMD_PAGER", "", 1);
		if ((fd = open(out, O_WRONLY|O_CREAT|O_TRUNC, 0600)) == -1 ||
		    dup2(fd, 1) == -1)
			_exit(126);
		if ((fd = open(err, O_WRONLY|O_CREAT|O_TRUNC, 0600)) == -1 ||
		    dup2(fd, 2) == -1)
			_exit(126);
		execv(analyze, (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		ck_assert_int_eq(errno, EINTR);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r->out = read_file(out);
	r->err = read_file(err);
	ck_assert_ptr_nonnull(r->out);
	ck_assert_ptr_nonnull(r->err);
	unlink(out);
	unlink(err);
	free(out);
	free(err);
}

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/*
 * verify checks that ExecStart= and ExecReload= are executable, so the
 * copy it sees names the binaries just built ($CALLSCORED, $CALLSCORE)
 * instead of the installed ones.  The file keeps its name: verify takes
 * the unit name from it.
 */
static char *
unit_for_verify(const char *text)
{
	const char	*keys[] = { "ExecStart=", "ExecReload=" };
	const char	*envs[] = { "CALLSCORED", "CALLSCORE" };
	const char	*line, *next, *bin, *word;
	char		*dir, *path;
	FILE		*f;
	size_t		 i, klen;

	dir = path_join(tmpdir, "verify");
	ck_assert(mkdir(dir, 0700) == 0 || errno == EEXIST);
	path = path_join(dir, "callscored.service");
	free(dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (line = text; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		for (i = 0; i < 2; i++) {
			klen = strlen(keys[i]);
			bin = getenv(envs[i]);
			if (bin == NULL || *bin == '\0' ||
			    strncmp(line, keys[i], klen) != 0)
				continue;
			/* Replace the program, keep its arguments. */
			word = line + klen;
			while (word < next && *word != ' ' && *word != '\n')
				word++;
			fprintf(f, "%s%s", keys[i], bin);
			line = word;
			break;
		}
		fwrite(line, 1, (size_t)(next - line), f);
	}
	ck_assert_int_eq(fclose(f), 0);
	return (path);
}

/* Everything the tests left in tmpdir; from main(), so failures too. */
static void
cleanup(void)
{
	const char	*names[] = { "verify/callscored.service", "verify",
			    "stdout", "stderr" };
	char		*p;
	size_t		 i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		p = path_join(tmpdir, names[i]);
		if (unlink(p) == -1 && errno == EISDIR)
			rmdir(p);
		free(p);
	}
	rmdir(tmpdir);
}

/* make filled in every @var@ with an absolute path. */
START_TEST(test_generated)
{
	char	*text, *p;

	text = read_file(unit);
	ck_assert_msg(text != NULL, "%s: cannot read it", unit);
	ck_assert_msg(!has_var(text), "%s: an @var@ is left", unit);
	ck_assert_ptr_nonnull(strstr(text, "\nType=notify\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nNotifyAccess=main\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nWatchdogSec=30s\n"));
	p = strstr(text, "\nExecStart=/");
	ck_assert_ptr_nonnull(p);
	p = strchr(p + 1, ' ');
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(strncmp(p - 11, "/callscored -c /", 16), 0);
	p = strstr(text, "\nExecReload=/");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(strstr(p, "callscore --config /"));
	free(text);
}
END_TEST

START_TEST(test_verify)
{
	struct run	 r;
	char		*text, *copy;

	text = read_file(unit);
	ck_assert_ptr_nonnull(text);
	copy = unit_for_verify(text);
	run_analyze(&r, "verify", "--man=no", NULL, copy);
	ck_assert_msg(r.err[0] == '\0', "systemd-analyze verify %s:\n%s",
	    copy, r.err);
	ck_assert_int_eq(r.status, 0);
	run_free(&r);
	free(copy);
	free(text);
}
END_TEST

START_TEST(test_security)
{
	struct run	 r;
	const char	*key;
	char		*p, *end;
	double		 exposure;

	key = "Overall exposure level for callscored.service: ";
	/* Threshold is exposure x 10: fails above 1.2. */
	run_analyze(&r, "security", "--offline=yes", "--threshold=12", unit);
	p = strstr(r.out, key);
	ck_assert_msg(p != NULL, "no exposure level in:\n%s%s", r.out, r.err);
	exposure = strtod(p + strlen(key), &end);
	ck_assert_ptr_ne(end, p + strlen(key));
	fprintf(stderr, "check_systemd: exposure %.1f\n", exposure);
	ck_assert_double_le(exposure, EXPOSURE_MAX);
	ck_assert_msg(r.status == 0, "exit %d:\n%s", r.status, r.err);
	run_free(&r);
}
END_TEST

static Suite *
systemd_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("systemd");
	tc = tcase_create("unit");
	tcase_add_test(tc, test_generated);
	tcase_add_test(tc, test_verify);
	tcase_add_test(tc, test_security);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner		*sr;
	const char	*builddir;
	int		 failures;

	builddir = getenv("CALLSCORE_BUILDDIR");
	if (builddir == NULL || *builddir == '\0') {
		printf("check_systemd: CALLSCORE_BUILDDIR is not set; "
		    "skipped\n");
		return (77);
	}
	if ((analyze = find_program("systemd-analyze")) == NULL) {
		printf("check_systemd: systemd-analyze not found; skipped\n");
		return (77);
	}
	unit = path_join(builddir, "systemd/callscored.service");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return (1);
	}

	sr = srunner_create(systemd_suite());
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	cleanup();
	free(unit);
	free(analyze);
	return (failures ? 1 : 0);
}
