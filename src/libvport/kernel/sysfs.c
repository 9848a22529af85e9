/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI devices, SR-IOV and driver binding through sysfs.
 *
 * Every path starts at the sysfs root chosen in kernel_open() and is built
 * from a formatted PCI address or a name that passed ifname_check(), so no
 * caller-supplied string can walk out of the tree. The layout followed is
 * the kernel's: bus/pci/devices/BDF and class/net/IF are symlinks into
 * devices/..., a VF has "physfn", a PF has "virtfnN", netdevs sit in
 * BDF/net/IF, "driver" links to .../drivers/NAME. */
#include <stdio.h>
#include <sys/stat.h>

#include "kernel/kernel-internal.h"
#include "kernel/sysfs-util.h"

/* <root>/bus/pci/devices/<bdf>[/<file>] into path. */
static char *sysfs_pci_path(vport_kernel *k, const vport_pci_addr *addr, const char *file,
                            char path[static PATH_MAX]) {
        char bdf[VPORT_PCI_STRLEN];

        snprintf(path, PATH_MAX, "%s/bus/pci/devices/%s%s%s", k->sysfs_root, pci_addr_format(addr, bdf),
                 file ? "/" : "", strempty(file));
        return path;
}

static int sysfs_pci_exists(vport_kernel *k, const vport_pci_addr *addr, vport_error *err) {
        char path[PATH_MAX], bdf[VPORT_PCI_STRLEN];
        struct stat st;

        if (stat(sysfs_pci_path(k, addr, NULL, path), &st) < 0)
                return vport_error_set(err, errno == ENOENT ? -ENODEV : -errno, "PCI device %s: %s: %m",
                                       pci_addr_format(addr, bdf), path);
        return 0;
}

/* N of the PF's virtfnN link that points at vf, or -1. */
static int sysfs_vf_index(vport_kernel *k, const vport_pci_addr *pf, const vport_pci_addr *vf) {
        char path[PATH_MAX], base[64], file[32];
        vport_pci_addr a;

        for (int i = 0;; i++) {
                snprintf(file, sizeof(file), "virtfn%d", i);
                if (sysfs_link_base(sysfs_pci_path(k, pf, file, path), base, sizeof(base)) < 0)
                        return -1;
                if (pci_addr_parse(base, &a) >= 0 && pci_addr_equal(&a, vf))
                        return i;
        }
}

int sysfs_pci_info(vport_kernel *k, const vport_pci_addr *addr, vport_pci_info *ret, vport_error *err) {
        char path[PATH_MAX], buf[64];
        int r;

        assert_return(addr && ret, -EINVAL);
        r = sysfs_pci_exists(k, addr, err);
        if (r < 0)
                return r;
        *ret = (vport_pci_info){ .addr = *addr, .iommu_group = -1, .vf_index = -1 };
        if (sysfs_read_line(sysfs_pci_path(k, addr, "class", path), buf, sizeof(buf)) >= 0)
                ret->is_net = (strtoul(buf, NULL, 16) >> 16) == 0x02;
        if (sysfs_link_base(sysfs_pci_path(k, addr, "physfn", path), buf, sizeof(buf)) >= 0 &&
            pci_addr_parse(buf, &ret->pf) >= 0) {
                ret->is_vf = true;
                ret->vf_index = sysfs_vf_index(k, &ret->pf, addr);
        }
        if (sysfs_link_base(sysfs_pci_path(k, addr, "driver", path), buf, sizeof(buf)) >= 0)
                snprintf(ret->driver, sizeof(ret->driver), "%s", buf);
        if (sysfs_link_base(sysfs_pci_path(k, addr, "iommu_group", path), buf, sizeof(buf)) >= 0)
                ret->iommu_group = atoi(buf);
        return 0;
}

