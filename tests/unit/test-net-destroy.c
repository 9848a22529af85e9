/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Batched deletes (net-destroy, port-delete --owner) and what another
 * vport process does while they run. What a batched delete checks and
 * tears down must be what it marked, in one transaction: a port activated
 * after the check and before the teardown was pulled from under its guest;
 * a port created for the owner, or on the network, in between outlived
 * the delete. The interleaving is made exact, not timed: a trace hook on
 * one context's own SQLite connection runs the other context's step (as
 * another vport process would) when the first starts its n-th write
 * transaction. */
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctx-fixture.h"
#include "fake-netdev.h"
#include "store/store-internal.h"

static const vport_mac guest_mac = { { 0x52, 0x54, 0x00, 0xdd, 0x00, 0x01 } };

typedef struct fixture {
        char dir[TU_DIR_MAX];
        vport_ctx *ctx;   /* the one running net-destroy */
        vport_ctx *other; /* another process's, activating the port */
        vport_uuid port;
        bool armed;
        int activated; /* what the other's activate returned */
        int begins;    /* BEGINs to let pass before the step runs */
        int (*step)(struct fixture *f);
        int stepped; /* what the step returned */
} fixture;

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        vport_port_request req = { .network = "br",
                                   .mac = &guest_mac,
                                   .owner_name = "vm1",
                                   .vlan = -1,
                                   .flags = VPORT_PORT_PREPARE };
        vport_port *port = NULL;

        tu_state_dir_new(f->dir, "test-net-destroy");
        fake_net_setup();
        f->ctx = tu_ctx_open(f->dir, &fake_net_ops);
        f->other = tu_ctx_open(f->dir, &fake_net_ops);
        tu_net_up(f->ctx, "<network><name>br</name><forward mode='bridge'/><bridge name='br0'/></network>",
                  "br");
        assert_int_equal(vport_port_create(f->ctx, &req, &port, NULL), 0);
        f->port = port->def->uuid;
        vport_port_free(port);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;

        vport_ctx_close(f->ctx);
        vport_ctx_close(f->other);
        tu_state_dir_remove(f->dir);
        free(f);
        return 0;
}

/* On the destroying connection's first BEGIN (before SQLite takes any lock
 * for it), once: the other context activates the port to completion. */
static int on_statement(unsigned type, void *userdata, void *stmt, void *sql) {
        fixture *f = userdata;

        if (!f->armed || strncmp(sqlite3_sql(stmt), "BEGIN", 5) != 0)
                return 0;
        f->armed = false;
        f->activated = vport_port_activate(f->other, &f->port, NULL, NULL);
        return 0;
}

/* The same hook for any step of the other context, at the connection's
 * (begins+1)-th BEGIN: still before SQLite takes the lock for it. */
static int on_begin(unsigned type, void *userdata, void *stmt, void *sql) {
        fixture *f = userdata;

        if (!f->step || strncmp(sqlite3_sql(stmt), "BEGIN", 5) != 0 || f->begins-- > 0)
                return 0;
        f->stepped = f->step(f);
        f->step = NULL;
        return 0;
}

static void hook(fixture *f, vport_ctx *on, int begins, int (*step)(fixture *f)) {
        f->begins = begins;
        f->step = step;
        f->stepped = 1;
        sqlite3_trace_v2(on->store->db, SQLITE_TRACE_STMT, on_begin, f);
}

static void unhook(fixture *f, vport_ctx *on) {
        assert_null(f->step); /* it ran */
        sqlite3_trace_v2(on->store->db, 0, NULL, NULL);
}

/* The other context creates a port for vm1 on br. */
static int other_creates(fixture *f) {
        vport_port_request req = { .network = "br", .owner_name = "vm1", .vlan = -1 };

        return vport_port_create(f->other, &req, NULL, NULL);
}

static int other_activates(fixture *f) {
        return vport_port_activate(f->other, &f->port, NULL, NULL);
}

/* The destroying context destroys br, to the end. */
static int ctx_destroys(fixture *f) {
        return vport_net_destroy(f->ctx, "br", NULL);
}

static bool net_active_named(vport_ctx *ctx, const char *name) {
        _cleanup_(store_network_freep) store_network *net = NULL;

        assert_int_equal(store_network_get(ctx->store, name, &net, NULL), 0);
        return net->active;
}

