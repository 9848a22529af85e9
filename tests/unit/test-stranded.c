/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* No port is ever stranded, over the fake link table: for every plug type,
 * the port's own device or the device it sits on (lower device, bridge) is
 * deleted behind vport's back while the port is prepared or active; then
 * deactivate + delete, delete, net-destroy --force, and reconcile followed
 * by delete all succeed, say what was already gone, and leave the host as
 * before the port existed and the store without the port, its journal or
 * its pool device. Also: drift reported (and nothing changed) for each kind
 * of tampering, net-destroy refusing active ports, and owners. */
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "core/fault.h"
#include "core/internal.h"
#include "ctx-fixture.h"
#include "fake-netdev.h"

static const vport_mac guest_mac = { { 0x52, 0x54, 0x00, 0xcc, 0x00, 0x01 } };

static const struct {
        const char *name, *forward, *dep; /* dep: the device the port sits on */
        bool direct;
} nets[] = {
        { "vepa", "<forward mode='vepa'><interface dev='eth0'/></forward>", "eth0", true },
        { "bridgemode", "<forward mode='bridge'><interface dev='eth0'/></forward>", "eth0", true },
        { "private", "<forward mode='private'><interface dev='eth0'/></forward>", "eth0", true },
        { "passthrough", "<forward mode='passthrough'><interface dev='eth1'/></forward>", "eth1", true },
        { "br", "<forward mode='bridge'/><bridge name='br0'/>", "br0", false },
        { "brlv", "<forward mode='bridge'/><bridge name='br0' macTableManager='libvirt'/>", "br0", false },
};

typedef enum finish {
        FINISH_DEACTIVATE_DELETE,
        FINISH_DELETE,
        FINISH_NET_DESTROY,
        FINISH_RECONCILE_DELETE,
        _FINISH_MAX,
} finish;

static const char *const finish_name[_FINISH_MAX] = { "deactivate+delete", "delete", "net-destroy --force",
                                                      "reconcile+delete" };

typedef struct world {
        char dir[TU_DIR_MAX];
        vport_ctx *ctx;
} world;

static void world_open(world *w) {
        char xml[512];

        tu_state_dir_new(w->dir, "test-stranded");
        fake_net_setup();
        w->ctx = tu_ctx_open(w->dir, &fake_net_ops);
        for (size_t i = 0; i < ELEMENTSOF(nets); i++) {
                if (nets[i].direct && !WITH_MACVTAP)
                        continue;
                snprintf(xml, sizeof(xml), "<network><name>%s</name>%s</network>", nets[i].name,
                         nets[i].forward);
                tu_net_up(w->ctx, xml, nets[i].name);
        }
}

static void world_close(world *w) {
        vport_ctx_close(w->ctx);
        tu_state_dir_remove(w->dir);
}

static int setup(void **state) {
        world *w = calloc(1, sizeof(*w));

        world_open(w);
        *state = w;
        return 0;
}

static int teardown(void **state) {
        world_close(*state);
        free(*state);
        return 0;
}

static vport_port *create_port(world *w, const char *net, const char *owner) {
        vport_port_request req = { .network = net,
                                   .mac = &guest_mac,
                                   .owner_name = owner,
                                   .vlan = -1,
                                   .flags = VPORT_PORT_PREPARE };
        vport_error err = { 0 };
        vport_port *port = NULL;

        if (vport_port_create(w->ctx, &req, &port, &err) < 0)
                fail_msg("create on %s: %s", net, err.message);
        return port;
}

static size_t n_devices_held(world *w) {
        store_device_count *usage = NULL;
        size_t n = 0;

        assert_int_equal(store_device_usage(w->ctx->store, NULL, &usage, &n, NULL), 0);
        store_device_count_array_free(usage, n);
        return n;
}

static bool notice_has(world *w, const char *text) {
        const char *const *notes;
        size_t n = vport_ctx_notices(w->ctx, &notes);

        for (size_t i = 0; i < n; i++)
                if (strstr(notes[i], text))
                        return true;
        return false;
}

