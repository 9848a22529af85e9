/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel layer against the real kernel, in a throwaway network
 * namespace. main() unshares a new network and mount namespace, mounts a
 * sysfs that shows this namespace's devices and a private /dev (no udev
 * here, so macvtap_wait_dev must create /dev/tapN itself). Test setup uses
 * ip(8) and bridge(8), which also serve as independent read-back. */
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "kernel/kernel.h"

static vport_kernel *k;
static const vport_kernel_ops *ops = &vport_kernel_ops_real;

static void sh(const char *fmt, ...) _printf_(1, 2);
static void sh(const char *fmt, ...) {
        char cmd[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        if (system(cmd) != 0)
                fail_msg("command failed: %s", cmd);
}

/* Output of a shell command (first 16 KiB). */
static char *sh_out(const char *cmd) {
        static char buf[16384];
        FILE *f = popen(cmd, "r");
        size_t n;

        assert_non_null(f);
        n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = '\0';
        pclose(f);
        return buf;
}

static int ifindex_of(const char *name) {
        vport_link l;

        assert_int_equal(ops->link_get(k, 0, name, &l, NULL), 0);
        return l.ifindex;
}

static void mac(const char *s, vport_mac *ret) {
        assert_int_equal(mac_parse(s, ret), 0);
}

static int setup_veth(void **state) {
        sh("ip link add va type veth peer name vb");
        return 0;
}

static int teardown_links(void **state) {
        /* Deleting va takes vb with it; the rest may or may not exist (the
         * namespace: test_macvlan_passthru_netns's, $PPID being this test). */
        return system("for l in va br0 vtap0; do ip link del $l 2>/dev/null; done; "
                      "ip netns del vport-knt-pt-$PPID 2>/dev/null; true");
}

static void test_link_get_list(void **state) {
        vport_link a, b, *all = NULL;
        size_t n = 0;
        bool seen_a = false, seen_b = false;

        assert_int_equal(ops->link_get(k, 0, "va", &a, NULL), 0);
        assert_string_equal(a.name, "va");
        assert_string_equal(a.kind, "veth");
        assert_int_equal(a.ifindex, (int) if_nametoindex("va"));
        assert_int_equal(ops->link_get(k, a.ifindex, NULL, &b, NULL), 0);
        assert_string_equal(b.name, "va");
        assert_true(mac_equal(&a.mac, &b.mac));
        assert_int_equal(ops->link_list(k, &all, &n, NULL), 0);
        for (size_t i = 0; i < n; i++) {
                seen_a |= streq(all[i].name, "va");
                seen_b |= streq(all[i].name, "vb") && all[i].link_ifindex == a.ifindex;
        }
        free(all);
        assert_true(seen_a && seen_b);
}

/* A reply larger than the receive buffer (32 KiB): 400 altnames of 124
 * characters make va's RTM_NEWLINK ~54 KiB. The GET is asked again with a
 * buffer that fits, the dump peeks, and the requests after them see no
 * stray reply. */
static void test_big_replies(void **state) {
        vport_link a, b, *all = NULL;
        size_t n = 0;
        bool seen_a = false;

        sh("for i in $(seq 400); do printf 'link property add dev va altname a%%03d%%0120d\\n' $i 0; done "
           "| ip -batch -");
        assert_true(strlen(sh_out("ip -d link show va")) > 16000 - 1); /* (sh_out's cap) */
        assert_int_equal(ops->link_get(k, 0, "va", &a, NULL), 0);
        assert_string_equal(a.name, "va");
        assert_int_equal(a.ifindex, (int) if_nametoindex("va"));
        assert_int_equal(ops->link_get(k, a.ifindex, NULL, &b, NULL), 0);
        assert_string_equal(b.name, "va");
        assert_int_equal(ops->link_get(k, 0, "vb", &b, NULL), 0);
        assert_string_equal(b.name, "vb");
        assert_int_equal(ops->link_list(k, &all, &n, NULL), 0);
        for (size_t i = 0; i < n; i++)
                seen_a |= streq(all[i].name, "va") && all[i].ifindex == a.ifindex;
        free(all);
        assert_true(seen_a);
        assert_int_equal(ops->link_set_mtu(k, a.ifindex, 1400, NULL), 0);
        assert_int_equal(ops->link_get(k, a.ifindex, NULL, &b, NULL), 0);
        assert_int_equal(b.mtu, 1400);
}

static void test_link_set(void **state) {
        int va = ifindex_of("va");
        vport_mac m;
        vport_link l;

        mac("02:11:22:33:44:55", &m);
        assert_int_equal(ops->link_set_mac(k, va, &m, NULL), 0);
        assert_int_equal(ops->link_set_mtu(k, va, 1400, NULL), 0);
        assert_int_equal(ops->link_set_group(k, va, 7, NULL), 0);
        assert_int_equal(ops->link_set_up(k, va, true, NULL), 0);
        assert_int_equal(ops->link_get(k, va, NULL, &l, NULL), 0);
        assert_true(mac_equal(&l.mac, &m));
        assert_int_equal(l.mtu, 1400);
        assert_int_equal(l.group, 7);
        assert_true(l.flags & IFF_UP);
        assert_non_null(strstr(sh_out("ip -br link show dev va"), "02:11:22:33:44:55"));
        assert_int_equal(ops->link_set_up(k, va, false, NULL), 0);
        assert_int_equal(ops->link_get(k, va, NULL, &l, NULL), 0);
        assert_false(l.flags & IFF_UP);
}

static void test_link_master(void **state) {
        int va = ifindex_of("va"), br;
        vport_link l;

        sh("ip link add br0 type bridge");
        br = ifindex_of("br0");
        assert_int_equal(ops->link_set_master(k, va, br, NULL), 0);
        assert_int_equal(ops->link_get(k, va, NULL, &l, NULL), 0);
        assert_int_equal(l.master_ifindex, br);
        assert_int_equal(ops->link_get(k, br, NULL, &l, NULL), 0);
        assert_string_equal(l.kind, "bridge");
        assert_int_equal(ops->link_set_master(k, va, 0, NULL), 0);
        assert_int_equal(ops->link_get(k, va, NULL, &l, NULL), 0);
        assert_int_equal(l.master_ifindex, 0);
}

static void test_brport_flags(void **state) {
        int va = ifindex_of("va");
        const char *out;

        sh("ip link add br0 type bridge && ip link set va master br0");
        assert_int_equal(ops->brport_set_flags(k, va, false, false, NULL), 0);
        out = sh_out("bridge -d -j link show dev va");
        assert_non_null(strstr(out, "\"learning\":false"));
        assert_non_null(strstr(out, "\"flood\":false"));
        assert_int_equal(ops->brport_set_flags(k, va, true, true, NULL), 0);
        out = sh_out("bridge -d -j link show dev va");
        assert_non_null(strstr(out, "\"learning\":true"));
        assert_non_null(strstr(out, "\"flood\":true"));
}

static void test_fdb(void **state) {
        int va = ifindex_of("va");
        vport_error err = {};
        vport_mac m;

        mac("52:54:00:aa:bb:cc", &m);
        sh("ip link add br0 type bridge && ip link set va master br0");
        assert_int_equal(ops->fdb_add(k, va, &m, NULL), 0);
        assert_int_equal(ops->fdb_add(k, va, &m, NULL), 0); /* idempotent */
        assert_non_null(strstr(sh_out("bridge -j fdb show dev va"), "\"mac\":\"52:54:00:aa:bb:cc\""));
        /* static (NUD_NOARP), not permanent: a permanent entry would be a
         * local address of the bridge, not forwarded to the port; sticky, so
         * a frame with this MAC arriving on another port does not move it. */
        assert_non_null(strstr(sh_out("bridge -j fdb show dev va"),
                               "\"mac\":\"52:54:00:aa:bb:cc\",\"flags\":[\"sticky\"],\"master\":\"br0\","
                               "\"state\":\"static\""));
        assert_int_equal(ops->fdb_del(k, va, &m, NULL), 0);
        assert_null(strstr(sh_out("bridge -j fdb show dev va"), "52:54:00:aa:bb:cc"));
        assert_int_equal(ops->fdb_del(k, va, &m, &err), -ENOENT);
        assert_non_null(strstr(err.message, "va"));
}

static void check_macvlan(bool tap, uint32_t mode) {
        vport_macvlan_request req = {
                .lower_ifindex = ifindex_of("vb"), .name = "mvt0", .mode = mode, .tap = tap, .group = 99
        };
        vport_link l, again;
        vport_error err = {};

        mac("52:54:00:00:00:01", &req.mac);
        assert_int_equal(ops->macvlan_create(k, &req, &l, NULL), 0);
        assert_string_equal(l.name, "mvt0");
        assert_string_equal(l.kind, tap ? "macvtap" : "macvlan");
        assert_int_equal(l.macvlan_mode, mode);
        assert_int_equal(l.link_ifindex, req.lower_ifindex);
        assert_int_equal(l.group, 99);
        /* passthru hands the guest the lower device itself: the kernel
         * ignores IFLA_ADDRESS (the core sets the lower's MAC, as libvirt). */
        if (mode != MACVLAN_MODE_PASSTHRU)
                assert_true(mac_equal(&l.mac, &req.mac));
        assert_false(l.flags & IFF_UP);
        assert_int_equal(ops->link_get(k, l.ifindex, NULL, &again, NULL), 0);
        assert_int_equal(again.ifindex, l.ifindex);
        /* The exact name is taken: the core picks the next one. */
        assert_int_equal(ops->macvlan_create(k, &req, &again, &err), -EEXIST);
        assert_int_equal(ops->link_delete(k, l.ifindex, NULL), 0);
        assert_int_equal(ops->link_get(k, l.ifindex, NULL, &again, NULL), -ENODEV);
}

static void test_macvlan_modes(void **state) {
        static const uint32_t modes[] = { MACVLAN_MODE_VEPA, MACVLAN_MODE_BRIDGE, MACVLAN_MODE_PRIVATE,
                                          MACVLAN_MODE_PASSTHRU };

        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                check_macvlan(false, modes[i]);
                check_macvlan(true, modes[i]);
        }
}

