/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <networkport> XML: round trips per plug type, validation failures, and the
 * effective vlan / virtualport / bandwidth from network > portgroup > port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "conf-fixture.h"

#define OWNER "<owner><name>vm1</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid></owner>"
#define MAC   "<mac address='52:54:00:11:22:33'/>"
#define PORT(body) \
        "<networkport><uuid>4a2e1bc3-0c2d-4f3c-9a5e-1f0b4c0a7d11</uuid>" OWNER MAC body "</networkport>"

static void port_roundtrip(const char *xml) {
        _cleanup_(port_def_freep) vport_port_def *a = tu_port_ok(xml), *b = NULL;
        _cleanup_free_ char *x1 = NULL, *x2 = NULL;

        assert_int_equal(port_def_format(a, &x1), 0);
        b = tu_port_ok(x1);
        assert_int_equal(port_def_format(b, &x2), 0);
        assert_string_equal(x1, x2);
        assert_true(plug_def_equal(&a->plug, &b->plug));
        assert_true(vlan_equal(&a->vlan, &b->vlan));
        assert_true(virtualport_def_equal(a->virtualport, b->virtualport));
        assert_true(bandwidth_def_equal(&a->bandwidth, &b->bandwidth));
}

static void test_roundtrip_plugs(void **state) {
        static const char *const xmls[] = {
                PORT(""),
                PORT("<group>engineering</group><plug type='network' bridge='virbr0'/>"),
                PORT("<plug type='bridge' bridge='br0' macTableManager='libvirt'/>"),
                PORT("<virtualport type='802.1Qbg'><parameters managerid='11' typeid='1193047' "
                     "typeidversion='2' "
                     "instanceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/></virtualport>"
                     "<plug type='direct' dev='eth1' mode='vepa'/>"),
                PORT("<vlan trunk='yes'><tag id='42' nativeMode='tagged'/><tag id='47'/></vlan>"
                     "<plug type='hostdev-pci' managed='yes'><driver name='vfio'/>"
                     "<address type='pci' domain='0x0000' bus='0x06' slot='0x10' function='0x1'/></plug>"),
                PORT("<bandwidth><inbound average='1000' peak='5000' burst='1024'/><outbound "
                     "average='10'/></bandwidth>"
                     "<plug type='direct' dev='enp6s0f1v0' mode='passthrough'/>"),
        };

        for (size_t i = 0; i < ELEMENTSOF(xmls); i++)
                port_roundtrip(xmls[i]);
}

static void test_parsed_fields(void **state) {
        _cleanup_(port_def_freep) vport_port_def *p = tu_port_ok(
                PORT("<group>eng</group><plug type='hostdev-pci' managed='yes'>"
                     "<address type='pci' domain='0x0000' bus='0x06' slot='0x10' function='0x1'/></plug>"));
        _cleanup_(port_def_freep) vport_port_def *q = tu_port_ok("<networkport>" OWNER MAC "</networkport>");
        char buf[VPORT_PCI_STRLEN];

        assert_string_equal(p->owner_name, "vm1");
        assert_string_equal(p->group, "eng");
        assert_int_equal(p->mac.addr[5], 0x33);
        assert_int_equal(p->plug.type, PLUG_HOSTDEV_PCI);
        assert_true(p->plug.managed);
        assert_string_equal(pci_addr_format(&p->plug.addr, buf), "0000:06:10.1");
        assert_false(uuid_is_null(&q->uuid)); /* generated */
        assert_int_equal(q->plug.type, PLUG_NONE);
}

