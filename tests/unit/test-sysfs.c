/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel layer's sysfs half against a fake tree in a temporary
 * directory, laid out like the real one: bus/pci/devices/BDF and
 * class/net/IF are symlinks into devices/..., a PF has virtfnN, a VF has
 * physfn, netdevs sit in BDF/net/IF, driver links to bus/pci/drivers/X. */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "kernel/kernel-internal.h"
#include "kernel/sysfs-util.h"

#define PCIDIR "devices/pci0000:00/0000:00:03.0"

static char root[64];
static vport_kernel *k;
static const vport_kernel_ops *ops = &vport_kernel_ops_real;

static char *at(const char *rel, char buf[static PATH_MAX]) {
        snprintf(buf, PATH_MAX, "%s/%s", root, rel);
        return buf;
}

static void mkdirs(const char *rel) {
        char path[PATH_MAX], cmd[PATH_MAX + 16];

        snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", at(rel, path));
        assert_int_equal(system(cmd), 0);
}

static void put(const char *rel, const char *content) {
        char path[PATH_MAX];
        FILE *f = fopen(at(rel, path), "we");

        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static char *get(const char *rel) {
        static char buf[256];
        char path[PATH_MAX];
        FILE *f = fopen(at(rel, path), "re");
        size_t n;

        if (!f)
                return NULL;
        n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

/* Symlink rel -> root/target (absolute, which resolves the same way). */
static void link_to(const char *rel, const char *target) {
        char path[PATH_MAX], dest[PATH_MAX];

        unlink(at(rel, path));
        assert_int_equal(symlink(at(target, dest), path), 0);
}

static void add_pci(const char *bdf, const char *class, const char *driver) {
        char dev[256], rel[320];

        snprintf(dev, sizeof(dev), PCIDIR "/%s", bdf);
        mkdirs(dev);
        snprintf(rel, sizeof(rel), "%s/class", dev);
        put(rel, class);
        snprintf(rel, sizeof(rel), "%s/driver_override", dev);
        put(rel, "(null)\n");
        snprintf(rel, sizeof(rel), "bus/pci/devices/%s", bdf);
        link_to(rel, dev);
        if (driver) {
                char drv[128];

                snprintf(drv, sizeof(drv), "bus/pci/drivers/%s", driver);
                snprintf(rel, sizeof(rel), "%s/driver", dev);
                link_to(rel, drv);
        }
}

static void add_netdev(const char *bdf, const char *ifname) {
        char dev[256], rel[320], net[320];

        snprintf(dev, sizeof(dev), PCIDIR "/%s", bdf);
        snprintf(net, sizeof(net), "%s/net/%s", dev, ifname);
        mkdirs(net);
        snprintf(rel, sizeof(rel), "%s/device", net);
        link_to(rel, dev);
        snprintf(rel, sizeof(rel), "class/net/%s", ifname);
        link_to(rel, net);
}

static void add_vf(const char *pf, int n, const char *vf, const char *driver) {
        char rel[320], target[256];

        add_pci(vf, "0x020000\n", driver);
        snprintf(rel, sizeof(rel), PCIDIR "/%s/physfn", vf);
        snprintf(target, sizeof(target), PCIDIR "/%s", pf);
        link_to(rel, target);
        snprintf(rel, sizeof(rel), PCIDIR "/%s/virtfn%d", pf, n);
        snprintf(target, sizeof(target), PCIDIR "/%s", vf);
        link_to(rel, target);
}

static void build_tree(void) {
        mkdirs("bus/pci/devices");
        mkdirs("class/net");
        mkdirs("kernel/iommu_groups/12");
        mkdirs("devices/virtual/net/lo");
        link_to("class/net/lo", "devices/virtual/net/lo");
        for (const char *const *d = (const char *const[]){ "igb", "igbvf", "vfio-pci", NULL }; *d; d++) {
                char rel[128];

                snprintf(rel, sizeof(rel), "bus/pci/drivers/%s", *d);
                mkdirs(rel);
                snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/unbind", *d);
                put(rel, "");
        }
        put("bus/pci/drivers_probe", "");
        add_pci("0000:06:00.0", "0x020000\n", "igb");
        put(PCIDIR "/0000:06:00.0/sriov_numvfs", "3\n");
        put(PCIDIR "/0000:06:00.0/sriov_totalvfs", "7\n");
        link_to(PCIDIR "/0000:06:00.0/iommu_group", "kernel/iommu_groups/12");
        add_netdev("0000:06:00.0", "eth0");
        add_vf("0000:06:00.0", 0, "0000:06:10.0", "igbvf");
        add_vf("0000:06:00.0", 1, "0000:06:10.2", "igbvf");
        add_vf("0000:06:00.0", 2, "0000:06:10.4", "vfio-pci"); /* given to a guest: no netdev */
        add_netdev("0000:06:10.0", "eth1");
        add_netdev("0000:06:10.2", "eth2");
        add_pci("0000:00:1f.2", "0x010601\n", NULL); /* a SATA controller */
}

static int setup(void **state) {
        vport_error err = {};

        snprintf(root, sizeof(root), "/tmp/test-sysfs-XXXXXX");
        assert_non_null(mkdtemp(root));
        build_tree();
        setenv("VPORT_SYSFS_ROOT", root, 1);
        assert_int_equal(kernel_open(&k, &err), 0);
        assert_string_equal(kernel_sysfs_root(k), root);
        return 0;
}

static int teardown(void **state) {
        char cmd[128];

        kernel_close(k);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        return system(cmd);
}

static vport_pci_addr pci(const char *s) {
        vport_pci_addr a;

        assert_int_equal(pci_addr_parse(s, &a), 0);
        return a;
}

static void test_pci_info(void **state) {
        vport_pci_addr a = pci("0000:06:00.0");
        vport_pci_info info;
        vport_error err = {};

        assert_int_equal(ops->pci_info(k, &a, &info, NULL), 0);
        assert_true(info.is_net);
        assert_false(info.is_vf);
        assert_string_equal(info.driver, "igb");
        assert_int_equal(info.iommu_group, 12);

        a = pci("0000:06:10.2");
        assert_int_equal(ops->pci_info(k, &a, &info, NULL), 0);
        assert_true(info.is_net && info.is_vf);
        assert_true(pci_addr_equal(&info.pf, &(vport_pci_addr){ .bus = 6 }));
        assert_int_equal(info.vf_index, 1);
        assert_string_equal(info.driver, "igbvf");
        assert_int_equal(info.iommu_group, -1);

        a = pci("0000:06:10.4");
        assert_int_equal(ops->pci_info(k, &a, &info, NULL), 0);
        assert_int_equal(info.vf_index, 2);
        assert_string_equal(info.driver, "vfio-pci");

        a = pci("0000:00:1f.2");
        assert_int_equal(ops->pci_info(k, &a, &info, NULL), 0);
        assert_false(info.is_net);
        assert_string_equal(info.driver, "");

        a = pci("0000:07:00.0");
        assert_int_equal(ops->pci_info(k, &a, &info, &err), -ENODEV);
        assert_non_null(strstr(err.message, "0000:07:00.0"));
}

static void test_pci_netdevs(void **state) {
        vport_pci_addr a = pci("0000:06:00.0");
        char **names = NULL;
        size_t n = 0;

        assert_int_equal(ops->pci_netdevs(k, &a, &names, &n, NULL), 0);
        assert_int_equal(n, 1);
        assert_string_equal(names[0], "eth0");
        kernel_strv_free_n(names, n);

        a = pci("0000:06:10.4");
        names = NULL;
        n = 99;
        assert_int_equal(ops->pci_netdevs(k, &a, &names, &n, NULL), 0);
        assert_int_equal(n, 0);
        free(names);
}

static void test_netdev_pci(void **state) {
        vport_pci_addr a, want = pci("0000:06:10.0");
        vport_error err = {};

        assert_int_equal(ops->netdev_pci(k, "eth1", &a, NULL), 0);
        assert_true(pci_addr_equal(&a, &want));
        assert_int_equal(ops->netdev_pci(k, "lo", &a, &err), -ENODEV);
        assert_non_null(strstr(err.message, "lo"));
        assert_int_equal(ops->netdev_pci(k, "eth9", &a, NULL), -ENODEV);
        /* A name that would walk out of class/net is refused before any path is built. */
        put("x", "");
        assert_int_equal(ops->netdev_pci(k, "../x", &a, NULL), -EINVAL);
        assert_int_equal(ops->netdev_pci(k, "..", &a, NULL), -EINVAL);
}

static void test_pci_vfs(void **state) {
        vport_pci_addr pf = pci("0000:06:00.0"), *vfs = NULL;
        static const char *want[] = { "0000:06:10.0", "0000:06:10.2", "0000:06:10.4" };
        size_t n = 0;

        assert_int_equal(ops->pci_vfs(k, &pf, &vfs, &n, NULL), 0);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < n; i++) {
                vport_pci_addr w = pci(want[i]);

                assert_true(pci_addr_equal(&vfs[i], &w));
        }
        free(vfs);
}

static void test_sriov_numvfs(void **state) {
        vport_pci_addr pf = pci("0000:06:00.0"), sata = pci("0000:00:1f.2");
        int num = -1, total = -1;

        assert_int_equal(ops->sriov_numvfs(k, &pf, &num, &total, NULL), 0);
        assert_int_equal(num, 3);
        assert_int_equal(total, 7);
        assert_int_equal(ops->sriov_numvfs(k, &sata, &num, &total, NULL), -EOPNOTSUPP);
}

/* A netdev that appears while pci_wait_netdev waits (a driver binding). */
static void *appear_later(void *rel) {
        usleep(100 * 1000);
        mkdirs(rel);
        return NULL;
}

/* No timing here (bench/input-bench measures how long the wait takes): the
 * timeout path reports the timeout, a netdev appearing during a long wait
 * is found, and a rename is followed. */
static void test_pci_wait_netdev(void **state) {
        vport_pci_addr vfio = pci("0000:06:10.4"), vf = pci("0000:06:10.2");
        _cleanup_free_ char *name = NULL, *renamed = NULL, *late = NULL;
        char a[PATH_MAX], b[PATH_MAX];
        vport_error err = { 0 };
        pthread_t t;

        assert_int_equal(ops->pci_wait_netdev(k, &vfio, 150, &name, &err), -ETIMEDOUT);
        assert_non_null(strstr(err.message, "0000:06:10.4"));
        assert_non_null(strstr(err.message, "within 150 ms"));
        assert_null(name);
        assert_int_equal(pthread_create(&t, NULL, appear_later, (void *) (PCIDIR "/0000:06:10.4/net/eth9")),
                         0);
        assert_int_equal(ops->pci_wait_netdev(k, &vfio, 60000, &late, &err), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_string_equal(late, "eth9");
        assert_int_equal(rmdir(at(PCIDIR "/0000:06:10.4/net/eth9", a)), 0);
        assert_int_equal(rmdir(at(PCIDIR "/0000:06:10.4/net", a)), 0);
        assert_int_equal(ops->pci_wait_netdev(k, &vf, 150, &name, NULL), 0);
        assert_string_equal(name, "eth2");
        /* udev renamed it: the current name is returned, not the old one. */
        assert_int_equal(
                rename(at(PCIDIR "/0000:06:10.2/net/eth2", a), at(PCIDIR "/0000:06:10.2/net/enp6s16f2", b)),
                0);
        assert_int_equal(ops->pci_wait_netdev(k, &vf, 0, &renamed, NULL), 0);
        assert_string_equal(renamed, "enp6s16f2");
}

static void test_pci_unbind(void **state) {
        vport_pci_addr vf = pci("0000:06:10.0"), sata = pci("0000:00:1f.2");

        assert_int_equal(ops->pci_unbind(k, &vf, NULL), 0);
        assert_string_equal(get("bus/pci/drivers/igbvf/unbind"), "0000:06:10.0");
        /* Nothing bound: nothing to do, nothing written. */
        assert_int_equal(ops->pci_unbind(k, &sata, NULL), 0);
        assert_string_equal(get("bus/pci/drivers/vfio-pci/unbind"), "");
}

/* One writer's whole message from FIFO rel (blocks until it is written). */
static void fifo_read(const char *rel, char *buf, size_t size) {
        char path[PATH_MAX];
        int fd = open(at(rel, path), O_RDONLY | O_CLOEXEC);
        size_t len = 0;
        ssize_t n = 0;

        while (fd >= 0 && len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
                len += (size_t) n;
        buf[len] = '\0';
        if (fd >= 0)
                close(fd);
}

/* Plays the kernel: driver_override and drivers_probe are FIFOs, so each
 * write of the bind blocks until read here, in order. Then the driver
 * "binds" (the symlink appears) a little later. */
static void *fake_probe(void *arg) {
        char override[32], probe[32], cleared[32];

        fifo_read(PCIDIR "/0000:06:10.4/driver_override", override, sizeof(override));
        fifo_read("bus/pci/drivers_probe", probe, sizeof(probe));
        fifo_read(PCIDIR "/0000:06:10.4/driver_override", cleared, sizeof(cleared));
        snprintf(arg, 96, "%s|%s|%s", override, probe, cleared);
        kernel_sleep_ms(100);
        link_to(PCIDIR "/0000:06:10.4/driver", "bus/pci/drivers/vfio-pci");
        return NULL;
}

static void test_pci_bind(void **state) {
        vport_pci_addr vf = pci("0000:06:10.4"), bound = pci("0000:06:10.2");
        char seen[96] = "", path[PATH_MAX], override[PATH_MAX];
        vport_error err = {};
        pthread_t t;

        assert_int_equal(ops->pci_bind(k, &bound, "vfio-pci", &err), -EBUSY);
        assert_non_null(strstr(err.message, "igbvf"));
        assert_int_equal(ops->pci_bind(k, &vf, "../evil", NULL), -EINVAL);

        unlink(at(PCIDIR "/0000:06:10.4/driver", path));
        unlink(at("bus/pci/drivers_probe", path));
        assert_int_equal(mkfifo(path, 0600), 0);
        unlink(at(PCIDIR "/0000:06:10.4/driver_override", override));
        assert_int_equal(mkfifo(override, 0600), 0);
        assert_int_equal(pthread_create(&t, NULL, fake_probe, seen), 0);
        assert_int_equal(ops->pci_bind(k, &vf, "vfio-pci", NULL), 0);
        pthread_join(t, NULL);
        /* override set, probe, override cleared: in that order */
        assert_string_equal(seen, "vfio-pci|0000:06:10.4|\n");

        /* Nobody binds: bounded wait. */
        unlink(path);
        put("bus/pci/drivers_probe", "");
        unlink(override);
        put(PCIDIR "/0000:06:10.4/driver_override", "");
        unlink(at(PCIDIR "/0000:06:10.4/driver", path));
        k->bind_timeout_ms = 100;
        vport_error_clear(&err);
        assert_int_equal(ops->pci_bind(k, &vf, "vfio-pci", &err), -ETIMEDOUT);
        assert_non_null(strstr(err.message, "0000:06:10.4"));
        assert_string_equal(get("bus/pci/drivers_probe"), "0000:06:10.4");
        assert_string_equal(get(PCIDIR "/0000:06:10.4/driver_override"), "\n");
}

static void test_sysfs_root_env(void **state) {
        vport_kernel *other = NULL;
        vport_error err = {};

        setenv("VPORT_SYSFS_ROOT", "relative/path", 1);
        assert_int_equal(kernel_open(&other, &err), -EINVAL);
        assert_null(other);
        setenv("VPORT_SYSFS_ROOT", "/some/root///", 1);
        assert_int_equal(kernel_open(&other, &err), 0);
        assert_string_equal(kernel_sysfs_root(other), "/some/root");
        kernel_close(other);
        setenv("VPORT_SYSFS_ROOT", root, 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_pci_info, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pci_netdevs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_netdev_pci, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pci_vfs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sriov_numvfs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pci_wait_netdev, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pci_unbind, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pci_bind, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sysfs_root_env, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
