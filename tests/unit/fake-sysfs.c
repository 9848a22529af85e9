/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake-sysfs.h"

#define PCIDIR "devices/pci0000:00/0000:00:03.0"

static void die(const char *what, const char *path) {
        fprintf(stderr, "fake-sysfs: %s %s: %m\n", what, path);
        abort();
}

static void path_of(char buf[static PATH_MAX], const char *root, const char *fmt, va_list ap) {
        char rel[PATH_MAX];

        vsnprintf(rel, sizeof(rel), fmt, ap);
        snprintf(buf, PATH_MAX, "%s/%s", root, rel);
}

static void mkdirs(const char *root, const char *fmt, ...) {
        char path[PATH_MAX];
        va_list ap;

        va_start(ap, fmt);
        path_of(path, root, fmt, ap);
        va_end(ap);
        for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
                *p = '\0';
                if (mkdir(path, 0755) < 0 && errno != EEXIST)
                        die("mkdir", path);
                *p = '/';
        }
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                die("mkdir", path);
}

static void put(const char *root, const char *content, const char *fmt, ...) {
        char path[PATH_MAX];
        va_list ap;
        FILE *f;

        va_start(ap, fmt);
        path_of(path, root, fmt, ap);
        va_end(ap);
        if (!(f = fopen(path, "we")))
                die("create", path);
        fputs(content, f);
        fclose(f);
}

/* Symlink (rel) -> root/target, absolute: it resolves the same way. */
static void link_to(const char *root, const char *target, const char *fmt, ...) {
        char path[PATH_MAX], dest[PATH_MAX];
        va_list ap;

        va_start(ap, fmt);
        path_of(path, root, fmt, ap);
        va_end(ap);
        snprintf(dest, sizeof(dest), "%s/%s", root, target);
        unlink(path);
        if (symlink(dest, path) < 0)
                die("symlink", path);
}

void fake_sysfs_create(char root[static FAKE_SYSFS_ROOT_MAX]) {
        snprintf(root, FAKE_SYSFS_ROOT_MAX, "/tmp/vport-sysfs-XXXXXX");
        if (!mkdtemp(root))
                die("mkdtemp", root);
        mkdirs(root, "bus/pci/devices");
        mkdirs(root, "class/net");
        for (const char *const *d = (const char *const[]){ "igb", "igbvf", "vfio-pci", NULL }; *d; d++) {
                mkdirs(root, "bus/pci/drivers/%s", *d);
                put(root, "", "bus/pci/drivers/%s/unbind", *d);
                put(root, "", "bus/pci/drivers/%s/bind", *d);
        }
        put(root, "", "bus/pci/drivers_probe");
        setenv("VPORT_SYSFS_ROOT", root, 1);
}

void fake_sysfs_destroy(const char *root) {
        char cmd[PATH_MAX + 16];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        if (system(cmd) != 0)
                die("remove", root);
}

void fake_sysfs_add_pci(const char *root, const char *bdf, const char *class, const char *driver) {
        char dev[PATH_MAX];

        snprintf(dev, sizeof(dev), PCIDIR "/%s", bdf);
        mkdirs(root, "%s", dev);
        put(root, class, "%s/class", dev);
        put(root, "(null)\n", "%s/driver_override", dev);
        link_to(root, dev, "bus/pci/devices/%s", bdf);
        if (driver) {
                char drv[PATH_MAX];
                snprintf(drv, sizeof(drv), "bus/pci/drivers/%s", driver);
                link_to(root, drv, "%s/driver", dev);
        }
}

void fake_sysfs_add_netdev(const char *root, const char *bdf, const char *ifname) {
        char dev[PATH_MAX], net[PATH_MAX + 64];

        snprintf(dev, sizeof(dev), PCIDIR "/%s", bdf);
        snprintf(net, sizeof(net), "%s/net/%s", dev, ifname);
        mkdirs(root, "%s", net);
        link_to(root, dev, "%s/device", net);
        link_to(root, net, "class/net/%s", ifname);
}

void fake_sysfs_add_vf(const char *root, const char *pf, int n, const char *vf, const char *driver) {
        char target[PATH_MAX];

        fake_sysfs_add_pci(root, vf, "0x020000\n", driver);
        snprintf(target, sizeof(target), PCIDIR "/%s", pf);
        link_to(root, target, PCIDIR "/%s/physfn", vf);
        snprintf(target, sizeof(target), PCIDIR "/%s", vf);
        link_to(root, target, PCIDIR "/%s/virtfn%d", pf, n);
}

void fake_sysfs_add_pf(const char *root, const char *bdf, const char *ifname, int n_vfs) {
        char num[16];

        fake_sysfs_add_pci(root, bdf, "0x020000\n", "igb");
        snprintf(num, sizeof(num), "%d\n", n_vfs);
        put(root, num, PCIDIR "/%s/sriov_numvfs", bdf);
        put(root, "7\n", PCIDIR "/%s/sriov_totalvfs", bdf);
        fake_sysfs_add_netdev(root, bdf, ifname);
}