/* A drift entry of kind for port (NULL: any port) in the current report. */
static bool drift_has(world *w, const char *kind, const vport_port *port) {
        vport_drift_item **list = NULL;
        vport_error err = { 0 };
        bool found = false;
        size_t n = 0;

        if (vport_drift(w->ctx, &list, &n, &err) < 0)
                fail_msg("drift: %s", err.message);
        for (size_t i = 0; i < n; i++) {
                const vport_uuid *p = vport_drift_item_get_port(list[i]);
                if (!streq(vport_drift_kind_to_string(vport_drift_item_get_kind(list[i])), kind))
                        continue;
                if (!port || (p && uuid_equal(p, &port->def->uuid)))
                        found = true;
        }
        vport_drift_item_array_free(list, n);
        return found;
}

/* The host as it was before the port existed, less what the admin deleted:
 * every surviving link has its MAC, up state and master back, and nothing
 * else is left (no tap, macvtap, group marker or FDB entry). */
static void assert_host_as_before(const fake_net *before, const bool *survived, const char *what) {
        unsigned expected = 0;

        for (int i = 0; i < FAKE_NET_MAX_LINKS; i++) {
                const vport_link *b = &before->links[i].link;
                fake_net_link *now;
                if (!b->ifindex || !survived[i])
                        continue;
                expected++;
                if (!(now = fake_net_find(b->ifindex, NULL)))
                        fail_msg("%s: %s gone", what, b->name);
                if (!mac_equal(&now->link.mac, &b->mac) || (now->link.flags & IFF_UP) != (b->flags & IFF_UP))
                        fail_msg("%s: %s not restored", what, b->name);
                if (now->link.master_ifindex != b->master_ifindex && fake_net_find(b->master_ifindex, NULL))
                        fail_msg("%s: %s changed master", what, b->name);
        }
        if (fake_net_count(NULL) != expected)
                fail_msg("%s: %u links, expected %u", what, fake_net_count(NULL), expected);
        if (fake_net_fdb_count(&guest_mac) != 0)
                fail_msg("%s: FDB entry left", what);
}

static void tamper(const vport_port *port, size_t net, bool own) {
        if (own)
                fake_net_remove(port->rt.ifindex);
        else
                fake_net_remove(fake_net_find(0, nets[net].dep)->link.ifindex);
}

/* A port whose device is gone cannot be activated: the step fails, naming
 * the device, and the port stays prepared. */
static void activate_refused(world *w, const vport_port *port, const char *what) {
        _cleanup_(vport_port_freep) vport_port *now = NULL;
        vport_error err = { 0 };

        if (vport_port_activate(w->ctx, &port->def->uuid, NULL, &err) >= 0)
                fail_msg("%s: activate succeeded", what);
        assert_int_equal(vport_port_get(w->ctx, &port->def->uuid, &now, NULL), 0);
        assert_int_equal(now->state, PORT_STATE_PREPARED);
}

static int run_finish(world *w, const vport_port *port, size_t net, finish how, vport_error *err) {
        vport_repair **log = NULL;
        size_t n_log = 0;
        unsigned calls;
        int r;

        switch (how) {
        case FINISH_DEACTIVATE_DELETE:
                r = vport_port_deactivate(w->ctx, &port->def->uuid, NULL, err);
                return r < 0 ? r : vport_port_delete(w->ctx, &port->def->uuid, err);
        case FINISH_DELETE:
                return vport_port_delete(w->ctx, &port->def->uuid, err);
        case FINISH_NET_DESTROY:
                return vport_net_destroy_ex(w->ctx, nets[net].name, VPORT_NET_DESTROY_FORCE, NULL, NULL,
                                            err);
        case FINISH_RECONCILE_DELETE:
                /* Reconcile reports the missing device and changes nothing. */
                calls = fnet->calls.link_set_up + fnet->calls.link_delete + fnet->calls.link_delete_group +
                        fnet->calls.fdb_del + fnet->calls.link_set_mac;
                r = vport_reconcile_ex(w->ctx, &log, &n_log, err);
                assert_int_equal(r, 0);
                assert_int_equal(n_log, 0);
                vport_repair_array_free(log, n_log);
                if (!drift_has(w, "device-missing", port))
                        fail_msg("%s: no device-missing drift", nets[net].name);
                assert_int_equal(fnet->calls.link_set_up + fnet->calls.link_delete +
                                         fnet->calls.link_delete_group + fnet->calls.fdb_del +
                                         fnet->calls.link_set_mac,
                                 calls);
                assert_int_equal(tu_n_ports(w->ctx), 1);
                return vport_port_delete(w->ctx, &port->def->uuid, err);
        default:
                return -EINVAL;
        }
}

