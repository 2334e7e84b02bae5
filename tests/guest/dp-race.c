// SPDX-License-Identifier: GPL-2.0-only
/*
 * dp's racers (listed in dp.c), for t-safety.sh: exports, imports, maps,
 * moves and dumps run against a provider's unbind, an unprivileged dump
 * and a move, every error counted by name.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/dmapeek.h>

#include "dp.h"
#include "lab-util.h"
#include "nl-op.h"
#include "nl-sock.h"

/*
 * One netlink request on a socket kept open (the loops below make many):
 * @valid sees each reply message, a dump's interruptions
 * (NLM_F_DUMP_INTR) are counted in *@intr.  Returns 0, the module's
 * -errno, or -EIO when libnl fails.
 */
struct loop_req {
	int done;
	int err;
	int intr;
	int (*valid)(struct nlattr **tb, void *arg);
	void *arg;
	int maxattr;
};

static int loop_valid_cb(struct nl_msg *msg, void *arg)
{
	struct loop_req *r = arg;
	struct nlattr *tb[64];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, r->maxattr, NULL) < 0)
		return NL_SKIP;
	return r->valid ? r->valid(tb, r->arg) : NL_OK;
}

static int loop_done_cb(struct nl_msg *msg __attribute__((unused)), void *arg)
{
	((struct loop_req *)arg)->done = 1;
	return NL_STOP;
}

static int loop_intr_cb(struct nl_msg *msg __attribute__((unused)), void *arg)
{
	((struct loop_req *)arg)->intr++;
	return NL_OK;
}

static int loop_err_cb(struct sockaddr_nl *nla __attribute__((unused)),
		       struct nlmsgerr *e, void *arg)
{
	struct loop_req *r = arg;

	r->err = e->error;
	r->done = 1;
	return NL_STOP;
}

static int loop_request(struct nl_sock *sk, int family, int cmd, int dump, int maxattr,
			int attr, unsigned int val,
			int (*valid)(struct nlattr **tb, void *arg), void *arg, int *intr)
{
	struct loop_req r = { .valid = valid, .arg = arg, .maxattr = maxattr };
	struct nl_msg *msg;
	struct nl_cb *cb;
	int ret;

	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, dump ? NLM_F_DUMP : 0,
		    cmd, DMAPEEK_FAMILY_VERSION);
	if (attr)
		nla_put_u32(msg, attr, val);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, loop_valid_cb, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, loop_done_cb, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, loop_done_cb, &r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, loop_intr_cb, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, loop_err_cb, &r);
	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	while (ret >= 0 && !r.done)
		ret = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (intr)
		*intr += r.intr;
	if (r.err)
		return r.err;
	return ret < 0 ? -EIO : 0;
}

/* The dmapeek id of the provider (BAR @bar) or device (@bar < 0) at @bdf. */
struct find_bdf {
	const char *bdf;
	int bar;
	unsigned int id;
};

static int find_provider_cb(struct nlattr **tb, void *arg)
{
	struct find_bdf *f = arg;

	if (tb[DMAPEEK_A_PROVIDER_ID] && tb[DMAPEEK_A_PROVIDER_BDF] &&
	    tb[DMAPEEK_A_PROVIDER_BAR] &&
	    !strcmp(nla_get_string(tb[DMAPEEK_A_PROVIDER_BDF]), f->bdf) &&
	    (int)nla_get_u32(tb[DMAPEEK_A_PROVIDER_BAR]) == f->bar)
		f->id = nla_get_u32(tb[DMAPEEK_A_PROVIDER_ID]);
	return NL_OK;
}

static int find_device_cb(struct nlattr **tb, void *arg)
{
	struct find_bdf *f = arg;

	if (tb[DMAPEEK_A_DEVICE_ID] && tb[DMAPEEK_A_DEVICE_BDF] &&
	    !strcmp(nla_get_string(tb[DMAPEEK_A_DEVICE_BDF]), f->bdf))
		f->id = nla_get_u32(tb[DMAPEEK_A_DEVICE_ID]);
	return NL_OK;
}

