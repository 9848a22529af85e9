/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port allocation over a network's pool, through the public core API, with a
 * fake sysfs tree (VFs with and without netdevs) and a real SQLite store:
 * exclusive exhaustion, least-used spreading, release returning the device,
 * <pf> expansion, plug types per mode, and several processes allocating from
 * one pool at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "config.h"
#include "core/vport.h"
#include "fake-sysfs.h"

static char sysfs_root[FAKE_SYSFS_ROOT_MAX];
static char state_dir[64];
static vport_kernel_ops ops;
static vport_ctx *ctx;

/* Bridges named in networks "exist" (net-start checks them); everything else
 * goes to the real table, whose sysfs half reads the fake tree. */
static int fake_link_get(vport_kernel *k, int ifindex, const char *name, vport_link *ret, vport_error *err) {
        if (name && (streq(name, "br0") || streq(name, "virbr0"))) {
                *ret = (vport_link){ .ifindex = 42 };
                snprintf(ret->name, sizeof(ret->name), "%s", name);
                snprintf(ret->kind, sizeof(ret->kind), "bridge");
                return 0;
        }
        return vport_error_set(err, -ENODEV, "%s: no such device", name ? name : "?");
}

/* The bridge of an open network is made at net-start: only in this table. */
static int fake_bridge_create(vport_kernel *k, const vport_bridge_request *req, vport_link *ret,
                              vport_error *err) {
        *ret = (vport_link){ .ifindex = 77, .mac = req->mac, .group = req->group };
        snprintf(ret->name, sizeof(ret->name), "%s", req->name);
        snprintf(ret->kind, sizeof(ret->kind), "bridge");
        return 0;
}

static int fake_link_set_group(vport_kernel *k, int ifindex, uint32_t group, vport_error *err) {
        return ifindex == 77 ? 0 : -ENODEV;
}

static int fake_addr_add(vport_kernel *k, int ifindex, const vport_ipaddr *a, vport_error *err) {
        return ifindex == 77 ? 0 : -ENODEV;
}

static int fake_link_set_up(vport_kernel *k, int ifindex, bool up, vport_error *err) {
        return ifindex == 77 ? 0 : -ENODEV;
}

static int fake_ipv6_conf_set(vport_kernel *k, const char *ifname, const char *key, int value,
                              vport_error *err) {
        return 0;
}

static vport_ctx *open_ctx(void) {
        vport_ctx_options o = { .ops = &ops };
        vport_error err = { 0 };
        vport_ctx *c = NULL;

        if (vport_ctx_open(&o, &c, &err) < 0)
                fail_msg("vport_ctx_open: %s", err.message);
        return c;
}

static int setup(void **state) {
        fake_sysfs_create(sysfs_root);
        fake_sysfs_add_pf(sysfs_root, "0000:06:00.0", "eth0", 3);
        fake_sysfs_add_vf(sysfs_root, "0000:06:00.0", 0, "0000:06:10.0", "igbvf");
        fake_sysfs_add_vf(sysfs_root, "0000:06:00.0", 1, "0000:06:10.2", "igbvf");
        fake_sysfs_add_vf(sysfs_root, "0000:06:00.0", 2, "0000:06:10.4", "vfio-pci"); /* no netdev */
        fake_sysfs_add_netdev(sysfs_root, "0000:06:10.0", "eth0v0");
        fake_sysfs_add_netdev(sysfs_root, "0000:06:10.2", "eth0v1");
        fake_sysfs_add_pci(sysfs_root, "0000:00:1f.2", "0x010601\n", NULL);
        snprintf(state_dir, sizeof(state_dir), "/tmp/vport-state-XXXXXX");
        assert_non_null(mkdtemp(state_dir));
        setenv("VPORT_STATE_DIR", state_dir, 1);
        ops = vport_kernel_ops_real;
        ops.link_get = fake_link_get;
        ops.bridge_create = fake_bridge_create;
        ops.addr_add = fake_addr_add;
        ops.link_set_group = fake_link_set_group;
        ops.link_set_up = fake_link_set_up;
        ops.ipv6_conf_set = fake_ipv6_conf_set;
        ctx = open_ctx();
        return 0;
}

