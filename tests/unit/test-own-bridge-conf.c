/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <port isolated> on a network, a portgroup and a networkport, and the
 * bridge vport makes for isolated and open networks (<bridge name|template
 * stp delay>, <mac>, <ip>): parse, format, validate, resolve, the checks
 * at prepare. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "conf-fixture.h"

#define NET(body) "<network><name>n1</name>" body "</network>"
#define OWNER     "<owner><name>vm1</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid></owner>"
#define PORT(body)                                                             \
        "<networkport><uuid>4a2e1bc3-0c2d-4f3c-9a5e-1f0b4c0a7d11</uuid>" OWNER \
        "<mac address='52:54:00:11:22:33'/>" body "</networkport>"
#define ISOLATED_NET NET("<bridge name='vb0'/><ip address='192.0.2.1' prefix='24'/>")

/* ---- <port isolated> ---- */

static void test_isolated_parse_format(void **state) {
        _cleanup_free_ char *x =
                tu_net_roundtrip(NET("<forward mode='bridge'/><bridge name='br0'/><port isolated='yes'/>"
                                     "<portgroup name='a'><port isolated='no'/></portgroup>"
                                     "<portgroup name='b'/>"));
        _cleanup_(port_def_freep) vport_port_def *p = tu_port_ok(PORT("<port isolated='no'/>"));
        _cleanup_free_ char *px = NULL;

        tu_assert_contains(x, "<port isolated=\"yes\"/>");
        tu_assert_contains(x, "<portgroup name=\"a\">\n    <port isolated=\"no\"/>");
        assert_int_equal(p->isolated_port, TRISTATE_NO);
        assert_int_equal(port_def_format(p, &px), 0);
        tu_assert_contains(px, "<port isolated=\"no\"/>");
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0'/><port isolated='maybe'/>"),
                    "<port isolated='maybe'>", "'yes' or 'no'");
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0'/><port isolated='yes' foo='1'/>"),
                    "<port>: unexpected attribute 'foo'", NULL);
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0'/><port/><port/>"), "<port>: duplicate",
                    NULL);
}

static vport_tristate resolved(const char *net_xml, const char *port_body) {
        _cleanup_(network_def_freep) vport_network_def *n = tu_net_ok(net_xml);
        _cleanup_(port_def_freep) vport_port_def *p = tu_port_ok(port_body);
        vport_error err = { 0 };

        assert_int_equal(port_def_resolve(p, n, &err), 0);
        return p->isolated_port;
}

/* port > portgroup > network, a named portgroup the network lacks means none. */
static void test_isolated_precedence(void **state) {
        const char *net = NET("<forward mode='bridge'/><bridge name='br0'/><port isolated='yes'/>"
                              "<portgroup name='open'><port isolated='no'/></portgroup>"
                              "<portgroup name='plain'/>");
        const char *plain_net =
                NET("<forward mode='bridge'/><bridge name='br0'/>"
                    "<portgroup name='iso' default='yes'><port isolated='yes'/></portgroup>");

        assert_int_equal(resolved(net, PORT("")), TRISTATE_YES);
        assert_int_equal(resolved(net, PORT("<group>plain</group>")), TRISTATE_YES);
        assert_int_equal(resolved(net, PORT("<group>open</group>")), TRISTATE_NO);
        assert_int_equal(resolved(net, PORT("<group>open</group><port isolated='yes'/>")), TRISTATE_YES);
        assert_int_equal(resolved(net, PORT("<port isolated='no'/>")), TRISTATE_NO);
        assert_int_equal(resolved(plain_net, PORT("")), TRISTATE_YES); /* the default portgroup */
        assert_int_equal(resolved(plain_net, PORT("<group>nosuch</group>")), TRISTATE_ABSENT);
}

static int check_mode(const char *net_xml, const char *port_body, vport_error *err) {
        _cleanup_(network_def_freep) vport_network_def *n = tu_net_ok(net_xml);
        _cleanup_(port_def_freep) vport_port_def *p = tu_port_ok(port_body);
        int r = port_def_resolve(p, n, err);

        return r < 0 ? r : port_def_check_mode(p, n, err);
}

