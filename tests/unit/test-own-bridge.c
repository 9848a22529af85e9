/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bridge vport makes for isolated and open networks, over the fake
 * netdev model: names chosen at define, what net-start sets, a failure at
 * each kernel step leaving nothing, foreign devices never touched, and the
 * isolated flag on a tap. */
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "core/fault.h"
#include "core/internal.h"
#include "ctx-fixture.h"
#include "fake-netdev.h"

#define ISO                                                                                         \
        "<network><name>iso</name><bridge stp='off' delay='4'/><mtu size='9000'/>"                  \
        "<mac address='52:54:00:0a:00:01'/><dns enable='no'/><ip address='192.0.2.1' prefix='24'/>" \
        "<ip family='ipv6' address='2001:db8::1' prefix='64'/><port isolated='yes'/></network>"

typedef struct fixture {
        char dir[TU_DIR_MAX];
        vport_ctx *ctx;
        fault_ops *fault;
} fixture;

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));

        tu_state_dir_new(f->dir, "test-own-bridge");
        fake_net_setup();
        f->ctx = tu_ctx_open(f->dir, &fake_net_ops);
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

static void define_ok(fixture *f, const char *xml) {
        vport_error err = { 0 };

        if (vport_net_define(f->ctx, xml, NULL, &err) < 0)
                fail_msg("define: %s", err.message);
}

static char *dump(fixture *f, const char *net) {
        char *xml = NULL;

        assert_int_equal(vport_net_dumpxml(f->ctx, net, &xml, NULL), 0);
        return xml;
}

static bool active(fixture *f, const char *net) {
        _cleanup_(store_network_freep) store_network *n = NULL;

        assert_int_equal(store_network_get(f->ctx->store, net, &n, NULL), 0);
        return n->active;
}

/* libvirt's rule: the first virbrN that no network uses and no device has. */
static void test_define_picks_free_name(void **state) {
        fixture *f = *state;
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
        vport_error err = { 0 };

        fake_net_add("virbr0", "bridge", NULL, true); /* someone else's */
        define_ok(f, "<network><name>a</name></network>");
        define_ok(f, "<network><name>b</name><bridge name='vp%dx'/></network>");
        define_ok(f, "<network><name>c</name><forward mode='bridge'/><bridge name='virbr2'/></network>");
        a = dump(f, "a");
        b = dump(f, "b");
        assert_non_null(strstr(a, "<bridge name=\"virbr1\" stp=\"on\" delay=\"0\"/>"));
        assert_non_null(strstr(a, "<mac address=\"52:54:00:")); /* generated, as libvirt */
        assert_non_null(strstr(b, "<bridge name=\"vp0x\""));
        define_ok(f, "<network><name>d</name></network>"); /* virbr2 is c's */
        c = dump(f, "d");
        assert_non_null(strstr(c, "<bridge name=\"virbr3\""));
        assert_int_equal(vport_net_define(f->ctx, "<network><name>e</name><bridge name='virbr1'/></network>",
                                          NULL, &err),
                         -EEXIST);
        assert_non_null(strstr(err.message, "already used by network 'a'"));
        /* a redefinition keeps its own name */
        define_ok(f, "<network><name>a</name><bridge name='virbr1'/></network>");
}

/* Two processes on one network: a redefinition and a net-start, each
 * overtaken by the other between its first look at the network and its
 * last write. A context opened with race_open() runs the other step, from
 * the fixture's context, at its own first kernel read (link_get: the
 * redefinition's bridge name check, the start's device check). */
typedef enum race_step { RACE_NONE, RACE_START, RACE_REDEFINE } race_step;
static vport_ctx *race_other;
static race_step race_armed;

static int race_link_get(vport_kernel *k, int ifindex, const char *name, vport_link *ret, vport_error *err) {
        race_step step = race_armed;

        race_armed = RACE_NONE;
        if (step == RACE_START)
                assert_int_equal(vport_net_start(race_other, "iso", NULL), 0);
        else if (step == RACE_REDEFINE)
                assert_int_equal(vport_net_define(race_other,
                                                  "<network><name>iso</name><bridge stp='on'/></network>",
                                                  NULL, NULL),
                                 0);
        return fake_net_ops.link_get(k, ifindex, name, ret, err);
}

/* ISO defined, and a second context whose first kernel read runs step. */
static vport_ctx *race_open(fixture *f, race_step step) {
        static vport_kernel_ops ops;

        define_ok(f, ISO);
        ops = fake_net_ops;
        ops.link_get = race_link_get;
        race_other = f->ctx;
        race_armed = step;
        return tu_ctx_open(f->dir, &ops);
}

/* The start commits first: the redefinition is refused under its write
 * lock, and the running network keeps the definition it was started from. */