static bool net_active(vport_ctx *ctx) {
        return net_active_named(ctx, "br");
}

static vport_port_state state_of(fixture *f) {
        _cleanup_(vport_port_freep) vport_port *now = NULL;

        assert_int_equal(vport_port_get(f->ctx, &f->port, &now, NULL), 0);
        return now->state;
}

/* Listed while prepared, activated before the teardown: refused, nothing
 * changed, the guest keeps its running NIC. */
static void test_activated_meanwhile(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };

        assert_int_equal(state_of(f), PORT_STATE_PREPARED);
        f->armed = true;
        sqlite3_trace_v2(f->ctx->store->db, SQLITE_TRACE_STMT, on_statement, f);
        assert_int_equal(vport_net_destroy(f->ctx, "br", &err), -EBUSY);
        sqlite3_trace_v2(f->ctx->store->db, 0, NULL, NULL);
        assert_int_equal(f->activated, 0);
        assert_non_null(strstr(err.message, "1 active port"));
        assert_int_equal(tu_n_ports(f->ctx), 1);
        assert_int_equal(state_of(f), PORT_STATE_ACTIVE);
        assert_true(fake_net_find(0, "vnet0")->link.flags & IFF_UP);
        assert_int_equal(tu_n_journal(f->ctx, NULL), tu_n_journal(f->other, NULL));
        /* with --force it goes */
        assert_int_equal(vport_net_destroy_ex(f->ctx, "br", VPORT_NET_DESTROY_FORCE, NULL, NULL, &err), 0);
        assert_int_equal(tu_n_ports(f->ctx), 0);
        assert_null(fake_net_find(0, "vnet0"));
}

/* The same interleaving with --force: the teardown knows the port is
 * active now, so it deactivates it before releasing it. */
static void test_activated_meanwhile_forced(void **state) {
        fixture *f = *state;
        vport_port **gone = NULL;
        size_t n = 0;
        vport_error err = { 0 };

        f->armed = true;
        sqlite3_trace_v2(f->ctx->store->db, SQLITE_TRACE_STMT, on_statement, f);
        assert_int_equal(vport_net_destroy_ex(f->ctx, "br", VPORT_NET_DESTROY_FORCE, &gone, &n, &err), 0);
        sqlite3_trace_v2(f->ctx->store->db, 0, NULL, NULL);
        assert_int_equal(f->activated, 0);
        assert_int_equal(n, 1);
        assert_int_equal(vport_port_get_state(gone[0]), VPORT_PORT_STATE_ACTIVE); /* as it was */
        vport_port_array_free(gone, n);
        assert_int_equal(tu_n_ports(f->ctx), 0);
        assert_null(fake_net_find(0, "vnet0"));
}

/* A port-create that begins after net-destroy marked its ports (its
 * first commit) and before the network is inactive: refused, and nothing
 * of the network outlives the destroy. */
static void test_created_during_teardown(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };

        hook(f, f->ctx, 1, other_creates); /* the BEGIN after the first commit */
        assert_int_equal(vport_net_destroy(f->ctx, "br", &err), 0);
        unhook(f, f->ctx);
        assert_int_equal(f->stepped, -EBUSY);
        assert_int_equal(tu_n_ports(f->ctx), 0);
        assert_false(net_active(f->ctx));
        assert_int_equal(fake_net_count("tun"), 0);
        /* started again, the network takes ports */
        assert_int_equal(vport_net_start(f->ctx, "br", &err), 0);
        assert_int_equal(other_creates(f), 0);
}

/* A port-create that loaded the network while active, and allocates after
 * a whole net-destroy ran: refused under the lock, no port on an inactive
 * network. */
static void test_create_outlived_by_destroy(void **state) {
        fixture *f = *state;

        hook(f, f->other, 0, ctx_destroys); /* the allocation's BEGIN */
        assert_int_equal(other_creates(f), -EHOSTDOWN);
        unhook(f, f->other);
        assert_int_equal(f->stepped, 0);
        assert_false(net_active(f->ctx));
        assert_int_equal(tu_n_ports(f->ctx), 0);
}

