/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * dmapeek: the ioctls of a module built with configure --enable-debug-knobs.
 *
 * Not part of the production ABI and not installed (make install, the
 * -dev package): only the test lab and the benchmark suite (tests/bench)
 * include it, from the source tree.  A module built without the option
 * answers these ioctls with ENOTTY; their numbers stay reserved in
 * linux/dmapeek.h.
 */
#ifndef _UAPI_LINUX_DMAPEEK_DEBUG_H
#define _UAPI_LINUX_DMAPEEK_DEBUG_H

#include <linux/dmapeek.h>

/* struct dmapeek_bench_map out_flags */
#define DMAPEEK_BENCH_NO_IOVA	(1U << 0)  /* no IOVA space: dma_map_phys() per range */
#define DMAPEEK_BENCH_MMIO	(1U << 1)  /* BAR memory, mapped with DMA_ATTR_MMIO */
#define DMAPEEK_BENCH_MAX_ITERATIONS	64

/**
 * struct dmapeek_bench_map - DMAPEEK_IOC_BENCH_MAP: time one mapping path
 * @size: sizeof(struct dmapeek_bench_map)
 * @flags: must be 0
 * @attachment_id: an import (by dmapeek's importer) of a buffer dmapeek
 *	exported; its client device maps, the first @length bytes of the
 *	buffer's backing are mapped
 * @path: enum dmapeek_mapping_path: PHYS_VEC_HELPER (the kernel's
 *	dma_buf_phys_vec_to_sgt(), BAR memory in one range only), IOVA_LINK
 *	(dma_iova_try_alloc(), one dma_iova_link() per physical range, one
 *	dma_iova_sync()) or SGTABLE (per-page streaming: dma_map_sgtable()
 *	over page-sized entries; dma_map_phys() per page for BAR memory,
 *	which has no struct pages)
 * @iterations: map/unmap cycles, 1..DMAPEEK_BENCH_MAX_ITERATIONS
 * @length: bytes to map, page aligned, at most the buffer's size
 * @out_flags: out: DMAPEEK_BENCH_*
 * @domain_type: out: enum dmapeek_domain_type of the client device
 * @nr_ranges: out: calls (links, sg entries, map calls) per mapping
 * @map_ns: out: total time spent mapping, over @iterations
 * @map_ns_min: out: the fastest mapping
 * @map_ns_max: out: the slowest mapping
 * @unmap_ns: out: total time spent unmapping
 *
 * Times are ktime_get_ns() around the mapping and the unmapping calls,
 * with the buffer's reservation lock held.  Needs CAP_SYS_ADMIN.
 * -EOPNOTSUPP: the path does not apply (the helper on system memory or on
 * several ranges, a pair the P2P rules refuse, a buffer dmapeek did not
 * export); -ERANGE: the device reaches the memory only through an IOMMU
 * and it has none (DMA mask); -ENODEV: the buffer is revoked.
 */
struct dmapeek_bench_map {
	__u32 size;
	__u32 flags;
	__u32 attachment_id;
	__u32 path;
	__u32 iterations;
	__u32 out_flags;
	__aligned_u64 length;
	__u32 domain_type;
	__u32 nr_ranges;
	__aligned_u64 map_ns;
	__aligned_u64 map_ns_min;
	__aligned_u64 map_ns_max;
	__aligned_u64 unmap_ns;
};

#define DMAPEEK_IOC_BENCH_MAP	_IO(DMAPEEK_TYPE, DMAPEEK_IOC_CMD_BENCH_MAP)

#endif /* _UAPI_LINUX_DMAPEEK_DEBUG_H */
