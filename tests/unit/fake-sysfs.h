/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fake sysfs tree in a temporary directory, laid out like the real one
 * (bus/pci/devices/BDF and class/net/IF are symlinks into devices/...; a PF
 * has virtfnN, a VF physfn; netdevs sit in BDF/net/IF; driver links to
 * bus/pci/drivers/X), for tests that point VPORT_SYSFS_ROOT at it. Every
 * function aborts on failure: a broken fixture is not a test result. */
#pragma once

#define FAKE_SYSFS_ROOT_MAX 64

/* mkdtemp under /tmp, skeleton dirs, drivers igb/igbvf/vfio-pci, and
 * setenv("VPORT_SYSFS_ROOT"). */
void fake_sysfs_create(char root[static FAKE_SYSFS_ROOT_MAX]);
void fake_sysfs_destroy(const char *root);

/* A PCI function with a class ("0x020000" = Ethernet) and a driver (may be NULL). */
void fake_sysfs_add_pci(const char *root, const char *bdf, const char *class, const char *driver);
/* A netdev under a PCI function. */
void fake_sysfs_add_netdev(const char *root, const char *bdf, const char *ifname);
/* VF number n of pf at vf (an Ethernet function bound to driver). */
void fake_sysfs_add_vf(const char *root, const char *pf, int n, const char *vf, const char *driver);
/* A PF with SR-IOV files (sriov_numvfs = n_vfs, sriov_totalvfs = 7). */
void fake_sysfs_add_pf(const char *root, const char *bdf, const char *ifname, int n_vfs);