/* br's destroy entry as a net-destroy by process pid puts it (0: an
 * entry without a record, which counts as its writer gone). */
static void put_destroy_entry_by(vport_ctx *ctx, int pid) {
        char data[64];
        store_net_journal j = { .network = "br", .key = "destroy", .step = "releasing" };

        snprintf(data, sizeof(data), "{\"pid\":%d,\"flags\":0}", pid);
        j.data = pid ? data : NULL;
        assert_int_equal(store_net_journal_put(ctx->store, &j, NULL), 0);
}

static void put_destroy_entry(fixture *f) {
        put_destroy_entry_by(f->ctx, 0);
}

static size_t n_net_journal(vport_ctx *ctx) {
        store_net_journal *entries = NULL;
        size_t n = 0;

        assert_int_equal(store_net_journal_list(ctx->store, NULL, &entries, &n, NULL), 0);
        store_net_journal_array_free(entries, n);
        return n;
}

/* Reconcile; whether it lists network net's destroy as finished (a network
 * repair names the network, no port). */
static bool reconcile_finishes(vport_ctx *ctx, const char *net) {
        vport_repair **rep = NULL;
        vport_error err = { 0 };
        bool finished = false;
        size_t n = 0;

        if (vport_reconcile_ex(ctx, &rep, &n, &err) < 0)
                fail_msg("reconcile: %s", err.message);
        for (size_t i = 0; i < n; i++) {
                if (vport_repair_get_kind(rep[i]) != VPORT_REPAIR_FINISH_NET_DESTROY)
                        continue;
                assert_null(vport_repair_get_port(rep[i]));
                assert_string_equal(vport_repair_get_network(rep[i]), net);
                finished = true;
        }
        vport_repair_array_free(rep, n);
        return finished;
}

/* A destroy killed after marking the ports leaves the network active with
 * its destroy entry: port-create refuses it, naming what to run; running
 * net-destroy again finishes it, and the network started again takes
 * ports. */
static void test_unfinished_destroy(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };

        put_destroy_entry(f);
        assert_int_equal(vport_port_create(f->other, &(vport_port_request){ .network = "br", .vlan = -1 },
                                           NULL, &err),
                         -EBUSY);
        assert_non_null(strstr(err.message, "'vport reconcile'"));
        assert_non_null(strstr(err.message, "'vport net-destroy br' again"));
        assert_int_equal(tu_n_ports(f->ctx), 1);
        assert_int_equal(vport_net_destroy(f->ctx, "br", &err), 0);
        assert_false(net_active(f->ctx));
        assert_int_equal(vport_net_start(f->ctx, "br", &err), 0);
        assert_int_equal(other_creates(f), 0);
}

/* The same left entry, finished by reconcile as net-destroy would have:
 * the port it had not torn down goes (the port pass finishes those it
 * had marked), the network ends inactive with no entry left, and started
 * again it takes ports as a clean network does. */
static void test_unfinished_destroy_reconciled(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };

        put_destroy_entry(f);
        assert_true(reconcile_finishes(f->ctx, "br"));
        assert_false(net_active(f->ctx));
        assert_int_equal(tu_n_ports(f->ctx), 0);
        assert_int_equal(tu_n_journal(f->ctx, NULL), 0);
        assert_int_equal(n_net_journal(f->ctx), 0);
        assert_int_equal(fake_net_count("tun"), 0);
        assert_false(reconcile_finishes(f->ctx, "br")); /* nothing left to do */
        assert_int_equal(vport_net_start(f->ctx, "br", &err), 0);
        assert_int_equal(other_creates(f), 0);
}

/* An earlier boot's entry (the network and its port went with that boot):
 * reconcile drops it with the stale port, lists no destroy (there was
 * nothing left to finish), and the network starts and takes ports. */
