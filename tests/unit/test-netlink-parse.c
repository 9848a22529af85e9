/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel layer's netlink parsers against hand-built replies, well
 * formed and not: an attribute shorter than the struct we read, a string
 * without its NUL, a VF entry without its index must be refused, never
 * read past. */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "kernel/kernel-internal.h"

static struct nl_msg *newlink(int ifindex) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = 1 };
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);

        assert_non_null(msg);
        assert_int_equal(nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO), 0);
        return msg;
}

static void put_vf(struct nl_msg *msg, uint32_t vf, uint32_t trust) {
        struct ifla_vf_mac m = { .vf = vf, .mac = { 0x52, 0x54, 0, 0, 0, (uint8_t) vf } };
        struct ifla_vf_vlan v = { .vf = vf, .vlan = 100 + vf, .qos = 3 };
        struct ifla_vf_vlan_info vi = { .vf = vf, .vlan = 100 + vf, .qos = 3, .vlan_proto = htons(0x88a8) };
        struct ifla_vf_spoofchk s = { .vf = vf, .setting = 1 };
        struct ifla_vf_trust t = { .vf = vf, .setting = trust };
        struct ifla_vf_link_state l = { .vf = vf, .link_state = IFLA_VF_LINK_STATE_DISABLE };
        struct ifla_vf_rate r = { .vf = vf, .min_tx_rate = 10, .max_tx_rate = 1000 };
        struct nlattr *info = nla_nest_start(msg, IFLA_VF_INFO), *list;

        nla_put(msg, IFLA_VF_MAC, sizeof(m), &m);
        nla_put(msg, IFLA_VF_VLAN, sizeof(v), &v);
        list = nla_nest_start(msg, IFLA_VF_VLAN_LIST);
        nla_put(msg, IFLA_VF_VLAN_INFO, sizeof(vi), &vi);
        nla_nest_end(msg, list);
        nla_put(msg, IFLA_VF_SPOOFCHK, sizeof(s), &s);
        nla_put(msg, IFLA_VF_TRUST, sizeof(t), &t);
        nla_put(msg, IFLA_VF_LINK_STATE, sizeof(l), &l);
        nla_put(msg, IFLA_VF_RATE, sizeof(r), &r);
        nla_nest_end(msg, info);
}

