/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-destroy and a port activated while it runs. The check that refuses
 * active ports (a running guest) without --force and the teardown must see
 * the same ports: a port activated after the check and before the teardown
 * was pulled from under its guest. The interleaving is made exact, not
 * timed: a trace hook on the destroying context's own SQLite connection
 * activates the port (through a second context, as another vport process
 * would) at the moment net-destroy starts its first write transaction. */
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_activated_meanwhile, setup, teardown),
                cmocka_unit_test_setup_teardown(test_activated_meanwhile_forced, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
