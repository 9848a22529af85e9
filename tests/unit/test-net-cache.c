/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A port-create reads its network's row once, and a context parses a
 * network's stored XML once while that text is unchanged (core/net-cache.c,
 * issue 13): never serving a definition the store no longer holds, though
 * another context (another process: vportd and the CLI share the state
 * file) redefines it between two requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "config.h"
#include "ctx-fixture.h"
#include "fake-netdev.h"

/* The statement that reads a network's row by name (store_network_get()). */
#define NET_ROW_READ "FROM networks WHERE name ="

static const char *const net_br0 =
        "<network><name>lan</name><forward mode='bridge'/><bridge name='br0'/></network>";
/* the same length as net_br0: the cache compares the whole text */
static const char *const net_br1 =
        "<network><name>lan</name><forward mode='bridge'/><bridge name='br1'/></network>";

typedef struct fixture {
        char dir[TU_DIR_MAX];
        vport_ctx *ctx;   /* a long-lived context: vportd's */
        vport_ctx *other; /* another process's on the same state file: a CLI's */
} fixture;

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        vport_mac m = { { 0x02, 0, 0, 0, 0x77, 0x01 } };

        tu_state_dir_new(f->dir, "test-net-cache");
        fake_net_setup();
        assert_true(fake_net_add("br1", "bridge", &m, true) > 0);
        f->ctx = tu_ctx_open(f->dir, &fake_net_ops);
        f->other = tu_ctx_open(f->dir, &fake_net_ops);
        tu_net_up(f->ctx, net_br0, "lan");
        if (WITH_MACVTAP)
                tu_net_up(f->ctx,
                          "<network><name>vepa</name><forward mode='vepa'><interface dev='eth0'/></forward>"
                          "</network>",
                          "vepa");
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

static int create(vport_ctx *ctx, const char *net, unsigned flags, vport_port **ret, vport_error *err) {
        vport_port_request req = { .network = net, .owner_name = "vm1", .vlan = -1, .flags = flags };

        return vport_port_create(ctx, &req, ret, err);
}

static vport_port *create_ok(vport_ctx *ctx, const char *net) {
        vport_port *port = NULL;
        vport_error err = { 0 };

        if (create(ctx, net, VPORT_PORT_PREPARE, &port, &err) < 0)
                fail_msg("create on %s: %s", net, err.message);
        assert_int_equal(port->state, PORT_STATE_PREPARED);
        return port;
}

/* The network redefined by other, as an operator's CLI would: destroyed,
 * defined with xml, started. */
static void redefine(vport_ctx *other, const char *xml) {
        vport_error err = { 0 };

        if (vport_net_destroy(other, "lan", &err) < 0 || vport_net_define(other, xml, NULL, &err) < 0 ||
            vport_net_start(other, "lan", &err) < 0)
                fail_msg("redefining lan: %s", err.message);
}

/* One read of the network's row per create, with or without its prepare:
 * the definition, the active flag and destroy mark checked under the write
 * lock, and the insert's check that the network exists were three. */
static void test_create_reads_network_once(void **state) {
        fixture *f = *state;
        const char *nets[] = { "lan", "vepa" };

        for (size_t i = 0; i < (WITH_MACVTAP ? 2 : 1); i++) {
                vport_port *port = NULL;

                tu_sql_count(f->ctx, NET_ROW_READ);
                port = create_ok(f->ctx, nets[i]);
                assert_int_equal(tu_sql_counted(f->ctx), 1);
                vport_port_free(port);
                tu_sql_count(f->ctx, NET_ROW_READ);
                assert_int_equal(create(f->ctx, nets[i], 0, NULL, NULL), 0);
                assert_int_equal(tu_sql_counted(f->ctx), 1);
        }
}

/* The network's definition is what the store holds at the request, not
 * what the context parsed at an earlier one: another process redefined it
 * in between (a bridge name of the same length). Fails if the cache served
 * the definition it parsed first. */
static void test_redefined_by_other_seen(void **state) {
        fixture *f = *state;
        vport_port *port;

        port = create_ok(f->ctx, "lan");
        assert_string_equal(port->def->plug.bridge, "br0");
        vport_port_free(port);
        redefine(f->other, net_br1);
        port = create_ok(f->ctx, "lan");
        assert_string_equal(port->def->plug.bridge, "br1");
        vport_port_free(port);
        /* and back: an older text is parsed again, not remembered */
        redefine(f->other, net_br0);
        port = create_ok(f->ctx, "lan");
        assert_string_equal(port->def->plug.bridge, "br0");
        vport_port_free(port);
}