static void test_vf_parse(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = newlink(3);
        _cleanup_free_ vport_vf_info *vfs = NULL;
        struct nlattr *list = nla_nest_start(msg, IFLA_VFINFO_LIST);
        size_t n = 0;

        put_vf(msg, 0, 1);
        put_vf(msg, 1, (uint32_t) -1); /* driver does not report trust */
        nla_nest_end(msg, list);
        assert_int_equal(knl_vf_parse(nlmsg_hdr(msg), &vfs, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(vfs[1].vf, 1);
        assert_int_equal(vfs[1].mac.addr[5], 1);
        assert_int_equal(vfs[1].vlan, 101);
        assert_int_equal(vfs[1].qos, 3);
        assert_int_equal(vfs[1].vlan_proto, 0x88a8);
        assert_true(vfs[1].has_spoofchk && vfs[1].spoofchk);
        assert_true(vfs[0].has_trust && vfs[0].trust);
        assert_false(vfs[1].has_trust);
        assert_true(vfs[1].has_link_state);
        assert_int_equal(vfs[1].link_state, IFLA_VF_LINK_STATE_DISABLE);
        assert_true(vfs[1].has_rate);
        assert_int_equal(vfs[1].max_tx_rate, 1000);
}

static void test_vf_parse_none(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = newlink(3);
        vport_vf_info *vfs = NULL;
        size_t n = 7;

        assert_int_equal(knl_vf_parse(nlmsg_hdr(msg), &vfs, &n), 0);
        assert_int_equal(n, 0);
        free(vfs);
}

static void test_vf_parse_short_mac(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = newlink(3);
        struct nlattr *list = nla_nest_start(msg, IFLA_VFINFO_LIST),
                      *info = nla_nest_start(msg, IFLA_VF_INFO);
        uint32_t truncated = 0; /* a vf index and no MAC */
        vport_vf_info *vfs = NULL;
        size_t n = 0;

        nla_put(msg, IFLA_VF_MAC, sizeof(truncated), &truncated);
        nla_nest_end(msg, info);
        nla_nest_end(msg, list);
        assert_int_equal(knl_vf_parse(nlmsg_hdr(msg), &vfs, &n), -EBADMSG);
        assert_null(vfs);
}

static void test_vf_parse_no_index(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = newlink(3);
        struct nlattr *list = nla_nest_start(msg, IFLA_VFINFO_LIST),
                      *info = nla_nest_start(msg, IFLA_VF_INFO);
        struct ifla_vf_trust t = { .vf = 0, .setting = 1 };
        vport_vf_info *vfs = NULL;
        size_t n = 0;

        nla_put(msg, IFLA_VF_TRUST, sizeof(t), &t);
        nla_nest_end(msg, info);
        nla_nest_end(msg, list);
        assert_int_equal(knl_vf_parse(nlmsg_hdr(msg), &vfs, &n), -EBADMSG);
}

static void test_link_parse(void **state) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = newlink(12);
        static const uint8_t addr[6] = { 0x52, 0x54, 0, 1, 2, 3 };
        struct nlattr *info, *data;
        vport_link l;

        nla_put_string(msg, IFLA_IFNAME, "macvtap0");
        nla_put(msg, IFLA_ADDRESS, sizeof(addr), addr);
        nla_put_u32(msg, IFLA_MTU, 1500);
        nla_put_u32(msg, IFLA_LINK, 2);
        nla_put_u32(msg, IFLA_GROUP, 42);
        nla_put_u8(msg, IFLA_CARRIER, 1);
        info = nla_nest_start(msg, IFLA_LINKINFO);
        nla_put_string(msg, IFLA_INFO_KIND, "macvtap");
        data = nla_nest_start(msg, IFLA_INFO_DATA);
        nla_put_u32(msg, IFLA_MACVLAN_MODE, MACVLAN_MODE_PASSTHRU);
        nla_nest_end(msg, data);
        nla_nest_end(msg, info);
        assert_int_equal(knl_link_parse(nlmsg_hdr(msg), &l), 0);
        assert_int_equal(l.ifindex, 12);
        assert_string_equal(l.name, "macvtap0");
        assert_memory_equal(l.mac.addr, addr, 6);
        assert_int_equal(l.mtu, 1500);
        assert_int_equal(l.link_ifindex, 2);
        assert_int_equal(l.group, 42);
        assert_true(l.carrier);
        assert_string_equal(l.kind, "macvtap");
        assert_int_equal(l.macvlan_mode, MACVLAN_MODE_PASSTHRU);
}

static void test_link_parse_bad(void **state) {
        static const uint8_t ipv4[4] = { 10, 0, 0, 1 };
        uint16_t short_mtu = 1500;
        vport_link l;

        { /* a tunnel's 4-byte address is not a MAC: left zero, not an error */
                _cleanup_(nlmsg_freep) struct nl_msg *msg = newlink(5);

                nla_put(msg, IFLA_ADDRESS, sizeof(ipv4), ipv4);
                assert_int_equal(knl_link_parse(nlmsg_hdr(msg), &l), 0);
                assert_true(mac_is_zero(&l.mac));
        }
        { /* a u32 attribute with 2 bytes */
                _cleanup_(nlmsg_freep) struct nl_msg *msg = newlink(5);

                nla_put(msg, IFLA_MTU, sizeof(short_mtu), &short_mtu);
                assert_int_equal(knl_link_parse(nlmsg_hdr(msg), &l), -EBADMSG);
        }
        { /* a name without its terminating NUL */
                _cleanup_(nlmsg_freep) struct nl_msg *msg = newlink(5);

                nla_put(msg, IFLA_IFNAME, 4, "eth0");
                assert_int_equal(knl_link_parse(nlmsg_hdr(msg), &l), -EBADMSG);
        }
        { /* a name longer than IFNAMSIZ */
                _cleanup_(nlmsg_freep) struct nl_msg *msg = newlink(5);

                nla_put_string(msg, IFLA_IFNAME, "a-name-that-is-far-too-long");
                assert_int_equal(knl_link_parse(nlmsg_hdr(msg), &l), -EBADMSG);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vf_parse),           cmocka_unit_test(test_vf_parse_none),
                cmocka_unit_test(test_vf_parse_short_mac), cmocka_unit_test(test_vf_parse_no_index),
                cmocka_unit_test(test_link_parse),         cmocka_unit_test(test_link_parse_bad),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