static unsigned int find_by_bdf(struct nl_sock *sk, int family, const char *bdf, int bar)
{
	struct find_bdf f = { .bdf = bdf, .bar = bar };

	if (bar >= 0)
		loop_request(sk, family, DMAPEEK_CMD_PROVIDER_GET, 1, DMAPEEK_A_PROVIDER_MAX,
			     0, 0, find_provider_cb, &f, NULL);
	else
		loop_request(sk, family, DMAPEEK_CMD_DEVICE_GET, 1, DMAPEEK_A_DEVICE_MAX,
			     0, 0, find_device_cb, &f, NULL);
	return f.id;
}

/* What a racing operation may meet, counted by name. */
struct race_counts {
	unsigned long ops, ok, enodev, enoent, enxio, unexpected;
};

/* Count @ret of @op; ENXIO only where @enxio_ok (an unmap: already unmapped). */
static void race_count(struct race_counts *c, const char *op, int ret, int enxio_ok,
		       unsigned long iter)
{
	c->ops++;
	if (!ret) {
		c->ok++;
	} else if (ret == -ENODEV) {
		c->enodev++;
	} else if (ret == -ENOENT) {
		c->enoent++;
	} else if (ret == -ENXIO && enxio_ok) {
		c->enxio++;
	} else {
		c->unexpected++;
		printf("unexpected: %s at iteration %lu: %s (%d)\n", op, iter, lab_errno_name(-ret), ret);
		fflush(stdout);
	}
}

/*
 * race BDF EDUDEV SECONDS SEED EDUMAP: while the test binds and unbinds the
 * device at BDF, export from its BAR2 provider (found again by BDF each
 * round: a rebind makes new ids), import the buffer into that device and
 * into the edu, map (the edu only with EDUMAP 1: where the pair has a P2P
 * path), sometimes move a movable one to system memory, unmap, detach and
 * close, in an order the seed picks.  Every error must be one a vanished
 * provider or device explains: ENODEV, ENOENT (and ENXIO from an unmap the
 * invalidation already did).  Prints "race iterations=N ops=N ok=N
 * enodev=N enoent=N enxio=N noprov=N unexpected=N"; exit 1 on an
 * unexpected error.
 */
static int race(const char *bdf, unsigned int edu, int seconds, uint64_t seed, int edumap)
{
	struct race_counts c = { 0 };
	unsigned long iter = 0, noprov = 0;
	double end = lab_now_s() + seconds;
	struct nl_sock *sk;
	int family, dfd = dp_dev_fd();

	sk = dp_nl_connect();
	if (!sk || (family = genl_ctrl_resolve(sk, DMAPEEK_FAMILY_NAME)) < 0) {
		printf("err netlink\n");
		return 1;
	}
	seed |= 1;
	while (lab_now_s() < end) {
		struct dmapeek_export e = { .size = sizeof(e) };
		unsigned int prov, ivdev, a1 = 0, a2 = 0;
		uint64_t r = rng_xorshift64(&seed);
		int ret, fd, m1 = 0, m2 = 0;

		iter++;
		prov = find_by_bdf(sk, family, bdf, 2);
		ivdev = find_by_bdf(sk, family, bdf, -1);
		if (!prov || !ivdev) {
			noprov++;
			usleep(2000 + r % 20000);
			continue;
		}
		e.provider_id = prov;
		e.model = 1 + r % 3;
		e.length = (1 + (r >> 8) % 4) * 65536;
		snprintf(e.name, sizeof(e.name), "race-%lu", iter);
		ret = ioctl(dfd, DMAPEEK_IOC_EXPORT, &e) ? -errno : 0;
		race_count(&c, "export", ret, 0, iter);
		if (ret)
			continue;
		fd = e.fd;
		ret = dp_import(dfd, fd, ivdev, DMAPEEK_IMPORT_DYNAMIC | DMAPEEK_IMPORT_PEER2PEER,
			     DMAPEEK_BEHAVIOUR_NORMAL, 0, &a1);
		race_count(&c, "import by the provider's device", ret, 0, iter);
		if (!ret && (r >> 16) % 4) {
			ret = dp_nl_map(a1);
			race_count(&c, "map by the provider's device", ret, 0, iter);
			m1 = !ret;
		}
		ret = dp_import(dfd, fd, edu, DMAPEEK_IMPORT_DYNAMIC | DMAPEEK_IMPORT_PEER2PEER,
			     DMAPEEK_BEHAVIOUR_NORMAL, 0, &a2);
		race_count(&c, "import by the edu", ret, 0, iter);
		if (!ret && edumap && (r >> 18) % 2) {
			ret = dp_nl_map(a2);
			race_count(&c, "map by the edu", ret, 0, iter);
			m2 = !ret;
		}
		if (e.model == DMAPEEK_MODEL_MOVABLE && !((r >> 20) % 3)) {
			struct dp_nl_done od;

			ret = dp_nl_buffer_op(0, e.buffer_id, 1, 0, &od);
			if (!ret)
				ret = od.error;
			race_count(&c, "move to system memory", ret, 0, iter);
		}
		if (!((r >> 22) % 4))
			close(fd);	/* the imports keep the buffer */
		if (m1)
			race_count(&c, "unmap by the provider's device",
				   dp_nl_unmap(a1), 1, iter);
		if (m2 && (r >> 24) % 2)
			race_count(&c, "unmap by the edu", dp_nl_unmap(a2),
				   1, iter);
		if (a1)
			race_count(&c, "detach of the provider's device",
				   dp_id_op(dfd, DMAPEEK_IOC_DETACH, a1), 0, iter);
		if (a2)
			race_count(&c, "detach of the edu", dp_id_op(dfd, DMAPEEK_IOC_DETACH, a2),
				   0, iter);
		if ((r >> 22) % 4)
			close(fd);
	}
	nl_socket_free(sk);
	close(dfd);
	printf("race iterations=%lu ops=%lu ok=%lu enodev=%lu enoent=%lu enxio=%lu noprov=%lu "
	       "unexpected=%lu\n", iter, c.ops, c.ok, c.enodev, c.enoent, c.enxio, noprov,
	       c.unexpected);
	return c.unexpected ? 1 : 0;
}