static void test_earlier_boot_entry_dropped(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };

        put_destroy_entry_by(f->ctx, (int) getpid());
        assert_int_equal(sqlite3_exec(f->ctx->store->db,
                                      "UPDATE network_journal SET boot_id = 'an-earlier-boot';"
                                      "UPDATE networks SET active_boot_id = 'an-earlier-boot';"
                                      "UPDATE ports SET boot_id = 'an-earlier-boot';"
                                      "UPDATE journal SET boot_id = 'an-earlier-boot';",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        assert_false(net_active(f->ctx));
        assert_false(reconcile_finishes(f->ctx, "br"));
        assert_int_equal(n_net_journal(f->ctx), 0);
        assert_int_equal(tu_n_ports(f->ctx), 0);
        assert_int_equal(vport_net_start(f->ctx, "br", &err), 0);
        assert_int_equal(other_creates(f), 0);
}

/* A net-destroy still running (its writer alive) is left alone: its
 * network, ports and entry stay, and port-create says who is at it. */
static void test_live_destroy_left_alone(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };

        put_destroy_entry_by(f->ctx, (int) getpid());
        assert_false(reconcile_finishes(f->ctx, "br"));
        assert_true(net_active(f->ctx));
        assert_int_equal(tu_n_ports(f->ctx), 1);
        assert_int_equal(n_net_journal(f->ctx), 1);
        assert_int_equal(vport_port_create(f->other, &(vport_port_request){ .network = "br", .vlan = -1 },
                                           NULL, &err),
                         -EBUSY);
        assert_non_null(strstr(err.message, "being destroyed (by process"));
}

/* A dead net-destroy's network one of whose ports a live process is
 * deleting (its delete entry, written by this process): reconcile leaves
 * the network to that delete (a later run finishes it) rather than tear
 * the port down beside it. */
static void test_port_delete_under_way_left_alone(void **state) {
        fixture *f = *state;
        store_journal j = { .port_uuid = f->port, .key = "delete", .step = "releasing" };
        char data[64];

        snprintf(data, sizeof(data), "{\"pid\":%d,\"snapshot\":null}", (int) getpid());
        j.data = data;
        assert_int_equal(store_journal_put(f->ctx->store, &j, NULL), 0);
        put_destroy_entry(f);
        assert_false(reconcile_finishes(f->ctx, "br"));
        assert_true(net_active(f->ctx));
        assert_int_equal(tu_n_ports(f->ctx), 1);
        assert_int_equal(n_net_journal(f->ctx), 1);
        /* that delete done (its entry gone with the port's other entries'
         * writer, this process, still alive): the next reconcile finishes */
        assert_int_equal(store_journal_delete(f->ctx->store, &f->port, "delete", NULL), 0);
        assert_true(reconcile_finishes(f->ctx, "br"));
        assert_false(net_active(f->ctx));
        assert_int_equal(tu_n_ports(f->ctx), 0);
}

/* A net-destroy while another live process destroys the network (its
 * entry; pid 1 lives as long as the system): refused under the lock, naming
 * that process, nothing changed; the same process may run its own destroy
 * again (one that failed on a port). */
static void test_destroy_while_another_runs(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };

        put_destroy_entry_by(f->ctx, 1);
        assert_int_equal(vport_net_destroy(f->ctx, "br", &err), -EBUSY);
        assert_non_null(strstr(err.message, "being destroyed by process 1; nothing changed"));
        assert_true(net_active(f->ctx));
        assert_int_equal(tu_n_ports(f->ctx), 1);
        assert_int_equal(state_of(f), PORT_STATE_PREPARED);
        put_destroy_entry_by(f->ctx, (int) getpid());
        assert_int_equal(vport_net_destroy(f->ctx, "br", &err), 0);
        assert_false(net_active(f->ctx));
        assert_int_equal(tu_n_ports(f->ctx), 0);
}

/* Armed once reconcile's connection has read the network journal (the
 * dead writer's entry): at its next BEGIN, which is the resumed destroy's,
 * a net-destroy of another process takes the network over (its entry, with
 * its live pid). */
static int on_journal_read(unsigned type, void *userdata, void *stmt, void *sql) {
        fixture *f = userdata;
        const char *text = sqlite3_sql(stmt);

        if (!f->armed && f->step && strstr(text, "FROM network_journal"))
                f->armed = true;
        else if (f->armed && f->step && strncmp(text, "BEGIN", 5) == 0) {
                f->stepped = f->step(f);
                f->step = NULL;
        }
        return 0;
}

static int other_takes_over(fixture *f) {
        put_destroy_entry_by(f->other, (int) getpid());
        return 0;
}