static void test_validation_failures(void **state) {
        tu_port_fail("<network/>", "root element must be <networkport>");
        tu_port_fail("<networkport>" MAC "</networkport>", "missing <owner>");
        tu_port_fail("<networkport>" OWNER "</networkport>", "missing <mac>");
        tu_port_fail("<networkport><owner><name>vm1</name></owner>" MAC "</networkport>",
                     "<owner>: needs <name> and <uuid>");
        tu_port_fail("<networkport><owner><name>vm1</name><uuid>zz</uuid></owner>" MAC "</networkport>",
                     "<owner><uuid>");
        tu_port_fail("<networkport>" OWNER "<mac address='01:00:5e:00:00:01'/></networkport>", "multicast");
        tu_port_fail("<networkport>" OWNER "<mac address='00:00:00:00:00:00'/></networkport>", "all-zero");
        tu_port_fail("<networkport>" OWNER "<mac address='52:54:00:11:22'/></networkport>",
                     "<mac address='52:54:00:11:22'>");
        tu_port_fail("<networkport>" OWNER "<mac/></networkport>", "<mac>: missing attribute 'address'");
        tu_port_fail(PORT("<mac address='52:54:00:11:22:44'/>"), "<mac>: duplicate element");
        tu_port_fail(PORT("<bogus/>"), "unexpected element <bogus>");
        tu_port_fail(PORT("<group></group>"), "<group>: empty");
        tu_port_fail(PORT("<plug type='teleport'/>"), "<plug type='teleport'>");
        tu_port_fail(PORT("<plug type='bridge'/>"), "missing attribute 'bridge'");
        tu_port_fail(PORT("<plug type='bridge' bridge='br/0'/>"), "<plug bridge>");
        tu_port_fail(PORT("<plug type='bridge' bridge='br0' macTableManager='x'/>"), "macTableManager='x'");
        tu_port_fail(PORT("<plug type='direct' dev='eth0'/>"), "missing attribute 'mode'");
        tu_port_fail(PORT("<plug type='direct' dev='eth0' mode='loud'/>"), "mode='loud'");
        tu_port_fail(PORT("<plug type='direct' mode='vepa'/>"), "missing attribute 'dev'");
        tu_port_fail(PORT("<plug type='hostdev-pci'/>"), "missing <address>");
        tu_port_fail(PORT("<plug type='hostdev-pci'><driver name='foo'/>"
                          "<address type='pci' domain='0' bus='6' slot='16' function='1'/></plug>"),
                     "<plug><driver name='foo'>");
        tu_port_fail(PORT("<plug type='hostdev-pci'><address type='pci' domain='0' bus='6' slot='16' "
                          "function='9'/></plug>"),
                     "function='9'");
        tu_port_fail(PORT("<plug type='hostdev-pci' managed='sure'>"
                          "<address type='pci' domain='0' bus='6' slot='16' function='1'/></plug>"),
                     "managed='sure'");
        tu_port_fail(PORT("<virtualport type='802.1Qbh'><parameters managerid='1'/></virtualport>"),
                     "managerid");
        tu_port_fail(PORT("<vlan><tag id='5000'/></vlan>"), "<tag id='5000'>");
        tu_port_fail(PORT("<bandwidth><outbound average='10' floor='1'/></bandwidth>"), "<outbound floor>");
}

/* libvirt's own <networkport> output (virnetworkportxml2xmldata, virsh
 * net-port-dumpxml of libvirt 11.3) is read and written back unchanged:
 * element order, an <address> without type, managed='no', rxfilters,
 * classID, trunk='yes' with several tags. */
static void test_libvirt_format_exact(void **state) {
        static const char *const docs[] = {
                "<networkport>\n"
                "  <uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid>\n"
                "  <owner>\n"
                "    <name>memtest</name>\n"
                "    <uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid>\n"
                "  </owner>\n"
                "  <group>web1</group>\n"
                "  <mac address=\"52:54:00:7b:35:93\"/>\n"
                "  <virtualport type=\"802.1Qbg\">\n"
                "    <parameters managerid=\"11\" typeid=\"1193047\" typeidversion=\"2\"/>\n"
                "  </virtualport>\n"
                "  <bandwidth classID=\"1729\">\n"
                "    <inbound average=\"1000\" peak=\"4000\" burst=\"1024\"/>\n"
                "    <outbound average=\"128\" peak=\"256\" burst=\"32768\"/>\n"
                "  </bandwidth>\n"
                "  <vlan trunk=\"yes\">\n"
                "    <tag id=\"2\"/>\n"
                "    <tag id=\"1729\"/>\n"
                "  </vlan>\n"
                "  <rxfilters trustGuest=\"yes\"/>\n"
                "  <plug type=\"direct\" dev=\"ens3\" mode=\"vepa\"/>\n"
                "</networkport>\n",
                "<networkport>\n"
                "  <uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid>\n"
                "  <owner>\n"
                "    <name>memtest</name>\n"
                "    <uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid>\n"
                "  </owner>\n"
                "  <mac address=\"52:54:00:7b:35:93\"/>\n"
                "  <rxfilters trustGuest=\"no\"/>\n"
                "  <plug type=\"hostdev-pci\" managed=\"no\">\n"
                "    <driver name=\"vfio\" model=\"mlx5_vfio_pci\"/>\n"
                "    <address domain=\"0x0001\" bus=\"0x02\" slot=\"0x03\" function=\"0x4\"/>\n"
                "  </plug>\n"
                "</networkport>\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                _cleanup_(port_def_freep) vport_port_def *p = tu_port_ok(docs[i]);
                _cleanup_free_ char *out = NULL;

                assert_int_equal(port_def_format(p, &out), 0);
                assert_string_equal(out, docs[i]);
        }
}

