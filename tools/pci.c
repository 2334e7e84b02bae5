// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCI helpers of dmapeek: PCI addresses, the vendor and device names
 * (libpci's database, opened on first use), and binding a function to
 * dmapeek.ko and back ("dmapeek bind", "dmapeek unbind") through sysfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include <dmapeek.h>

#include "cli.h"
#include "json_print.h"

/* A PCI address as sysfs spells it: DDDD:BB:DD.F */
bool valid_bdf(const char *s)
{
	unsigned int d, b, dev, f;
	char end;

	return strlen(s) == 12 &&
	       sscanf(s, "%4x:%2x:%2x.%1x%c", &d, &b, &dev, &f, &end) == 4;
}

/*
 * The vendor and device names of @bdf from libpci's database, in @buf;
 * NULL with -numeric or when sysfs does not know the function.
 */
const char *pci_name(const char *bdf, char *buf, size_t len)
{
	char path[256];
	unsigned int ven = 0, dev = 0;
	FILE *f;

	if (dp.numeric || !bdf)
		return NULL;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", bdf);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%x", &ven) != 1) {
		if (f)
			fclose(f);
		return NULL;
	}
	fclose(f);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", bdf);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%x", &dev) != 1) {
		if (f)
			fclose(f);
		return NULL;
	}
	fclose(f);
	if (!dp.pacc) {
		dp.pacc = pci_alloc();
		if (!dp.pacc)
			return NULL;
		pci_init(dp.pacc);
	}
	return pci_lookup_name(dp.pacc, buf, len, PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE,
			       ven, dev);
}

/* Close the names' database, if a name was looked up. */
void pci_names_free(void)
{
	if (dp.pacc)
		pci_cleanup(dp.pacc);
	dp.pacc = NULL;
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

int cmd_bind(int argc, char **argv)
{
	char path[256];
	int err;

	if (argc != 1 || !valid_bdf(argv[0]))
		return usage_err("usage: dmapeek bind DDDD:BB:DD.F");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", argv[0]);
	err = sysfs_write(path, "dmapeek");
	if (err)
		return op_err(err, "bind %s: %s", argv[0], path);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", argv[0]);
	err = sysfs_write(path, argv[0]);
	if (err && err != -ENOENT)
		return op_err(err, "bind %s: unbinding its driver", argv[0]);
	err = sysfs_write("/sys/bus/pci/drivers_probe", argv[0]);
	if (err)
		return op_err(err, "bind %s: drivers_probe", argv[0]);
	pr_open_obj(NULL);
	pr_str("bound", "bound %s to dmapeek", argv[0]);
	pr_close_obj();
	pr_nl();
	return EXIT_OK;
}

int cmd_unbind(int argc, char **argv)
{
	char path[256];
	int err;

	if (argc != 1 || !valid_bdf(argv[0]))
		return usage_err("usage: dmapeek unbind DDDD:BB:DD.F");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", argv[0]);
	err = sysfs_write(path, "\n");
	if (err)
		return op_err(err, "unbind %s: %s", argv[0], path);
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/dmapeek/unbind");
	err = sysfs_write(path, argv[0]);
	if (err) {
		const struct hint_for h = {
			ENODEV, "the device is not bound to dmapeek (\"dmapeek device\" "
			"lists those that are)", NULL, 0,
		};

		return op_err_hint(err, &h, "unbind %s from dmapeek", argv[0]);
	}
	pr_open_obj(NULL);
	pr_str("unbound", "unbound %s from dmapeek", argv[0]);
	pr_close_obj();
	pr_nl();
	return EXIT_OK;
}
