/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Driver binding and waiting for a PCI device's netdev. */
#include <stdio.h>

#include "kernel/kernel-internal.h"
#include "kernel/sysfs-util.h"

static char *sysfs_pci_file(vport_kernel *k, const vport_pci_addr *addr, const char *file,
                            char path[static PATH_MAX]) {
        char bdf[VPORT_PCI_STRLEN];

        snprintf(path, PATH_MAX, "%s/bus/pci/devices/%s/%s", k->sysfs_root, pci_addr_format(addr, bdf),
                 file);
        return path;
}

/* Unbinding an unbound device is a no-op, not an error. */
int sysfs_pci_unbind(vport_kernel *k, const vport_pci_addr *addr, vport_error *err) {
        char path[PATH_MAX], bdf[VPORT_PCI_STRLEN], driver[64];
        int r;

        assert_return(addr, -EINVAL);
        pci_addr_format(addr, bdf);
        if (sysfs_link_base(sysfs_pci_file(k, addr, "driver", path), driver, sizeof(driver)) < 0)
                return 0;
        r = sysfs_write(sysfs_pci_file(k, addr, "driver/unbind", path), bdf);
        if (r < 0)
                return vport_error_set(err, r, "PCI device %s: unbinding from %s: %s", bdf, driver,
                                       strerror(-r));
        return 0;
}

/* A driver name becomes a value written to sysfs, never a path, but keep
 * it to what driver names look like. */
static int driver_name_check(const char *driver, vport_error *err) {
        if (!driver || !*driver || strlen(driver) >= 64 || strpbrk(driver, "/\n \t"))
                return vport_error_set(err, -EINVAL, "driver name '%s' is not valid", strempty(driver));
        return 0;
}

static int sysfs_wait_driver(vport_kernel *k, const vport_pci_addr *addr, const char *driver,
                             int timeout_ms) {
        char path[PATH_MAX], cur[64];

        sysfs_pci_file(k, addr, "driver", path);
        for (int waited = 0;; waited += KERNEL_POLL_STEP_MS) {
                if (sysfs_link_base(path, cur, sizeof(cur)) >= 0 && streq(cur, driver))
                        return 0;
                if (waited >= timeout_ms)
                        return -ETIMEDOUT;
                kernel_sleep_ms(KERNEL_POLL_STEP_MS);
        }
}

/* driver_override makes drivers_probe pick exactly this driver (also one
 * like vfio-pci that has no ID table entry for the device); it is cleared
 * again so a later plain rebind gets the native driver back. */
static int sysfs_probe_with_override(vport_kernel *k, const vport_pci_addr *addr, const char *driver,
                                     vport_error *err) {
        char path[PATH_MAX], probe[PATH_MAX], bdf[VPORT_PCI_STRLEN];
        int r, q;

        pci_addr_format(addr, bdf);
        r = sysfs_write(sysfs_pci_file(k, addr, "driver_override", path), driver);
        if (r < 0)
                return vport_error_set(err, r, "PCI device %s: writing %s to driver_override: %s", bdf,
                                       driver, strerror(-r));
        snprintf(probe, sizeof(probe), "%s/bus/pci/drivers_probe", k->sysfs_root);
        r = sysfs_write(probe, bdf);
        q = sysfs_write(path, "\n");
        if (r < 0)
                return vport_error_set(err, r, "PCI device %s: probing with driver %s: %s", bdf, driver,
                                       strerror(-r));
        if (q < 0)
                return vport_error_set(err, q, "PCI device %s: clearing driver_override: %s", bdf,
                                       strerror(-q));
        return 0;
}

int sysfs_pci_bind(vport_kernel *k, const vport_pci_addr *addr, const char *driver, vport_error *err) {
        char path[PATH_MAX], bdf[VPORT_PCI_STRLEN], cur[64];
        int r;

        assert_return(addr, -EINVAL);
        if (driver_name_check(driver, err) < 0)
                return -EINVAL;
        pci_addr_format(addr, bdf);
        if (sysfs_link_base(sysfs_pci_file(k, addr, "driver", path), cur, sizeof(cur)) >= 0) {
                if (streq(cur, driver))
                        return 0;
                return vport_error_set(err, -EBUSY,
                                       "PCI device %s: bound to %s, unbind it before binding %s", bdf, cur,
                                       driver);
        }
        r = sysfs_probe_with_override(k, addr, driver, err);
        if (r < 0)
                return r;
        if (sysfs_wait_driver(k, addr, driver, k->bind_timeout_ms) < 0)
                return vport_error_set(err, -ETIMEDOUT, "PCI device %s: driver %s did not bind within %d ms",
                                       bdf, driver, k->bind_timeout_ms);
        return 0;
}

static int sysfs_first_netdev(vport_kernel *k, const vport_pci_addr *addr, char **ret_name) {
        char path[PATH_MAX], **names = NULL;
        size_t n = 0;
        int r;

        r = sysfs_list_dir(sysfs_pci_file(k, addr, "net", path), &names, &n);
        if (r < 0 || n == 0) {
                kernel_strv_free_n(names, n);
                return r < 0 ? r : -ENOENT;
        }
        *ret_name = TAKE_PTR(names[0]);
        kernel_strv_free_n(names, n); /* free(NULL) for the one handed out */
        return 0;
}

int sysfs_pci_wait_netdev(vport_kernel *k, const vport_pci_addr *addr, int timeout_ms, char **ret_name,
                          vport_error *err) {
        char bdf[VPORT_PCI_STRLEN];

        assert_return(addr && ret_name, -EINVAL);
        for (int waited = 0;; waited += KERNEL_POLL_STEP_MS) {
                if (sysfs_first_netdev(k, addr, ret_name) >= 0)
                        return 0;
                if (waited >= timeout_ms)
                        return vport_error_set(err, -ETIMEDOUT,
                                               "PCI device %s: no netdev appeared within %d ms",
                                               pci_addr_format(addr, bdf), timeout_ms);
                kernel_sleep_ms(KERNEL_POLL_STEP_MS);
        }
}