static int teardown(void **state) {
        char cmd[128];

        vport_ctx_close(ctx);
        ctx = NULL;
        fake_sysfs_destroy(sysfs_root);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
        return system(cmd);
}

static void define_start(const char *xml) {
        _cleanup_free_ char *name = NULL;
        vport_error err = { 0 };

        if (vport_net_define(ctx, xml, &name, &err) < 0)
                fail_msg("net-define: %s", err.message);
        if (vport_net_start(ctx, name, &err) < 0)
                fail_msg("net-start %s: %s", name, err.message);
}

/* Create a port; returns the error code and, on success, the port. */
static int create(const char *net, const char *mac, const char *pg, int vlan, vport_port **ret,
                  vport_error *err) {
        vport_port_request req = { .network = net, .portgroup = pg, .vlan = vlan, .owner_name = "vm1" };
        vport_mac m;

        if (mac) {
                assert_int_equal(mac_parse(mac, &m), 0);
                req.mac = &m;
        }
        return vport_port_create(ctx, &req, ret, err);
}

static vport_port *create_ok(const char *net) {
        vport_error err = { 0 };
        vport_port *p = NULL;

        if (create(net, NULL, NULL, -1, &p, &err) < 0)
                fail_msg("port-create %s: %s", net, err.message);
        return p;
}

static const char *HOSTDEV_PF = "<network><name>hn</name><forward mode='hostdev' managed='yes'>"
                                "<pf dev='eth0'/></forward></network>";
static const char *VEPA_PF =
        "<network><name>vn</name><forward mode='vepa'><pf dev='eth0'/></forward></network>";

/* Direct (macvtap) networks cannot even be defined in a -Dmacvtap=disabled
 * build: tests that need one skip there. */
#define REQUIRE_MACVTAP()                                                                    \
        do {                                                                                 \
                if (!WITH_MACVTAP) {                                                         \
                        print_message("skipped: built without macvtap (direct networks)\n"); \
                        skip();                                                              \
                }                                                                            \
        } while (0)

static void test_hostdev_exclusive_exhaustion(void **state) {
        vport_port *p[3] = { 0 }, *extra = NULL;
        char bdf[VPORT_PCI_STRLEN];
        vport_error err = { 0 };

        define_start(HOSTDEV_PF);
        /* <pf> expands to all three VFs by PCI address, even the one without a netdev. */
        for (int i = 0; i < 3; i++) {
                p[i] = create_ok("hn");
                assert_int_equal(p[i]->def->plug.type, PLUG_HOSTDEV_PCI);
                assert_true(p[i]->def->plug.managed);
                assert_int_equal(p[i]->state, PORT_STATE_ALLOCATED);
        }
        assert_string_equal(pci_addr_format(&p[0]->def->plug.addr, bdf), "0000:06:10.0");
        assert_string_equal(pci_addr_format(&p[1]->def->plug.addr, bdf), "0000:06:10.2");
        assert_string_equal(pci_addr_format(&p[2]->def->plug.addr, bdf), "0000:06:10.4");
        assert_int_equal(create("hn", NULL, NULL, -1, &extra, &err), -ENOSPC);
        assert_non_null(strstr(err.message, "network 'hn'"));
        assert_null(extra);
        /* Release returns the device: the next port gets exactly that VF. */
        assert_int_equal(vport_port_delete(ctx, &p[1]->def->uuid, &err), 0);
        vport_port_free(p[1]);
        p[1] = create_ok("hn");
        assert_string_equal(pci_addr_format(&p[1]->def->plug.addr, bdf), "0000:06:10.2");
        for (int i = 0; i < 3; i++)
                vport_port_free(p[i]);
}