static net_parsed *load(vport_ctx *ctx, const char *name) {
        net_parsed *p = NULL;
        vport_error err = { 0 };

        if (net_load(ctx, name, &p, NULL, &err) < 0)
                fail_msg("loading %s: %s", name, err.message);
        return p;
}

/* An unchanged definition is parsed once: the same parse at every load
 * and create, held by the cache alone between requests. A changed one is
 * parsed again, and the share a caller holds of the old one stays valid
 * (the ASan build reads it after the cache let it go). */
static void test_parsed_once_shares_kept(void **state) {
        fixture *f = *state;
        net_parsed *a = load(f->ctx, "lan"), *b;
        vport_port *port;

        port = create_ok(f->ctx, "lan");
        vport_port_free(port);
        b = load(f->ctx, "lan");
        assert_ptr_equal(a, b);
        net_parsed_unref(b);
        assert_int_equal(a->n_ref, 2); /* the cache's and this test's: the create kept none */
        redefine(f->other, net_br1);
        b = load(f->ctx, "lan");
        assert_ptr_not_equal(a, b);
        assert_string_equal(b->def->bridge_name, "br1");
        assert_int_equal(a->n_ref, 1); /* the cache dropped the old text's entry */
        assert_string_equal(a->def->bridge_name, "br0");
        net_parsed_unref(a);
        net_parsed_unref(b);
}

/* The cache holds at most NET_CACHE_MAX definitions (a listing of more
 * networks parses them all), and an undefined network's goes with it. */
static void test_cache_bounded(void **state) {
        fixture *f = *state;
        vport_network **nets = NULL;
        vport_error err = { 0 };
        size_t n = 0, before;
        char xml[256];

        for (int i = 0; i < NET_CACHE_MAX + 4; i++) {
                snprintf(xml, sizeof(xml),
                         "<network><name>n%d</name><forward mode='bridge'/><bridge name='br0'/></network>",
                         i);
                assert_int_equal(vport_net_define(f->ctx, xml, NULL, &err), 0);
        }
        assert_int_equal(vport_network_list(f->ctx, &nets, &n, &err), 0);
        vport_network_array_free(nets, n);
        assert_int_equal(n, NET_CACHE_MAX + 4 + 1 + (WITH_MACVTAP ? 1 : 0));
        assert_int_equal(f->ctx->n_net_cache, NET_CACHE_MAX);
        before = f->ctx->n_net_cache;
        assert_int_equal(vport_net_undefine(f->ctx, "n35", &err), 0);
        assert_int_equal(f->ctx->n_net_cache, before - 1);
}

/* A create refused under the write lock (the network stopped by another
 * process, a bad request) leaves no transaction open: the next create on
 * the context works. */
static void test_refused_create_ends_txn(void **state) {
        fixture *f = *state;
        vport_port_request bad = { .network = "lan", .owner_name = "vm1", .vlan = 5000 };
        vport_error err = { 0 };
        vport_port *port;

        assert_int_equal(vport_net_destroy(f->other, "lan", &err), 0);
        assert_int_equal(create(f->ctx, "lan", VPORT_PORT_PREPARE, NULL, &err), -EHOSTDOWN);
        assert_false(store_in_transaction(f->ctx->store));
        assert_int_equal(vport_net_start(f->other, "lan", &err), 0);
        assert_int_equal(vport_port_create(f->ctx, &bad, NULL, &err), -EINVAL);
        assert_false(store_in_transaction(f->ctx->store));
        assert_int_equal(create(f->ctx, "nosuch", 0, NULL, &err), -ENOENT);
        assert_string_equal(err.message, "network 'nosuch' is not defined");
        port = create_ok(f->ctx, "lan");
        vport_port_free(port);
        assert_int_equal(tu_n_ports(f->other), 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_create_reads_network_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_redefined_by_other_seen, setup, teardown),
                cmocka_unit_test_setup_teardown(test_parsed_once_shares_kept, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cache_bounded, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused_create_ends_txn, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
