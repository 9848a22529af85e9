/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* direct (macvtap) and bridge (tap) ports through the public API over the
 * fake link table: what each lifecycle step leaves on the host, that a
 * repeated step makes no kernel call, that a failed step leaves the host
 * as it was, that delete never touches a device vport did not make, and
 * that a bulk delete issues one group delete per driver. */
#include <linux/if_link.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "config.h"
#include "core/fault.h"
#include "core/internal.h"
#include "core/plug-common.h"
#include "ctx-fixture.h"
#include "fake-netdev.h"
#include "wal-frames.h"

static const vport_mac guest_mac = { { 0x52, 0x54, 0x00, 0xbb, 0x00, 0x01 } };
static const vport_mac tap_mac = { { 0xfe, 0x54, 0x00, 0xbb, 0x00, 0x01 } };

static const struct {
        const char *name, *forward;
} networks[] = {
        { "vepa", "<forward mode='vepa'><interface dev='eth0'/></forward>" },
        { "bridgemode", "<forward mode='bridge'><interface dev='eth0'/></forward>" },
        { "private", "<forward mode='private'><interface dev='eth0'/></forward>" },
        { "passthrough", "<forward mode='passthrough'><interface dev='eth1'/></forward>" },
        { "br", "<forward mode='bridge'/><bridge name='br0'/>" },
        { "brlv", "<forward mode='bridge'/><bridge name='br0' macTableManager='libvirt'/>" },
};

typedef struct fixture {
        char dir[TU_DIR_MAX];
        vport_ctx *ctx;
        fault_ops *fault;
} fixture;

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        vport_error err = { 0 };
        char xml[512];

        tu_state_dir_new(f->dir, "test-port");
        fake_net_setup();
        f->ctx = tu_ctx_open(f->dir, &fake_net_ops);
        for (size_t i = 0; i < ELEMENTSOF(networks); i++) {
                bool direct = !strstr(networks[i].forward, "<bridge");
                snprintf(xml, sizeof(xml), "<network><name>%s</name>%s</network>", networks[i].name,
                         networks[i].forward);
                /* -Dmacvtap=disabled: direct networks are refused at define */
                if (direct && !WITH_MACVTAP) {
                        assert_int_equal(vport_net_define(f->ctx, xml, NULL, &err), -EOPNOTSUPP);
                        continue;
                }
                assert_int_equal(vport_net_define(f->ctx, xml, NULL, &err), 0);
                assert_int_equal(vport_net_start(f->ctx, networks[i].name, &err), 0);
        }
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;

        vport_ctx_close(f->ctx);
        fault_ops_free(f->fault);
        tu_state_dir_remove(f->dir);
        free(f);
        return 0;
}

/* Reopen the context through a fault table with spec around the fake (the
 * test called tu_skip_without_faults() first). */
static void with_faults(fixture *f, const char *spec) {
        tu_ctx_reopen_faulty(&f->ctx, f->dir, &fake_net_ops, spec, &f->fault);
}

static int create(vport_ctx *ctx, const char *net, const char *owner, vport_port **ret, vport_error *err) {
        vport_port_request req = { .network = net,
                                   .mac = &guest_mac,
                                   .owner_name = owner,
                                   .vlan = -1,
                                   .flags = VPORT_PORT_PREPARE };

        return vport_port_create(ctx, &req, ret, err);
}

static vport_port *create_ok(fixture *f, const char *net) {
        vport_port *port = NULL;
        vport_error err = { 0 };

        if (create(f->ctx, net, "vm1", &port, &err) < 0)
                fail_msg("create on %s: %s", net, err.message);
        assert_int_equal(port->state, PORT_STATE_PREPARED);
        return port;
}

static vport_port_state state_of(fixture *f, const vport_port *port) {
        _cleanup_(vport_port_freep) vport_port *now = NULL;

        assert_int_equal(vport_port_get(f->ctx, &port->def->uuid, &now, NULL), 0);
        return now->state;
}

static fake_net_link *must_find(const char *name) {
        fake_net_link *l = fake_net_find(0, name);

        if (!l)
                fail_msg("no link %s", name);
        return l;
}

static bool is_up(const char *name) {
        return must_find(name)->link.flags & IFF_UP;
}

/* One step that must succeed; a repeat of it must not reach the kernel,
 * except deactivate's: a "prepared" port may be one whose activate was
 * killed half-way, so deactivate takes its devices down again (the repeat
 * must still change nothing and make no store write). */
typedef int (*step_fn)(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err);

static void step_ok(fixture *f, const vport_port *port, step_fn fn, vport_port_state want) {
        fake_net *before = malloc(sizeof(*before));
        vport_error err = { 0 };
        unsigned calls;

        if (fn(f->ctx, &port->def->uuid, NULL, &err) < 0)
                fail_msg("step: %s", err.message);
        assert_int_equal(state_of(f, port), want);
        calls = fnet->calls.total;
        *before = *fnet;
        assert_int_equal(fn(f->ctx, &port->def->uuid, NULL, &err), 0);
        if (fn != vport_port_deactivate)
                assert_int_equal(fnet->calls.total, calls);
        assert_memory_equal(before->links, fnet->links, sizeof(fnet->links));
        assert_memory_equal(before->fdb, fnet->fdb, sizeof(fnet->fdb));
        assert_int_equal(state_of(f, port), want);
        free(before);
}

static int prepare_again(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err) {
        return vport_port_prepare(ctx, uuid, 0, ret, err);
}

/* ---- direct ---- */

static void needs_macvtap(void) {
        if (!WITH_MACVTAP) {
                print_message("built with -Dmacvtap=disabled: no direct ports\n");
                skip();
        }
}

static void direct_cycle(fixture *f, const char *net, uint32_t mode) {
        bool pt = mode == MACVLAN_MODE_PASSTHRU;
        const char *lower = pt ? "eth1" : "eth0";
        fake_net_link before = *must_find(lower), *mvt;
        unsigned links = fake_net_count(NULL);
        vport_port *port;
        vport_error err = { 0 };
        char tapdev[32];
        int ifindex;

        needs_macvtap();
        port = create_ok(f, net);
        mvt = must_find("macvtap0");
        ifindex = mvt->link.ifindex;
        assert_string_equal(mvt->link.kind, "macvtap");
        assert_int_equal(mvt->link.link_ifindex, before.link.ifindex);
        assert_int_equal(mvt->link.macvlan_mode, mode);
        assert_true(mac_equal(&mvt->link.mac, &guest_mac));
        assert_false(is_up("macvtap0"));
        assert_string_equal(port->rt.ifname, "macvtap0");
        snprintf(tapdev, sizeof(tapdev), "/dev/tap%d", ifindex);
        assert_string_equal(port->rt.tapdev, tapdev);
        assert_int_equal(fake_net_fdb_count(&guest_mac), 0);
        /* passthrough: the physdev carries the guest MAC, down until activate */
        assert_true(mac_equal(&must_find(lower)->link.mac, pt ? &guest_mac : &before.link.mac));
        assert_int_equal(is_up(lower), !pt && (before.link.flags & IFF_UP));
        step_ok(f, port, prepare_again, PORT_STATE_PREPARED);

        step_ok(f, port, vport_port_activate, PORT_STATE_ACTIVE);
        assert_true(is_up("macvtap0"));
        assert_true(is_up(lower));

        step_ok(f, port, vport_port_deactivate, PORT_STATE_PREPARED);
        assert_false(is_up("macvtap0"));
        assert_int_equal(is_up(lower), !pt); /* only passthrough takes the physdev down */
        assert_int_equal(fake_net_fdb_count(&guest_mac), 0);

        assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), 0);
        assert_null(fake_net_find(ifindex, NULL));
        assert_int_equal(fake_net_count(NULL), links);
        assert_true(mac_equal(&must_find(lower)->link.mac, &before.link.mac));
        assert_int_equal(tu_n_ports(f->ctx), 0);
        vport_port_free(port);
}

static void test_direct_vepa(void **state) {
        direct_cycle(*state, "vepa", MACVLAN_MODE_VEPA);
}

static void test_direct_bridge(void **state) {
        direct_cycle(*state, "bridgemode", MACVLAN_MODE_BRIDGE);
}

static void test_direct_private(void **state) {
        direct_cycle(*state, "private", MACVLAN_MODE_PRIVATE);
}

static void test_direct_passthrough(void **state) {
        direct_cycle(*state, "passthrough", MACVLAN_MODE_PASSTHRU);
        assert_true(is_up("eth1")); /* restored: it was up */
}

/* A physdev that was down comes up at activate (no macvtap works on a
 * down lower device); a passthrough one goes back down on delete. */
static void test_direct_lower_down(void **state) {
        fake_net_link *eth0 = must_find("eth0");

        needs_macvtap();
        eth0->link.flags &= ~(unsigned) IFF_UP;
        direct_cycle(*state, "vepa", MACVLAN_MODE_VEPA);
        must_find("eth1")->link.flags &= ~(unsigned) IFF_UP;
        direct_cycle(*state, "passthrough", MACVLAN_MODE_PASSTHRU);
        assert_false(is_up("eth1"));
}

/* ---- bridge ---- */

static void bridge_cycle(fixture *f, const char *net, bool libvirt) {
        unsigned links = fake_net_count(NULL);
        fake_net_link *tap;
        vport_port *port;
        vport_error err = { 0 };
        int ifindex;

        port = create_ok(f, net);
        tap = must_find("vnet0");
        ifindex = tap->link.ifindex;
        assert_string_equal(tap->link.kind, "tun");
        assert_true(mac_equal(&tap->link.mac, &tap_mac));
        assert_int_equal(tap->link.master_ifindex, must_find("br0")->link.ifindex);
        assert_false(is_up("vnet0"));
        assert_int_equal(tap->learning, !libvirt);
        assert_int_equal(tap->flood, !libvirt);
        assert_int_equal(fake_net_fdb_count(&guest_mac), 0);
        step_ok(f, port, prepare_again, PORT_STATE_PREPARED);

        step_ok(f, port, vport_port_activate, PORT_STATE_ACTIVE);
        assert_true(is_up("vnet0"));
        assert_int_equal(fake_net_fdb_count(&guest_mac), libvirt);
        assert_int_equal(fake_net_fdb_count(&tap_mac), 0);

        step_ok(f, port, vport_port_deactivate, PORT_STATE_PREPARED);
        assert_false(is_up("vnet0"));
        assert_int_equal(fake_net_fdb_count(&guest_mac), 0);
        assert_true(is_up("eth2"));

        assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), 0);
        assert_null(fake_net_find(ifindex, NULL));
        assert_int_equal(fake_net_count(NULL), links);
        assert_int_equal(must_find("eth2")->link.master_ifindex, must_find("br0")->link.ifindex);
        vport_port_free(port);
}

static void test_bridge_kernel(void **state) {
        bridge_cycle(*state, "br", false);
}

static void test_bridge_libvirt(void **state) {
        bridge_cycle(*state, "brlv", true);
}

/* A bridge name that leads to something else is refused, as the kernel
 * would refuse enslaving to it. */
static void test_bridge_not_a_bridge(void **state) {
        fixture *f = *state;
        unsigned links = fake_net_count(NULL);
        vport_error err = { 0 };

        /* br0 replaced by a plain device of the same name after net-start */
        fake_net_remove(must_find("br0")->link.ifindex);
        fake_net_add("br0", "", &guest_mac, true);
        assert_int_equal(create(f->ctx, "br", "vm1", NULL, &err), -EINVAL);
        assert_non_null(strstr(err.message, "not a bridge"));
        assert_null(fake_net_find(0, "vnet0"));
        assert_int_equal(fake_net_count(NULL), links);
}