static void test_direct_least_used(void **state) {
        const char *want[] = { "eth0v0", "eth0v1", "eth0v0", "eth0v1", "eth0v0" };
        vport_port *p[5];
        vport_error err = { 0 };

        REQUIRE_MACVTAP();

        define_start(VEPA_PF);
        /* Only VFs with a netdev serve a direct mode; the least used wins, first on ties. */
        for (int i = 0; i < 5; i++) {
                p[i] = create_ok("vn");
                assert_int_equal(p[i]->def->plug.type, PLUG_DIRECT);
                assert_int_equal(p[i]->def->plug.mode, DIRECT_VEPA);
                assert_string_equal(p[i]->def->plug.dev, want[i]);
        }
        /* Free two on eth0v0: the next two go there, as it is now least used. */
        assert_int_equal(vport_port_delete(ctx, &p[0]->def->uuid, &err), 0);
        assert_int_equal(vport_port_delete(ctx, &p[2]->def->uuid, &err), 0);
        vport_port_free(p[0]);
        vport_port_free(p[2]);
        p[0] = create_ok("vn");
        assert_string_equal(p[0]->def->plug.dev, "eth0v0");
        p[2] = create_ok("vn");
        assert_string_equal(p[2]->def->plug.dev, "eth0v0");
        for (int i = 0; i < 5; i++)
                vport_port_free(p[i]);
}

static void test_passthrough_and_private_qbh(void **state) {
        vport_port *a, *b, *c = NULL, *d;
        vport_network *net = NULL;
        vport_error err = { 0 };

        REQUIRE_MACVTAP();

        define_start("<network><name>pt</name><forward mode='passthrough'><interface dev='eth1'/>"
                     "<interface dev='eth2'/></forward></network>");
        a = create_ok("pt");
        b = create_ok("pt");
        assert_string_equal(a->def->plug.dev, "eth1");
        assert_string_equal(b->def->plug.dev, "eth2");
        assert_int_equal(a->def->plug.mode, DIRECT_PASSTHROUGH);
        assert_int_equal(create("pt", NULL, NULL, -1, &c, &err), -ENOSPC);
        assert_non_null(strstr(err.message, "'pt'"));
        vport_port_free(a);
        vport_port_free(b);

        /* private is shared, except with an 802.1Qbh profile: then exclusive. */
        define_start("<network><name>pq</name><forward mode='private'><interface dev='eth3'/></forward>"
                     "<virtualport type='802.1Qbh'><parameters profileid='prof1'/></virtualport></network>");
        d = create_ok("pq");
        assert_int_equal(d->def->plug.mode, DIRECT_PRIVATE);
        assert_int_equal(create("pq", NULL, NULL, -1, &c, &err), -ENOSPC);
        vport_port_free(d);
        define_start("<network><name>pv</name><forward mode='private'><interface "
                     "dev='eth3'/></forward></network>");
        a = create_ok("pv");
        b = create_ok("pv");
        assert_string_equal(a->def->plug.dev, "eth3");
        assert_string_equal(b->def->plug.dev, "eth3");
        /* a shared pool of one: creating reads no counts (pool_counts_matter()),
         * net-info still does */
        assert_int_equal(vport_network_get(ctx, "pv", &net, &err), 0);
        assert_int_equal(vport_network_device_connections(net, 0), 2);
        vport_network_free(net);
        vport_port_free(a);
        vport_port_free(b);
}

static void test_bridge_and_network_plugs(void **state) {
        vport_port *p;

        define_start("<network><name>br</name><forward mode='bridge'/>"
                     "<bridge name='br0' macTableManager='libvirt'/></network>");
        p = create_ok("br");
        assert_int_equal(p->def->plug.type, PLUG_BRIDGE);
        assert_string_equal(p->def->plug.bridge, "br0");
        assert_int_equal(p->def->plug.mac_table_manager, MAC_TABLE_MANAGER_LIBVIRT);
        assert_null(p->device);
        vport_port_free(p);
        /* vport makes this one at net-start (fake_bridge_create) */
        define_start("<network><name>open</name><forward mode='open'/><bridge name='vbr-open'/>"
                     "<ip address='192.168.122.1' netmask='255.255.255.0'/></network>");
        p = create_ok("open");
        assert_int_equal(p->def->plug.type, PLUG_NETWORK);
        assert_string_equal(p->def->plug.bridge, "vbr-open");
        vport_port_free(p);
}