static void one_case(size_t net, bool active, bool own, finish how) {
        bool survived[FAKE_NET_MAX_LINKS];
        vport_error err = { 0 };
        vport_port *port;
        fake_net *before = malloc(sizeof(*before));
        char what[128];
        world w;

        snprintf(what, sizeof(what), "%s, %s, %s gone, %s", nets[net].name, active ? "active" : "prepared",
                 own ? "own device" : nets[net].dep, finish_name[how]);
        world_open(&w);
        *before = *fnet;
        port = create_port(&w, nets[net].name, "vm1");
        if (active && vport_port_activate(w.ctx, &port->def->uuid, NULL, &err) < 0)
                fail_msg("%s: activate: %s", what, err.message);
        tamper(port, net, own);
        for (int i = 0; i < FAKE_NET_MAX_LINKS; i++)
                survived[i] = before->links[i].link.ifindex &&
                              fake_net_find(before->links[i].link.ifindex, NULL) != NULL;
        if (!active && how == FINISH_DELETE)
                activate_refused(&w, port, what);
        vport_ctx_clear_notices(w.ctx);
        if (run_finish(&w, port, net, how, &err) < 0)
                fail_msg("%s: %s", what, err.message);
        if (!notice_has(&w, "already gone") && !notice_has(&w, "no longer on a bridge"))
                fail_msg("%s: no notice names what was gone", what);
        assert_host_as_before(before, survived, what);
        assert_int_equal(tu_n_ports(w.ctx), 0);
        assert_int_equal(tu_n_journal(w.ctx, NULL), 0);
        assert_int_equal(n_devices_held(&w), 0);
        vport_port_free(port);
        free(before);
        world_close(&w);
}

static void test_gone_matrix(void **state) {
        unsigned runs = 0;

        for (size_t net = 0; net < ELEMENTSOF(nets); net++) {
                if (nets[net].direct && !WITH_MACVTAP)
                        continue;
                for (int active = 0; active < 2; active++)
                        for (int own = 0; own < 2; own++)
                                for (int how = 0; how < _FINISH_MAX; how++, runs++)
                                        one_case(net, active, own, (finish) how);
        }
        assert_true(runs >= 32);
}

/* An FDB entry the admin removed from an active macTableManager='libvirt'
 * port, the tap taken off its bridge, a tap in a creation group (vport
 * made it) that no port or journal holds, a tap's MAC changed: each reported, and reporting changes
 * nothing. */
static void test_drift_kinds(void **state) {
        world *w = *state;
        vport_port *lv, *br;
        fake_net before;

        lv = create_port(w, "brlv", "vm1");
        assert_int_equal(vport_port_activate(w->ctx, &lv->def->uuid, NULL, NULL), 0);
        br = create_port(w, "br", "vm2");
        assert_false(drift_has(w, "fdb-missing", NULL));
        assert_false(drift_has(w, "device-detached", NULL));
        assert_false(drift_has(w, "orphan-device", NULL));
        assert_false(drift_has(w, "mac-changed", NULL));

        for (int i = 0; i < FAKE_NET_MAX_FDB; i++)
                if (fnet->fdb[i].port_ifindex == lv->rt.ifindex)
                        fnet->fdb[i] = (fake_net_fdb){ 0 };
        fake_net_find(br->rt.ifindex, NULL)->link.master_ifindex = 0;
        fake_net_find(fake_net_add("vnet7", "tun", &(vport_mac){ { 0xfe, 0, 0, 0, 0, 7 } }, false), NULL)
                ->link.group = 0x76800007; /* a creation group no journal holds */
        fake_net_find(lv->rt.ifindex, NULL)->link.mac.addr[5] ^= 0x10;
        before = *fnet;
        assert_true(drift_has(w, "mac-changed", lv));
        assert_true(drift_has(w, "fdb-missing", lv));
        assert_true(drift_has(w, "device-detached", br));
        assert_true(drift_has(w, "orphan-device", NULL));
        assert_false(drift_has(w, "device-missing", NULL));
        assert_memory_equal(before.links, fnet->links, sizeof(before.links));
        assert_memory_equal(before.fdb, fnet->fdb, sizeof(before.fdb));
        assert_int_equal(tu_n_ports(w->ctx), 2);
        vport_port_free(lv);
        vport_port_free(br);
}