/*
 * export-loop SECONDS: export system-memory buffers of every model and
 * close them again, as fast as it goes; every third one lives on through
 * the next export.  "export-loop exports=N errors=N"; exit 1 on an error.
 */
static int export_loop(int seconds)
{
	double end = lab_now_s() + seconds;
	unsigned long n = 0, errors = 0;
	uint64_t seed = (uint64_t)getpid() * 2654435761u | 1;
	int dfd = dp_dev_fd(), held = -1;

	while (lab_now_s() < end) {
		struct dmapeek_export e = { .size = sizeof(e), .provider_id = 1 };
		uint64_t r = rng_xorshift64(&seed);

		e.model = 1 + r % 3;
		e.length = (1 + (r >> 8) % 16) * 4096;
		snprintf(e.name, sizeof(e.name), "loop-%lu", n);
		if (ioctl(dfd, DMAPEEK_IOC_EXPORT, &e)) {
			if (errors++ < 10)
				printf("export %lu: %s\n", n, lab_errno_name(errno));
			continue;
		}
		n++;
		if (held >= 0)
			close(held);
		held = -1;
		if (!((r >> 16) % 3))
			held = e.fd;
		else
			close(e.fd);
	}
	if (held >= 0)
		close(held);
	close(dfd);
	printf("export-loop exports=%lu errors=%lu\n", n, errors);
	return errors ? 1 : 0;
}

struct dump_stats {
	unsigned long rows;
	unsigned int max_id;
};

static int count_buffer_cb(struct nlattr **tb, void *arg)
{
	struct dump_stats *d = arg;

	d->rows++;
	if (tb[DMAPEEK_A_BUFFER_ID] && nla_get_u32(tb[DMAPEEK_A_BUFFER_ID]) > d->max_id)
		d->max_id = nla_get_u32(tb[DMAPEEK_A_BUFFER_ID]);
	return NL_OK;
}

/*
 * dump-loop SECONDS: dump every buffer over netlink, again and again, and
 * get the newest id seen and the next one (being made or released as it
 * goes); meant to run as an unprivileged user beside export-loop.  A
 * dump's interruption (NLM_F_DUMP_INTR) is counted, not an error; a get
 * may find nothing (ENOENT).  "dump-loop dumps=N rows=N max_rows=N
 * intr=N gets=N found=N errors=N"; exit 1 on any other error.
 */