static void test_macvtap_wait_dev(void **state) {
        vport_macvlan_request req = {
                .lower_ifindex = ifindex_of("vb"), .name = "mvt1", .mode = MACVLAN_MODE_BRIDGE, .tap = true
        };
        _cleanup_free_ char *path = NULL;
        vport_error err = {};
        char want[32];
        vport_link l;
        struct stat st;
        int fd;

        mac("52:54:00:00:00:02", &req.mac);
        assert_int_equal(ops->macvlan_create(k, &req, &l, NULL), 0);
        assert_int_equal(ops->macvtap_wait_dev(k, l.ifindex, 500, &path, NULL), 0);
        snprintf(want, sizeof(want), "/dev/tap%d", l.ifindex);
        assert_string_equal(path, want);
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISCHR(st.st_mode));
        fd = open(path, O_RDWR | O_CLOEXEC);
        assert_true(fd >= 0); /* the node really is this macvtap's queue */
        close(fd);
        /* Found by ifindex alone: a rename (udev's) changes nothing. */
        sh("ip link set mvt1 name mvt1x");
        free(path);
        path = NULL;
        assert_int_equal(ops->macvtap_wait_dev(k, l.ifindex, 0, &path, NULL), 0);
        assert_string_equal(path, want);
        assert_int_equal(ops->macvtap_open(k, l.ifindex, &fd, NULL), 0);
        close(fd);
        assert_int_equal(ops->link_delete(k, l.ifindex, NULL), 0);
        assert_int_equal(ops->macvtap_wait_dev(k, l.ifindex, 0, &path, &err), -ENODEV);
        assert_non_null(strstr(err.message, "no macvtap character device"));
        /* A device that is no macvtap has no tap. */
        assert_int_equal(ops->macvtap_wait_dev(k, ifindex_of("va"), 0, &path, NULL), -ENODEV);
}