/* ---- failures ---- */

/* The kernel names the device from a template (first free number) and
 * says which name it chose: a host full of other guests' devices costs
 * prepare nothing. macvtap0 belongs to someone else (a macvlan): the port
 * gets macvtap1 in one create, and nothing dumps every link of the host;
 * the duplicate-MAC check is the kernel's own, on the one RTM_SETLINK
 * that gives the macvtap the guest MAC: no list is read. */
static void test_name_from_template(void **state) {
        fixture *f = *state;
        vport_port *port;
        fake_net_link *foreign;

        needs_macvtap();
        fake_net_add("macvtap0", "macvlan", &(vport_mac){ { 0x02, 0xee, 0, 0, 0, 1 } }, false);
        foreign = must_find("macvtap0");
        fnet->calls = (fake_net_calls){ 0 };
        port = create_ok(f, "vepa");
        assert_string_equal(port->rt.ifname, "macvtap1");
        assert_int_equal(fnet->calls.macvlan_create, 1);
        assert_int_equal(fnet->calls.link_list, 0);
        /* no up macvlan holds the guest MAC: the kernel took it, so
         * neither the lower device's unicast list nor any link is read */
        assert_int_equal(fnet->calls.link_set_mac_group, 1);
        assert_int_equal(fnet->calls.link_uc_list, 0);
        assert_int_equal(fnet->calls.link_list_kind, 0);
        assert_true(mac_equal(&must_find("macvtap1")->link.mac, &guest_mac));
        assert_int_equal(must_find("macvtap1")->link.group, 0);
        assert_int_equal(fake_net_count("macvtap"), 1);
        assert_string_equal(must_find("macvtap1")->link.kind, "macvtap");
        assert_ptr_equal(must_find("macvtap0"), foreign);
        assert_string_equal(foreign->link.kind, "macvlan");
        vport_port_free(port);
}

/* Forty foreign taps (another hypervisor's vnet0..vnet39): a bridge port
 * still costs one tap create and no dump of any kind, and its tap is the
 * first free name. The number of kernel calls is the same as on an empty
 * host. */
static void test_tap_cost_independent_of_host(void **state) {
        fixture *f = *state;
        vport_port *port;
        vport_error err = { 0 };
        unsigned empty_host;
        char name[VPORT_IFNAMSIZ];

        fnet->calls = (fake_net_calls){ 0 };
        port = create_ok(f, "br");
        empty_host = fnet->calls.total;
        assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), 0);
        vport_port_free(port);
        for (int i = 0; i < 40; i++) {
                snprintf(name, sizeof(name), "vnet%d", i);
                fake_net_add(name, "tun", &(vport_mac){ { 0xfe, 0xee, 0, 0, 0, (uint8_t) i } }, true);
        }
        fnet->calls = (fake_net_calls){ 0 };
        port = create_ok(f, "br");
        assert_string_equal(port->rt.ifname, "vnet40");
        assert_int_equal(fnet->calls.tap_create, 1);
        assert_int_equal(fnet->calls.link_list + fnet->calls.link_list_kind, 0);
        assert_int_equal(fnet->calls.total, empty_host);
        vport_port_free(port);
}

static void port_steps(fixture *f, const vport_port *port) {
        vport_error err = { 0 };

        assert_int_equal(vport_port_activate(f->ctx, &port->def->uuid, NULL, &err), 0);
        assert_int_equal(vport_port_deactivate(f->ctx, &port->def->uuid, NULL, &err), 0);
        assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), 0);
}

/* A dump of every link fails the prepare here: neither a bridge nor a
 * direct port (its duplicate-MAC check included) asks for one. */
static void test_prepare_never_dumps(void **state) {
        fixture *f = *state;
        vport_port *tap, *mvt = NULL;

        tu_skip_without_faults();
        fake_net_add("vnet0", "tun", &(vport_mac){ { 0xfe, 0xee, 0, 0, 0, 1 } }, true);
        fake_net_add("macvtap0", "macvtap", &(vport_mac){ { 0x02, 0xee, 0, 0, 0, 2 } }, true);
        with_faults(f, "link_list=EIO");
        tap = create_ok(f, "br");
        assert_string_equal(tap->rt.ifname, "vnet1");
        if (WITH_MACVTAP) {
                mvt = create_ok(f, "vepa");
                assert_string_equal(mvt->rt.ifname, "macvtap1");
                assert_int_equal(fault_ops_calls(f->fault, "macvlan_create"), 1);
        }
        assert_int_equal(fault_ops_calls(f->fault, "link_list"), 0);
        assert_int_equal(fault_ops_calls(f->fault, "tap_create"), 1);
        /* nor do the other steps of one port: activate, deactivate, delete
         * (a single device is deleted alone, without the grouped delete's
         * dump); a dump by kind reads every tap or macvtap on the host too */
        port_steps(f, tap);
        if (mvt)
                port_steps(f, mvt);
        assert_int_equal(fault_ops_calls(f->fault, "link_list"), 0);
        assert_int_equal(fault_ops_calls(f->fault, "link_list_kind"), 0);
        vport_port_free(tap);
        vport_port_free(mvt);
}

/* One port's whole life, each step on its own: create (with prepare),
 * activate, deactivate, prepare again, delete. */
static void port_life(fixture *f, const char *net) {
        vport_error err = { 0 };
        vport_port *port = create_ok(f, net);

        assert_int_equal(vport_port_activate(f->ctx, &port->def->uuid, NULL, &err), 0);
        assert_int_equal(vport_port_deactivate(f->ctx, &port->def->uuid, NULL, &err), 0);
        assert_int_equal(vport_port_prepare(f->ctx, &port->def->uuid, 0, NULL, &err), 0);
        assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), 0);
        vport_port_free(port);
}

/* Every statement a port's steps run (and a VM's batched steps on its
 * ports), on a host with other ports and their journal entries, is planned
 * through an index: no step reads the whole ports table or journal
 * (issue 13). The statements come from the
 * store as the steps run them (tu_sql_watch()), not from a copy here. */
static void test_port_steps_use_indexes(void **state) {
        fixture *f = *state;
        vport_port *others[6];
        vport_error err = { 0 };
        size_t checked;

        for (size_t i = 0; i < ELEMENTSOF(others); i++)
                others[i] = create_ok(f, i % 2 ? "br" : "brlv");
        tu_sql_watch(f->ctx);
        port_life(f, "br");
        port_life(f, "brlv");
        if (WITH_MACVTAP) {
                port_life(f, "vepa");
                port_life(f, "passthrough");
        }
        /* a VM's steps on its own ports, batched */
        for (int i = 0; i < 2; i++) {
                vport_port *p = NULL;

                assert_int_equal(create(f->ctx, i ? "br" : "brlv", "vm2", &p, &err), 0);
                vport_port_free(p);
        }
        assert_int_equal(vport_port_activate_owner(f->ctx, "vm2", &err), 2);
        assert_int_equal(vport_port_deactivate_owner(f->ctx, "vm2", &err), 2);
        assert_int_equal(vport_port_delete_owner(f->ctx, "vm2", &err), 2);
        checked = tu_sql_assert_indexed(f->ctx);
        assert_true(checked >= 10);
        for (size_t i = 0; i < ELEMENTSOF(others); i++) {
                assert_int_equal(vport_port_delete(f->ctx, &others[i]->def->uuid, &err), 0);
                vport_port_free(others[i]);
        }
}

/* The macvtap fails to come up: the port stays prepared, and the lower
 * device that activate brought up first is down again. */
static void test_activate_up_fails(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };
        vport_port *port;

        tu_skip_without_faults();
        needs_macvtap();
        must_find("eth0")->link.flags &= ~(unsigned) IFF_UP;
        with_faults(f, "link_set_up:2=EIO");
        port = create_ok(f, "vepa");
        assert_int_equal(vport_port_activate(f->ctx, &port->def->uuid, NULL, &err), -EIO);
        assert_int_equal(state_of(f, port), PORT_STATE_PREPARED);
        assert_false(is_up("macvtap0"));
        assert_false(is_up("eth0"));
        /* and a second try, without the fault, works */
        assert_int_equal(vport_port_activate(f->ctx, &port->def->uuid, NULL, &err), 0);
        assert_true(is_up("macvtap0"));
        assert_true(is_up("eth0"));
        vport_port_free(port);
}

/* The FDB entry cannot be added: activate fails, the tap is down again
 * and no FDB entry is left. */
static void test_fdb_add_fails(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };
        vport_port *port;

        tu_skip_without_faults();
        with_faults(f, "fdb_add:1=ENOSPC");
        port = create_ok(f, "brlv");
        assert_int_equal(vport_port_activate(f->ctx, &port->def->uuid, NULL, &err), -ENOSPC);
        assert_int_equal(state_of(f, port), PORT_STATE_PREPARED);
        assert_false(is_up("vnet0"));
        assert_int_equal(fake_net_fdb_count(&guest_mac), 0);
        assert_int_equal(vport_port_activate(f->ctx, &port->def->uuid, NULL, &err), 0);
        assert_true(is_up("vnet0"));
        assert_int_equal(fake_net_fdb_count(&guest_mac), 1);
        vport_port_free(port);
}

/* Between prepare and delete the macvtap was deleted and a foreign device
 * took its name (with another ifindex), or its ifindex (with another
 * name): delete must leave that device alone. */
static void foreign_replaces(fixture *f, bool same_ifindex) {
        vport_error err = { 0 };
        vport_port *port;
        int foreign;

        port = create_ok(f, "vepa");
        fake_net_remove(port->rt.ifindex);
        if (same_ifindex)
                fnet->next_ifindex = port->rt.ifindex;
        foreign = fake_net_add(same_ifindex ? "mvt-other" : "macvtap0", "macvtap", &guest_mac, false);
        fake_net_find(foreign, NULL)->link.link_ifindex = must_find("eth0")->link.ifindex;
        assert_int_equal(foreign == port->rt.ifindex, same_ifindex);
        fnet->calls = (fake_net_calls){ 0 };
        vport_ctx_clear_notices(f->ctx);
        assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), 0);
        assert_non_null(fake_net_find(foreign, NULL));
        assert_int_equal(fnet->calls.link_delete + fnet->calls.link_delete_group, 0);
        /* ... and says so. */
        {
                const char *const *notes;
                assert_int_equal(vport_ctx_notices(f->ctx, &notes), 1);
                assert_non_null(strstr(notes[0], same_ifindex ? "mvt-other" : "macvtap0"));
                assert_non_null(strstr(notes[0], "left alone"));
        }
        assert_int_equal(tu_n_ports(f->ctx), 0);
        fake_net_remove(foreign);
        vport_port_free(port);
}

static void test_delete_foreign_same_name(void **state) {
        needs_macvtap();
        foreign_replaces(*state, false);
        foreign_replaces(*state, true);
}

/* The kernel refuses to delete the macvtap: delete fails, the port and
 * its journal stay, and the next delete finishes. */
static void test_delete_device_fails(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };
        vport_port *port;

        tu_skip_without_faults();
        needs_macvtap();
        with_faults(f, "link_delete:1=EPERM");
        port = create_ok(f, "vepa");
        assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), -EPERM);
        assert_non_null(fake_net_find(port->rt.ifindex, NULL));
        assert_int_equal(tu_n_ports(f->ctx), 1);
        assert_true(tu_n_journal(f->ctx, port) >= 1);
        assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), 0);
        assert_null(fake_net_find(port->rt.ifindex, NULL));
        assert_int_equal(tu_n_ports(f->ctx), 0);
        vport_port_free(port);
}