static int dump_loop(int seconds)
{
	double end = lab_now_s() + seconds;
	unsigned long dumps = 0, rows = 0, max_rows = 0, gets = 0, found = 0, errors = 0;
	unsigned int last = 0;
	struct nl_sock *sk;
	int family, intr = 0, ret, i;

	sk = dp_nl_connect();
	if (!sk || (family = genl_ctrl_resolve(sk, DMAPEEK_FAMILY_NAME)) < 0) {
		printf("err netlink\n");
		return 1;
	}
	while (lab_now_s() < end) {
		struct dump_stats d = { 0 };

		ret = loop_request(sk, family, DMAPEEK_CMD_BUFFER_GET, 1, DMAPEEK_A_BUFFER_MAX,
				   0, 0, count_buffer_cb, &d, &intr);
		if (ret) {
			if (errors++ < 10)
				printf("dump %lu: %s\n", dumps, lab_errno_name(-ret));
			continue;
		}
		dumps++;
		rows += d.rows;
		if (d.rows > max_rows)
			max_rows = d.rows;
		if (d.max_id)
			last = d.max_id;
		for (i = 0; last && i < 2; i++) {
			struct dump_stats g = { 0 };

			ret = loop_request(sk, family, DMAPEEK_CMD_BUFFER_GET, 0,
					   DMAPEEK_A_BUFFER_MAX, DMAPEEK_A_BUFFER_ID, last + i,
					   count_buffer_cb, &g, NULL);
			gets++;
			if (!ret)
				found++;
			else if (ret != -ENOENT && errors++ < 10)
				printf("get %u: %s\n", last + i, lab_errno_name(-ret));
		}
	}
	nl_socket_free(sk);
	printf("dump-loop dumps=%lu rows=%lu max_rows=%lu intr=%d gets=%lu found=%lu errors=%lu\n",
	       dumps, rows, max_rows, intr, gets, found, errors);
	return errors ? 1 : 0;
}

/*
 * move-race PROV SIZE TARGET: export SIZE bytes of PROV (movable), fill
 * them, and move them to TARGET in one thread while another exports (and
 * closes) 64 KiB of system memory and dumps the buffers over netlink, one
 * after the other, until the move returns.  Prints "move-race move=ENAME
 * move_ms=N base_export_ms=N exports=N exports_during=N max_export_ms=N
 * dumps=N dumps_during=N max_dump_ms=N data=same|changed": base_export_ms
 * is the longest of five exports before the move (what an export costs on
 * this kernel), _during counts what began after the move did and answered
 * before it; max_*_ms is the longest wait of one that began during the
 * move.
 */
#define RACE_MAX 100000
struct timed {
	double t0, t1;
};

struct mover {
	int dfd;
	unsigned int buf, target;
	double t0, t1;
	int ret;
	int started, done;	/* __atomic */
};