int sysfs_pci_netdevs(vport_kernel *k, const vport_pci_addr *addr, char ***ret, size_t *ret_n,
                      vport_error *err) {
        char path[PATH_MAX], bdf[VPORT_PCI_STRLEN];
        int r;

        assert_return(addr && ret && ret_n, -EINVAL);
        r = sysfs_pci_exists(k, addr, err);
        if (r < 0)
                return r;
        r = sysfs_list_dir(sysfs_pci_path(k, addr, "net", path), ret, ret_n);
        if (r == -ENOENT) { /* no netdev: unbound, or bound to vfio-pci */
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (r < 0)
                return vport_error_set(err, r, "PCI device %s: listing %s: %s", pci_addr_format(addr, bdf),
                                       path, strerror(-r));
        return 0;
}

int sysfs_netdev_pci(vport_kernel *k, const char *ifname, vport_pci_addr *ret, vport_error *err) {
        char path[PATH_MAX], base[64];
        int r;

        assert_return(ret, -EINVAL);
        if (ifname_check(ifname, err) < 0)
                return -EINVAL;
        snprintf(path, sizeof(path), "%s/class/net/%s", k->sysfs_root, ifname);
        if (access(path, F_OK) < 0)
                return vport_error_set(err, -ENODEV, "netdev %s: not found in %s/class/net", ifname,
                                       k->sysfs_root);
        strncat(path, "/device", sizeof(path) - strlen(path) - 1);
        r = sysfs_link_base(path, base, sizeof(base));
        if (r < 0 || pci_addr_parse(base, ret) < 0 || sysfs_pci_exists(k, ret, NULL) < 0)
                return vport_error_set(err, -ENODEV, "netdev %s: not a PCI device", ifname);
        return 0;
}

int sysfs_pci_vfs(vport_kernel *k, const vport_pci_addr *pf, vport_pci_addr **ret, size_t *ret_n,
                  vport_error *err) {
        _cleanup_free_ vport_pci_addr *vfs = NULL;
        char path[PATH_MAX], base[64], file[32];
        size_t n = 0;
        int r;

        assert_return(pf && ret && ret_n, -EINVAL);
        r = sysfs_pci_exists(k, pf, err);
        if (r < 0)
                return r;
        for (;; n++) {
                vport_pci_addr *p;

                snprintf(file, sizeof(file), "virtfn%zu", n);
                if (sysfs_link_base(sysfs_pci_path(k, pf, file, path), base, sizeof(base)) < 0)
                        break; /* virtfnN are numbered 0..numvfs-1 without holes */
                p = reallocarray(vfs, n + 1, sizeof(*p));
                if (!p)
                        return vport_error_set(err, -ENOMEM, "out of memory");
                vfs = p;
                if (pci_addr_parse(base, &vfs[n]) < 0)
                        return vport_error_set(err, -EBADMSG, "%s: '%s' is not a PCI address", path, base);
        }
        *ret = TAKE_PTR(vfs);
        *ret_n = n;
        return 0;
}

int sysfs_sriov_numvfs(vport_kernel *k, const vport_pci_addr *pf, int *ret_num, int *ret_total,
                       vport_error *err) {
        char path[PATH_MAX], num[32], total[32], bdf[VPORT_PCI_STRLEN];
        int r;

        r = sysfs_pci_exists(k, pf, err);
        if (r < 0)
                return r;
        if (sysfs_read_line(sysfs_pci_path(k, pf, "sriov_numvfs", path), num, sizeof(num)) < 0 ||
            sysfs_read_line(sysfs_pci_path(k, pf, "sriov_totalvfs", path), total, sizeof(total)) < 0)
                return vport_error_set(err, -EOPNOTSUPP, "PCI device %s: not SR-IOV capable (no %s)",
                                       pci_addr_format(pf, bdf), path);
        if (ret_num)
                *ret_num = atoi(num);
        if (ret_total)
                *ret_total = atoi(total);
        return 0;
}

char *sysfs_netdev_driver(vport_kernel *k, const char *ifname, char *buf, size_t size) {
        char path[PATH_MAX];

        buf[0] = '\0';
        if (ifname_check(ifname, NULL) < 0)
                return buf;
        snprintf(path, sizeof(path), "%s/class/net/%s/device/driver", k->sysfs_root, ifname);
        if (sysfs_link_base(path, buf, size) < 0)
                buf[0] = '\0';
        return buf;
}