/* An up macvtap with the guest MAC on the same lower device is a live
 * guest: prepare refuses, naming it and the lower device. The kernel
 * refuses the MAC on the new macvtap (still down), which is removed
 * again: nothing is left of the refused port. */
static void test_duplicate_up_macvtap(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };
        vport_port *first;
        unsigned links;

        needs_macvtap();
        first = create_ok(f, "vepa");
        assert_int_equal(vport_port_activate(f->ctx, &first->def->uuid, NULL, &err), 0);
        links = fake_net_count(NULL);
        fnet->calls = (fake_net_calls){ 0 };
        assert_int_equal(create(f->ctx, "bridgemode", "vm2", NULL, &err), -EADDRINUSE);
        assert_non_null(strstr(err.message, "macvtap0"));
        assert_non_null(strstr(err.message, "eth0"));
        assert_non_null(strstr(err.message, "52:54:00:bb:00:01"));
        assert_non_null(strstr(err.message, "refusing to create another"));
        assert_int_equal(fnet->calls.link_set_mac_group, 1); /* the kernel's check */
        assert_int_equal(fnet->calls.link_uc_list, 0);
        assert_true(fnet->calls.link_list_kind >= 1); /* the hit is named from the macvtaps */
        assert_int_equal(fnet->calls.macvlan_create, 1);
        assert_int_equal(fnet->calls.link_delete, 1); /* the half-made one, by the journal */
        assert_int_equal(fake_net_count(NULL), links);
        assert_int_equal(fake_net_count("macvtap"), 1);
        assert_true(is_up("macvtap0"));
        assert_int_equal(tu_n_ports(f->ctx), 1);
        /* down, it is no longer on the wire: a second one may be made */
        assert_int_equal(vport_port_deactivate(f->ctx, &first->def->uuid, NULL, &err), 0);
        assert_int_equal(create(f->ctx, "bridgemode", "vm2", NULL, &err), 0);
        assert_non_null(fake_net_find(0, "macvtap1"));
        vport_port_free(first);
}

/* A macvtap (not passthrough) may not carry its lower device's own MAC
 * (the kernel would refuse it at activate): prepare refuses, says so, and
 * leaves nothing behind. A passthrough macvtap takes its lower device's
 * MAC: the same MAC is no obstacle there. */
static void test_lower_own_mac(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };
        vport_port *port;
        unsigned links = fake_net_count(NULL);

        needs_macvtap();
        must_find("eth0")->link.mac = guest_mac;
        must_find("eth1")->link.mac = guest_mac;
        assert_int_equal(create(f->ctx, "vepa", "vm1", NULL, &err), -EADDRINUSE);
        assert_non_null(strstr(err.message, "52:54:00:bb:00:01 is the MAC of eth0 itself"));
        assert_int_equal(fake_net_count(NULL), links);
        assert_int_equal(tu_n_ports(f->ctx), 0);
        assert_true(mac_equal(&must_find("eth0")->link.mac, &guest_mac));
        assert_true(is_up("eth0"));
        port = create_ok(f, "passthrough");
        assert_true(mac_equal(&must_find(port->rt.ifname)->link.mac, &guest_mac));
        vport_port_free(port);
}

/* The kernel refuses the MAC and this namespace shows no holder (a
 * container's macvlan on the same lower device): still refused, said so,
 * the macvtap removed. Any other failure of the same request removes it
 * too. */
static void test_mac_held_unseen(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };
        unsigned links = fake_net_count(NULL);

        tu_skip_without_faults();
        needs_macvtap();
        with_faults(f, "link_set_mac_group:1=EADDRINUSE,link_set_mac_group:2=EPERM");
        assert_int_equal(create(f->ctx, "vepa", "vm1", NULL, &err), -EADDRINUSE);
        assert_non_null(strstr(err.message, "MAC 52:54:00:bb:00:01 is in use on eth0"));
        assert_int_equal(fake_net_count(NULL), links);
        assert_int_equal(tu_n_ports(f->ctx), 0);
        assert_int_equal(create(f->ctx, "vepa", "vm1", NULL, &err), -EPERM);
        assert_int_equal(fake_net_count(NULL), links);
        assert_int_equal(tu_n_ports(f->ctx), 0);
}

static void delete_port(vport_ctx *ctx, const void *uuid) {
        vport_port_delete(ctx, uuid, NULL);
}

/* A child deletes the port through a fault table that _exit()s at spec. */
static void crash_child(fixture *f, const vport_port *port, const char *spec) {
        tu_crash_child(f->dir, &fake_net_ops, spec, delete_port, &port->def->uuid);
}

static void create_port(vport_ctx *ctx, const void *net) {
        create(ctx, net, "vm1", NULL, NULL);
}

/* A child creates (and prepares) a port on net through a fault table that
 * _exit()s at spec. */
static void crash_create(fixture *f, const char *net, const char *spec) {
        tu_crash_child(f->dir, &fake_net_ops, spec, create_port, net);
}

/* Killed right after the create, before the ifindex was journaled: only
 * the name template and the creation group were. If the device in that
 * group is vport's (its MAC is irrelevant, here changed by someone),
 * reconcile deletes it; if a foreign device took the name since (same
 * kind, same MAC, same lower device, but not in the group), it is left
 * alone, with a notice. Either way the port goes back to "allocated"
 * with no journal entry left. */
static void killed_after_create(fixture *f, const char *net, const char *kind, const char *spec,
                                bool foreign) {
        const vport_mac *mac = streq(kind, "tun") ? &tap_mac : &guest_mac;
        const char *name = streq(kind, "tun") ? "vnet0" : "macvtap0";
        vport_port **ports = NULL;
        fake_net_link *made;
        vport_error err = { 0 };
        int other = 0;
        size_t n = 0;

        crash_create(f, net, spec);
        made = must_find(name);
        assert_int_not_equal(made->link.group, 0);
        if (foreign) {
                int lower = made->link.link_ifindex;
                fake_net_remove(made->link.ifindex);
                other = fake_net_add(name, kind, mac, false);
                fake_net_find(other, NULL)->link.link_ifindex = lower;
        } else {
                made->link.mac.addr[5] ^= 0x55;
        }
        vport_ctx_clear_notices(f->ctx);
        assert_int_equal(vport_reconcile(f->ctx, &err), 1);
        assert_int_equal(fake_net_find(0, name) != NULL, foreign);
        if (foreign) {
                const char *const *notes;
                assert_int_equal(vport_ctx_notices(f->ctx, &notes), 1);
                assert_non_null(strstr(notes[0], "left alone"));
                assert_non_null(fake_net_find(other, NULL));
                fake_net_remove(other);
        }
        assert_int_equal(vport_port_list(f->ctx, NULL, &ports, &n, NULL), 0);
        assert_int_equal(n, 1);
        assert_int_equal(ports[0]->state, PORT_STATE_ALLOCATED);
        assert_int_equal(tu_n_journal(f->ctx, ports[0]), 0);
        assert_int_equal(vport_port_delete(f->ctx, &ports[0]->def->uuid, &err), 0);
        vport_port_array_free(ports, n);
}

static void test_killed_after_tap_create(void **state) {
        tu_skip_without_faults();
        killed_after_create(*state, "br", "tun", "tap_create:1=crash-after", false);
        killed_after_create(*state, "br", "tun", "tap_create:1=crash-after", true);
}

static void test_killed_after_macvtap_create(void **state) {
        tu_skip_without_faults();
        needs_macvtap();
        killed_after_create(*state, "vepa", "macvtap", "macvlan_create:1=crash-after", false);
        killed_after_create(*state, "vepa", "macvtap", "macvlan_create:1=crash-after", true);
}

/* An isolated network's bridge, net-start killed right after the create:
 * reconcile deletes it by name + creation group (its MAC changed since,
 * irrelevant), and leaves alone a foreign bridge that took the name with
 * the network's very MAC (as libvirt would make it). */
static void start_iso(vport_ctx *ctx, const void *arg) {
        vport_net_start(ctx, "iso", NULL);
}

static void killed_after_bridge_create(fixture *f, bool foreign) {
        vport_repair **rep = NULL;
        vport_error err = { 0 };
        fake_net_link *made;
        size_t n = 0;
        int other = 0;

        tu_crash_child(f->dir, &fake_net_ops, "bridge_create:1=crash-after", start_iso, NULL);
        made = must_find("vbr9");
        assert_int_not_equal(made->link.group, 0);
        if (foreign) {
                vport_mac mac = made->link.mac;
                fake_net_remove(made->link.ifindex);
                other = fake_net_add("vbr9", "bridge", &mac, true);
        } else {
                made->link.mac.addr[5] ^= 0x55;
        }
        assert_true(vport_reconcile_ex(f->ctx, &rep, &n, &err) >= 0);
        assert_int_equal(fake_net_find(0, "vbr9") != NULL, foreign);
        /* listed as the network's repair, naming it */
        assert_int_equal(n, 1);
        assert_int_equal(vport_repair_get_kind(rep[0]), VPORT_REPAIR_UNDO_NET_START);
        assert_string_equal(vport_repair_get_network(rep[0]), "iso");
        assert_null(vport_repair_get_port(rep[0]));
        vport_repair_array_free(rep, n);
        if (foreign)
                fake_net_remove(other);
}

static void test_killed_after_bridge_create(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };

        tu_skip_without_faults();
        assert_int_equal(vport_net_define(f->ctx, "<network><name>iso</name><bridge name='vbr9'/></network>",
                                          NULL, &err),
                         0);
        killed_after_bridge_create(f, false);
        killed_after_bridge_create(f, true);
}

static void prepare_port(vport_ctx *ctx, const void *uuid) {
        vport_port_prepare(ctx, uuid, 0, NULL, NULL);
}

/* A child prepares the port through a fault table that _exit()s at spec. */
static void crash_prepare(fixture *f, const vport_uuid *uuid, const char *spec) {
        tu_crash_child(f->dir, &fake_net_ops, spec, prepare_port, uuid);
}

/* A prepare killed after the create; the owner prepares again, which first
 * releases the leftovers (marking them "releasing") and is killed there
 * too. Nobody asked to delete the port: reconcile puts it back to
 * "allocated" with nothing left in the kernel, it does not forget it. */
static void test_killed_prepare_cleanup_is_no_delete(void **state) {
        fixture *f = *state;
        vport_port **ports = NULL;
        vport_error err = { 0 };
        size_t n = 0;

        tu_skip_without_faults();
        crash_create(f, "br", "tap_create:1=crash-after");
        assert_int_equal(vport_port_list(f->ctx, NULL, &ports, &n, NULL), 0);
        assert_int_equal(n, 1);
        crash_prepare(f, &ports[0]->def->uuid, "link_delete:1=crash");
        assert_non_null(fake_net_find(0, "vnet0"));
        assert_int_equal(vport_reconcile(f->ctx, &err), 1);
        assert_null(fake_net_find(0, "vnet0"));
        assert_int_equal(tu_n_ports(f->ctx), 1);
        assert_int_equal(state_of(f, ports[0]), PORT_STATE_ALLOCATED);
        assert_int_equal(tu_n_journal(f->ctx, ports[0]), 0);
        assert_int_equal(vport_port_delete(f->ctx, &ports[0]->def->uuid, &err), 0);
        vport_port_array_free(ports, n);
}

