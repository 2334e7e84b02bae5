/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dp, the guest tests' driver of the module (dp.c lists its commands):
 * what its files share.  Each command is a function of the file of its
 * part, called with argv[0] the command's name and argc counting it.
 */
#ifndef DMAPEEK_TESTS_DP_H
#define DMAPEEK_TESTS_DP_H

#include <stddef.h>

#include <linux/dmapeek.h>

/* dp --extack: a refused netlink request answers with the module's message */
extern int dp_show_extack;

/* The usage message on stderr, and exit 2. */
void dp_usage(void) __attribute__((noreturn));

/* dp-export.c: the exporter over the ioctls */
int cmd_export(int argc, char **argv);
int cmd_try(int argc, char **argv);
int cmd_try_raw(int argc, char **argv);

/* /dev/dmapeek; prints "err ENAME" and exits 1 when it cannot be opened */
int dp_dev_fd(void);
/* EXPORT from PROV SIZE|RANGES MODEL [NAME] (@argv[0..3]): 0 or -errno */
int dp_do_export(int dfd, int argc, char **argv, struct dmapeek_export *e);
/* DMAPEEK_IOC_IMPORT of the buffer @fd: 0 and *@id, or -errno */
int dp_import(int dfd, int fd, unsigned int dev, unsigned int flags,
	      unsigned int behaviour, unsigned int delay_ms, unsigned int *id);
/* an ioctl on one id (DETACH): 0 or -errno */
int dp_id_op(int dfd, unsigned long req, unsigned int id);
/* the dma-buf @fd mapped shared, read and write; NULL when it cannot be */
void *dp_map_buf(int fd, size_t size);

/* dp-netlink.c: objects, operations and events over netlink, printed */
int cmd_dump(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_revoke(int argc, char **argv);	/* and revoke-start */
int cmd_restore(int argc, char **argv);
int cmd_move(int argc, char **argv);
int cmd_events(int argc, char **argv);

/* dp-race.c: the racers of t-safety.sh */
int cmd_race(int argc, char **argv);
int cmd_export_loop(int argc, char **argv);
int cmd_dump_loop(int argc, char **argv);
int cmd_move_race(int argc, char **argv);

/* dp-import.c: the importer, and the P2P, device and provider lists */
int cmd_import(int argc, char **argv);
int cmd_import_list(int argc, char **argv);	/* devices, providers, p2p-dump */
int cmd_p2p_get(int argc, char **argv);

#endif