/* libvirt's domain layer: only a tap in a Linux bridge, never with a
 * virtualport; allocation takes it anywhere. */
static void test_isolated_check_mode(void **state) {
        vport_error err = { 0 };

        assert_int_equal(check_mode(ISOLATED_NET, PORT("<port isolated='yes'/>"), &err), 0);
        assert_int_equal(
                check_mode(NET("<forward mode='bridge'/><bridge name='br0'/><port isolated='yes'/>"),
                           PORT(""), &err),
                0);
        assert_int_equal(
                check_mode(NET("<forward mode='vepa' dev='eth0'/>"), PORT("<port isolated='yes'/>"), &err),
                -EINVAL);
        tu_assert_contains(err.message, "<port isolated='yes'>: only for a tap in a bridge");
        tu_assert_contains(err.message, "mode='vepa'");
        assert_int_equal(check_mode(NET("<forward mode='hostdev'><pf dev='eth0'/></forward>"
                                        "<port isolated='yes'/>"),
                                    PORT(""), &err),
                         -EINVAL);
        tu_assert_contains(err.message, "mode='hostdev'");
        assert_int_equal(check_mode(NET("<forward mode='bridge'/><bridge name='br0'/>"
                                        "<virtualport type='openvswitch'/>"),
                                    PORT("<port isolated='yes'/>"), &err),
                         -EINVAL);
        tu_assert_contains(err.message, "<virtualport type='openvswitch'>");
        /* 'no' is fine anywhere */
        assert_int_equal(
                check_mode(NET("<forward mode='vepa' dev='eth0'/>"), PORT("<port isolated='no'/>"), &err),
                0);
}

/* ---- the bridge of isolated and open networks ---- */

static void test_own_bridge_defaults(void **state) {
        _cleanup_(network_def_freep) vport_network_def *n =
                tu_net_ok(NET("<ip address='192.0.2.1' prefix='24'/>"));
        _cleanup_free_ char *x =
                tu_net_roundtrip(NET("<bridge name='vb0'/><ip address='192.0.2.1' prefix='24'/>"));
        _cleanup_free_ char *y =
                tu_net_roundtrip(NET("<forward mode='open'/><bridge name='vb1' stp='off' delay='4'/>"
                                     "<mtu size='9000'/><mac address='52:54:00:ab:cd:ef'/>"
                                     "<ip address='198.51.100.1' netmask='255.255.255.0'/>"));

        assert_null(n->bridge_name); /* chosen at define */
        assert_int_equal(n->forward_mode, FORWARD_NONE);
        /* libvirt's defaults for a bridge it makes: STP on, no delay */
        tu_assert_contains(x, "<bridge name=\"vb0\" stp=\"on\" delay=\"0\"/>");
        tu_assert_contains(y, "<bridge name=\"vb1\" stp=\"off\" delay=\"4\"/>");
        tu_assert_contains(y, "<mtu size=\"9000\"/>\n  <mac address=\"52:54:00:ab:cd:ef\"/>");
        tu_assert_contains(y, "<ip address=\"198.51.100.1\" netmask=\"255.255.255.0\"/>");
}

static void test_own_bridge_template(void **state) {
        _cleanup_(network_def_freep) vport_network_def *n = tu_net_ok(NET("<bridge name='vp%dx'/>"));

        assert_true(network_def_bridge_is_template(n));
        tu_net_fail(NET("<bridge name='vp%d%d'/>"), "exactly one '%d'", NULL);
        tu_net_fail(NET("<bridge name='vp%s'/>"), "exactly one '%d'", NULL);
        tu_net_fail(NET("<bridge name='abcdefghijklmn%d'/>"), "longer than", NULL);
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br%d'/>"), "template is only for a bridge",
                    NULL);
}