/* Reconcile judged the entry abandoned, then another net-destroy began
 * before reconcile's transaction: the check under the lock sees the live
 * writer, and reconcile leaves the network to it (no port torn down from
 * under it, nothing listed). */
static void test_destroy_taken_over_meanwhile(void **state) {
        fixture *f = *state;

        put_destroy_entry(f);
        f->step = other_takes_over;
        sqlite3_trace_v2(f->ctx->store->db, SQLITE_TRACE_STMT, on_journal_read, f);
        assert_false(reconcile_finishes(f->ctx, "br"));
        sqlite3_trace_v2(f->ctx->store->db, 0, NULL, NULL);
        assert_null(f->step); /* it ran */
        assert_true(net_active(f->ctx));
        assert_int_equal(tu_n_ports(f->ctx), 1);
        assert_int_equal(state_of(f), PORT_STATE_PREPARED);
}

/* ---- net-destroy killed after every change point ---- */

static int destroy_forced(vport_ctx *ctx, const void *net) {
        return vport_net_destroy_ex(ctx, net, VPORT_NET_DESTROY_FORCE, NULL, NULL, NULL);
}

/* net active, with a port in each state a destroy meets: allocated,
 * prepared, active (a running guest: --force). */
static void populate(fixture *f, const char *net) {
        static const char *const owners[] = { "vma", "vmp", "vmr" };
        vport_error err = { 0 };

        if (!net_active_named(f->ctx, net))
                assert_int_equal(vport_net_start(f->ctx, net, &err), 0);
        for (size_t i = 0; i < ELEMENTSOF(owners); i++) {
                vport_port_request req = { .network = net,
                                           .owner_name = owners[i],
                                           .vlan = -1,
                                           .flags = i > 0 ? VPORT_PORT_PREPARE : 0 };
                vport_port *port = NULL;

                if (vport_port_create(f->ctx, &req, &port, &err) < 0)
                        fail_msg("create on %s: %s", net, err.message);
                if (i == 2)
                        assert_int_equal(vport_port_activate(f->ctx, &port->def->uuid, NULL, &err), 0);
                vport_port_free(port);
        }
}

/* What reconcile must make of a destroy killed at any point: the destroy
 * finished (listed, unless the kill came after its last commit), nothing
 * of the network's ports left in the store or the kernel, its own bridge
 * gone, no entry left, nothing drifted; started again, it takes a port as
 * a clean network does. */
static void after_destroy_kill(fixture *f, const char *net, const char *own_bridge, unsigned k) {
        bool was_active = net_active_named(f->ctx, net);
        vport_drift_item **drift = NULL;
        vport_port *port = NULL;
        vport_error err = { 0 };
        size_t n_drift = 0;

        if (reconcile_finishes(f->ctx, net) != was_active)
                fail_msg("%s, killed after change %u: the destroy %s listed", net, k,
                         was_active ? "was not" : "was");
        assert_false(net_active_named(f->ctx, net));
        assert_int_equal(tu_n_ports(f->ctx), 0);
        assert_int_equal(tu_n_journal(f->ctx, NULL), 0);
        assert_int_equal(n_net_journal(f->ctx), 0);
        assert_int_equal(fake_net_count("tun"), 0);
        assert_int_equal(fake_net_fdb_count(&guest_mac), 0);
        if (own_bridge)
                assert_null(fake_net_find(0, own_bridge));
        assert_int_equal(vport_drift(f->ctx, &drift, &n_drift, &err), 0);
        vport_drift_item_array_free(drift, n_drift);
        assert_int_equal(vport_net_start(f->ctx, net, &err), 0);
        assert_int_equal(vport_port_create(f->other,
                                           &(vport_port_request){
                                                   .network = net, .vlan = -1, .flags = VPORT_PORT_PREPARE },
                                           &port, &err),
                         0);
        assert_int_equal(vport_port_delete(f->other, &port->def->uuid, &err), 0);
        vport_port_free(port);
}