static void test_libvirt_port_fields(void **state) {
        _cleanup_(port_def_freep) vport_port_def *p =
                tu_port_ok(PORT("<bandwidth classID='7'><inbound average='10'/></bandwidth>"
                                "<rxfilters trustGuest='no'/>"
                                "<plug type='hostdev-pci' managed='no'><driver name='kvm'/>"
                                "<address domain='0x0000' bus='0x06' slot='0x10' function='0x1'/></plug>"));
        _cleanup_(port_def_freep) vport_port_def *q = tu_port_ok(PORT(
                "<plug type='hostdev-pci'><address domain='0' bus='6' slot='16' function='1'/></plug>"));
        _cleanup_free_ char *out = NULL;

        assert_int_equal(p->bandwidth.class_id, 7);
        assert_int_equal(p->trust_guest_rx_filters, TRISTATE_NO);
        assert_false(p->plug.managed);
        assert_true(p->plug.managed_set);
        assert_int_equal(p->plug.driver, HOSTDEV_DRIVER_KVM);
        /* no managed attribute: none written back (libvirt's tristate) */
        assert_false(q->plug.managed_set);
        assert_int_equal(port_def_format(q, &out), 0);
        assert_null(strstr(out, "managed"));
        assert_false(plug_def_equal(&p->plug, &q->plug));

        tu_port_fail(PORT("<rxfilters/>"), "<rxfilters>: missing attribute 'trustGuest'");
        tu_port_fail(PORT("<rxfilters trustGuest='maybe'/>"), "trustGuest='maybe'");
        tu_port_fail(PORT("<rxfilters trustGuest='yes'/><rxfilters trustGuest='yes'/>"),
                     "duplicate element");
        tu_port_fail(PORT("<bandwidth classID='0'><inbound average='1'/></bandwidth>"), "classID='0'");
        tu_port_fail(PORT("<bandwidth classID='x'><inbound average='1'/></bandwidth>"), "classID='x'");
        tu_port_fail(PORT("<plug type='hostdev-pci'><address type='usb' domain='0' bus='6' slot='16' "
                          "function='1'/></plug>"),
                     "type='usb'");
        tu_port_fail(
                PORT("<plug type='hostdev-pci'><driver model='a/b'/><address domain='0' bus='6' slot='16' "
                     "function='1'/></plug>"),
                "model='a/b'");
}

static int resolve(const char *net_xml, const char *port_xml, vport_port_def **ret, vport_error *err) {
        _cleanup_(network_def_freep) vport_network_def *n = tu_net_ok(net_xml);
        vport_port_def *p = tu_port_ok(port_xml);
        int r = port_def_resolve(p, n, err);

        *ret = p;
        return r;
}

#define VEPA_NET                                                                                         \
        "<network><name>v</name><forward mode='vepa' dev='eth0'/>"                                       \
        "<virtualport type='802.1Qbg'><parameters managerid='11' typeid='1193047'/></virtualport>"       \
        "<portgroup name='eng' default='yes'><virtualport><parameters typeidversion='2'/></virtualport>" \
        "</portgroup>"                                                                                   \
        "<portgroup name='ops'><virtualport><parameters typeidversion='3'/></virtualport></portgroup>"   \
        "</network>"