/* Once the ifindex is journaled the device leaves its creation group. */
static void test_created_in_default_group(void **state) {
        fixture *f = *state;
        vport_port *port = create_ok(f, "br");

        assert_int_equal(must_find("vnet0")->link.group, 0);
        vport_port_free(port);
}

/* ---- a create + prepare's commits ---- */

/* The fake, watched: the ops that change the kernel on a prepare's path
 * count a call made while the port's insert still waits uncommitted
 * (store_commit_deferred(): what is about to change must be on disk
 * first), and link_get counts the reads made then (the lower device, the
 * bridge: the only kernel work the insert waits across). */
static vport_store *watched;
static unsigned deferred_reads, deferred_changes;

static int watch_link_get(vport_kernel *k, int ifindex, const char *name, vport_link *ret,
                          vport_error *err) {
        deferred_reads += store_deferred(watched);
        return fake_net_ops.link_get(k, ifindex, name, ret, err);
}

static int watch_link_set_mac(vport_kernel *k, int ifindex, const vport_mac *mac, vport_error *err) {
        deferred_changes += store_deferred(watched);
        return fake_net_ops.link_set_mac(k, ifindex, mac, err);
}

static int watch_link_set_up(vport_kernel *k, int ifindex, bool up, vport_error *err) {
        deferred_changes += store_deferred(watched);
        return fake_net_ops.link_set_up(k, ifindex, up, err);
}

static int watch_macvlan_create(vport_kernel *k, const vport_macvlan_request *req, vport_link *ret,
                                vport_error *err) {
        deferred_changes += store_deferred(watched);
        return fake_net_ops.macvlan_create(k, req, ret, err);
}

static int watch_tap_create(vport_kernel *k, const char *name, const vport_mac *mac, uint32_t group,
                            vport_link *ret, vport_error *err) {
        deferred_changes += store_deferred(watched);
        return fake_net_ops.tap_create(k, name, mac, group, ret, err);
}

static vport_kernel_ops watch_ops;

static void count_commit(void *userdata) {
        (*(unsigned *) userdata)++;
}

/* The context reopened over the watched fake, counting commits. */
static void watch(fixture *f, unsigned *commits) {
        watch_ops = fake_net_ops;
        watch_ops.link_get = watch_link_get;
        watch_ops.link_set_mac = watch_link_set_mac;
        watch_ops.link_set_up = watch_link_set_up;
        watch_ops.macvlan_create = watch_macvlan_create;
        watch_ops.tap_create = watch_tap_create;
        vport_ctx_close(f->ctx);
        f->ctx = tu_ctx_open(f->dir, &watch_ops);
        watched = f->ctx->store;
        deferred_reads = deferred_changes = 0;
        *commits = 0;
        store_set_commit_hook(f->ctx->store, count_commit, commits);
}

static long wal_frames(const fixture *f) {
        char wal[PATH_MAX];

        snprintf(wal, sizeof(wal), "%s/vport.db-wal", f->dir);
        assert_int_equal(access(wal, F_OK), 0);
        return tu_wal_frames(wal);
}

/* The port's insert is committed with the first journal entry of its
 * prepare, before any kernel change and after nothing but one link read:
 * a direct or bridge port commits 3 times (insert + the device's first
 * entry, the entry with the ifindex the kernel gave, the port's state), a
 * passthrough port 4 (its lower device's entry goes first, the macvtap's
 * first entry with that one's step). The log pages they write, in a small
 * store: 12 (ports, journal and their indexes; 15 for passthrough, whose
 * two devices' entries touch the journal's key index in two commits), as
 * before the insert went with the entry: nothing is written twice. The
 * journal's index on key (schema 7, for the hostdev in-use lookup) costs
 * one of them a commit that writes an entry. */
static void create_commits(fixture *f, const char *net, unsigned want, long max_frames) {
        vport_error err = { 0 };
        unsigned commits;
        vport_port *port;
        long frames;

        watch(f, &commits);
        frames = wal_frames(f);
        port = create_ok(f, net);
        frames = wal_frames(f) - frames;
        assert_int_equal(commits, want);
        assert_int_equal(deferred_changes, 0);
        assert_int_equal(deferred_reads, 1);
        assert_false(store_deferred(f->ctx->store));
        assert_true(frames > 0 && frames <= max_frames);
        assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), 0);
        store_set_commit_hook(f->ctx->store, NULL, NULL);
        vport_port_free(port);
}

static void test_create_prepare_commits(void **state) {
        create_commits(*state, "br", 3, 12);
        create_commits(*state, "brlv", 3, 12);
        if (!WITH_MACVTAP)
                return;
        create_commits(*state, "vepa", 3, 12);
        create_commits(*state, "passthrough", 4, 15);
}

/* A create + prepare refused before it changes anything (the lower
 * device gone, the bridge no bridge) commits nothing: the insert waited
 * for the first journal entry and is dropped, so the store is as it was
 * (not a port made and deleted again), and the handle is left with no
 * transaction open: the next create on it (vportd's next request) works. */
static void test_create_prepare_refused_commits_nothing(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };
        unsigned commits;
        vport_port *port;

        fake_net_remove(must_find("br0")->link.ifindex);
        fake_net_add("br0", "", &guest_mac, true);
        watch(f, &commits);
        assert_int_equal(create(f->ctx, "br", "vm1", NULL, &err), -EINVAL);
        assert_non_null(strstr(err.message, "'br0' is a plain device, not a bridge"));
        if (WITH_MACVTAP) {
                fake_net_remove(must_find("eth0")->link.ifindex);
                assert_int_equal(create(f->ctx, "vepa", "vm1", NULL, &err), -ENODEV);
                assert_non_null(strstr(err.message, "direct device 'eth0' does not exist"));
        }
        assert_int_equal(commits, 0);
        assert_int_equal(deferred_changes, 0);
        assert_int_equal(deferred_reads, WITH_MACVTAP ? 2 : 1);
        assert_false(store_deferred(f->ctx->store));
        assert_int_equal(tu_n_ports(f->ctx), 0);
        if (!WITH_MACVTAP)
                return;
        port = create_ok(f, "passthrough");
        assert_int_equal(commits, 4);
        vport_port_free(port);
}

static void delete_every_port(fixture *f) {
        vport_port **ports = NULL;
        size_t n = 0;

        assert_int_equal(vport_port_list(f->ctx, NULL, &ports, &n, NULL), 0);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(vport_port_delete(f->ctx, &ports[i]->def->uuid, NULL), 0);
        vport_port_array_free(ports, n);
}

/* A create + prepare killed before each of its link reads: while the
 * insert waits for the first journal entry (the read of the lower device
 * or bridge) nothing of the port is on disk, and a kill leaves no port
 * and nothing in the kernel. Killed before its first kernel change (the
 * create), the port and that entry are on disk together: reconcile undoes
 * the entry and keeps the port "allocated". */
static void killed_around_first_entry(fixture *f, const char *net, const char *create_op) {
        unsigned links = fake_net_count(NULL);
        vport_port **ports = NULL;
        bool none = false;
        char spec[64];
        size_t n = 0;

        for (unsigned k = 1;; k++) {
                snprintf(spec, sizeof(spec), "link_get:%u=crash", k);
                if (!tu_crash_child_at(f->dir, &fake_net_ops, spec, create_port, net))
                        break;
                if (tu_n_ports(f->ctx) == 0) {
                        none = true;
                        assert_int_equal(fake_net_count(NULL), links);
                        continue;
                }
                assert_true(vport_reconcile(f->ctx, NULL) >= 0);
                delete_every_port(f);
                assert_int_equal(fake_net_count(NULL), links);
        }
        delete_every_port(f);
        assert_true(none);
        snprintf(spec, sizeof(spec), "%s:1=crash", create_op);
        tu_crash_child(f->dir, &fake_net_ops, spec, create_port, net);
        assert_int_equal(vport_port_list(f->ctx, NULL, &ports, &n, NULL), 0);
        assert_int_equal(n, 1);
        assert_int_equal(ports[0]->state, PORT_STATE_ALLOCATED);
        assert_int_equal(tu_n_journal(f->ctx, ports[0]), 1);
        assert_int_equal(vport_reconcile(f->ctx, NULL), 1);
        assert_int_equal(tu_n_journal(f->ctx, ports[0]), 0);
        assert_int_equal(state_of(f, ports[0]), PORT_STATE_ALLOCATED);
        assert_int_equal(vport_port_delete(f->ctx, &ports[0]->def->uuid, NULL), 0);
        assert_int_equal(fake_net_count(NULL), links);
        vport_port_array_free(ports, n);
}

static void test_killed_around_first_entry(void **state) {
        tu_skip_without_faults();
        killed_around_first_entry(*state, "br", "tap_create");
        if (WITH_MACVTAP)
                killed_around_first_entry(*state, "vepa", "macvlan_create");
}

/* A delete that dies right after the macvtap went, before the physdev was
 * restored: the journal still holds the physdev's state and a repeated
 * delete restores it. */
static void test_release_crash(void **state) {
        fixture *f = *state;
        fake_net_link before = *must_find("eth1");
        vport_error err = { 0 };
        vport_port *port;

        tu_skip_without_faults();
        needs_macvtap();
        port = create_ok(f, "passthrough");
        assert_int_equal(vport_port_activate(f->ctx, &port->def->uuid, NULL, &err), 0);
        assert_true(tu_n_journal(f->ctx, port) >= 2);
        crash_child(f, port, "link_delete:1=crash-after");
        assert_null(fake_net_find(port->rt.ifindex, NULL));
        assert_true(mac_equal(&must_find("eth1")->link.mac, &guest_mac));
        assert_true(tu_n_journal(f->ctx, port) >= 1);
        assert_int_equal(tu_n_ports(f->ctx), 1);
        assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), 0);
        assert_true(mac_equal(&must_find("eth1")->link.mac, &before.link.mac));
        assert_true(is_up("eth1"));
        assert_int_equal(tu_n_journal(f->ctx, port), 0);
        assert_int_equal(tu_n_ports(f->ctx), 0);
        vport_port_free(port);
}

/* A delete whose restore fails keeps the port and its journal, plus the
 * entry saying it is being deleted: it cannot be activated or prepared
 * again, and the next delete finishes. */
static void test_release_fails(void **state) {
        fixture *f = *state;
        fake_net_link before = *must_find("eth1");
        vport_error err = { 0 };
        vport_port *port;
        size_t entries;

        tu_skip_without_faults();
        needs_macvtap();
        with_faults(f, "link_set_mac:2=EIO");
        port = create_ok(f, "passthrough");
        entries = tu_n_journal(f->ctx, port);
        assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), -EIO);
        assert_int_equal(tu_n_ports(f->ctx), 1);
        assert_true(tu_n_journal(f->ctx, port) >= 2 && tu_n_journal(f->ctx, port) <= entries + 1);
        assert_int_equal(journal_get(f->ctx, port, JOURNAL_KEY_DELETE, NULL, NULL, NULL), 0);
        assert_null(fake_net_find(0, "macvtap0"));
        assert_int_equal(vport_port_activate(f->ctx, &port->def->uuid, NULL, &err), -EBUSY);
        assert_non_null(strstr(err.message, "being deleted"));
        assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), 0);
        assert_true(mac_equal(&must_find("eth1")->link.mac, &before.link.mac));
        assert_int_equal(tu_n_ports(f->ctx), 0);
        vport_port_free(port);
}

/* A redefinition without <uuid> keeps the network's uuid, decided from the
 * parsed document: a comment mentioning <uuid> is not a <uuid> element (a
 * strstr on the raw text took it for one and refused the redefinition). */