/* Returns the number of change points net-destroy --force of net has. */
static unsigned destroy_sweep(fixture *f, const char *net, const char *own_bridge) {
        unsigned k;

        for (k = 1;; k++) {
                int status;

                populate(f, net);
                status = tu_sweep_child(f->dir, &fake_net_ops, k, destroy_forced, net);
                if (status == 0)
                        break;
                assert_int_equal(status, 99);
                after_destroy_kill(f, net, own_bridge, k);
        }
        assert_false(net_active_named(f->ctx, net));
        assert_int_equal(tu_n_ports(f->ctx), 0);
        assert_int_equal(n_net_journal(f->ctx), 0);
        assert_int_equal(fake_net_count("tun"), 0);
        assert_true(k > 2); /* the mark's commit and more were reached */
        return k - 1;
}

/* A bridge-mode network (br0 is the administrator's) and an isolated one
 * (vport makes vbr9). */
static void test_killed_destroy_sweep(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };
        unsigned points;

        tu_skip_without_faults();
        assert_int_equal(vport_port_delete_owner(f->ctx, "vm1", &err), 1);
        points = destroy_sweep(f, "br", NULL);
        assert_int_equal(vport_net_define(f->ctx, "<network><name>iso</name><bridge name='vbr9'/></network>",
                                          NULL, &err),
                         0);
        points += destroy_sweep(f, "iso", "vbr9");
        print_message("net-destroy --force: %u kill points\n", points);
}

/* An entry left on an inactive network (killed between the two, or an
 * earlier boot's) neither pins the definition nor blocks a start. */
static void test_destroy_entry_left_inactive(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };

        assert_int_equal(vport_net_destroy(f->ctx, "br", &err), 0);
        put_destroy_entry(f);
        assert_int_equal(vport_net_start(f->ctx, "br", &err), 0);
        assert_int_equal(other_creates(f), 0);
        assert_int_equal(vport_net_destroy(f->ctx, "br", &err), 0);
        put_destroy_entry(f);
        assert_int_equal(vport_net_undefine(f->ctx, "br", &err), 0);
}

/* port-delete --owner while a port is created for the owner: the port
 * created before the delete's transaction goes with the others. */
static void test_owner_port_created_meanwhile(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };

        hook(f, f->ctx, 0, other_creates);
        assert_int_equal(vport_port_delete_owner(f->ctx, "vm1", &err), 2);
        unhook(f, f->ctx);
        assert_int_equal(f->stepped, 0);
        assert_int_equal(tu_n_ports(f->ctx), 0);
}

/* port-delete --owner while the owner's port is activated: it is torn
 * down as active (taken down first), not as the prepared port it was
 * before the delete's transaction. */
static void test_owner_port_activated_meanwhile(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };
        unsigned downs;

        hook(f, f->ctx, 0, other_activates);
        downs = fnet->calls.link_set_up;
        assert_int_equal(vport_port_delete_owner(f->ctx, "vm1", &err), 1);
        unhook(f, f->ctx);
        assert_int_equal(f->stepped, 0);
        /* the activate's link up, and the delete's down */
        assert_int_equal(fnet->calls.link_set_up - downs, 2);
        assert_int_equal(tu_n_ports(f->ctx), 0);
        assert_int_equal(fake_net_fdb_count(&guest_mac), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_activated_meanwhile, setup, teardown),
                cmocka_unit_test_setup_teardown(test_activated_meanwhile_forced, setup, teardown),
                cmocka_unit_test_setup_teardown(test_created_during_teardown, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_outlived_by_destroy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unfinished_destroy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unfinished_destroy_reconciled, setup, teardown),
                cmocka_unit_test_setup_teardown(test_earlier_boot_entry_dropped, setup, teardown),
                cmocka_unit_test_setup_teardown(test_live_destroy_left_alone, setup, teardown),
                cmocka_unit_test_setup_teardown(test_destroy_taken_over_meanwhile, setup, teardown),
                cmocka_unit_test_setup_teardown(test_destroy_while_another_runs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_port_delete_under_way_left_alone, setup, teardown),
                cmocka_unit_test_setup_teardown(test_killed_destroy_sweep, setup, teardown),
                cmocka_unit_test_setup_teardown(test_destroy_entry_left_inactive, setup, teardown),
                cmocka_unit_test_setup_teardown(test_owner_port_created_meanwhile, setup, teardown),
                cmocka_unit_test_setup_teardown(test_owner_port_activated_meanwhile, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