static void test_redefine_overtaken_by_start(void **state) {
        fixture *f = *state;
        vport_ctx *ctx = race_open(f, RACE_START);
        _cleanup_free_ char *xml = NULL;
        vport_error err = { 0 };

        assert_int_equal(
                vport_net_define(ctx, "<network><name>iso</name><bridge stp='on'/></network>", NULL, &err),
                -EBUSY);
        assert_int_equal(race_armed, RACE_NONE); /* the start did overtake it */
        assert_non_null(strstr(err.message, "network 'iso' is active"));
        vport_ctx_close(ctx);
        assert_true(active(f, "iso"));
        xml = dump(f, "iso");
        assert_non_null(strstr(xml, "stp=\"off\""));
        assert_int_equal(vport_net_destroy(f->ctx, "iso", NULL), 0);
}

/* The redefinition commits first: the start fails at its last step, the
 * activation, which finds the stored definition changed; the bridge made
 * from the old one is deleted and the network stays down with the new. */
static void test_start_overtaken_by_redefine(void **state) {
        fixture *f = *state;
        vport_ctx *ctx = race_open(f, RACE_REDEFINE);
        _cleanup_free_ char *xml = NULL;
        vport_error err = { 0 };

        assert_int_equal(vport_net_start(ctx, "iso", &err), -ESTALE);
        assert_int_equal(race_armed, RACE_NONE);
        assert_non_null(strstr(err.message, "network 'iso' was redefined while it was being started"));
        vport_ctx_close(ctx);
        assert_null(fake_net_find(0, "virbr0"));
        assert_false(active(f, "iso"));
        xml = dump(f, "iso");
        assert_non_null(strstr(xml, "stp=\"on\""));
        /* started again, from the definition now stored */
        assert_int_equal(vport_net_start(f->ctx, "iso", NULL), 0);
        assert_true(fake_net_find(0, "virbr0")->stp);
        assert_int_equal(vport_net_destroy(f->ctx, "iso", NULL), 0);
}

static void test_start_sets_everything(void **state) {
        fixture *f = *state;
        fake_net_link *br;
        char buf[VPORT_IPADDR_STRLEN];

        define_ok(f, ISO);
        assert_null(fake_net_find(0, "virbr0"));
        assert_int_equal(vport_net_start(f->ctx, "iso", NULL), 0);
        assert_non_null(br = fake_net_find(0, "virbr0"));
        assert_string_equal(br->link.kind, "bridge");
        assert_false(br->stp);
        assert_int_equal(br->forward_delay_cs, 400);
        assert_int_equal(br->link.mtu, 9000);
        assert_int_equal(br->link.mac.addr[5], 0x01);
        assert_true(br->link.flags & IFF_UP);
        assert_false(br->ipv6_disabled);
        assert_int_equal(br->n_addrs, 2);
        assert_string_equal(ipaddr_format(&br->addrs[0], buf), "192.0.2.1");
        assert_int_equal(br->addrs[0].prefix, 24);
        assert_int_equal(br->addrs[1].family, AF_INET6);
        assert_true(active(f, "iso"));
        assert_int_equal(vport_net_destroy(f->ctx, "iso", NULL), 0);
        assert_null(fake_net_find(0, "virbr0"));
        assert_false(active(f, "iso"));
}

/* A tap of an isolated network is an isolated bridge port with the
 * bridge's MTU; its steps read the store through indexes only (the
 * network's bridge record by name, never every network's entries). */
static void test_isolated_tap(void **state) {
        fixture *f = *state;
        vport_port_request req = {
                .network = "iso", .owner_name = "vm1", .vlan = -1, .flags = VPORT_PORT_PREPARE
        };
        _cleanup_(vport_port_freep) vport_port *p = NULL;
        fake_net_link *tap;

        define_ok(f, ISO);
        assert_int_equal(vport_net_start(f->ctx, "iso", NULL), 0);
        tu_sql_watch(f->ctx);
        assert_int_equal(vport_port_create(f->ctx, &req, &p, NULL), 0);
        assert_non_null(tap = fake_net_find(p->rt.ifindex, NULL));
        assert_int_equal(tap->link.master_ifindex, fake_net_find(0, "virbr0")->link.ifindex);
        assert_true(tap->isolated);
        assert_int_equal(tap->link.mtu, 9000);
        assert_int_equal(p->def->isolated_port, TRISTATE_YES);
        assert_int_equal(vport_port_activate(f->ctx, &p->def->uuid, NULL, NULL), 0);
        assert_int_equal(vport_port_deactivate(f->ctx, &p->def->uuid, NULL, NULL), 0);
        assert_int_equal(vport_port_delete(f->ctx, &p->def->uuid, NULL), 0);
        assert_true(tu_sql_assert_indexed(f->ctx) >= 8);
}

/* The isolated flag is set when the tap is enslaved, at prepare: if the
 * kernel refuses it, prepare fails and no tap is left. */
static void test_isolated_flag_failure_leaves_no_tap(void **state) {
        fixture *f = *state;
        vport_port_request req = {
                .network = "iso", .owner_name = "vm1", .vlan = -1, .flags = VPORT_PORT_PREPARE
        };
        vport_port *p = NULL;
        vport_error err = { 0 };

        tu_skip_without_faults();
        define_ok(f, ISO);
        assert_int_equal(vport_net_start(f->ctx, "iso", NULL), 0);
        tu_ctx_reopen_faulty(&f->ctx, f->dir, &fake_net_ops, "brport_set_isolated:1=EPERM", &f->fault);
        assert_int_equal(vport_port_create(f->ctx, &req, &p, &err), -EPERM);
        assert_null(p);
        assert_non_null(strstr(err.message, "brport_set_isolated"));
        assert_int_equal(fake_net_count("tun"), 0);
}