/* The kernel's duplicate-MAC check the direct plug relies on: a down
 * macvtap is refused, on RTM_SETLINK, a MAC an up macvlan on its lower
 * device holds and the lower's own, with EADDRINUSE, and then keeps its
 * group; the MAC given at create is "set" (addr_assign_type 3), not
 * random, so udev's MACAddressPolicy leaves it alone. */
static void test_set_mac_group_busy(void **state) {
        vport_macvlan_request req = { .lower_ifindex = ifindex_of("vb"),
                                      .name = "mvt2",
                                      .mode = MACVLAN_MODE_VEPA,
                                      .tap = true,
                                      .group = 77 };
        vport_mac held, lower_mac, other;
        vport_link l, now;
        vport_error err = {};

        sh("ip link set vb up && ip link add link vb name holder0 address 52:54:00:00:00:07 type macvlan "
           "&& ip link set holder0 up");
        mac("52:54:00:00:00:07", &held);
        mac("56:54:00:00:00:07", &req.mac);
        mac("52:54:00:00:00:08", &other);
        assert_int_equal(ops->link_get(k, req.lower_ifindex, NULL, &now, NULL), 0);
        lower_mac = now.mac;
        assert_int_equal(ops->macvlan_create(k, &req, &l, NULL), 0);
        assert_string_equal(sh_out("cat /sys/class/net/mvt2/addr_assign_type"), "3\n");
        assert_int_equal(ops->link_set_mac_group(k, l.ifindex, &held, 0, &err), -EADDRINUSE);
        assert_non_null(strstr(err.message, "mvt2"));
        assert_int_equal(ops->link_set_mac_group(k, l.ifindex, &lower_mac, 0, NULL), -EADDRINUSE);
        assert_int_equal(ops->link_get(k, l.ifindex, NULL, &now, NULL), 0);
        assert_true(mac_equal(&now.mac, &req.mac));
        assert_int_equal(now.group, 77);
        assert_int_equal(ops->link_set_mac_group(k, l.ifindex, &other, 0, NULL), 0);
        assert_int_equal(ops->link_get(k, l.ifindex, NULL, &now, NULL), 0);
        assert_true(mac_equal(&now.mac, &other));
        assert_int_equal(now.group, 0);
        /* down, the holder holds nothing */
        sh("ip link set holder0 down");
        assert_int_equal(ops->link_set_mac_group(k, l.ifindex, &held, 0, NULL), 0);
        sh("ip link del holder0");
        assert_int_equal(ops->link_delete(k, l.ifindex, NULL), 0);
}