static void test_resolve_merge(void **state) {
        _cleanup_(port_def_freep) vport_port_def *p = NULL;
        vport_error err = { 0 };

        /* default portgroup: network's managerid/typeid + portgroup's typeidversion; instanceid generated */
        assert_int_equal(resolve(VEPA_NET, PORT(""), &p, &err), 0);
        assert_non_null(p->virtualport);
        assert_int_equal(p->virtualport->type, VIRTUALPORT_8021QBG);
        assert_int_equal(p->virtualport->manager_id, 11);
        assert_int_equal(p->virtualport->type_id, 1193047);
        assert_int_equal(p->virtualport->type_id_version, 2);
        assert_true(p->virtualport->has_instance_id);
        port_def_free(TAKE_PTR(p));
        assert_int_equal(resolve("<network><name>b</name><forward mode='bridge'/><bridge name='br0'/>"
                                 "<portgroup name='eng' default='yes'><bandwidth><inbound average='100'/>"
                                 "</bandwidth></portgroup></network>",
                                 PORT(""), &p, &err),
                         0);
        assert_int_equal(p->bandwidth.in.average, 100); /* from the portgroup */
        port_def_free(TAKE_PTR(p));

        /* the port's own instanceid is kept */
        assert_int_equal(
                resolve(VEPA_NET,
                        PORT("<virtualport><parameters instanceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/>"
                             "</virtualport><bandwidth><inbound average='5'/></bandwidth>"),
                        &p, &err),
                0);
        assert_int_equal(p->virtualport->instance_id.bytes[0], 0x09);
        assert_int_equal(p->bandwidth.in.average, 5); /* the port's own wins */
        port_def_free(TAKE_PTR(p));

        /* a named portgroup instead of the default */
        assert_int_equal(resolve(VEPA_NET, PORT("<group>ops</group>"), &p, &err), 0);
        assert_int_equal(p->virtualport->type_id_version, 3);
        assert_false(bandwidth_is_set(&p->bandwidth));
}

static void expect_resolve_fail(const char *net, const char *port, int code, const char *const *needles) {
        _cleanup_(port_def_freep) vport_port_def *p = NULL;
        vport_error err = { 0 };

        assert_int_equal(resolve(net, port, &p, &err), code);
        for (; *needles; needles++)
                if (!strstr(err.message, *needles))
                        fail_msg("message '%s' lacks '%s'", err.message, *needles);
}

#define HOSTDEV_NET                                                                 \
        "<network><name>h</name><forward mode='hostdev'><pf dev='eth0'/></forward>" \
        "<vlan><tag id='10'/></vlan><portgroup name='g'><vlan><tag id='20'/></vlan></portgroup></network>"

/* Allocation succeeds (as in libvirt); the guest-start check refuses. */
static void expect_mode_fail(const char *net_xml, const char *port_xml, const char *const *needles) {
        _cleanup_(network_def_freep) vport_network_def *n = tu_net_ok(net_xml);
        _cleanup_(port_def_freep) vport_port_def *p = NULL;
        vport_error err = { 0 };

        assert_int_equal(resolve(net_xml, port_xml, &p, &err), 0);
        assert_int_equal(port_def_check_mode(p, n, &err), -EINVAL);
        for (; *needles; needles++)
                if (!strstr(err.message, *needles))
                        fail_msg("message '%s' lacks '%s'", err.message, *needles);
}

/* A portgroup the network lacks is no portgroup at all (libvirt), not its default. */
static void test_resolve_unknown_portgroup(void **state) {
        _cleanup_(port_def_freep) vport_port_def *p = NULL;
        vport_error err = { 0 };

        assert_int_equal(resolve(HOSTDEV_NET, PORT("<group>nope</group>"), &p, &err), 0);
        assert_int_equal(p->vlan.tags[0], 10); /* the network's, not portgroup g's */
}