/* The orphan-device devices in the current report, comma-separated. */
static void orphans(world *w, char *buf, size_t size) {
        vport_drift_item **list = NULL;
        size_t n = 0, len = 0;

        buf[0] = '\0';
        assert_true(vport_drift(w->ctx, &list, &n, NULL) >= 0);
        for (size_t i = 0; i < n; i++)
                if (vport_drift_item_get_kind(list[i]) == VPORT_DRIFT_ORPHAN_DEVICE && len < size)
                        len += (size_t) snprintf(buf + len, size - len, "%s%s", len ? "," : "",
                                                 vport_drift_item_get_device(list[i]));
        vport_drift_item_array_free(list, n);
}

/* Orphans by vport's own marks, not by names: a foreign vnet99 tap with
 * vport's MAC prefix (what libvirt's QEMU driver makes) is not reported;
 * a tap vport made whose port row and journal are gone (killed before
 * its ifindex was journaled, so still in its creation group) is; one
 * whose journal entry still holds the group is not (reconcile finishes
 * it). */
static void test_drift_orphan_by_marks(void **state) {
        world *w = *state;
        const vport_mac fe = { { 0xfe, 0x54, 0x00, 0, 0, 0x99 } };
        store_journal j = { .key = (char *) "test",
                            .step = (char *) "x",
                            .data = (char *) "{\"pid\":1,\"snapshot\":{\"ifname\":\"vnet98\",\"ifindex\":0,"
                                             "\"lower_ifindex\":0,\"group\":1988100100}}" };
        vport_port *port = create_port(w, "br", "vm1");
        char buf[256];

        assert_true(fake_net_add("vnet99", "tun", &fe, true) > 0);
        fake_net_add("macvtap99", "macvtap", &guest_mac, true);
        orphans(w, buf, sizeof(buf));
        assert_string_equal(buf, "");
        /* 1988100100 = 0x76800004, a creation group */
        fake_net_find(fake_net_add("vnet98", "tun", &fe, false), NULL)->link.group = 1988100100u;
        orphans(w, buf, sizeof(buf));
        assert_string_equal(buf, "vnet98");
        j.port_uuid = port->def->uuid;
        assert_int_equal(store_journal_put(w->ctx->store, &j, NULL), 0);
        orphans(w, buf, sizeof(buf));
        assert_string_equal(buf, "");
        vport_port_free(port);
}

/* A port's tap is gone: reconcile reports it, the port and its journal
 * stay (the owner decides), and the message says how to finish. */
static void test_drift_device_missing(void **state) {
        world *w = *state;
        vport_port *port = create_port(w, "br", "vm1");
        vport_error err = { 0 };

        fake_net_remove(port->rt.ifindex);
        assert_true(drift_has(w, "device-missing", port));
        assert_int_equal(vport_port_activate(w->ctx, &port->def->uuid, NULL, &err), -ENODEV);
        assert_non_null(strstr(err.message, "port-delete"));
        assert_int_equal(tu_n_ports(w->ctx), 1);
        assert_true(tu_n_journal(w->ctx, NULL) > 0);
        vport_port_free(port);
}

/* The bridge a bridge-mode network plugs into, deleted behind vport's
 * back while no port is there to notice: reported as the network's, with
 * no port; nothing changed (the network stays active). */
static void test_drift_network_bridge_gone(void **state) {
        world *w = *state;
        fake_net_link *br = fake_net_find(0, "br0");
        vport_drift_item **list = NULL;
        vport_network *net = NULL;
        bool found = false;
        size_t n = 0;

        assert_non_null(br);
        assert_false(drift_has(w, "network-device-missing", NULL));
        fake_net_remove(br->link.ifindex);
        assert_true(vport_drift(w->ctx, &list, &n, NULL) >= 1);
        for (size_t i = 0; i < n; i++) {
                if (vport_drift_item_get_kind(list[i]) != VPORT_DRIFT_NETWORK_DEVICE_MISSING)
                        continue;
                assert_null(vport_drift_item_get_port(list[i]));
                assert_string_equal(vport_drift_item_get_device(list[i]), "br0");
                assert_non_null(strstr(vport_drift_item_get_detail(list[i]), "br0"));
                found |= streq(vport_drift_item_get_network(list[i]), "br");
        }
        vport_drift_item_array_free(list, n);
        assert_true(found);
        assert_int_equal(vport_network_get(w->ctx, "br", &net, NULL), 0);
        assert_true(vport_network_get_active(net));
        vport_network_free(net);
}