/* Why a container port is never a passthru macvlan (container_mode_check(),
 * plug-direct.c): made on vb and moved into another namespace as vport-cni
 * makes one, it carries vb's MAC, not the one asked for (so neither the
 * guest MAC nor the stand-in a release matches by); setting its MAC there
 * sets vb's; deleting it puts vb's MAC back, and so does deleting its
 * namespace. */
static void test_macvlan_passthru_netns(void **state) {
        vport_macvlan_request req = { .lower_ifindex = ifindex_of("vb"),
                                      .name = "net1",
                                      .mode = MACVLAN_MODE_PASSTHRU };
        char ns[64], path[96];
        vport_mac lower_mac, guest, other;
        vport_kernel *c = NULL;
        vport_link l, now, lower;

        snprintf(ns, sizeof(ns), "vport-knt-pt-%d", (int) getpid());
        snprintf(path, sizeof(path), "/run/netns/%s", ns);
        sh("ip netns add %s", ns);
        assert_int_equal(ops->netns_open(k, path, &c, NULL), 0);
        assert_int_equal(ops->link_get(k, req.lower_ifindex, NULL, &lower, NULL), 0);
        lower_mac = lower.mac;
        mac("52:54:00:dd:00:01", &guest);
        mac("52:54:00:dd:00:02", &other);
        req.mac = guest;
        req.netns = c;
        assert_int_equal(ops->macvlan_create(k, &req, &l, NULL), 0);
        assert_int_equal(ops->link_get(c, 0, "net1", &now, NULL), 0);
        assert_int_equal(now.macvlan_mode, MACVLAN_MODE_PASSTHRU);
        assert_true(mac_equal(&now.mac, &lower_mac));
        assert_false(mac_equal(&now.mac, &guest));
        /* its MAC is vb's: setting one sets the other */
        assert_int_equal(ops->link_set_mac(c, now.ifindex, &guest, NULL), 0);
        assert_int_equal(ops->link_get(k, req.lower_ifindex, NULL, &lower, NULL), 0);
        assert_true(mac_equal(&lower.mac, &guest));
        assert_int_equal(ops->link_delete(c, now.ifindex, NULL), 0);
        assert_int_equal(ops->link_get(k, req.lower_ifindex, NULL, &lower, NULL), 0);
        assert_true(mac_equal(&lower.mac, &lower_mac));
        /* the namespace deleted with one inside that changed vb's MAC */
        assert_int_equal(ops->macvlan_create(k, &req, &l, NULL), 0);
        assert_int_equal(ops->link_get(c, 0, "net1", &now, NULL), 0);
        assert_int_equal(ops->link_set_mac(c, now.ifindex, &other, NULL), 0);
        ops->netns_close(c);
        sh("ip netns del %s", ns);
        for (int i = 0; i < 500; i++) { /* a namespace's devices go after its last reference */
                assert_int_equal(ops->link_get(k, req.lower_ifindex, NULL, &lower, NULL), 0);
                if (mac_equal(&lower.mac, &lower_mac))
                        break;
                usleep(20000);
        }
        assert_true(mac_equal(&lower.mac, &lower_mac));
}