static void test_resolve_conflicts(void **state) {
        expect_resolve_fail(
                VEPA_NET, PORT("<virtualport><parameters managerid='12'/></virtualport>"), -EINVAL,
                (const char *const[]){ "network 'v'", "networkport 4a2e1bc3", "<parameters managerid>",
                                       "'11' on the network conflicts with '12' on the port", NULL });
        expect_resolve_fail(
                VEPA_NET,
                PORT("<group>ops</group><virtualport><parameters typeidversion='2'/></virtualport>"),
                -EINVAL, (const char *const[]){ "typeidversion", "'3' on the portgroup", NULL });
        expect_resolve_fail(VEPA_NET, PORT("<virtualport type='802.1Qbh'/>"), -EINVAL,
                            (const char *const[]){ "<virtualport type>", "802.1Qbh", NULL });
        /* merged result lacks a required parameter */
        expect_resolve_fail(
                "<network><name>q</name><forward mode='vepa' dev='eth0'/>"
                "<virtualport type='802.1Qbg'><parameters managerid='1'/></virtualport></network>",
                PORT(""), -EINVAL, (const char *const[]){ "missing typeid", NULL });
        expect_resolve_fail("<network><name>q</name><forward mode='vepa' dev='eth0'/></network>",
                            PORT("<virtualport type='openvswitch'/>"), -EINVAL,
                            (const char *const[]){ "<virtualport type='openvswitch'>", "vepa", NULL });
        expect_resolve_fail("<network><name>q</name><forward mode='vepa' dev='eth0'/></network>",
                            PORT("<virtualport><parameters profileid='x'/></virtualport>"), -EINVAL,
                            (const char *const[]){ "<virtualport>: no type given", NULL });
}

/* libvirt: the definition is accepted, each port of the conflicting group
 * refused, naming both values. */
static void test_resolve_portgroup_conflict(void **state) {
        static const char *const net =
                "<network><name>c</name><forward mode='vepa' dev='eth0'/>"
                "<virtualport type='802.1Qbg'><parameters managerid='11' typeid='1' typeidversion='2'/>"
                "</virtualport><portgroup name='pg'><virtualport><parameters managerid='12'/></virtualport>"
                "</portgroup></network>";
        _cleanup_(port_def_freep) vport_port_def *p = NULL;
        vport_error err = { 0 };

        expect_resolve_fail(
                net, PORT("<group>pg</group>"), -EINVAL,
                (const char *const[]){ "network 'c'", "<parameters managerid>",
                                       "'12' on the portgroup conflicts with '11' on the network", NULL });
        assert_int_equal(resolve(net, PORT(""), &p, &err), 0); /* no group: fine */
}

/* <rxfilters trustGuest>: the port's, else its portgroup's, else the network's. */
static void test_resolve_trust_guest_rx_filters(void **state) {
        static const char *const net =
                "<network trustGuestRxFilters='yes'><name>t</name>"
                "<forward mode='vepa' dev='eth0'/>"
                "<portgroup name='no' trustGuestRxFilters='no'/><portgroup name='plain'/>"
                "</network>";
        _cleanup_(port_def_freep) vport_port_def *p = NULL;
        vport_error err = { 0 };

        assert_int_equal(resolve(net, PORT(""), &p, &err), 0);
        assert_int_equal(p->trust_guest_rx_filters, TRISTATE_YES);
        port_def_free(TAKE_PTR(p));
        assert_int_equal(resolve(net, PORT("<group>no</group>"), &p, &err), 0);
        assert_int_equal(p->trust_guest_rx_filters, TRISTATE_NO);
        port_def_free(TAKE_PTR(p));
        assert_int_equal(resolve(net, PORT("<group>plain</group>"), &p, &err), 0);
        assert_int_equal(p->trust_guest_rx_filters, TRISTATE_YES);
        port_def_free(TAKE_PTR(p));
        assert_int_equal(resolve(net, PORT("<group>no</group><rxfilters trustGuest='yes'/>"), &p, &err), 0);
        assert_int_equal(p->trust_guest_rx_filters, TRISTATE_YES);
        port_def_free(TAKE_PTR(p));
        assert_int_equal(resolve("<network><name>t</name><forward mode='vepa' dev='eth0'/></network>",
                                 PORT(""), &p, &err),
                         0);
        assert_int_equal(p->trust_guest_rx_filters, TRISTATE_ABSENT);
}

/* kvm / xen are kept through allocation (as libvirt's network driver does)
 * and refused at prepare (where libvirt's QEMU driver refuses them). */