/* A report reads the host once: one dump of the links, whatever the
 * number of ports (each is looked up in it), and the report still finds
 * what a request per device would: a tap gone, the others fine. */
static void test_drift_one_dump(void **state) {
        world *w = *state;
        vport_port *ports[6];
        vport_drift_item **list = NULL;
        size_t n = 0;

        if (!WITH_MACVTAP)
                skip(); /* half of the ports are on a vepa (macvtap) network */
        for (size_t i = 0; i < ELEMENTSOF(ports); i++)
                ports[i] = create_port(w, i % 2 ? "br" : "vepa", "vm1");
        fake_net_remove(ports[3]->rt.ifindex);
        fnet->calls = (fake_net_calls){ 0 };
        assert_int_equal(vport_drift(w->ctx, &list, &n, NULL), 1);
        assert_int_equal(fnet->calls.link_list, 1);
        assert_int_equal(fnet->calls.link_get, 0);
        vport_drift_item_array_free(list, n);
        assert_true(drift_has(w, "device-missing", ports[3]));
        for (size_t i = 0; i < ELEMENTSOF(ports); i++)
                vport_port_free(ports[i]);
}

/* A port whose devices cannot be read (the kernel fails the lookup) is
 * reported as such; the other ports are still checked. */
static void test_drift_check_failed(void **state) {
        world *w = *state;
        vport_port *br, *gone;
        const vport_kernel_ops *ops = NULL;
        vport_ctx_options opts = { .state_dir = w->dir };
        fault_ops *fo = NULL;
        vport_ctx *ctx = NULL;
        vport_drift_item **list = NULL;
        size_t n = 0;
        bool failed = false, missing = false;

        if (!WITH_FAULT_INJECTION)
                skip();
        br = create_port(w, "br", "vm1");
        gone = create_port(w, "brlv", "vm2");
        fake_net_remove(gone->rt.ifindex);
        /* the one dump of every link fails, then the first lookup (br's
         * tap) with EIO */
        assert_int_equal(fault_ops_new("link_list:1=EIO,link_get:1=EIO", &fake_net_ops, &fo, &ops, NULL), 0);
        opts.ops = ops;
        assert_int_equal(vport_ctx_open(&opts, &ctx, NULL), 0);
        assert_true(vport_drift(ctx, &list, &n, NULL) >= 2);
        for (size_t i = 0; i < n; i++) {
                failed |= vport_drift_item_get_kind(list[i]) == VPORT_DRIFT_CHECK_FAILED;
                missing |= vport_drift_item_get_kind(list[i]) == VPORT_DRIFT_DEVICE_MISSING;
        }
        assert_true(failed);
        assert_true(missing);
        vport_drift_item_array_free(list, n);
        vport_ctx_close(ctx);
        fault_ops_free(fo);
        vport_port_free(br);
        vport_port_free(gone);
}

/* Without --force an active port stops net-destroy before anything
 * changes; the message names the port and its owner. */