static void test_tap_create(void **state) {
        vport_error err = {};
        vport_link l, again;
        vport_mac m;

        mac("52:54:00:12:34:56", &m);
        assert_int_equal(ops->tap_create(k, "vtap0", &m, 0x7670abcd, &l, NULL), 0);
        /* The creating fd is closed: only TUNSETPERSIST keeps it alive. */
        assert_int_equal(ops->link_get(k, 0, "vtap0", &again, NULL), 0);
        assert_int_equal(again.ifindex, l.ifindex);
        assert_string_equal(again.kind, "tun");
        assert_true(mac_equal(&again.mac, &m));
        assert_int_equal(again.group, 0x7670abcd);
        assert_int_equal(ops->tap_create(k, "vtap0", &m, 0, &again, &err), -EEXIST);
        assert_non_null(strstr(err.message, "vtap0"));
        assert_int_equal(ops->tap_create(k, "va", &m, 0, &again, NULL), -EEXIST);
        assert_int_equal(ops->tap_create(k, "../x", &m, 0, &again, NULL), -EINVAL);
        assert_int_equal(ops->link_delete(k, l.ifindex, NULL), 0);
}

/* Whether name is prefix followed by a number (what a template makes). */
static bool fits(const char *name, const char *prefix) {
        size_t n = strlen(prefix);

        return strncmp(name, prefix, n) == 0 && name[n] &&
               strspn(name + n, "0123456789") == strlen(name + n);
}

/* A template gets a name no device holds, whoever holds the others: taps
 * of another hypervisor with a hole among them, a device of another kind,
 * an altname. Each create says the name it got. */
static void test_template_names(void **state) {
        vport_macvlan_request req = { .lower_ifindex = ifindex_of("vb"),
                                      .name = "tpl%d",
                                      .mode = MACVLAN_MODE_BRIDGE };
        vport_veth_request veth = { .name = "tpl%d", .peer_name = "tplpeer" };
        static const char *const held[] = { "tpl0", "tpl1", "tpl2", "tpl3", "tpl4", "tpl6", "tpl7", "tpl8" };
        vport_link tap, mvl, ve, again;
        vport_mac m;

        sh("for i in 0 1 2 3 4 5 6; do ip tuntap add dev tpl$i mode tap; done; ip link del tpl5");
        sh("ip link add tpl7 type bridge && ip link property add dev tpl6 altname tpl8");
        mac("52:54:00:00:00:07", &m);
        req.mac = veth.mac = veth.peer_mac = m;
        assert_int_equal(ops->tap_create(k, "tpl%d", &m, 0, &tap, NULL), 0);
        assert_int_equal(ops->macvlan_create(k, &req, &mvl, NULL), 0);
        assert_int_equal(ops->veth_create(k, &veth, &ve, NULL), 0);
        for (size_t i = 0; i < ELEMENTSOF(held); i++) {
                assert_string_not_equal(tap.name, held[i]);
                assert_string_not_equal(mvl.name, held[i]);
                assert_string_not_equal(ve.name, held[i]);
        }
        assert_true(fits(tap.name, "tpl") && fits(mvl.name, "tpl") && fits(ve.name, "tpl"));
        assert_string_not_equal(tap.name, mvl.name);
        assert_string_not_equal(tap.name, ve.name);
        assert_string_not_equal(mvl.name, ve.name);
        /* the names the creates said are the devices made */
        assert_int_equal(ops->link_get(k, 0, tap.name, &again, NULL), 0);
        assert_string_equal(again.kind, "tun");
        assert_int_equal(ops->link_get(k, 0, mvl.name, &again, NULL), 0);
        assert_string_equal(again.kind, "macvlan");
        assert_int_equal(ops->link_get(k, 0, ve.name, &again, NULL), 0);
        assert_string_equal(again.kind, "veth");
        sh("ip -o link | grep -o 'tpl[0-9]*[:@]' | tr -d ':@' | sort -u | xargs -rn1 ip link del "
           "2>/dev/null; true");
}