static void test_refusals(void **state) {
        vport_port *p = NULL, *q;
        vport_error err = { 0 };
        _cleanup_free_ char *name = NULL;

        REQUIRE_MACVTAP();

        /* Inactive network: refused, as in libvirt. */
        assert_int_equal(vport_net_define(ctx, VEPA_PF, &name, &err), 0);
        assert_int_equal(create("vn", NULL, NULL, -1, &p, &err), -EHOSTDOWN);
        assert_non_null(strstr(err.message, "'vn' is not active"));
        assert_int_equal(create("nosuch", NULL, NULL, -1, &p, &err), -ENOENT);
        assert_int_equal(vport_net_start(ctx, "vn", &err), 0);
        assert_int_equal(vport_net_start(ctx, "vn", &err), -EALREADY);
        /* Guest MACs: unicast, not zero; a given MAC may be shared (libvirt allows it). */
        assert_int_equal(create("vn", "01:00:5e:00:00:01", NULL, -1, &p, &err), -EINVAL);
        assert_int_equal(create("vn", "00:00:00:00:00:00", NULL, -1, &p, &err), -EINVAL);
        assert_int_equal(create("vn", "52:54:00:aa:bb:cc", NULL, -1, &q, &err), 0);
        assert_int_equal(create("vn", "52:54:00:aa:bb:cc", NULL, -1, &p, &err), 0);
        vport_port_free(p);
        /* As in libvirt: an unknown portgroup is no portgroup; a VLAN on vepa is
         * allocated but refused when the port is prepared (libvirt: guest start),
         * before anything is touched. */
        assert_int_equal(create("vn", NULL, "nosuchgroup", -1, &p, &err), 0);
        vport_port_free(p);
        assert_int_equal(create("vn", NULL, NULL, 42, &p, &err), 0);
        assert_int_equal(vport_port_prepare(ctx, &p->def->uuid, 0, NULL, &err), -EINVAL);
        assert_non_null(strstr(err.message, "<vlan>"));
        assert_non_null(strstr(err.message, "vepa"));
        vport_port_free(p);
        /* An active network cannot be undefined or redefined. */
        assert_int_equal(vport_net_undefine(ctx, "vn", &err), -EBUSY);
        assert_int_equal(vport_net_define(ctx, VEPA_PF, NULL, &err), -EBUSY);
        /* Destroy deletes its ports; then undefine works. */
        if (vport_net_destroy(ctx, "vn", &err) < 0)
                fail_msg("net-destroy: %s", err.message);
        assert_int_equal(vport_port_get(ctx, &q->def->uuid, &p, &err), -ENOENT);
        assert_int_equal(vport_net_undefine(ctx, "vn", &err), 0);
        vport_port_free(q);
}

static void test_generated_macs_and_vlan(void **state) {
        vport_port *a, *b, *v = NULL;
        vport_error err = { 0 };
        char m[VPORT_MAC_STRLEN];

        define_start(HOSTDEV_PF);
        a = create_ok("hn");
        b = create_ok("hn");
        assert_memory_equal(a->def->mac.addr, ((uint8_t[]){ 0x52, 0x54, 0x00 }), 3);
        assert_false(mac_equal(&a->def->mac, &b->def->mac));
        assert_int_equal(create("hn", "52:54:00:00:00:07", NULL, 42, &v, &err), 0);
        assert_int_equal(v->def->vlan.n_tags, 1);
        assert_int_equal(v->def->vlan.tags[0], 42);
        assert_string_equal(mac_format(&v->def->mac, m), "52:54:00:00:00:07");
        vport_port_free(a);
        vport_port_free(b);
        vport_port_free(v);
}