static void test_net_destroy_refuses_active(void **state) {
        world *w = *state;
        char uuid[VPORT_UUID_STRLEN];
        vport_port *active, *prepared;
        vport_mac second = guest_mac;
        vport_port_request req = {
                .network = "br", .mac = &second, .owner_name = "vm2", .vlan = -1, .flags = VPORT_PORT_PREPARE
        };
        vport_port **torn = NULL;
        size_t n_torn = 0;
        vport_error err = { 0 };
        fake_net before;
        bool net_active;

        active = create_port(w, "br", "vm1");
        assert_int_equal(vport_port_activate(w->ctx, &active->def->uuid, NULL, NULL), 0);
        second.addr[5] = 9;
        assert_int_equal(vport_port_create(w->ctx, &req, &prepared, &err), 0);
        before = *fnet;
        assert_int_equal(vport_net_destroy_ex(w->ctx, "br", 0, &torn, &n_torn, &err), -EBUSY);
        assert_null(torn);
        assert_int_equal(n_torn, 0);
        assert_non_null(strstr(err.message, uuid_format(&active->def->uuid, uuid)));
        assert_non_null(strstr(err.message, "vm1"));
        assert_non_null(strstr(err.message, "--force"));
        assert_null(strstr(err.message, uuid_format(&prepared->def->uuid, uuid)));
        assert_memory_equal(before.links, fnet->links, sizeof(before.links));
        assert_int_equal(tu_n_ports(w->ctx), 2);
        assert_int_equal(net_load(w->ctx, "br", NULL, &net_active, NULL), 0);
        assert_true(net_active);

        assert_int_equal(vport_net_destroy_ex(w->ctx, "br", VPORT_NET_DESTROY_FORCE, &torn, &n_torn, &err),
                         0);
        assert_int_equal(n_torn, 2);
        assert_true(uuid_equal(vport_port_get_uuid(torn[0]), &active->def->uuid));
        assert_int_equal(vport_port_get_state(torn[0]), VPORT_PORT_STATE_ACTIVE); /* as it was */
        assert_string_equal(vport_port_get_owner_name(torn[0]), "vm1");
        assert_int_equal(vport_port_get_state(torn[1]), VPORT_PORT_STATE_PREPARED);
        vport_port_array_free(torn, n_torn);
        assert_int_equal(tu_n_ports(w->ctx), 0);
        assert_int_equal(fake_net_count("tun"), 0);
        assert_int_equal(net_load(w->ctx, "br", NULL, &net_active, NULL), 0);
        assert_false(net_active);
        vport_port_free(active);
        vport_port_free(prepared);
}

/* A port that cannot be torn down (the kernel refuses the delete) keeps
 * the network active; the report still names the ports that went. */
static void test_net_destroy_partial(void **state) {
        world *w = *state;
        vport_port *a = create_port(w, "br", "vm1");
        fake_net_link *tap = fake_net_find(a->rt.ifindex, NULL);
        vport_port **torn = NULL;
        size_t n_torn = 0;
        vport_error err = { 0 };
        bool net_active;

        /* a foreign device in the way of the group delete, and the single
         * delete refused: the fake refuses deleting a physical NIC */
        snprintf(tap->link.kind, sizeof(tap->link.kind), "%s", "");
        assert_true(vport_net_destroy_ex(w->ctx, "br", 0, &torn, &n_torn, &err) < 0);
        assert_non_null(strstr(err.message, "stays active"));
        assert_int_equal(n_torn, 0);
        vport_port_array_free(torn, n_torn);
        assert_int_equal(net_load(w->ctx, "br", NULL, &net_active, NULL), 0);
        assert_true(net_active);
        assert_int_equal(tu_n_ports(w->ctx), 1);
        snprintf(tap->link.kind, sizeof(tap->link.kind), "%s", "tun");
        assert_int_equal(vport_net_destroy(w->ctx, "br", &err), 0);
        assert_int_equal(tu_n_ports(w->ctx), 0);
        vport_port_free(a);
}

/* --owner NAME always means one UUID; conflicts are refused naming both. */
/* The journal records' pid and group, read the fast way or through json-c:
 * the same member json-c finds, top level only, 0 when there is none. */
static void test_journal_data_int(void **state) {
        static const struct {
                const char *data;
                int64_t pid, group;
        } cases[] = {
                { "{\"pid\":23296,\"snapshot\":{\"ifname\":\"vnet0\",\"group\":7}}", 23296, 0 },
                { "{\"snapshot\":{\"pid\":5,\"l\":[1,{\"x\":\"}\"}]},\"group\":1993464260,\"pid\":9}", 9,
                  1993464260 },
                { "{\"pid\":1,\"pid\":2}", 2, 0 },              /* json-c keeps the last */
                { "{ \"pid\": 41, \"group\": 12 }", 41, 12 },   /* spaced: json-c */
                { "{\"pid\":\"a\\\"b\",\"group\":-3}", 0, -3 }, /* escape: json-c */
                { "{\"group\":null,\"pid\":true}", 1, 0 },      /* literals: json-c */
                { "{}", 0, 0 },
                { "[1,2]", 0, 0 },
                { "{\"pid\":12", 0, 0 }, /* truncated: nothing */
                { "", 0, 0 },
        };
        json_tokener *tok = json_tokener_new();

        (void) state;
        assert_non_null(tok);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                assert_int_equal(journal_data_int(tok, cases[i].data, "pid"), cases[i].pid);
                assert_int_equal(journal_data_int(tok, cases[i].data, "group"), cases[i].group);
        }
        assert_int_equal(journal_data_int(tok, NULL, "pid"), 0);
        json_tokener_free(tok);
}