static void *mover_thread(void *arg)
{
	struct mover *m = arg;
	struct dp_nl_done od;

	/* until the done event: the move's whole wait, as the old ioctl's */
	m->t0 = lab_now_s();
	__atomic_store_n(&m->started, 1, __ATOMIC_RELEASE);
	m->ret = dp_nl_buffer_op(0, m->buf, m->target, 0, &od);
	if (!m->ret)
		m->ret = od.error;
	m->t1 = lab_now_s();
	__atomic_store_n(&m->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static uint64_t buf_sum(int fd, size_t size, uint64_t seed)
{
	uint64_t *p = dp_map_buf(fd, size), s = seed | 1, sum = 0;
	size_t n;

	if (!p)
		return 0;
	for (n = 0; n < size / 8; n++) {
		if (seed)
			p[n] = rng_xorshift64(&s);
		sum = sum * 31 + p[n];
	}
	munmap(p, size);
	return sum;
}

static void during(const struct timed *t, int n, const struct mover *m, int *count,
		   double *max)
{
	int i;

	*count = 0;
	*max = 0;
	for (i = 0; i < n; i++) {
		if (t[i].t0 < m->t0 || t[i].t0 > m->t1)
			continue;
		if (t[i].t1 <= m->t1)
			(*count)++;
		if (t[i].t1 - t[i].t0 > *max)
			*max = t[i].t1 - t[i].t0;
	}
}

static int move_race(unsigned int prov, const char *size, unsigned int target)
{
	static struct timed ex[RACE_MAX], du[RACE_MAX];
	struct dmapeek_export e;
	struct mover m = { 0 };
	struct nl_sock *sk;
	pthread_t th;
	int family, nex = 0, ndu = 0, intr = 0, cex, cdu, ret, xfd, i;
	double mex, mdu, base = 0;
	uint64_t before, after;
	char provs[16], sizes[32], model[] = "movable";
	char *args[3] = { provs, sizes, model };

	snprintf(provs, sizeof(provs), "%u", prov);
	snprintf(sizes, sizeof(sizes), "%s", size);
	m.dfd = dp_dev_fd();
	xfd = dp_dev_fd();		/* the exports' own file: nothing shared with the move */
	ret = dp_do_export(m.dfd, 3, args, &e);
	if (ret) {
		printf("err export %s\n", lab_errno_name(-ret));
		return 1;
	}
	sk = dp_nl_connect();
	if (!sk || (family = genl_ctrl_resolve(sk, DMAPEEK_FAMILY_NAME)) < 0) {
		printf("err netlink\n");
		return 1;
	}
	before = buf_sum(e.fd, e.length, 4242);
	for (i = 0; i < 5; i++) {
		struct dmapeek_export x = { .size = sizeof(x), .provider_id = 1,
					    .model = DMAPEEK_MODEL_PINNED, .length = 65536 };
		double t0 = lab_now_s();

		if (ioctl(xfd, DMAPEEK_IOC_EXPORT, &x)) {
			printf("err export before the move: %s\n", lab_errno_name(errno));
			return 1;
		}
		close(x.fd);
		if (lab_now_s() - t0 > base)
			base = lab_now_s() - t0;
	}
	m.buf = e.buffer_id;
	m.target = target;
	if (pthread_create(&th, NULL, mover_thread, &m)) {
		printf("err thread\n");
		return 1;
	}
	while (!__atomic_load_n(&m.started, __ATOMIC_ACQUIRE))
		;
	while (!__atomic_load_n(&m.done, __ATOMIC_ACQUIRE) && nex < RACE_MAX) {
		struct dmapeek_export x = { .size = sizeof(x), .provider_id = 1,
					    .model = DMAPEEK_MODEL_PINNED, .length = 65536 };
		struct dump_stats d = { 0 };

		ex[nex].t0 = lab_now_s();
		if (ioctl(xfd, DMAPEEK_IOC_EXPORT, &x)) {
			printf("err export during the move: %s\n", lab_errno_name(errno));
			return 1;
		}
		close(x.fd);
		ex[nex++].t1 = lab_now_s();
		du[ndu].t0 = lab_now_s();
		ret = loop_request(sk, family, DMAPEEK_CMD_BUFFER_GET, 1, DMAPEEK_A_BUFFER_MAX,
				   0, 0, count_buffer_cb, &d, &intr);
		if (ret) {
			printf("err dump during the move: %s\n", lab_errno_name(-ret));
			return 1;
		}
		du[ndu++].t1 = lab_now_s();
	}
	pthread_join(th, NULL);
	after = buf_sum(e.fd, e.length, 0);
	during(ex, nex, &m, &cex, &mex);
	during(du, ndu, &m, &cdu, &mdu);
	printf("move-race move=%s move_ms=%.1f base_export_ms=%.1f exports=%d exports_during=%d "
	       "max_export_ms=%.1f dumps=%d dumps_during=%d max_dump_ms=%.1f intr=%d data=%s\n",
	       m.ret ? lab_errno_name(-m.ret) : "OK", (m.t1 - m.t0) * 1e3, base * 1e3, nex, cex, mex * 1e3,
	       ndu, cdu, mdu * 1e3, intr, before == after ? "same" : "changed");
	nl_socket_free(sk);
	close(e.fd);
	close(xfd);
	close(m.dfd);
	return 0;
}


/* ------------------------------------------------------------- commands */

int cmd_race(int argc __attribute__((unused)), char **argv)
{
	return race(argv[1], (unsigned int)strtoul(argv[2], NULL, 0), atoi(argv[3]),
		    strtoull(argv[4], NULL, 0), atoi(argv[5]));
}

int cmd_export_loop(int argc __attribute__((unused)), char **argv)
{
	return export_loop(atoi(argv[1]));
}

int cmd_dump_loop(int argc __attribute__((unused)), char **argv)
{
	return dump_loop(atoi(argv[1]));
}

int cmd_move_race(int argc __attribute__((unused)), char **argv)
{
	return move_race((unsigned int)strtoul(argv[1], NULL, 0), argv[2],
			 (unsigned int)strtoul(argv[3], NULL, 0));
}
