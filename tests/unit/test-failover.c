/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vport-failover's pair logic over a fake kernel: which devices may join
 * (a VLAN, bridge, bond, macvlan or tap with the synthetic's MAC never does,
 * also on kernels without them, where tests/failover cannot make them), the
 * order of the switch (the synthetic's egress redirect goes first), and
 * injected failures: a redirect the kernel refuses leaves the synthetic
 * path in place, the error in the pair, and the next event retries. */
#include <linux/if.h>
#include <linux/if_arp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "failover.h"

static char calls[4096];
static int fail_redirect_add = 0; /* errno to fail the synthetic egress redirect with */

static void note(const char *fmt, ...) {
        va_list ap;
        size_t n = strlen(calls);

        va_start(ap, fmt);
        vsnprintf(calls + n, sizeof(calls) - n, fmt, ap);
        va_end(ap);
}

static int f_set_alias(vport_kernel *k, int ifindex, const char *alias, vport_error *err) {
        note("alias %d '%s';", ifindex, alias);
        return 0;
}
static int f_gen_mode(vport_kernel *k, int ifindex, uint8_t mode, vport_error *err) {
        note("genmode %d %u;", ifindex, mode);
        return 0;
}
static int f_ipv6(vport_kernel *k, const char *ifname, const char *key, int value, vport_error *err) {
        note("%s %s=%d;", ifname, key, value);
        return 0;
}
static int f_mtu(vport_kernel *k, int ifindex, unsigned mtu, vport_error *err) {
        note("mtu %d %u;", ifindex, mtu);
        return 0;
}
static int f_up(vport_kernel *k, int ifindex, bool up, vport_error *err) {
        note("%s %d;", up ? "up" : "down", ifindex);
        return 0;
}
static int f_clsact(vport_kernel *k, int ifindex, vport_error *err) {
        note("clsact %d;", ifindex);
        return 0;
}
static int f_redirect_add(vport_kernel *k, int ifindex, bool ingress, int to, bool to_ingress,
                          vport_error *err) {
        if (!ingress && fail_redirect_add)
                return vport_error_set(err, -fail_redirect_add, "injected: redirect on %d refused", ifindex);
        note("redirect %d %s -> %d %s;", ifindex, ingress ? "in" : "out", to, to_ingress ? "in" : "out");
        return 0;
}
static int f_redirect_del(vport_kernel *k, int ifindex, bool ingress, vport_error *err) {
        note("unredirect %d %s;", ifindex, ingress ? "in" : "out");
        return 0;
}
static int f_addr_count(vport_kernel *k, int ifindex, size_t *v4, size_t *v6, vport_error *err) {
        *v4 = *v6 = 0;
        return 0;
}
static int f_netdev_pci(vport_kernel *k, const char *ifname, vport_pci_addr *ret, vport_error *err) {
        return -ENODEV;
}

static const vport_kernel_ops fake_ops = {
        .link_set_alias = f_set_alias,
        .link_set_addr_gen_mode = f_gen_mode,
        .ipv6_conf_set = f_ipv6,
        .link_set_mtu = f_mtu,
        .link_set_up = f_up,
        .tc_clsact_add = f_clsact,
        .tc_redirect_add = f_redirect_add,
        .tc_redirect_del = f_redirect_del,
        .addr_count = f_addr_count,
        .netdev_pci = f_netdev_pci,
};

#define MAC_SYNTH                          \
        {                                  \
                { 0x02, 0xfa, 0, 0, 0, 1 } \
        }
#define UP_RUNNING (IFF_UP | IFF_LOWER_UP)

static vport_link mk(int ifindex, const char *name, const char *kind, unsigned flags) {
        vport_link l = {
                .ifindex = ifindex, .mac = MAC_SYNTH, .flags = flags, .mtu = 1500, .type = ARPHRD_ETHER
        };

        snprintf(l.name, sizeof(l.name), "%s", name);
        snprintf(l.kind, sizeof(l.kind), "%s", kind);
        return l;
}

static fo_agent *agent_new(void) {
        static fo_agent a;
        char tmpl[] = "/tmp/test-failover-XXXXXX";

        a = (fo_agent){ .ops = &fake_ops };
        assert_non_null(mkdtemp(tmpl));
        snprintf(a.state_dir, sizeof(a.state_dir), "%s", tmpl);
        a.pairs[0] = (fo_pair){ .synth = "syn0", .synth_up = -1 };
        a.n_pairs = 1;
        calls[0] = '\0';
        fail_redirect_add = 0;
        return &a;
}

static void agent_free(fo_agent *a) {
        char path[320];

        snprintf(path, sizeof(path), "%s/pairs.json", a->state_dir);
        (void) unlink(path);
        (void) rmdir(a->state_dir);
}

/* Every stacked or virtual kind with the synthetic's MAC stays out. */
static void test_never_join(void **state) {
        static const char *const kinds[] = { "vlan",    "bridge", "bond", "team",
                                             "macvlan", "ipvlan", "tun",  "dummy" };
        fo_agent *a = agent_new();
        vport_link links[2 + ELEMENTSOF(kinds)];
        size_t n = 0;

        links[n++] = mk(2, "syn0", "veth", UP_RUNNING);
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                links[n++] = mk(10 + (int) i, kinds[i], kinds[i], UP_RUNNING);
        links[n] = mk(30, "loop", "", UP_RUNNING);
        links[n++].type = ARPHRD_LOOPBACK;
        fo_pair_sync(a, &a->pairs[0], links, n);
        assert_int_equal(a->pairs[0].vf_ifindex, 0);
        assert_string_equal(calls, "clsact 2;"); /* the synthetic's, made ready; nothing on the others */
        assert_string_equal(fo_pair_state(&a->pairs[0]), "no-vf");
        agent_free(a);
}

/* A hardware VF (no link kind) joins; an enslaved one does not. */
static void test_join_order(void **state) {
        fo_agent *a = agent_new();
        vport_link links[] = { mk(2, "syn0", "veth", UP_RUNNING), mk(7, "enslaved", "", UP_RUNNING),
                               mk(8, "enp3s0", "", UP_RUNNING) };

        links[0].mtu = 1400;
        links[1].master_ifindex = 2;
        fo_pair_sync(a, &a->pairs[0], links, ELEMENTSOF(links));
        assert_int_equal(a->pairs[0].vf_ifindex, 8);
        /* The synthetic's clsact comes first, apart from the join: a qdisc
         * added under traffic drops what the device sends meanwhile. */
        assert_string_equal(calls, "clsact 2;alias 8 'vport-failover: VF of syn0';genmode 8 1;"
                                   "enp3s0 disable_ipv6=1;mtu 8 1400;up 8;clsact 8;redirect 8 in -> 2 in;"
                                   "redirect 2 out -> 8 out;");
        assert_string_equal(fo_pair_state(&a->pairs[0]), "vf-active");
        /* The VF loses its carrier: the egress redirect goes, nothing else. */
        calls[0] = '\0';
        links[2].mtu = 1400; /* as the kernel now reports it */
        links[2].flags = IFF_UP;
        fo_pair_sync(a, &a->pairs[0], links, ELEMENTSOF(links));
        assert_string_equal(calls, "unredirect 2 out;");
        assert_string_equal(fo_pair_state(&a->pairs[0]), "vf-standby");
        /* Gone: nothing to do on the VF, the synthetic path is already set. */
        calls[0] = '\0';
        fo_pair_sync(a, &a->pairs[0], links, 2);
        assert_string_equal(calls, "");
        assert_string_equal(fo_pair_state(&a->pairs[0]), "no-vf");
        /* The next VF's join adds no qdisc to the synthetic, only filters. */
        links[1] = mk(9, "enp4s0", "", UP_RUNNING);
        links[1].mtu = 1400;
        fo_pair_sync(a, &a->pairs[0], links, 2);
        assert_int_equal(a->pairs[0].vf_ifindex, 9);
        assert_null(strstr(calls, "clsact 2;"));
        /* A synthetic made again (a new ifindex) gets its clsact before anything else. */
        fo_pair_sync(a, &a->pairs[0], links, 1); /* the VF goes first */
        calls[0] = '\0';
        links[0].ifindex = 3;
        fo_pair_sync(a, &a->pairs[0], links, 1);
        assert_string_equal(calls, "clsact 3;");
        agent_free(a);
}

/* The kernel refuses the switch: the synthetic path stays, the pair says
 * why, and the next event tries again. */
static void test_redirect_refused(void **state) {
        fo_agent *a = agent_new();
        vport_link links[] = { mk(2, "syn0", "veth", UP_RUNNING), mk(8, "enp3s0", "", UP_RUNNING) };
        json_object *o;

        fail_redirect_add = EPERM;
        fo_pair_sync(a, &a->pairs[0], links, ELEMENTSOF(links));
        assert_int_equal(a->pairs[0].vf_ifindex, 8);
        assert_string_equal(fo_pair_state(&a->pairs[0]), "vf-standby");
        assert_non_null(strstr(a->pairs[0].error, "injected: redirect on 2 refused"));
        o = fo_pair_to_json(&a->pairs[0]);
        assert_non_null(strstr(json_object_to_json_string(o), "injected"));
        json_object_put(o);
        fail_redirect_add = 0;
        calls[0] = '\0';
        fo_pair_sync(a, &a->pairs[0], links, ELEMENTSOF(links));
        assert_string_equal(fo_pair_state(&a->pairs[0]), "vf-active");
        assert_string_equal(a->pairs[0].error, "");
        agent_free(a);
}

/* A planned detach: egress redirect first, the VF kept out until it goes. */
static void test_detach(void **state) {
        fo_agent *a = agent_new();
        vport_link links[] = { mk(2, "syn0", "veth", UP_RUNNING), mk(8, "enp3s0", "", UP_RUNNING),
                               mk(9, "enp4s0", "", UP_RUNNING) };

        fo_pair_sync(a, &a->pairs[0], links, 2);
        calls[0] = '\0';
        assert_int_equal(fo_pair_release(a, &a->pairs[0], true, NULL), 0);
        assert_string_equal(calls, "unredirect 2 out;");
        fo_pair_sync(a, &a->pairs[0], links, 2);
        assert_string_equal(fo_pair_state(&a->pairs[0]), "detached");
        /* the detached VF leaves and another appears: that one joins */
        fo_pair_sync(a, &a->pairs[0], (vport_link[]){ links[0], links[2] }, 2);
        assert_int_equal(a->pairs[0].vf_ifindex, 9);
        agent_free(a);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_never_join),
                cmocka_unit_test(test_join_order),
                cmocka_unit_test(test_redirect_refused),
                cmocka_unit_test(test_detach),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