static void test_check_mode_driver(void **state) {
        static const char *const net = "<network><name>k</name><forward mode='hostdev'><driver name='kvm'/>"
                                       "<pf dev='eth0'/></forward></network>";
        _cleanup_(network_def_freep) vport_network_def *n = tu_net_ok(net);
        _cleanup_(port_def_freep) vport_port_def *p = tu_port_ok(
                PORT("<plug type='hostdev-pci'><driver name='xen'/><address domain='0' bus='6' slot='16' "
                     "function='1'/></plug>"));
        _cleanup_(port_def_freep) vport_port_def *v = tu_port_ok(PORT(
                "<plug type='hostdev-pci'><driver name='vfio' model='mlx5_vfio_pci'/><address domain='0' "
                "bus='6' slot='16' function='1'/></plug>"));
        vport_error err = { 0 };

        assert_int_equal(port_def_check_mode(p, n, &err), -EINVAL);
        assert_non_null(strstr(err.message, "<driver name='xen'>"));
        assert_non_null(strstr(err.message, "VFIO only"));
        assert_int_equal(port_def_check_mode(v, n, &err), 0);
}

/* libvirt checks a virtualport's type against the mode when a port is made
 * (the definition is accepted): the network's, the portgroup's or the port's */
static void test_resolve_virtualport_type(void **state) {
        _cleanup_(network_def_freep) vport_network_def *hd = tu_net_ok(
                "<network><name>hq</name><forward mode='hostdev'><pf dev='eth0'/></forward><virtualport "
                "type='802.1Qbg'><parameters managerid='1' typeid='2' "
                "typeidversion='3'/></virtualport></network>");
        _cleanup_(port_def_freep) vport_port_def *p = NULL;
        vport_error err = { 0 };

        expect_resolve_fail(
                "<network><name>q</name><forward mode='vepa' dev='eth0'/>"
                "<virtualport type='openvswitch'/></network>",
                PORT(""), -EINVAL,
                (const char *const[]){ "network 'q'", "<virtualport type='openvswitch'>", "vepa", NULL });
        expect_resolve_fail("<network><name>q</name><forward mode='vepa' dev='eth0'/><portgroup name='g'>"
                            "<virtualport type='openvswitch'/></portgroup></network>",
                            PORT("<group>g</group>"), -EINVAL,
                            (const char *const[]){ "<virtualport type='openvswitch'>", NULL });
        /* midonet is read and kept, and no network port may use it */
        expect_resolve_fail("<network><name>m</name><forward mode='bridge'/><bridge name='br0'/>"
                            "<virtualport type='midonet'/></network>",
                            PORT(""), -EINVAL,
                            (const char *const[]){ "<virtualport type='midonet'>", NULL });
        /* 802.1Qbg on hostdev: allocated, refused at prepare (a hostdev takes only 802.1Qbh) */
        p = tu_port_ok(PORT(
                "<plug type='hostdev-pci'><address domain='0' bus='6' slot='16' function='1'/></plug>"));
        assert_int_equal(port_def_resolve(p, hd, &err), 0);
        assert_int_equal(p->virtualport->type, VIRTUALPORT_8021QBG);
        assert_int_equal(port_def_check_mode(p, hd, &err), -EINVAL);
        assert_non_null(
                strstr(err.message, "<virtualport type='802.1Qbg'>: a hostdev port takes only 802.1Qbh"));
}