static void test_owner_uuid(void **state) {
        world *w = *state;
        char buf[VPORT_UUID_STRLEN], buf2[VPORT_UUID_STRLEN];
        vport_uuid derived, given;
        vport_mac mac = guest_mac;
        vport_port_request req = { .network = "br", .mac = &mac, .vlan = -1 };
        vport_port *a, *b, *c = NULL;
        vport_error err = { 0 };

        a = create_port(w, "br", "vm1");
        owner_uuid_of_name("vm1", &derived);
        assert_true(uuid_equal(&a->def->owner_uuid, &derived));
        mac.addr[5] = 2;
        req.owner_name = "vm1";
        assert_int_equal(vport_port_create(w->ctx, &req, &b, &err), 0);
        assert_true(uuid_equal(&b->def->owner_uuid, &derived));

        /* vm1 with another UUID */
        assert_int_equal(uuid_parse("11111111-2222-4333-8444-555555555555", &given), 0);
        req.owner_uuid = &given;
        assert_int_equal(vport_port_create(w->ctx, &req, NULL, &err), -EEXIST);
        assert_non_null(strstr(err.message, uuid_format(&derived, buf)));
        assert_non_null(strstr(err.message, uuid_format(&given, buf2)));
        assert_non_null(strstr(err.message, "vm1"));

        /* vm1's UUID under another name */
        req.owner_uuid = &derived;
        req.owner_name = "vm2";
        assert_int_equal(vport_port_create(w->ctx, &req, NULL, &err), -EEXIST);
        assert_non_null(strstr(err.message, "vm1"));
        assert_non_null(strstr(err.message, "vm2"));

        /* the UUID alone finds its name */
        req.owner_name = NULL;
        assert_int_equal(vport_port_create(w->ctx, &req, &c, &err), 0);
        assert_string_equal(c->def->owner_name, "vm1");
        req.owner_uuid = &given;
        assert_int_equal(vport_port_create(w->ctx, &req, NULL, &err), -EINVAL);
        assert_non_null(strstr(err.message, "--owner NAME"));
        assert_int_equal(tu_n_ports(w->ctx), 3);

        /* no owner at all is "unknown", one owner too */
        req.owner_uuid = NULL;
        vport_port_free(c);
        assert_int_equal(vport_port_create(w->ctx, &req, &c, &err), 0);
        assert_string_equal(c->def->owner_name, "unknown");
        owner_uuid_of_name("unknown", &derived);
        assert_true(uuid_equal(&c->def->owner_uuid, &derived));
        vport_port_free(c);

        /* a name first given a UUID of its own keeps it for its next ports */
        req.owner_name = "vm3";
        req.owner_uuid = &given;
        assert_int_equal(vport_port_create(w->ctx, &req, &c, &err), 0);
        vport_port_free(c);
        req.owner_uuid = NULL;
        assert_int_equal(vport_port_create(w->ctx, &req, &c, &err), 0);
        assert_true(uuid_equal(&c->def->owner_uuid, &given));
        /* and that UUID is refused to another name */
        req.owner_name = "vm4";
        req.owner_uuid = &given;
        assert_int_equal(vport_port_create(w->ctx, &req, NULL, &err), -EEXIST);
        assert_non_null(strstr(err.message, "vm3"));
        vport_port_free(a);
        vport_port_free(b);
        vport_port_free(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_gone_matrix),
                cmocka_unit_test(test_journal_data_int),
                cmocka_unit_test_setup_teardown(test_drift_kinds, setup, teardown),
                cmocka_unit_test_setup_teardown(test_drift_device_missing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_drift_network_bridge_gone, setup, teardown),
                cmocka_unit_test_setup_teardown(test_drift_orphan_by_marks, setup, teardown),
                cmocka_unit_test_setup_teardown(test_drift_check_failed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_drift_one_dump, setup, teardown),
                cmocka_unit_test_setup_teardown(test_net_destroy_refuses_active, setup, teardown),
                cmocka_unit_test_setup_teardown(test_net_destroy_partial, setup, teardown),
                cmocka_unit_test_setup_teardown(test_owner_uuid, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
