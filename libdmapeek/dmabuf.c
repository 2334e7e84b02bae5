// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmapeek: the attachments of any dma-buf, by a descriptor
 * (DMAPEEK_IOC_DMABUF_ATTACHMENTS), and a descriptor of another process
 * to ask with (pidfd_getfd()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "internal.h"

/* Room asked for first: most buffers have a handful of attachments. */
#define DP_DMABUF_FIRST_ROOM	8
/* Attempts before a buffer whose attachments keep growing is taken as is. */
#define DP_DMABUF_TRIES		4

struct dmapeek_dmabuf {
	uint64_t ino, size;
	uint32_t buffer_id, flags, total;
	unsigned int nr;
	char exp_name[DMAPEEK_NAME_LEN];
	char name[DMAPEEK_NAME_LEN];
	struct dmapeek_dmabuf_attachment *ents;
};

DMAPEEK_EXPORT int dmapeek_pid_fd(int pid, int fd)
{
	int pidfd, dup_fd, err;

	if (pid <= 0 || fd < 0)
		return dp_errno(EINVAL);
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0)
		return dp_errno(errno);
	dup_fd = pidfd_getfd(pidfd, fd, 0);
	err = errno;
	close(pidfd);
	return dup_fd < 0 ? dp_errno(err) : dup_fd;
}

/*
 * One DMABUF_ATTACHMENTS with room for @room entries into @d (its entries
 * reallocated); 0 or a negative errno.
 */
static int dp_dmabuf_ask(struct dmapeek *ctx, int fd, uint32_t room,
			 struct dmapeek_dmabuf *d)
{
	struct dmapeek_dmabuf_attachments q = {
		.size = sizeof(q),
		.fd = fd,
		.entry_size = sizeof(*d->ents),
		.nr = room,
	};
	struct dmapeek_dmabuf_attachment *ents;
	int err;

	ents = calloc(room ? room : 1, sizeof(*ents));
	if (!ents)
		return dp_errno(ENOMEM);
	free(d->ents);
	d->ents = ents;
	q.entries = (uintptr_t)ents;
	err = dp_ioctl(ctx, DMAPEEK_IOC_DMABUF_ATTACHMENTS, &q);
	if (err == -ENOTTY)	/* a module before ABI 2.2 */
		return dp_errno(EOPNOTSUPP);
	if (err)
		return err;
	d->ino = q.ino;
	d->size = q.length;
	d->buffer_id = q.buffer_id;
	d->flags = q.dmabuf_flags;
	d->total = q.total;
	d->nr = q.nr <= room ? q.nr : room;
	memcpy(d->exp_name, q.exp_name, sizeof(d->exp_name));
	d->exp_name[sizeof(d->exp_name) - 1] = '\0';
	memcpy(d->name, q.name, sizeof(d->name));
	d->name[sizeof(d->name) - 1] = '\0';
	return 0;
}

DMAPEEK_EXPORT struct dmapeek_dmabuf *
dmapeek_dmabuf_attachments(struct dmapeek *ctx, int dmabuf_fd)
{
	struct dmapeek_dmabuf *d = calloc(1, sizeof(*d));
	uint32_t room = DP_DMABUF_FIRST_ROOM;
	unsigned int i;
	int err = 0;

	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	/*
	 * Again with room for what the last answer counted (and a few that
	 * may come meanwhile) while the module could give more.
	 */
	for (i = 0; i < DP_DMABUF_TRIES; i++) {
		err = dp_dmabuf_ask(ctx, dmabuf_fd, room, d);
		if (err || d->nr >= d->total || room >= DMAPEEK_DMABUF_MAX_ATTACHMENTS)
			break;
		room = d->total + DP_DMABUF_FIRST_ROOM;
		if (room > DMAPEEK_DMABUF_MAX_ATTACHMENTS)
			room = DMAPEEK_DMABUF_MAX_ATTACHMENTS;
	}
	if (err) {
		dmapeek_dmabuf_free(d);
		errno = -err;
		return NULL;
	}
	for (i = 0; i < d->nr; i++) {
		d->ents[i].device[sizeof(d->ents[i].device) - 1] = '\0';
		d->ents[i].driver[sizeof(d->ents[i].driver) - 1] = '\0';
	}
	return d;
}

/* The attachments through @fd, a descriptor of ours, which is closed. */
struct dmapeek_dmabuf *dp_dmabuf_attachments_close(struct dmapeek *ctx, int fd)
{
	struct dmapeek_dmabuf *d = dmapeek_dmabuf_attachments(ctx, fd);
	int err = errno;

	close(fd);
	errno = err;
	return d;
}

DMAPEEK_EXPORT struct dmapeek_dmabuf *
dmapeek_dmabuf_attachments_pid(struct dmapeek *ctx, int pid, int fd)
{
	int own = dmapeek_pid_fd(pid, fd);

	if (own < 0)
		return NULL;
	return dp_dmabuf_attachments_close(ctx, own);
}

DMAPEEK_EXPORT void dmapeek_dmabuf_free(struct dmapeek_dmabuf *d)
{
	int saved = errno;

	if (!d)
		return;
	free(d->ents);
	free(d);
	errno = saved;
}

DMAPEEK_EXPORT uint64_t dmapeek_dmabuf_inode(const struct dmapeek_dmabuf *d)
{
	return d->ino;
}

DMAPEEK_EXPORT uint64_t dmapeek_dmabuf_size(const struct dmapeek_dmabuf *d)
{
	return d->size;
}

DMAPEEK_EXPORT const char *dmapeek_dmabuf_exp_name(const struct dmapeek_dmabuf *d)
{
	return d->exp_name;
}

DMAPEEK_EXPORT const char *dmapeek_dmabuf_name(const struct dmapeek_dmabuf *d)
{
	return d->name[0] ? d->name : NULL;
}

DMAPEEK_EXPORT uint32_t dmapeek_dmabuf_buffer_id(const struct dmapeek_dmabuf *d)
{
	return d->buffer_id;
}

DMAPEEK_EXPORT bool dmapeek_dmabuf_dynamic(const struct dmapeek_dmabuf *d)
{
	return d->flags & DMAPEEK_DMABUF_DYNAMIC;
}

DMAPEEK_EXPORT unsigned int dmapeek_dmabuf_nr_attachments(const struct dmapeek_dmabuf *d)
{
	return d->nr;
}

DMAPEEK_EXPORT uint32_t dmapeek_dmabuf_total_attachments(const struct dmapeek_dmabuf *d)
{
	return d->total;
}

DMAPEEK_EXPORT const char *
dmapeek_dmabuf_attachment_device(const struct dmapeek_dmabuf *d, unsigned int i)
{
	return i < d->nr ? d->ents[i].device : NULL;
}

DMAPEEK_EXPORT const char *
dmapeek_dmabuf_attachment_driver(const struct dmapeek_dmabuf *d, unsigned int i)
{
	return i < d->nr ? d->ents[i].driver : NULL;
}

DMAPEEK_EXPORT uint32_t
dmapeek_dmabuf_attachment_flags(const struct dmapeek_dmabuf *d, unsigned int i)
{
	return i < d->nr ? d->ents[i].flags : 0;
}

DMAPEEK_EXPORT uint32_t
dmapeek_dmabuf_attachment_id(const struct dmapeek_dmabuf *d, unsigned int i)
{
	return i < d->nr ? d->ents[i].attachment_id : 0;
}