/* A port may name its device: by PCI address, by the VF's netdev name
 * (resolved to its PCI address, and checked again at prepare), or by an
 * interface of the pool. */
static void test_named_device(void **state) {
        vport_port_request req = { .network = "hn", .vlan = -1, .owner_name = "vm1" };
        vport_port *a = NULL, *b = NULL, *c = NULL;
        char bdf[VPORT_PCI_STRLEN], path[256], path2[256];
        vport_error err = { 0 };

        define_start(HOSTDEV_PF);
        req.device = "0000:06:10.2";
        assert_int_equal(vport_port_create(ctx, &req, &a, &err), 0);
        assert_string_equal(pci_addr_format(&a->def->plug.addr, bdf), "0000:06:10.2");
        assert_int_equal(vport_port_create(ctx, &req, &c, &err), -EBUSY);
        assert_non_null(strstr(err.message, "0000:06:10.2"));
        req.device = "eth0v0";
        assert_int_equal(vport_port_create(ctx, &req, &b, &err), 0);
        assert_string_equal(pci_addr_format(&b->def->plug.addr, bdf), "0000:06:10.0");
        req.device = "0000:00:1f.2";
        assert_int_equal(vport_port_create(ctx, &req, &c, &err), -ENODEV);
        assert_non_null(strstr(err.message, "not in the pool of network 'hn'"));
        /* The name now belongs to another VF (udev renamed things): prepare refuses. */
        snprintf(path, sizeof(path), "%s/class/net/eth0v0", sysfs_root);
        snprintf(path2, sizeof(path2), "%s/devices/pci0000:00/0000:00:03.0/0000:06:10.4/net", sysfs_root);
        assert_int_equal(mkdir(path2, 0755), 0);
        strcat(path2, "/eth0v0");
        assert_int_equal(unlink(path), 0);
        assert_int_equal(mkdir(path2, 0755), 0);
        assert_int_equal(symlink(path2, path), 0);
        snprintf(path, sizeof(path), "%s/device", path2);
        path2[strlen(path2) - strlen("/net/eth0v0")] = '\0';
        assert_int_equal(symlink(path2, path), 0);
        assert_int_equal(vport_port_prepare(ctx, &b->def->uuid, 0, NULL, &err), -EXDEV);
        assert_non_null(strstr(err.message, "0000:06:10.4"));
        vport_port_free(a);
        vport_port_free(b);
}

/* Several processes allocate from one pool at once. Returns per child: 0 =
 * got a port, 3 = pool exhausted, 1 = anything else. */
static int child_create(const char *net) {
        vport_ctx *c = open_ctx();
        vport_port_request req = { .network = net, .vlan = -1, .owner_name = "race" };
        vport_error err = { 0 };
        vport_port *p = NULL;
        int r = vport_port_create(c, &req, &p, &err);

        if (r < 0 && r != -ENOSPC)
                fprintf(stderr, "child: %s\n", vport_error_message(&err, r));
        vport_port_free(p);
        vport_ctx_close(c);
        return r == 0 ? 0 : r == -ENOSPC ? 3 : 1;
}

static void race(const char *net, int n, int *ret_ok, int *ret_full) {
        pid_t pids[16];
        int status;

        *ret_ok = *ret_full = 0;
        for (int i = 0; i < n; i++) {
                pids[i] = fork();
                assert_true(pids[i] >= 0);
                if (pids[i] == 0)
                        _exit(child_create(net));
        }
        for (int i = 0; i < n; i++) {
                assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
                assert_true(WIFEXITED(status));
                assert_int_not_equal(WEXITSTATUS(status), 1);
                *ret_ok += WEXITSTATUS(status) == 0;
                *ret_full += WEXITSTATUS(status) == 3;
        }
}

/* --reclaim (libvirt's VIR_NETWORK_PORT_CREATE_RECLAIM): a dumped port fed
 * back takes the device its <plug> names, if the pool has it free. */