static void test_own_bridge_ip(void **state) {
        _cleanup_(network_def_freep) vport_network_def *n =
                tu_net_ok(NET("<ip address='192.0.2.1' prefix='25'/><ip address='10.1.2.3'/>"
                              "<ip address='172.16.0.1' netmask='255.255.0.0'/>"
                              "<ip family='ipv6' address='2001:db8::1' prefix='64'/>"
                              "<ip family='ipv6' address='2001:db8:1::1'/>"));
        char buf[VPORT_IPADDR_STRLEN];

        assert_int_equal(n->n_ips, 5);
        assert_int_equal(n->ips[0].family, AF_INET);
        assert_string_equal(ipaddr_format(&n->ips[0], buf), "192.0.2.1");
        assert_int_equal(n->ips[0].prefix, 25);
        assert_int_equal(n->ips[1].prefix, 8); /* classful, as libvirt */
        assert_int_equal(n->ips[2].prefix, 16);
        assert_int_equal(n->ips[3].family, AF_INET6);
        assert_string_equal(ipaddr_format(&n->ips[3], buf), "2001:db8::1");
        assert_int_equal(n->ips[4].prefix, 64);
        tu_net_fail(NET("<ip address='2001:db8::1' prefix='64'/>"), "needs family='ipv6'", NULL);
        tu_net_fail(NET("<ip family='ipv6' address='2001:db8::1' netmask='255.0.0.0'/>"), "only for an IPv4",
                    NULL);
        tu_net_fail(NET("<ip address='192.0.2.1' prefix='24' netmask='255.255.255.0'/>"), "cannot both",
                    NULL);
        tu_net_fail(NET("<ip address='192.0.2.1' netmask='255.0.255.0'/>"), "not a contiguous", NULL);
        tu_net_fail(NET("<ip address='192.0.2.1' prefix='33'/>"), "prefix", NULL);
        tu_net_fail(NET("<ip address='192.0.2.300' prefix='24'/>"), "<ip address='192.0.2.300'>", NULL);
        tu_net_fail(NET("<ip prefix='24'/>"), "missing attribute 'address'", NULL);
        tu_net_fail(NET("<ip family='ipx' address='192.0.2.1'/>"), "<ip family='ipx'>", NULL);
        tu_net_fail(NET("<ip address='224.0.0.1'/>"), "class D or E", NULL);
}

static void test_own_bridge_rules(void **state) {
        tu_net_fail(NET("<forward mode='open' dev='eth0'/><ip address='192.0.2.1' prefix='24'/>"),
                    "<forward dev>", NULL);
        tu_net_fail(NET("<mac address='01:00:5e:00:00:01'/>"), "<mac address='01:00:5e:00:00:01'>",
                    "unicast");
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/><mac address='52:54:00:00:00:01'/>"),
                    "<mac> is not supported", NULL);
        /* libvirt refuses stp and a non-zero delay where it does not make the bridge */
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0' stp='off'/>"), "<forward mode='bridge'>",
                    "<bridge stp='off'>");
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0' delay='5'/>"), "<bridge delay='5'>",
                    NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/><bridge delay='2'/>"), "<bridge delay='2'>", NULL);
}

/* delay='0' is libvirt's default: accepted on a bridge network and, as
 * libvirt does, not shown (it carries nothing). */
static void test_bridge_mode_delay_zero(void **state) {
        _cleanup_free_ char *x =
                tu_net_roundtrip(NET("<forward mode='bridge'/><bridge name='br0' delay='0'/>"));

        tu_assert_contains(x, "<bridge name=\"br0\"/>");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_isolated_parse_format), cmocka_unit_test(test_isolated_precedence),
                cmocka_unit_test(test_isolated_check_mode),   cmocka_unit_test(test_own_bridge_defaults),
                cmocka_unit_test(test_own_bridge_template),   cmocka_unit_test(test_own_bridge_ip),
                cmocka_unit_test(test_own_bridge_rules),      cmocka_unit_test(test_bridge_mode_delay_zero),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