static void test_redefine_comment_uuid(void **state) {
        static const char first[] =
                "<network><name>re</name><uuid>0d3c6a8e-55f4-4c5e-9d6b-1f2e3a4b5c6d</uuid>"
                "<forward mode='bridge'/><bridge name='br0'/></network>";
        static const char again[] = "<network><!-- no <uuid> --><name>re</name>"
                                    "<forward mode='bridge'/><bridge name='br0'/></network>";
        fixture *f = *state;
        _cleanup_free_ char *xml = NULL;
        vport_error err = { 0 };

        assert_int_equal(vport_net_define(f->ctx, first, NULL, &err), 0);
        if (vport_net_define(f->ctx, again, NULL, &err) < 0)
                fail_msg("redefinition refused: %s", err.message);
        assert_int_equal(vport_net_dumpxml(f->ctx, "re", &xml, &err), 0);
        assert_non_null(strstr(xml, "0d3c6a8e-55f4-4c5e-9d6b-1f2e3a4b5c6d"));
}

/* ---- hostile names and damaged rows ---- */

/* A control byte or invalid UTF-8 in any name of a request is refused
 * before anything is allocated or made. */
static void test_bad_names_refused(void **state) {
        static const char *const bad[] = { "vm\n1", "vm\x01", "vm\xff", "vm\xc2\x85" };
        fixture *f = *state;
        unsigned links = fake_net_count(NULL);

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                vport_port_request owner = { .network = "br", .owner_name = bad[i], .vlan = -1 };
                vport_port_request group = { .network = "br", .portgroup = bad[i], .vlan = -1 };
                vport_port_request net = { .network = bad[i], .vlan = -1 };
                vport_port *port = NULL;
                vport_error err = { 0 };

                assert_int_equal(vport_port_create(f->ctx, &owner, &port, &err), -EINVAL);
                assert_non_null(strstr(err.message, "owner name"));
                assert_int_equal(vport_port_create(f->ctx, &group, &port, &err), -EINVAL);
                assert_non_null(strstr(err.message, "portgroup name"));
                assert_int_equal(vport_port_create(f->ctx, &net, &port, &err), -EINVAL);
                assert_non_null(strstr(err.message, "network name"));
                assert_int_equal(vport_port_delete_owner(f->ctx, bad[i], &err), -EINVAL);
                assert_int_equal(vport_net_destroy(f->ctx, bad[i], &err), -EINVAL);
                assert_null(port);
        }
        assert_int_equal(tu_n_ports(f->ctx), 0);
        assert_int_equal(fake_net_count(NULL), links);
}

/* Overwrite one column of a port's row, as an edited or damaged state
 * file (or a row written before names were checked) would hold it. */
static void set_column(fixture *f, const vport_port *port, const char *column, const char *value) {
        char path[128], sql[128], uuid[VPORT_UUID_STRLEN];
        sqlite3_stmt *st;
        sqlite3 *db;

        snprintf(path, sizeof(path), "%s/vport.db", f->dir);
        snprintf(sql, sizeof(sql), "UPDATE ports SET %s = ?1 WHERE uuid = ?2", column);
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, uuid_format(&port->def->uuid, uuid), -1, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        assert_int_equal(sqlite3_changes(db), 1);
        sqlite3_finalize(st);
        sqlite3_close(db);
}

static void damage_row(fixture *f, const vport_port *port, const char *xml) {
        set_column(f, port, "xml", xml);
}

/* Names in the stored runtime are input too: one vport would never have
 * written is dropped, never spliced into port-dumpxml's document. */
static void test_runtime_names_checked(void **state) {
        fixture *f = *state;
        _cleanup_(port_def_freep) vport_port_def *back = NULL;
        _cleanup_free_ char *xml = NULL;
        vport_port *port = create_ok(f, "br");
        vport_error err = { 0 };

        set_column(f, port, "runtime",
                   "{\"ifname\":\"x'/><evil/><y a='\",\"ifindex\":7,\"tapdev\":\"/dev/tap7'\"}");
        assert_int_equal(vport_port_dumpxml(f->ctx, &port->def->uuid, &xml, &err), 0);
        assert_null(strstr(xml, "evil"));
        assert_null(strstr(xml, "tapdev"));
        assert_non_null(strstr(xml, "ifindex='7'"));
        assert_int_equal(port_def_parse_string(xml, strlen(xml), &back, &err), 0);
        vport_port_free(port);
}

static const char bad_owner_xml[] = "<networkport><owner><name>vm\x01</name></owner></networkport>";

/* The one damaged port in the store, as listed. */
static vport_port *listed_damaged(fixture *f) {
        vport_port **ports = NULL, *p;
        size_t n = 0;
        vport_error err = { 0 };

        assert_int_equal(vport_port_list(f->ctx, NULL, &ports, &n, &err), 0);
        assert_int_equal(n, 1);
        p = TAKE_PTR(ports[0]);
        vport_port_array_free(ports, n);
        assert_non_null(vport_port_get_damage(p));
        assert_non_null(strstr(vport_port_get_damage(p), "stored definition"));
        return p;
}

/* An active passthrough port whose row no longer parses: listed as
 * damaged, refused by the steps that need its definition, and deleted from
 * the row's columns and the journal: macvtap gone, physdev back to its MAC
 * and up state, pool device free again. */
static void test_damaged_passthrough_delete(void **state) {
        fixture *f = *state;
        fake_net_link before;
        unsigned links = fake_net_count(NULL);
        vport_port *port, *listed;
        vport_error err = { 0 };
        _cleanup_free_ char *xml = NULL;
        vport_drift_item **drift = NULL;
        size_t n_drift = 0;

        needs_macvtap();
        before = *must_find("eth1");
        port = create_ok(f, "passthrough");
        assert_int_equal(vport_port_activate(f->ctx, &port->def->uuid, NULL, &err), 0);
        damage_row(f, port, bad_owner_xml);

        listed = listed_damaged(f);
        assert_true(uuid_equal(vport_port_get_uuid(listed), &port->def->uuid));
        assert_true(mac_equal(vport_port_get_mac(listed), &guest_mac));
        assert_string_equal(vport_port_get_device(listed), "eth1");
        assert_string_equal(vport_port_get_plug_type(listed), "direct");
        assert_int_equal(vport_port_get_state(listed), PORT_STATE_ACTIVE);
        vport_port_free(listed);
        /* reconcile's drift report names it, and nothing else about it */
        assert_int_equal(vport_drift(f->ctx, &drift, &n_drift, &err), 1);
        assert_int_equal(vport_drift_item_get_kind(drift[0]), VPORT_DRIFT_DAMAGED);
        assert_true(uuid_equal(vport_drift_item_get_port(drift[0]), &port->def->uuid));
        assert_string_equal(vport_drift_kind_to_string(vport_drift_item_get_kind(drift[0])), "damaged");
        vport_drift_item_array_free(drift, n_drift);
        assert_int_equal(vport_port_dumpxml(f->ctx, &port->def->uuid, &xml, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "port-delete"));

        assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), 0);
        assert_null(fake_net_find(0, "macvtap0"));
        assert_int_equal(fake_net_count(NULL), links);
        assert_true(mac_equal(&must_find("eth1")->link.mac, &before.link.mac));
        assert_int_equal(is_up("eth1"), (before.link.flags & IFF_UP) != 0);
        assert_int_equal(tu_n_ports(f->ctx), 0);
        assert_int_equal(tu_n_journal(f->ctx, port), 0);
        vport_port_free(port);
        /* the exclusive pool device is free again */
        vport_port_free(create_ok(f, "passthrough"));
}

/* A prepared port whose row is garbage cannot be activated; net-destroy
 * still tears it down with the rest (tap and FDB entry gone). */
static void test_damaged_bridge_net_destroy(void **state) {
        fixture *f = *state;
        unsigned links = fake_net_count(NULL);
        vport_port *active, *prepared, *listed;
        vport_error err = { 0 };
        vport_mac mac2 = guest_mac;
        vport_port_request req = {
                .network = "brlv", .mac = &mac2, .owner_name = "vm2", .vlan = -1, .flags = VPORT_PORT_PREPARE
        };

        active = create_ok(f, "brlv");
        assert_int_equal(vport_port_activate(f->ctx, &active->def->uuid, NULL, &err), 0);
        assert_int_equal(fake_net_fdb_count(&guest_mac), 1);
        mac2.addr[5] = 0x42;
        assert_int_equal(vport_port_create(f->ctx, &req, &prepared, &err), 0);
        damage_row(f, prepared, "\xff\xfe garbage");
        assert_int_equal(vport_port_activate(f->ctx, &prepared->def->uuid, NULL, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "stored definition"));
        assert_int_equal(vport_port_get(f->ctx, &prepared->def->uuid, &listed, &err), 0);
        assert_int_equal(vport_port_get_state(listed), PORT_STATE_PREPARED);
        vport_port_free(listed);

        /* the active port (a running guest) takes --force */
        assert_int_equal(vport_net_destroy_ex(f->ctx, "brlv", VPORT_NET_DESTROY_FORCE, NULL, NULL, &err), 0);
        assert_int_equal(fake_net_count("tun"), 0);
        assert_int_equal(fake_net_count(NULL), links);
        assert_int_equal(fake_net_fdb_count(&guest_mac), 0);
        assert_int_equal(tu_n_ports(f->ctx), 0);
        vport_port_free(active);
        vport_port_free(prepared);
}

/* A damaged port a crashed delete left half-released: reconcile finishes
 * it from the journal like any other. */
static void test_damaged_reconcile(void **state) {
        fixture *f = *state;
        unsigned links = fake_net_count(NULL);
        vport_port *port;
        vport_error err = { 0 };

        tu_skip_without_faults();
        needs_macvtap();
        port = create_ok(f, "vepa");
        damage_row(f, port, bad_owner_xml);
        crash_child(f, port, "link_delete:1=crash");
        assert_non_null(fake_net_find(0, "macvtap0"));
        assert_int_equal(tu_n_ports(f->ctx), 1);
        vport_port_free(listed_damaged(f));
        assert_true(vport_reconcile(f->ctx, &err) >= 1);
        assert_int_equal(tu_n_ports(f->ctx), 0);
        assert_null(fake_net_find(0, "macvtap0"));
        assert_int_equal(fake_net_count(NULL), links);
        vport_port_free(port);
}

/* ---- listing from the columns (vport_port_list_brief) ---- */

static char *port_json_string(const vport_port *p) {
        json_object *o = vport_port_to_json(p);
        char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

        json_object_put(o);
        assert_non_null(s);
        return s;
}

/* The brief list and the full one show every port alike: the same JSON,
 * the same getters, the same VLAN (native mode too); brief reports whether
 * every port came from its summary (no def_xml kept: the XML was not
 * parsed). */