/* A failure at any kernel step of net-start leaves no bridge, no record,
 * an inactive network; the next start works. */
static void test_failed_start_leaves_nothing(void **state) {
        static const char *const ops[] = { "bridge_create", "link_set_mtu", "ipv6_conf_set", "addr_add",
                                           "link_set_up" };
        fixture *f = *state;

        tu_skip_without_faults();
        define_ok(f, ISO);
        for (size_t i = 0; i < ELEMENTSOF(ops); i++) {
                char spec[64];
                vport_error err = { 0 };
                store_net_journal *j = NULL;
                size_t n = 0;

                snprintf(spec, sizeof(spec), "%s:1=EIO", ops[i]);
                tu_ctx_reopen_faulty(&f->ctx, f->dir, &fake_net_ops, spec, &f->fault);
                assert_int_equal(vport_net_start(f->ctx, "iso", &err), -EIO);
                assert_non_null(strstr(err.message, "network 'iso'"));
                assert_null(fake_net_find(0, "virbr0"));
                assert_false(active(f, "iso"));
                assert_int_equal(store_net_journal_list(f->ctx->store, "iso", &j, &n, NULL), 0);
                assert_int_equal(n, 0);
        }
        vport_ctx_close(f->ctx);
        f->ctx = tu_ctx_open(f->dir, &fake_net_ops);
        assert_int_equal(vport_net_start(f->ctx, "iso", NULL), 0);
        assert_non_null(fake_net_find(0, "virbr0"));
}

/* A device that took the name is never deleted: not at start (refused),
 * not at destroy (another device now holds the recorded name). */
static void test_foreign_device_untouched(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };
        fake_net_link *br;
        int foreign;

        define_ok(f, ISO);
        foreign = fake_net_add("virbr0", "bridge", NULL, false);
        assert_int_equal(vport_net_start(f->ctx, "iso", &err), -EEXIST);
        assert_non_null(strstr(err.message, "a device named 'virbr0' already exists"));
        assert_non_null(br = fake_net_find(foreign, NULL));
        assert_false(br->link.flags & IFF_UP);
        assert_int_equal(br->n_addrs, 0);
        fake_net_remove(foreign);
        assert_int_equal(vport_net_start(f->ctx, "iso", NULL), 0);
        /* ours goes behind vport's back, a foreign one takes its name */
        fake_net_remove(fake_net_find(0, "virbr0")->link.ifindex);
        foreign = fake_net_add("virbr0", "bridge", NULL, true);
        assert_int_equal(vport_net_destroy(f->ctx, "iso", NULL), 0);
        assert_non_null(fake_net_find(foreign, NULL));
        assert_false(active(f, "iso"));
}

/* Another live vport process starting the same network: refused, nothing
 * made; a record whose writer is gone is finished first. */
static void test_start_claims_the_network(void **state) {
        fixture *f = *state;
        char data[128];
        store_net_journal j = { .network = (char *) "iso",
                                .key = (char *) "bridge",
                                .step = (char *) "preparing",
                                .data = data };
        vport_error err = { 0 };

        define_ok(f, ISO);
        snprintf(data, sizeof(data), "{\"ifname\":\"virbr0\",\"ifindex\":0,\"pid\":%d}", (int) getppid());
        assert_int_equal(store_net_journal_put(f->ctx->store, &j, NULL), 0);
        assert_int_equal(vport_net_start(f->ctx, "iso", &err), -EBUSY);
        assert_non_null(strstr(err.message, "is being started or destroyed by process"));
        assert_null(fake_net_find(0, "virbr0"));
        /* the writer died (no such pid): its record goes, the start works */
        snprintf(data, sizeof(data), "{\"ifname\":\"virbr0\",\"ifindex\":0,\"pid\":%d}", 0x3ffffff0);
        assert_int_equal(store_net_journal_put(f->ctx->store, &j, NULL), 0);
        assert_int_equal(vport_net_start(f->ctx, "iso", NULL), 0);
        assert_non_null(fake_net_find(0, "virbr0"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_define_picks_free_name, setup, teardown),
                cmocka_unit_test_setup_teardown(test_start_sets_everything, setup, teardown),
                cmocka_unit_test_setup_teardown(test_redefine_overtaken_by_start, setup, teardown),
                cmocka_unit_test_setup_teardown(test_start_overtaken_by_redefine, setup, teardown),
                cmocka_unit_test_setup_teardown(test_isolated_tap, setup, teardown),
                cmocka_unit_test_setup_teardown(test_isolated_flag_failure_leaves_no_tap, setup, teardown),
                cmocka_unit_test_setup_teardown(test_failed_start_leaves_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_foreign_device_untouched, setup, teardown),
                cmocka_unit_test_setup_teardown(test_start_claims_the_network, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
