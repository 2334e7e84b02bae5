/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What monitor.c and monitor_all.c share: the signals that end a monitor,
 * and the --all monitor itself.
 */
#ifndef DMAPEEK_MONITOR_H
#define DMAPEEK_MONITOR_H

#include <signal.h>
#include <stdint.h>

/* Block SIGINT, SIGTERM, SIGHUP, SIGPIPE: a signalfd that reads them, or -1. */
int block_stop_signals(sigset_t *old);
void unblock_stop_signals(int sfd, const sigset_t *old);

/* monitor --all [count N] [timeout S] [FIELD [OP] VALUE]... (the filters) */
int monitor_all(uint32_t max, uint32_t timeout, int argc, char **argv);

#endif