/* Two processes making taps from one template at once: a name one found
 * free may be taken by the other before its create, which then has the
 * kernel pick. Every create succeeds, with a name of its own. */
static void test_template_concurrent(void **state) {
        pid_t pids[2];
        int status;

        for (size_t p = 0; p < ELEMENTSOF(pids); p++) {
                pids[p] = fork();
                assert_true(pids[p] >= 0);
                if (pids[p] == 0) {
                        vport_kernel *own = NULL;
                        vport_link l;
                        vport_mac m;
                        int failed = 0;

                        if (kernel_open(&own, NULL) < 0)
                                _exit(100);
                        for (int i = 0; i < 40; i++) {
                                mac_generate(&m);
                                failed += ops->tap_create(own, "rc%d", &m, 0, &l, NULL) < 0;
                        }
                        kernel_close(own);
                        _exit(failed);
                }
        }
        for (size_t p = 0; p < ELEMENTSOF(pids); p++) {
                assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
                assert_true(WIFEXITED(status));
                assert_int_equal(WEXITSTATUS(status), 0);
        }
        assert_string_equal(sh_out("ip -o link show type tun | grep -c ': rc[0-9]*:'"), "80\n");
        sh("ip -o link show type tun | grep -o ': rc[0-9]*:' | tr -d ': ' | xargs -rn1 ip link del");
}

static void test_delete_group(void **state) {
        vport_macvlan_request req = {
                .lower_ifindex = ifindex_of("vb"), .mode = MACVLAN_MODE_BRIDGE, .tap = true, .group = 42
        };
        vport_link l, *all = NULL;
        size_t n = 0, in_group = 0;
        char name[16];

        for (int i = 0; i < 20; i++) {
                snprintf(name, sizeof(name), "gtap%d", i);
                req.name = name;
                mac_generate(&req.mac);
                assert_int_equal(ops->macvlan_create(k, &req, &l, NULL), 0);
        }
        assert_int_equal(ops->link_list(k, &all, &n, NULL), 0);
        for (size_t i = 0; i < n; i++)
                in_group += all[i].group == 42;
        free(all);
        assert_int_equal(in_group, 20);
        assert_int_equal(ops->link_delete_group(k, 42, NULL), 0);
        assert_int_equal(ops->link_list(k, &all, &n, NULL), 0);
        for (size_t i = 0; i < n; i++)
                assert_int_not_equal(all[i].group, 42);
        free(all);
        assert_int_equal(ops->link_delete_group(k, 42, NULL), 0); /* empty group */
        assert_int_equal(ops->link_delete_group(k, 0, NULL), -EINVAL);
        assert_int_equal(ops->link_get(k, 0, "va", &l, NULL), 0); /* bystanders survive */
}

static void test_errors(void **state) {
        vport_macvlan_request req = {
                .lower_ifindex = 9999, .name = "mvt2", .mode = MACVLAN_MODE_VEPA, .tap = true
        };
        vport_error err = {};
        vport_link l;

        mac("52:54:00:00:00:03", &req.mac);
        assert_int_equal(ops->macvlan_create(k, &req, &l, &err), -ENODEV);
        assert_non_null(strstr(err.message, "mvt2"));
        assert_non_null(strstr(err.message, "ifindex 9999"));
        assert_non_null(strstr(err.message, "RTM_NEWLINK"));

        /* The kernel explains this one in its extended ack. */
        vport_error_clear(&err);
        assert_int_equal(ops->link_set_mtu(k, ifindex_of("va"), 100000, &err), -EINVAL);
        assert_non_null(strstr(err.message, "va (ifindex"));
        assert_non_null(strstr(err.message, "IFLA_MTU"));
        assert_non_null(strstr(err.message, "(kernel: "));

        vport_error_clear(&err);
        assert_int_equal(ops->link_get(k, 0, "nosuchdev", &l, &err), -ENODEV);
        assert_non_null(strstr(err.message, "nosuchdev"));
        req.name = "../x";
        assert_int_equal(ops->macvlan_create(k, &req, &l, NULL), -EINVAL);
}