#define RPORT(uuid, plug)                                                                                  \
        "<networkport><uuid>" uuid "</uuid><owner><name>vm1</name>"                                        \
        "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid></owner><mac address='52:54:00:11:22:33'/>" plug \
        "</networkport>"

static int create_xml(const char *net, const char *xml, unsigned flags, vport_port **ret, vport_error *err) {
        vport_port_request req = { .network = net, .xml = xml, .vlan = -1, .flags = flags };

        return vport_port_create(ctx, &req, ret, err);
}

static void expect_create_xml_fail(const char *net, const char *xml, unsigned flags, int code,
                                   const char *needle) {
        vport_error err = { 0 };
        vport_port *p = NULL;

        assert_int_equal(create_xml(net, xml, flags, &p, &err), code);
        assert_null(p);
        if (!strstr(err.message, needle))
                fail_msg("message '%s' lacks '%s'", err.message, needle);
}

static void test_reclaim(void **state) {
        static const char *const vf2 = RPORT(
                "4a2e1bc3-0c2d-4f3c-9a5e-1f0b4c0a7d11",
                "<plug type='hostdev-pci' managed='no'><address domain='0x0000' bus='0x06' slot='0x10' "
                "function='0x2'/></plug>");
        vport_port *p = NULL;
        vport_error err = { 0 };

        REQUIRE_MACVTAP(); /* half of it reclaims direct (macvtap) plugs */
        define_start(HOSTDEV_PF);
        define_start(VEPA_PF);
        /* as libvirt: a <plug> only with reclaim, reclaim only with a <plug> */
        expect_create_xml_fail("hn", vf2, 0, -EINVAL, "only taken with --reclaim");
        expect_create_xml_fail("hn", RPORT("4a2e1bc3-0c2d-4f3c-9a5e-1f0b4c0a7d12", ""), VPORT_PORT_RECLAIM,
                               -EINVAL, "--reclaim: the port has no <plug>");
        /* a port document names its port, as libvirt requires */
        expect_create_xml_fail(
                "vn",
                "<networkport><owner><name>vm1</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809"
                "</uuid></owner><mac address='52:54:00:11:22:33'/></networkport>",
                0, -EINVAL, "networkport: missing <uuid>");
        /* the named VF, not the first free one; the <plug> kept as given (managed='no') */
        assert_int_equal(create_xml("hn", vf2, VPORT_PORT_RECLAIM, &p, &err), 0);
        assert_string_equal(p->device, "0000:06:10.2");
        assert_false(p->def->plug.managed);
        assert_true(p->def->plug.managed_set);
        vport_port_free(TAKE_PTR(p));
        /* taken: an exclusive device is not reclaimed twice */
        expect_create_xml_fail("hn",
                               RPORT("4a2e1bc3-0c2d-4f3c-9a5e-1f0b4c0a7d13",
                                     "<plug type='hostdev-pci'><address domain='0' bus='6' slot='16' "
                                     "function='2'/></plug>"),
                               VPORT_PORT_RECLAIM, -EBUSY, "already used by another port");
        expect_create_xml_fail("hn",
                               RPORT("4a2e1bc3-0c2d-4f3c-9a5e-1f0b4c0a7d14",
                                     "<plug type='hostdev-pci'><address domain='0' bus='6' slot='17' "
                                     "function='2'/></plug>"),
                               VPORT_PORT_RECLAIM, -ENODEV, "not in the pool of network 'hn'");
        /* what contradicts the network is refused (libvirt would trust it) */
        expect_create_xml_fail("hn",
                               RPORT("4a2e1bc3-0c2d-4f3c-9a5e-1f0b4c0a7d15",
                                     "<plug type='direct' dev='eth0v0' mode='vepa'/>"),
                               VPORT_PORT_RECLAIM, -EINVAL, "plugs its ports as type 'hostdev-pci'");
        expect_create_xml_fail("vn",
                               RPORT("4a2e1bc3-0c2d-4f3c-9a5e-1f0b4c0a7d16",
                                     "<plug type='direct' dev='eth0v0' mode='private'/>"),
                               VPORT_PORT_RECLAIM, -EINVAL, "network 'vn' uses mode 'vepa'");
        assert_int_equal(create_xml("vn",
                                    RPORT("4a2e1bc3-0c2d-4f3c-9a5e-1f0b4c0a7d17",
                                          "<plug type='direct' dev='eth0v1' mode='vepa'/>"),
                                    VPORT_PORT_RECLAIM, &p, &err),
                         0);
        assert_string_equal(p->device, "eth0v1");
        vport_port_free(p);
}

