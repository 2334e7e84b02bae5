// SPDX-License-Identifier: GPL-2.0-only
/*
 * dp: the guest tests' driver of the module.  Raw ioctls on /dev/dmapeek
 * and libnl-genl, never libdmapeek, so that the tests check the module on
 * their own.  One program, one command table:
 *
 *   dp [--extack] COMMAND ARGS...
 *
 * --extack: a netlink request the module refuses answers "err ENAME
 * MESSAGE" with the module's extack message (the commands of dp-netlink.c).
 * MODEL is pinned, movable or revocable; a size takes a K or M suffix.
 *
 * The exporter (dp-export.c)
 *
 *   dp export PROV SIZE|OFF+LEN[,OFF+LEN...] MODEL [NAME]
 *	EXPORT; prints "buffer=ID fd=N", then runs commands from stdin, one a
 *	line, answering each with one line ("ok ...", or "err ENAME"):
 *	  write SEED | sum | attach DEVID FLAGS BEHAVIOUR [DELAY_MS] |
 *	  map ATT | unmap ATT | detach ATT | revoke BUF MS | restore BUF |
 *	  move BUF PROV | fdinfo | close | quit |
 *	  export-ro PROV | attach-ro DEVID FLAGS BEHAVIOUR |
 *	  attach-map N DEVID FLAGS BEHAVIOUR [MAPPED]
 *	(export-ro: EXPORT a 64K pinned buffer, attach-ro: IMPORT the served
 *	buffer, each with its argument in a page made read-only once filled,
 *	so the result cannot be copied back; both answer "ok ret=ENAME
 *	new_fds=N", N the fds the process gained by the call)
 *	(attach-map: N imports, the first MAPPED of them (all by default)
 *	mapped; "ok ids=ID,... made=N")
 *	(attach/map/unmap/detach: dmapeek's importer, DMAPEEK_IOC_IMPORT and
 *	DETACH on the same /dev/dmapeek file, its imports going when the
 *	process exits; map and unmap over netlink (nl-op.h); FLAGS are
 *	DMAPEEK_IMPORT_*, BEHAVIOUR 1 normal, 2 never-unmap, 3 delayed-unmap
 *	by DELAY_MS)
 *	(revoke, restore, move: over netlink, revoke and move waiting for
 *	their done event; revoke answers "ok attachments=N stuck=N
 *	duration_ns=N", N from that event)
 *   dp try PROV SIZE|RANGES MODEL [NAME]    print "ok" or the errno name
 *   dp try-raw FIELD=VALUE...               EXPORT with raw fields
 *
 * Objects, operations and events over netlink, printed attribute by
 * attribute (dp-netlink.c)
 *
 *   dp dump buffers|attachments|providers|devices|mappings [FILTER]
 *	one line per object (FILTER: a buffer's provider, an attachment's
 *	buffer, a mapping's attachment)
 *   dp get buffer|attachment ID
 *   dp revoke BUF MS | restore BUF | move BUF PROV [MS]
 *	(revoke and move answer with an op number once importers were told;
 *	the outcome is the done event carrying it, which these wait for and
 *	print: "revoke ... att0.id=..." and "ok" or "err ENAME")
 *   dp revoke-start BUF MS                  the answer only: "revoke ... op=N"
 *   dp events SECONDS                       print events heard
 *	(an event attribute this header does not name is printed "aN=V",
 *	N its number)
 *
 * The racers of t-safety.sh (dp-race.c; see each function's comment)
 *
 *   dp race BDF EDUDEV SECONDS SEED EDUMAP  provider lifetime racer
 *   dp export-loop SECONDS | dump-loop SECONDS    export/dump racers
 *   dp move-race PROV SIZE TARGET           exports and dumps during a move
 *
 * The importer (dp-import.c)
 *
 *   dp import [OPTIONS] SOURCE STEP...
 *	a dma-buf from SOURCE, imported and driven by the STEPs, each
 *	printing one line that starts with its name (see dp-import.c)
 *   dp p2p-dump                 one line per pair: "p2p PROVIDER CLIENT
 *                               TYPE DISTANCE REASON"
 *   dp p2p-get PROVIDER_BDF CLIENT_BDF
 *   dp devices | providers      one line per object
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"

int dp_show_extack;

void dp_usage(void)
{
	fprintf(stderr, "usage: see the comment at the top of dp.c\n");
	exit(2);
}

static const struct {
	const char *name;
	int min_args;		/* after the name */
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "export", 3, cmd_export },
	{ "try", 3, cmd_try },
	{ "try-raw", 0, cmd_try_raw },
	{ "dump", 1, cmd_dump },
	{ "get", 2, cmd_get },
	{ "revoke", 2, cmd_revoke },
	{ "revoke-start", 2, cmd_revoke },
	{ "restore", 1, cmd_restore },
	{ "move", 2, cmd_move },
	{ "events", 1, cmd_events },
	{ "race", 5, cmd_race },
	{ "export-loop", 1, cmd_export_loop },
	{ "dump-loop", 1, cmd_dump_loop },
	{ "move-race", 3, cmd_move_race },
	{ "import", 0, cmd_import },
	{ "devices", 0, cmd_import_list },
	{ "providers", 0, cmd_import_list },
	{ "p2p-dump", 0, cmd_import_list },
	{ "p2p-get", 2, cmd_p2p_get },
};

int main(int argc, char **argv)
{
	size_t i;

	argc--;
	argv++;
	if (argc >= 1 && !strcmp(argv[0], "--extack")) {
		dp_show_extack = 1;
		argc--;
		argv++;
	}
	if (argc < 1)
		dp_usage();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		if (argc - 1 < commands[i].min_args)
			dp_usage();
		return commands[i].run(argc, argv);
	}
	dp_usage();
}