static void test_vf_list_veth(void **state) {
        vport_vf_info *vfs = NULL;
        size_t n = 1;

        assert_int_equal(ops->vf_list(k, ifindex_of("va"), &vfs, &n, NULL), 0);
        assert_int_equal(n, 0);
        free(vfs);
}

/* veth has no ndo_set_vf_*: the kernel answers -EOPNOTSUPP, reported as
 * unsupported by the device's driver, naming attribute, VF and device. */
static void test_vf_set_unsupported(void **state) {
        vport_vf_info cfg = { .vf = 1 };
        vport_error err = {};

        mac("52:54:00:00:00:09", &cfg.mac);
        assert_int_equal(ops->vf_set(k, ifindex_of("va"), &cfg, VF_SET_MAC, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.message, "va (ifindex"));
        assert_non_null(strstr(err.message, "RTM_SETLINK IFLA_VF_MAC on VF 1: unsupported by driver veth"));
        vport_error_clear(&err);
        cfg.vlan = 10;
        cfg.vlan_proto = 0x88a8;
        assert_int_equal(ops->vf_set(k, ifindex_of("va"), &cfg, VF_SET_VLAN | VF_SET_TRUST, &err),
                         -EOPNOTSUPP);
        assert_non_null(strstr(err.message, "IFLA_VF_VLAN_LIST on VF 1"));
        assert_int_equal(ops->vf_set(k, ifindex_of("va"), &cfg, 0, NULL), 0); /* nothing to do */
}

static void test_link_delete(void **state) {
        int va = ifindex_of("va");
        vport_link l;
        vport_error err = {};

        assert_int_equal(ops->link_delete(k, va, NULL), 0);
        assert_int_equal(ops->link_get(k, 0, "vb", &l, NULL), -ENODEV); /* the peer went with it */
        assert_int_equal(ops->link_delete(k, va, &err), -ENODEV);
        assert_non_null(strstr(err.message, "RTM_DELLINK"));
}

/* A private /dev: tun and null nodes only, so /dev/tapN is ours to make. */
static int enter_namespaces(const char **reason) {
        if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
                return *reason = "unshare(CLONE_NEWNET|CLONE_NEWNS) failed", -errno;
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("sysfs", "/sys", "sysfs", 0, NULL) < 0 ||
            mount("tmpfs", "/dev", "tmpfs", 0, "mode=0755") < 0)
                return *reason = "mounting sysfs/tmpfs in the new mount namespace failed", -errno;
        if (mkdir("/dev/net", 0755) < 0 || mknod("/dev/net/tun", S_IFCHR | 0666, makedev(10, 200)) < 0 ||
            mknod("/dev/null", S_IFCHR | 0666, makedev(1, 3)) < 0)
                return *reason = "creating /dev nodes failed", -errno;
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_link_get_list, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_big_replies, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_link_set, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_link_master, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_brport_flags, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_fdb, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_set_mac_group_busy, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_macvlan_modes, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_macvlan_passthru_netns, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_macvtap_wait_dev, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_tap_create, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_template_names, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_template_concurrent, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_delete_group, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_errors, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_vf_list_veth, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_vf_set_unsupported, setup_veth, teardown_links),
                cmocka_unit_test_setup_teardown(test_link_delete, setup_veth, teardown_links),
        };
        const char *reason = NULL;
        vport_error err = {};

        if (geteuid() != 0) {
                printf("1..0 # SKIP needs root to create a network namespace\n");
                return 77;
        }
        if (enter_namespaces(&reason) < 0) {
                printf("1..0 # SKIP %s: %m\n", reason);
                return 77;
        }
        unsetenv("VPORT_SYSFS_ROOT");
        if (kernel_open(&k, &err) < 0) {
                fprintf(stderr, "kernel_open: %s\n", err.message);
                return 1;
        }
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        kernel_close(k);
        return r;
}
