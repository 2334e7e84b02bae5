/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wall-clock time for the module's event timestamps, as "ip monitor -t"
 * prints it.  The module stamps events with CLOCK_MONOTONIC nanoseconds
 * (ktime_get_ns()); the offset from that clock to CLOCK_REALTIME is taken
 * once, when the monitor starts, so a later step of the wall clock (NTP,
 * date -s) does not reorder the events' times.
 */
#ifndef DMAPEEK_WALLTIME_H
#define DMAPEEK_WALLTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC now, in nanoseconds: the clock of the events. */
uint64_t walltime_mono_ns(void);
/* CLOCK_REALTIME minus CLOCK_MONOTONIC now, in nanoseconds. */
int64_t walltime_offset_ns(void);

/*
 * @real_ns (nanoseconds since the epoch) as ISO 8601 local time to the
 * microsecond: "2026-12-04T13:50:01.123456", followed by the UTC offset
 * ("+01:00") when @zone.  Returns 0, or -EINVAL when @buf is too small
 * or the time cannot be represented.
 */
int walltime_fmt(char *buf, size_t len, int64_t real_ns, bool zone);

#endif