static void test_resolve_vlan_bandwidth(void **state) {
        _cleanup_(port_def_freep) vport_port_def *p = NULL;
        vport_error err = { 0 };

        assert_int_equal(resolve(HOSTDEV_NET, PORT(""), &p, &err), 0);
        assert_int_equal(p->vlan.n_tags, 1);
        assert_int_equal(p->vlan.tags[0], 10); /* network's */
        port_def_free(TAKE_PTR(p));
        assert_int_equal(resolve(HOSTDEV_NET, PORT("<group>g</group>"), &p, &err), 0);
        assert_int_equal(p->vlan.tags[0], 20); /* portgroup's */
        port_def_free(TAKE_PTR(p));
        assert_int_equal(resolve(HOSTDEV_NET, PORT("<group>g</group><vlan><tag id='30'/></vlan>"), &p, &err),
                         0);
        assert_int_equal(p->vlan.tags[0], 30); /* port's */
        port_def_free(TAKE_PTR(p));

        expect_mode_fail(HOSTDEV_NET, PORT("<bandwidth><inbound average='1'/></bandwidth>"),
                         (const char *const[]){ "<bandwidth>", "hostdev", NULL });
        expect_mode_fail("<network><name>q</name><forward mode='vepa' dev='eth0'/></network>",
                         PORT("<vlan><tag id='5'/></vlan>"),
                         (const char *const[]){ "network 'q'", "<vlan>", "vepa", NULL });
        expect_resolve_fail("<network><name>q</name><forward mode='vepa' dev='eth0'/></network>",
                            PORT("<bandwidth><inbound floor='5'/></bandwidth>"), -EINVAL,
                            (const char *const[]){ "<inbound floor>", NULL });
        /* an openvswitch port on a plain bridge network may carry a vlan */
        assert_int_equal(
                resolve("<network><name>o</name><forward mode='bridge'/><bridge name='br0'/></network>",
                        PORT("<virtualport type='openvswitch'/><vlan><tag id='5'/></vlan>"), &p, &err),
                0);
        assert_true(p->virtualport->has_interface_id); /* generated */
        port_def_free(TAKE_PTR(p));
        assert_int_equal(resolve("<network><name>o</name><bridge name='virbr0'/><bandwidth><inbound "
                                 "average='100'/></bandwidth></network>",
                                 PORT("<bandwidth><inbound floor='5'/></bandwidth>"), &p, &err),
                         0);
        /* libvirt: "Invalid use of 'floor' ... network has no inbound QoS set" */
        expect_resolve_fail(
                "<network><name>o</name><bridge name='virbr0'/></network>",
                PORT("<bandwidth><inbound floor='5'/></bandwidth>"), -EINVAL,
                (const char *const[]){ "network 'o'", "<inbound floor='5'>", "no inbound", NULL });
}

/* port-dumpxml's live-state element is skipped on the way back in; any
 * other unknown element is still refused. */
static void test_runtime_element_skipped(void **state) {
        vport_port_def *def =
                tu_port_ok(PORT("<runtime xmlns='urn:vport:runtime:1' state='active' ifname='vnet0'/>"));

        port_def_free(def);
        tu_port_fail(PORT("<runtime state='active'/>"), "runtime");
}

static void test_merge3_direct(void **state) {
        vport_virtualport a = { .type = VIRTUALPORT_OPENVSWITCH }, b = { .type = VIRTUALPORT_NONE },
                          *m = NULL;
        vport_error err = { 0 };

        assert_int_equal(virtualport_def_merge3(NULL, NULL, NULL, &m, &err), 0);
        assert_null(m);
        strcpy(b.profile_id, "p1");
        assert_int_equal(virtualport_def_merge3(&b, &a, NULL, &m, &err), 0);
        assert_int_equal(m->type, VIRTUALPORT_OPENVSWITCH);
        assert_string_equal(m->profile_id, "p1");
        free(m);
        strcpy(a.profile_id, "p2");
        assert_int_equal(virtualport_def_merge3(&b, &a, NULL, &m, &err), -EINVAL);
        assert_non_null(strstr(err.message, "profileid"));
        assert_non_null(strstr(err.message, "'p2' on the network conflicts with 'p1' on the port"));
        b.has_manager_id = true;
        b.profile_id[0] = '\0';
        assert_int_equal(virtualport_def_merge3(&b, &a, NULL, &m, &err),
                         -EINVAL); /* managerid on openvswitch */
        assert_non_null(strstr(err.message, "managerid"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_roundtrip_plugs),
                cmocka_unit_test(test_parsed_fields),
                cmocka_unit_test(test_validation_failures),
                cmocka_unit_test(test_resolve_merge),
                cmocka_unit_test(test_resolve_conflicts),
                cmocka_unit_test(test_resolve_vlan_bandwidth),
                cmocka_unit_test(test_merge3_direct),
                cmocka_unit_test(test_runtime_element_skipped),
                cmocka_unit_test(test_resolve_unknown_portgroup),
                cmocka_unit_test(test_libvirt_format_exact),
                cmocka_unit_test(test_libvirt_port_fields),
                cmocka_unit_test(test_resolve_portgroup_conflict),
                cmocka_unit_test(test_resolve_trust_guest_rx_filters),
                cmocka_unit_test(test_check_mode_driver),
                cmocka_unit_test(test_resolve_virtualport_type),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