static void lists_agree(fixture *f, size_t want, bool *ret_all_brief) {
        vport_port **full = NULL, **brief = NULL;
        size_t n_full = 0, n_brief = 0;
        vport_error err = { 0 };

        assert_int_equal(vport_port_list(f->ctx, NULL, &full, &n_full, &err), 0);
        assert_int_equal(vport_port_list_brief(f->ctx, NULL, &brief, &n_brief, &err), 0);
        assert_int_equal(n_full, want);
        assert_int_equal(n_brief, want);
        *ret_all_brief = true;
        for (size_t i = 0; i < want; i++) {
                _cleanup_free_ char *a = port_json_string(full[i]), *b = port_json_string(brief[i]);
                const vport_vlan *va = &full[i]->def->vlan, *vb = &brief[i]->def->vlan;
                const vport_plug *pa = &full[i]->def->plug, *pb = &brief[i]->def->plug;

                assert_string_equal(a, b);
                assert_int_equal(vport_port_get_vlan(full[i]), vport_port_get_vlan(brief[i]));
                assert_int_equal(va->n_tags, vb->n_tags);
                for (size_t t = 0; t < va->n_tags; t++)
                        assert_int_equal(va->tags[t], vb->tags[t]);
                assert_int_equal(va->trunk, vb->trunk);
                assert_int_equal(va->native_mode, vb->native_mode);
                assert_int_equal(va->native_tag, vb->native_tag);
                assert_int_equal(pa->managed_set, pb->managed_set);
                assert_true(pci_addr_equal(&pa->addr, &pb->addr));
                assert_string_equal(strempty(vport_port_get_damage(full[i])),
                                    strempty(vport_port_get_damage(brief[i])));
                if (brief[i]->def_xml)
                        *ret_all_brief = false;
        }
        vport_port_array_free(full, n_full);
        vport_port_array_free(brief, n_brief);
}

static vport_port *create_xml(fixture *f, const char *net, const char *xml, int vlan, unsigned flags) {
        vport_port_request req = {
                .network = net, .xml = xml, .owner_name = "vm list", .vlan = vlan, .flags = flags
        };
        vport_error err = { 0 };
        vport_port *p = NULL;

        if (vport_port_create(f->ctx, &req, &p, &err) < 0)
                fail_msg("create on %s: %s", net, err.message);
        return p;
}

/* A port document with extra (buf: 512 bytes). */
static const char *port_xml(char *buf, const char *extra) {
        char uuid[VPORT_UUID_STRLEN];
        vport_uuid u;

        assert_int_equal(uuid_generate(&u), 0);
        snprintf(buf, 512,
                 "<networkport><uuid>%s</uuid><owner><name>vm list</name><uuid>%s</uuid></owner>"
                 "<mac address='52:54:00:bb:01:%02x'/>%s</networkport>",
                 uuid_format(&u, uuid), uuid, u.bytes[0], extra);
        return buf;
}

static const char *trunk_xml(char *buf) {
        return port_xml(buf, "<vlan trunk='yes'><tag id='10'/><tag id='20' nativeMode='untagged'/></vlan>");
}

/* Every kind of network, allocated, prepared and active, with no VLAN, one
 * tag and a trunk with a native tag. */
static size_t create_varied(fixture *f) {
        vport_error err = { 0 };
        char xml[512];
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(networks); i++) {
                vport_port *p;
                if (!strstr(networks[i].forward, "<bridge") && !WITH_MACVTAP)
                        continue;
                bool passthrough = streq(networks[i].name, "passthrough");
                /* a tag needs passthrough (or openvswitch, below) */
                p = create_xml(f, networks[i].name, NULL, passthrough ? 42 : -1, 0);
                vport_port_free(p);
                n++;
                if (passthrough)
                        continue; /* its one physdev is taken by one port */
                p = create_xml(f, networks[i].name, NULL, -1, VPORT_PORT_PREPARE);
                assert_int_equal(vport_port_activate(f->ctx, &p->def->uuid, NULL, &err), 0);
                vport_port_free(p);
                n++;
        }
        /* allocated only: preparing needs Open vSwitch */
        assert_int_equal(vport_net_define(f->ctx,
                                          "<network><name>ovs</name><forward mode='bridge'/>"
                                          "<bridge name='br0'/><virtualport type='openvswitch'/></network>",
                                          NULL, &err),
                         0);
        assert_int_equal(vport_net_start(f->ctx, "ovs", &err), 0);
        vport_port_free(create_xml(f, "ovs", NULL, 7, 0));
        vport_port_free(create_xml(f, "ovs", trunk_xml(xml), -1, 0));
        vport_port_free(create_xml(f, "br", port_xml(xml, "<port isolated='yes'/>"), -1, 0));
        return n + 3;
}

static void test_list_brief_equals_full(void **state) {
        fixture *f = *state;
        size_t n = create_varied(f);
        bool all_brief;

        lists_agree(f, n, &all_brief);
        assert_true(all_brief);
}

/* A row whose XML was damaged or edited after its summary was written is
 * parsed as before: listed as damaged, or as its XML now says. A summary
 * that does not read is not trusted either. */