static void test_concurrent_processes(void **state) {
        vport_port **ports = NULL;
        size_t n = 0;
        vport_error err = { 0 };
        int ok, full, on_v0 = 0;

        REQUIRE_MACVTAP();

        define_start(HOSTDEV_PF);
        race("hn", 8, &ok, &full);
        assert_int_equal(ok, 3);
        assert_int_equal(full, 5);
        assert_int_equal(vport_port_list(ctx, "hn", &ports, &n, &err), 0);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < i; j++)
                        assert_string_not_equal(ports[i]->device, ports[j]->device);
        vport_port_array_free(ports, n);

        define_start(VEPA_PF);
        race("vn", 9, &ok, &full);
        assert_int_equal(ok, 9);
        assert_int_equal(vport_port_list(ctx, "vn", &ports, &n, &err), 0);
        assert_int_equal(n, 9);
        for (size_t i = 0; i < n; i++)
                on_v0 += streq(ports[i]->device, "eth0v0");
        assert_int_equal(on_v0, 5); /* 5 + 4: spread evenly, first device on the tie */
        vport_port_array_free(ports, n);
}

static void test_net_info_counts(void **state) {
        json_object *info, *devs, *d, *v;
        vport_network *net = NULL;
        vport_port *a, *b;
        vport_error err = { 0 };

        REQUIRE_MACVTAP();

        define_start(VEPA_PF);
        a = create_ok("vn");
        b = create_ok("vn");
        vport_port_free(create_ok("vn"));
        assert_int_equal(vport_network_get(ctx, "vn", &net, &err), 0);
        assert_int_equal(vport_network_get_n_devices(net), 2);
        assert_int_equal(vport_network_device_connections(net, 0), 2);
        /* and the JSON net-info prints, from the same values */
        info = vport_network_to_json(net);
        vport_network_free(net);
        assert_true(json_object_object_get_ex(info, "devices", &devs));
        assert_int_equal(json_object_array_length(devs), 2);
        d = json_object_array_get_idx(devs, 0);
        assert_true(json_object_object_get_ex(d, "connections", &v));
        assert_int_equal(json_object_get_int(v), 2);
        assert_true(json_object_object_get_ex(d, "pci", &v));
        assert_string_equal(json_object_get_string(v), "0000:06:10.0");
        assert_true(json_object_object_get_ex(info, "ports", &v));
        assert_int_equal(json_object_get_int(v), 3);
        json_object_put(info);
        vport_port_free(a);
        vport_port_free(b);
}

static void create_owned(const char *net, const char *owner) {
        vport_port_request req = { .network = net, .vlan = -1, .owner_name = owner };
        vport_error err = { 0 };
        vport_port *p = NULL;

        if (vport_port_create(ctx, &req, &p, &err) < 0)
                fail_msg("port-create %s for %s: %s", net, owner, err.message);
        vport_port_free(p);
}

static size_t owned(const char *net, const char *owner, const char *want_net) {
        vport_port **ports = NULL;
        vport_error err = { 0 };
        size_t n = 0;

        assert_int_equal(vport_port_list_owner(ctx, net, owner, &ports, &n, &err), 0);
        for (size_t i = 0; i < n; i++) {
                assert_string_equal(vport_port_get_owner_name(ports[i]), owner);
                if (want_net)
                        assert_string_equal(vport_port_get_network(ports[i]), want_net);
        }
        vport_port_array_free(ports, n);
        return n;
}

/* An owner's ports: on one network or on all, none for an owner without
 * ports; an undefined network and a name vport cannot take are errors. */
static void test_list_owner(void **state) {
        vport_port **ports = NULL;
        vport_error err = { 0 };
        size_t n = 0;

        define_start("<network><name>br</name><forward mode='bridge'/><bridge name='br0'/></network>");
        define_start("<network><name>br2</name><forward mode='bridge'/><bridge name='br0'/></network>");
        create_owned("br", "c1");
        create_owned("br", "c1");
        create_owned("br2", "c1");
        create_owned("br", "c2");
        assert_int_equal(owned("br", "c1", "br"), 2);
        assert_int_equal(owned("br2", "c1", "br2"), 1);
        assert_int_equal(owned(NULL, "c1", NULL), 3);
        assert_int_equal(owned("br", "c2", "br"), 1);
        assert_int_equal(owned("br2", "c2", NULL), 0);
        assert_int_equal(owned(NULL, "nobody", NULL), 0);
        assert_int_equal(vport_port_list_owner(ctx, "nosuch", "c1", &ports, &n, &err), -ENOENT);
        assert_non_null(strstr(err.message, "nosuch"));
        assert_int_equal(vport_port_list_owner(ctx, "br", "bad\001owner", &ports, &n, &err), -EINVAL);
        assert_non_null(strstr(err.message, "owner name"));
}

/* Ports from an earlier boot hold nothing: their devices are free again. */
static void test_earlier_boot(void **state) {
        vport_network *net = NULL;
        char idfile[128];
        vport_port *a, *b, *c;
        vport_error err = { 0 };
        FILE *f;

        REQUIRE_MACVTAP();

        snprintf(idfile, sizeof(idfile), "%s/boot_id", state_dir);
        assert_non_null(f = fopen(idfile, "we"));
        fputs("11111111-2222-3333-4444-555555555555\n", f);
        fclose(f);
        setenv("VPORT_BOOT_ID_FILE", idfile, 1);
        vport_ctx_close(ctx);
        ctx = open_ctx();
        define_start("<network><name>pt</name><forward mode='passthrough'><interface "
                     "dev='eth1'/></forward></network>");
        a = create_ok("pt");
        unsetenv("VPORT_BOOT_ID_FILE"); /* "reboot": the real boot id differs */
        vport_ctx_close(ctx);
        ctx = open_ctx();
        assert_int_equal(vport_port_get(ctx, &a->def->uuid, &b, &err), 0);
        assert_true(b->stale);
        assert_int_equal(vport_port_activate(ctx, &a->def->uuid, NULL, &err), -ESTALE);
        /* The network is inactive after the reboot; once started the device is free. */
        assert_int_equal(create("pt", NULL, NULL, -1, &c, &err), -EHOSTDOWN);
        assert_int_equal(vport_net_start(ctx, "pt", &err), 0);
        c = create_ok("pt");
        assert_string_equal(c->def->plug.dev, "eth1");
        /* the network counts its live ports only: a's row is from the earlier boot */
        assert_int_equal(vport_network_get(ctx, "pt", &net, &err), 0);
        assert_int_equal(vport_network_get_ports(net), 1);
        vport_network_free(net);
        assert_true(vport_reconcile(ctx, &err) >= 1);
        vport_port_free(b);
        b = NULL;
        assert_int_equal(vport_port_get(ctx, &a->def->uuid, &b, &err), -ENOENT);
        vport_port_free(a);
        vport_port_free(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_hostdev_exclusive_exhaustion, setup, teardown),
                cmocka_unit_test_setup_teardown(test_direct_least_used, setup, teardown),
                cmocka_unit_test_setup_teardown(test_passthrough_and_private_qbh, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bridge_and_network_plugs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_generated_macs_and_vlan, setup, teardown),
                cmocka_unit_test_setup_teardown(test_named_device, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reclaim, setup, teardown),
                cmocka_unit_test_setup_teardown(test_concurrent_processes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_net_info_counts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_earlier_boot, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list_owner, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