static void test_list_brief_damaged(void **state) {
        fixture *f = *state;
        vport_port *a = create_xml(f, "br", NULL, 5, 0), *b = create_xml(f, "br", NULL, 6, 0),
                   *c = create_xml(f, "br", NULL, 7, 0);
        vport_port **ports = NULL;
        vport_error err = { 0 };
        size_t n = 0;
        bool all_brief;

        damage_row(f, a, bad_owner_xml);
        set_column(f, b, "xml",
                   "<networkport><uuid>00000000-0000-0000-0000-000000000000</uuid></networkport>");
        set_column(f, c, "summary", "s1 0123456789abcdef t=zz");
        lists_agree(f, 3, &all_brief);
        assert_false(all_brief);
        assert_int_equal(vport_port_list_brief(f->ctx, "br", &ports, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_non_null(strstr(strempty(vport_port_get_damage(ports[0])), "stored definition"));
        assert_null(vport_port_get_damage(ports[2]));
        assert_int_equal(vport_port_get_vlan(ports[2]), 7);
        vport_port_array_free(ports, n);
        vport_port_free(a);
        vport_port_free(b);
        vport_port_free(c);
}

/* A state file from before the summary column (schema 3): migrated (a
 * backup kept), its rows listed alike through the full parse, and a row's
 * summary filled by the next write of the port. */
static void test_list_brief_migrated(void **state) {
        fixture *f = *state;
        size_t n = create_varied(f);
        char path[128], bak[160];
        vport_error err = { 0 };
        vport_port **ports = NULL;
        size_t n_listed = 0;
        vport_uuid uuid;
        bool all_brief;
        sqlite3 *db;

        vport_ctx_close(f->ctx);
        snprintf(path, sizeof(path), "%s/vport.db", f->dir);
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(
                sqlite3_exec(db,
                             "DROP INDEX journal_key; DROP INDEX ports_network_device_boot; CREATE INDEX "
                             "ports_network_device ON ports (network, device); "
                             "DROP INDEX ports_owner_uuid; DROP INDEX ports_created; ALTER TABLE "
                             "ports DROP COLUMN summary; "
                             "PRAGMA user_version = 3",
                             NULL, NULL, NULL),
                SQLITE_OK);
        sqlite3_close(db);
        f->ctx = tu_ctx_open(f->dir, &fake_net_ops);
        snprintf(bak, sizeof(bak), "%s.v3.bak", path);
        assert_int_equal(access(bak, F_OK), 0);
        lists_agree(f, n, &all_brief);
        assert_false(all_brief);
        /* the first port is an allocated one: prepare writes its row */
        assert_int_equal(vport_port_list_brief(f->ctx, NULL, &ports, &n_listed, &err), 0);
        assert_non_null(ports[0]->def_xml);
        uuid = ports[0]->def->uuid;
        vport_port_array_free(ports, n_listed);
        assert_int_equal(vport_port_prepare(f->ctx, &uuid, 0, NULL, &err), 0);
        assert_int_equal(vport_port_list_brief(f->ctx, NULL, &ports, &n_listed, &err), 0);
        assert_true(uuid_equal(&ports[0]->def->uuid, &uuid));
        assert_null(ports[0]->def_xml);
        vport_port_array_free(ports, n_listed);
        lists_agree(f, n, &all_brief);
}

/* The text a listing writes (vport_ports_json_text(), what port-list
 * --json prints and PortList sends) is what json-c prints of the same
 * value, byte for byte: for every kind of port, brief and full, and for
 * every byte a string can hold (escaped as json-c escapes it, and read
 * back as it was). */
static void assert_json_canonical(const char *text) {
        json_object *o = json_tokener_parse(text);

        assert_non_null(o);
        assert_string_equal(
                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                text);
        json_object_put(o);
}

static const char *json_member(json_object *o, const char *key) {
        json_object *v = NULL;

        assert_true(json_object_object_get_ex(o, key, &v));
        return json_object_get_string(v);
}

/* One port's text (vport_port_json_text(): vportd's replies and events)
 * is what json-c prints of vport_port_to_json(), and with a degraded
 * reason that object with "degraded" added last; a brief port (what
 * vportd's link watch reads) writes the same text as the full one. */
static void assert_one_port_text(const vport_port *brief, const vport_port *full) {
        static const char why[] = "its interface \"v\"\n (ifindex 7) is gone";
        _cleanup_free_ char *text = NULL, *text_brief = NULL, *degraded = NULL;
        json_object *o = vport_port_to_json(full);
        size_t len = 0;

        assert_non_null(o);
        assert_int_equal(vport_port_json_text(full, NULL, &text, &len), 0);
        assert_int_equal(len, strlen(text));
        assert_string_equal(text, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                            JSON_C_TO_STRING_NOSLASHESCAPE));
        assert_int_equal(vport_port_json_text(brief, NULL, &text_brief, NULL), 0);
        assert_string_equal(text_brief, text);
        json_object_object_add(o, "degraded", json_object_new_string(why));
        assert_int_equal(vport_port_json_text(full, why, &degraded, NULL), 0);
        assert_string_equal(degraded, json_object_to_json_string_ext(
                                              o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
}

/* A port created with --prepare stores its <networkport> once, at create,
 * and every later step writes the same XML and summary again without
 * formatting them: what the row holds after each step is what its def
 * formats to, on every kind of network. */
static void stored_def_is_def(fixture *f, const vport_port *p) {
        _cleanup_(store_port_freep) store_port *row = NULL;
        _cleanup_free_ char *xml = NULL, *summary = NULL;
        vport_error err = { 0 };

        assert_int_equal(store_port_get(f->ctx->store, &p->def->uuid, &row, &err), 0);
        assert_int_equal(port_def_format(p->def, &xml), 0);
        assert_int_equal(port_summary_format(p->def, xml, &summary), 0);
        assert_string_equal(row->xml, xml);
        assert_string_equal(strempty(row->summary), strempty(summary));
}

static void test_create_prepare_stores_def(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };

        for (size_t i = 0; i < ELEMENTSOF(networks); i++) {
                vport_port *p;

                if (!strstr(networks[i].forward, "<bridge") && !WITH_MACVTAP)
                        continue;
                p = create_xml(f, networks[i].name, NULL, -1, VPORT_PORT_PREPARE);
                assert_non_null(p->def_xml);
                stored_def_is_def(f, p);
                assert_int_equal(vport_port_activate(f->ctx, &p->def->uuid, NULL, &err), 0);
                stored_def_is_def(f, p);
                assert_int_equal(vport_port_delete(f->ctx, &p->def->uuid, &err), 0);
                vport_port_free(p);
        }
}

static void test_port_json_text(void **state) {
        fixture *f = *state;
        size_t n = create_varied(f), n_brief = 0, n_full = 0, len = 0;
        vport_port **brief = NULL, **full = NULL;
        _cleanup_free_ char *text = NULL, *empty = NULL, *one = NULL;
        vport_error err = { 0 };
        const char *reply;
        char bytes[256];
        json_object *o;

        assert_int_equal(vport_port_list_brief(f->ctx, NULL, &brief, &n_brief, &err), 0);
        assert_int_equal(vport_port_list(f->ctx, NULL, &full, &n_full, &err), 0);
        assert_int_equal(n_brief, n);
        assert_int_equal(vport_ports_json_text(brief, n_brief, NULL, &text, &len), 0);
        assert_int_equal(len, strlen(text));
        assert_json_canonical(text);
        assert_int_equal(vport_ports_json_text(NULL, 0, NULL, &empty, NULL), 0);
        assert_string_equal(empty, "[]");
        /* put into a reply as it is (vportd's PortList) */
        o = json_object_new_object();
        json_object_object_add(o, "ports", vport_json_verbatim(strdup(text), len));
        reply = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        assert_int_equal(strlen(reply), len + strlen("{\"ports\":}"));
        assert_memory_equal(reply + strlen("{\"ports\":"), text, len);
        json_object_put(o);
        for (size_t i = 0; i < n; i++)
                assert_one_port_text(brief[i], full[i]);
        /* every byte but NUL, in a string of the shape (damaged) and a name (network) */
        for (size_t i = 1; i < sizeof(bytes); i++)
                bytes[i - 1] = (char) i;
        bytes[sizeof(bytes) - 1] = '\0';
        free(full[0]->damage);
        free(full[0]->network);
        assert_non_null(full[0]->damage = strdup(bytes));
        assert_non_null(full[0]->network = strdup(bytes));
        assert_int_equal(vport_ports_json_text(full, 1, NULL, &one, NULL), 0);
        assert_json_canonical(one);
        assert_non_null(strstr(one, "\\b\\t\\n\\u000b\\f\\r\\u000e"));
        assert_non_null(strstr(one, "\\u001f !\\\"#$%&'()*+,-./0"));
        o = vport_port_to_json(full[0]);
        assert_non_null(o);
        assert_string_equal(json_member(o, "damaged"), bytes);
        assert_string_equal(json_member(o, "network"), bytes);
        json_object_put(o);
        vport_port_array_free(brief, n_brief);
        vport_port_array_free(full, n_full);
}

/* The runtime column, read without json-c where it is what vport writes
 * (plain strings, '\/', integers) and by json-c otherwise: both give the
 * same port. */
static void test_runtime_read(void **state) {
        static const struct {
                const char *text;
                const char *ifname, *tapdev, *lower, *netns, *cifname;
                int ifindex, lower_ifindex;
        } cases[] = {
                { "{}", "", "", "", "", "", 0, 0 },
                { "{\"ifname\":\"vnet3\",\"ifindex\":57,\"lower\":\"br0\",\"lower_ifindex\":2}", "vnet3", "",
                  "br0", "", "", 57, 2 },
                { "{\"ifname\":\"macvtap1\",\"ifindex\":9,\"tapdev\":\"\\/dev\\/tap9\",\"lower\":\"eth0\"}",
                  "macvtap1", "/dev/tap9", "eth0", "", "", 9, 0 },
                { "{\"netns\":\"\\/run\\/netns\\/c1\",\"container_ifname\":\"eth0\"}", "", "", "",
                  "/run/netns/c1", "eth0", 0, 0 },
                /* json-c's way: another escape, a string for an int, an int for a string */
                { "{\"ifname\":\"vnet\\u0033\"}", "vnet3", "", "", "", "", 0, 0 },
                { "{\"ifindex\":\"12\"}", "", "", "", "", "", 12, 0 },
                { "{\"ifname\":12}", "12", "", "", "", "", 0, 0 },
                { "{\"ifindex\":12345678901}", "", "", "", "", "", INT32_MAX, 0 },
                { "{ \"ifindex\" : 4 }", "", "", "", "", "", 4, 0 },
                /* unknown members skipped, the last of two taken, negative numbers */
                { "{\"x\":\"y\",\"ifindex\":5,\"z\":7}", "", "", "", "", "", 5, 0 },
                { "{\"ifname\":\"vnet1\",\"ifname\":\"vnet2\",\"ifindex\":-5}", "vnet2", "", "", "", "", -5,
                  0 },
                /* names vport never writes dropped; not JSON: nothing */
                { "{\"ifname\":\"a b\",\"tapdev\":\"\\/dev\\/tty1\",\"lower\":\"eth0\"}", "", "", "eth0", "",
                  "", 0, 0 },
                { "{\"ifname\":", "", "", "", "", "", 0, 0 },
                { "{\"ifname\":\"vnet1\"} x", "vnet1", "", "", "", "", 0,
                  0 }, /* json-c reads up to the end of the value */
        };
        json_tokener *tok = json_tokener_new();

        (void) state;
        assert_non_null(tok);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                for (int with_tok = 0; with_tok < 2; with_tok++) {
                        vport_port_runtime rt;
                        port_runtime_from_json(with_tok ? tok : NULL, cases[i].text, &rt);
                        assert_string_equal(rt.ifname, cases[i].ifname);
                        assert_string_equal(rt.tapdev, cases[i].tapdev);
                        assert_string_equal(rt.lower, cases[i].lower);
                        assert_string_equal(rt.netns, cases[i].netns);
                        assert_string_equal(rt.cifname, cases[i].cifname);
                        assert_int_equal(rt.ifindex, cases[i].ifindex);
                        assert_int_equal(rt.lower_ifindex, cases[i].lower_ifindex);
                }
        json_tokener_free(tok);
}

/* ---- bulk ---- */

#define N_BULK 4

static void bulk_create(fixture *f) {
        vport_error err = { 0 };
        vport_port *p = NULL;

        needs_macvtap();
        for (int i = 0; i < N_BULK; i++) {
                vport_mac mac = guest_mac;
                vport_port_request req = { .network = i % 2 ? "vepa" : "brlv",
                                           .mac = &mac,
                                           .owner_name = "vm1",
                                           .vlan = -1,
                                           .flags = VPORT_PORT_PREPARE };
                mac.addr[5] = (uint8_t) (0x10 + i);
                assert_int_equal(vport_port_create(f->ctx, &req, &p, &err), 0);
                assert_int_equal(vport_port_activate(f->ctx, &p->def->uuid, NULL, &err), 0);
                vport_port_free(p);
        }
        p = create_ok(f, "passthrough");
        assert_int_equal(vport_port_activate(f->ctx, &p->def->uuid, NULL, &err), 0);
        vport_port_free(p);
        assert_int_equal(fake_net_count("macvtap"), N_BULK / 2 + 1);
        assert_int_equal(fake_net_count("tun"), N_BULK / 2);
}

static void bulk_check(fixture *f, unsigned links) {
        assert_int_equal(fnet->calls.link_delete_group, 2); /* one per driver */
        assert_int_equal(fnet->calls.link_delete, 0);
        assert_int_equal(fake_net_count("macvtap"), 0);
        assert_int_equal(fake_net_count("tun"), 0); /* taps and group markers */
        assert_int_equal(fake_net_count(NULL), links);
        assert_true(mac_equal(&must_find("eth1")->link.mac, &(vport_mac){ { 0x02, 0, 0, 0, 0, 2 } }));
        assert_true(is_up("eth1"));
        for (int i = 0; i < FAKE_NET_MAX_FDB; i++)
                assert_int_equal(fnet->fdb[i].port_ifindex, 0);
        assert_int_equal(tu_n_ports(f->ctx), 0);
}

static void test_bulk_owner(void **state) {
        fixture *f = *state;
        unsigned links = fake_net_count(NULL);
        vport_error err = { 0 };

        bulk_create(f);
        fnet->calls = (fake_net_calls){ 0 };
        assert_int_equal(vport_port_delete_owner(f->ctx, "vm1", &err), N_BULK + 1);
        bulk_check(f, links);
}

/* A batched delete reads the host's links once per group delete (the
 * kernel cannot filter a dump by group): the check that nothing foreign
 * joined the group and the sweep of dead markers share that dump. A
 * marker a killed batch left alone in its group goes with it. */
static void test_bulk_one_dump_per_group(void **state) {
        fixture *f = *state;
        unsigned links = fake_net_count(NULL);
        vport_error err = { 0 };
        int dead;

        bulk_create(f);
        dead = fake_net_add("vpgrp1", "tun", &guest_mac, false);
        assert_true(dead > 0);
        fake_net_find(dead, NULL)->link.group = 0x76700000u + (uint32_t) dead; /* netdev-name.c's base */
        fnet->calls = (fake_net_calls){ 0 };
        assert_int_equal(vport_port_delete_owner(f->ctx, "vm1", &err), N_BULK + 1);
        assert_int_equal(fnet->calls.link_list, 2); /* one per driver */
        assert_null(fake_net_find(dead, NULL));
        fnet->calls.link_delete = 0; /* the dead marker's */
        bulk_check(f, links);
}

/* A foreign device in the batch's group (the marker's ifindex, which the
 * fake hands out next, tells the group in advance) is never deleted: the
 * group delete is not sent, the ports go one by one. */
static void test_bulk_foreign_in_group(void **state) {
        fixture *f = *state;
        _cleanup_(vport_port_freep) vport_port *a = create_ok(f, "br"), *b = create_ok(f, "br");
        vport_error err = { 0 };
        int foreign = fake_net_add("other0", "dummy", &guest_mac, true);

        fake_net_find(foreign, NULL)->link.group = 0x76700000u + (uint32_t) fnet->next_ifindex;
        fnet->calls = (fake_net_calls){ 0 };
        assert_int_equal(vport_port_delete_owner(f->ctx, "vm1", &err), 2);
        assert_int_equal(fnet->calls.link_delete_group, 0);
        assert_non_null(fake_net_find(foreign, NULL));
        assert_null(fake_net_find(a->rt.ifindex, NULL));
        assert_null(fake_net_find(b->rt.ifindex, NULL));
        assert_int_equal(fake_net_count("tun"), 0); /* the marker too */
        assert_int_equal(tu_n_ports(f->ctx), 0);
}

/* A VM's NICs by owner (the ports built from their summaries, one journal
 * query for the owner): a port being deleted is refused, naming it, while
 * the others still go up; the passthrough port's mode survives (deactivate
 * takes its physdev down as well). */
static void test_owner_steps(void **state) {
        fixture *f = *state;
        _cleanup_(vport_port_freep) vport_port *tap = NULL, *mv = NULL, *pt = NULL;
        char uuid[VPORT_UUID_STRLEN];
        vport_error err = { 0 };

        needs_macvtap();
        tap = create_ok(f, "br");
        mv = create_ok(f, "vepa");
        pt = create_ok(f, "passthrough");
        assert_int_equal(journal_put(f->ctx, tap, JOURNAL_KEY_DELETE, JOURNAL_STEP_RELEASING, NULL, &err),
                         0);
        assert_int_equal(vport_port_activate_owner(f->ctx, "vm1", &err), -EBUSY);
        assert_non_null(strstr(err.message, "being deleted"));
        assert_non_null(strstr(err.message, uuid_format(&tap->def->uuid, uuid)));
        assert_int_equal(state_of(f, tap), PORT_STATE_PREPARED);
        assert_false(is_up(tap->rt.ifname));
        assert_int_equal(state_of(f, mv), PORT_STATE_ACTIVE);
        assert_true(is_up(mv->rt.ifname));
        assert_int_equal(state_of(f, pt), PORT_STATE_ACTIVE);
        assert_true(is_up(pt->rt.ifname) && is_up("eth1"));

        assert_int_equal(journal_delete(f->ctx, tap, JOURNAL_KEY_DELETE, &err), 0);
        assert_int_equal(vport_port_activate_owner(f->ctx, "vm1", &err), 3);
        assert_int_equal(state_of(f, tap), PORT_STATE_ACTIVE);
        assert_true(is_up(tap->rt.ifname));
        assert_int_equal(vport_port_deactivate_owner(f->ctx, "vm1", &err), 3);
        assert_false(is_up(mv->rt.ifname) || is_up(pt->rt.ifname) || is_up(tap->rt.ifname));
        assert_false(is_up("eth1"));
        assert_int_equal(state_of(f, pt), PORT_STATE_PREPARED);
}

static vport_port *create_vepa(fixture *f, uint8_t last) {
        vport_mac mac = guest_mac;
        vport_port_request req = {
                .network = "vepa", .mac = &mac, .owner_name = "vm1", .vlan = -1, .flags = VPORT_PORT_PREPARE
        };
        vport_error err = { 0 };
        vport_port *p = NULL;

        mac.addr[5] = last;
        if (vport_port_create(f->ctx, &req, &p, &err) < 0)
                fail_msg("create on vepa: %s", err.message);
        return p;
}

/* A VM's direct ports on one uplink: the lower device is looked at once in
 * an owner step, not once per port. A port whose macvtap fails to come up
 * still takes down the lower device it raised, and the next port looks
 * and raises it again. */
static void test_owner_lower_once(void **state) {
        fixture *f = *state;
        vport_port *p[3];
        vport_error err = { 0 };

        tu_skip_without_faults();
        needs_macvtap();
        must_find("eth0")->link.flags &= ~(unsigned) IFF_UP;
        with_faults(f, "link_set_up:2=EIO"); /* the first port's macvtap */
        for (size_t i = 0; i < ELEMENTSOF(p); i++)
                p[i] = create_vepa(f, (uint8_t) (i + 1));
        fnet->calls = (fake_net_calls){ 0 };
        assert_int_equal(vport_port_activate_owner(f->ctx, "vm1", &err), -EIO);
        assert_int_equal(state_of(f, p[0]), PORT_STATE_PREPARED);
        assert_false(is_up(p[0]->rt.ifname));
        assert_int_equal(state_of(f, p[1]), PORT_STATE_ACTIVE);
        assert_int_equal(state_of(f, p[2]), PORT_STATE_ACTIVE);
        assert_true(is_up(p[1]->rt.ifname) && is_up(p[2]->rt.ifname) && is_up("eth0"));
        assert_int_equal(fnet->calls.link_get, 2);

        assert_int_equal(vport_port_deactivate_owner(f->ctx, "vm1", &err), 3);
        fnet->calls = (fake_net_calls){ 0 };
        assert_int_equal(vport_port_activate_owner(f->ctx, "vm1", &err), 3);
        assert_int_equal(fnet->calls.link_get, 1);
        assert_int_equal(fnet->calls.link_set_up, 3);
        for (size_t i = 0; i < ELEMENTSOF(p); i++) {
                assert_true(is_up(p[i]->rt.ifname));
                vport_port_free(p[i]);
        }
}

static void test_bulk_net_destroy(void **state) {
        fixture *f = *state;
        unsigned links = fake_net_count(NULL);
        vport_error err = { 0 };

        bulk_create(f);
        fnet->calls = (fake_net_calls){ 0 };
        /* active ports (running guests) take --force */
        assert_int_equal(vport_net_destroy(f->ctx, "vepa", &err), -EBUSY);
        assert_int_equal(fnet->calls.total, 0);
        assert_int_equal(vport_net_destroy_ex(f->ctx, "vepa", VPORT_NET_DESTROY_FORCE, NULL, NULL, &err), 0);
        assert_int_equal(fnet->calls.link_delete_group, 1);
        assert_int_equal(fake_net_count("macvtap"), 1); /* the passthrough one */
        assert_int_equal(vport_net_destroy_ex(f->ctx, "brlv", VPORT_NET_DESTROY_FORCE, NULL, NULL, &err), 0);
        assert_int_equal(
                vport_net_destroy_ex(f->ctx, "passthrough", VPORT_NET_DESTROY_FORCE, NULL, NULL, &err), 0);
        assert_int_equal(fnet->calls.link_delete_group, 2);
        assert_int_equal(fnet->calls.link_delete, 1); /* a single port: no group */
        fnet->calls.link_delete_group = 2;
        fnet->calls.link_delete = 0;
        bulk_check(f, links);
}

/* ---- what an error of an undo step means ---- */

typedef struct undo_case {
        plug_undo what;
        int r; /* the step's error */
        enum { TAP_ON_BRIDGE, TAP_DETACHED, TAP_DELETED } tap;
        int want;           /* 0: undone, 1: device gone, < 0: a real failure */
        const char *notice; /* what the notice says, NULL: none */
} undo_case;

static const undo_case undo_cases[] = {
        { PLUG_UNDO_DOWN, 0, TAP_ON_BRIDGE, 0, NULL },
        { PLUG_UNDO_DOWN, -ENODEV, TAP_ON_BRIDGE, 1, "tap vnet0 (ifindex" },
        { PLUG_UNDO_LOWER_DOWN, -ENODEV, TAP_ON_BRIDGE, 1, "lower device vnet0" },
        { PLUG_UNDO_DOWN, -EPERM, TAP_ON_BRIDGE, -EPERM, NULL },
        { PLUG_UNDO_DOWN, -ENOENT, TAP_ON_BRIDGE, -ENOENT, NULL }, /* no meaning for a link op */
        { PLUG_UNDO_DOWN, -EOPNOTSUPP, TAP_DETACHED, -EOPNOTSUPP, NULL },
        { PLUG_UNDO_FDB, -ENOENT, TAP_ON_BRIDGE, 0, "FDB entry for 52:54:00:bb:00:01 on vnet0" },
        { PLUG_UNDO_FDB, -ENODEV, TAP_ON_BRIDGE, 1, "was already gone" },
        /* still a bridge port: the bridge refused, a real failure */
        { PLUG_UNDO_FDB, -EOPNOTSUPP, TAP_ON_BRIDGE, -EOPNOTSUPP, NULL },
        { PLUG_UNDO_FDB, -EOPNOTSUPP, TAP_DETACHED, 0, "no longer on a bridge" },
        { PLUG_UNDO_FDB, -EBUSY, TAP_DETACHED, -EBUSY, NULL },
        { PLUG_UNDO_FDB, -EOPNOTSUPP, TAP_DELETED, 1, "was already gone" },
};

static void test_undo_classification(void **state) {
        fixture *f = *state;
        vport_port *port = create_ok(f, "brlv");
        int tap = port->rt.ifindex, bridge = must_find("br0")->link.ifindex;

        for (size_t i = 0; i < ELEMENTSOF(undo_cases); i++) {
                const undo_case *c = &undo_cases[i];
                vport_error err = { 0 };
                const char *const *notes;
                size_t n;
                int r;

                if (c->tap == TAP_DELETED)
                        fake_net_remove(tap);
                else
                        must_find("vnet0")->link.master_ifindex = c->tap == TAP_ON_BRIDGE ? bridge : 0;
                vport_ctx_clear_notices(f->ctx);
                if (c->r < 0)
                        vport_error_set(&err, c->r, "the kernel said no");
                r = plug_undo_error(f->ctx, port, c->what, tap, "vnet0", c->r, &err);
                if (r != c->want)
                        fail_msg("case %zu: got %d, expected %d", i, r, c->want);
                /* a real failure keeps the kernel's message; done clears it */
                assert_int_equal(vport_error_isset(&err), r < 0);
                n = vport_ctx_notices(f->ctx, &notes);
                assert_int_equal(n, c->notice != NULL);
                if (c->notice && !strstr(notes[0], c->notice))
                        fail_msg("case %zu: notice '%s' lacks '%s'", i, notes[0], c->notice);
        }
        vport_port_free(port);
}

/* The bridge refuses to drop the FDB entry of a tap still on it, or the
 * tap refuses to go down: real failures, the port stays active. */
static void test_undo_real_failures(void **state) {
        static const char *const specs[] = { "fdb_del:1=EOPNOTSUPP", "link_set_up:2=EPERM" };
        fixture *f = *state;

        tu_skip_without_faults();
        for (size_t i = 0; i < ELEMENTSOF(specs); i++) {
                vport_error err = { 0 };
                vport_port *port;

                with_faults(f, specs[i]);
                port = create_ok(f, "brlv");
                assert_int_equal(vport_port_activate(f->ctx, &port->def->uuid, NULL, &err), 0);
                vport_ctx_clear_notices(f->ctx);
                assert_true(vport_port_deactivate(f->ctx, &port->def->uuid, NULL, &err) < 0);
                assert_int_equal(state_of(f, port), PORT_STATE_ACTIVE);
                assert_int_equal(vport_ctx_notices(f->ctx, &(const char *const *){ NULL }), 0);
                assert_int_equal(vport_port_delete(f->ctx, &port->def->uuid, &err), 0);
                assert_int_equal(tu_n_ports(f->ctx), 0);
                vport_port_free(port);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_direct_vepa, setup, teardown),
                cmocka_unit_test_setup_teardown(test_direct_bridge, setup, teardown),
                cmocka_unit_test_setup_teardown(test_direct_private, setup, teardown),
                cmocka_unit_test_setup_teardown(test_direct_passthrough, setup, teardown),
                cmocka_unit_test_setup_teardown(test_direct_lower_down, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bridge_kernel, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bridge_libvirt, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bridge_not_a_bridge, setup, teardown),
                cmocka_unit_test_setup_teardown(test_name_from_template, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tap_cost_independent_of_host, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prepare_never_dumps, setup, teardown),
                cmocka_unit_test_setup_teardown(test_port_steps_use_indexes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_activate_up_fails, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fdb_add_fails, setup, teardown),
                cmocka_unit_test_setup_teardown(test_delete_foreign_same_name, setup, teardown),
                cmocka_unit_test_setup_teardown(test_delete_device_fails, setup, teardown),
                cmocka_unit_test_setup_teardown(test_duplicate_up_macvtap, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lower_own_mac, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mac_held_unseen, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_prepare_commits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_prepare_refused_commits_nothing, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_killed_around_first_entry, setup, teardown),
                cmocka_unit_test_setup_teardown(test_release_crash, setup, teardown),
                cmocka_unit_test_setup_teardown(test_release_fails, setup, teardown),
                cmocka_unit_test_setup_teardown(test_redefine_comment_uuid, setup, teardown),
                cmocka_unit_test_setup_teardown(test_runtime_names_checked, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_names_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list_brief_equals_full, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list_brief_damaged, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_prepare_stores_def, setup, teardown),
                cmocka_unit_test_setup_teardown(test_port_json_text, setup, teardown),
                cmocka_unit_test(test_runtime_read),
                cmocka_unit_test_setup_teardown(test_list_brief_migrated, setup, teardown),
                cmocka_unit_test_setup_teardown(test_damaged_passthrough_delete, setup, teardown),
                cmocka_unit_test_setup_teardown(test_damaged_bridge_net_destroy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_damaged_reconcile, setup, teardown),
                cmocka_unit_test_setup_teardown(test_killed_after_tap_create, setup, teardown),
                cmocka_unit_test_setup_teardown(test_killed_after_macvtap_create, setup, teardown),
                cmocka_unit_test_setup_teardown(test_created_in_default_group, setup, teardown),
                cmocka_unit_test_setup_teardown(test_killed_prepare_cleanup_is_no_delete, setup, teardown),
                cmocka_unit_test_setup_teardown(test_killed_after_bridge_create, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bulk_owner, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bulk_one_dump_per_group, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bulk_foreign_in_group, setup, teardown),
                cmocka_unit_test_setup_teardown(test_owner_steps, setup, teardown),
                cmocka_unit_test_setup_teardown(test_owner_lower_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bulk_net_destroy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_undo_classification, setup, teardown),
                cmocka_unit_test_setup_teardown(test_undo_real_failures, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
