/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <network> XML: every validation rule with a failing and a passing example,
 * and parse -> format -> parse -> format round trips for every forward mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "conf-fixture.h"

#define NET(body) "<network><name>n1</name>" body "</network>"

/* ---- round trips, one per forward mode ---- */

static const char *const bridge_ovs_xml =
        "<network>\n"
        "  <name>ovs</name>\n"
        "  <uuid>09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f</uuid>\n"
        "  <forward mode='bridge'/>\n"
        "  <bridge name='ovsbr0' macTableManager='libvirt'/>\n"

        "  <virtualport type='openvswitch'/>\n"
        "  <vlan><tag id='10'/></vlan>\n"
        "  <portgroup name='engineering' default='yes'>\n"
        "    <vlan trunk='yes'><tag id='42' nativeMode='untagged'/><tag id='47'/></vlan>\n"
        "    <virtualport type='openvswitch'><parameters profileid='eng-prof'/></virtualport>\n"
        "    <bandwidth><inbound average='1000' peak='5000' burst='1024'/><outbound "
        "average='128'/></bandwidth>\n"
        "  </portgroup>\n"
        "  <portgroup name='sales'>\n"
        "    <vlan><tag id='100'/></vlan>\n"
        "    <virtualport type='openvswitch'><parameters "
        "interfaceid='11111111-2222-3333-4444-555555555555'/></virtualport>\n"
        "  </portgroup>\n"
        "  <portgroup name='plain'/>\n"
        "</network>\n";

static void test_roundtrip_bridge_ovs(void **state) {
        _cleanup_(network_def_freep) vport_network_def *d = tu_net_ok(bridge_ovs_xml);
        vport_direct_mode mode = _DIRECT_MAX;

        free(tu_net_roundtrip(bridge_ovs_xml));
        assert_int_equal(d->forward_mode, FORWARD_BRIDGE);
        assert_string_equal(d->bridge_name, "ovsbr0");
        assert_int_equal(d->mac_table_manager, MAC_TABLE_MANAGER_LIBVIRT);
        assert_int_equal(d->n_portgroups, 3);
        assert_true(d->portgroups[0].vlan.trunk);
        assert_int_equal(d->portgroups[0].vlan.native_mode, VLAN_NATIVE_UNTAGGED);
        assert_int_equal(d->portgroups[0].vlan.native_tag, 42);
        assert_int_equal(d->portgroups[0].bandwidth.in.peak, 5000);
        assert_int_equal(network_def_plug_type(d, &mode), PLUG_BRIDGE);
        assert_int_equal(mode, _DIRECT_MAX); /* untouched */
        assert_ptr_equal(network_def_find_portgroup(d, NULL), &d->portgroups[0]);
        assert_ptr_equal(network_def_find_portgroup(d, "sales"), &d->portgroups[1]);
        assert_null(network_def_find_portgroup(d, "nope"));
}

static void test_roundtrip_direct_modes(void **state) {
        static const struct {
                const char *xml;
                vport_direct_mode mode;
        } cases[] = {
                { NET("<forward mode='bridge'><interface dev='eth1'/><interface dev='eth2'/></forward>"
                      "<virtualport type='802.1Qbg'><parameters managerid='11' typeid='1193047' "
                      "typeidversion='2' "
                      "instanceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/></virtualport>"),
                  DIRECT_BRIDGE },
                { NET("<forward mode='private' dev='eth1'/>"), DIRECT_PRIVATE },
                { NET("<forward mode='vepa'><pf dev='eth0'/></forward>"
                      "<virtualport type='802.1Qbh'><parameters profileid='finance'/></virtualport>"),
                  DIRECT_VEPA },
                { NET("<forward mode='passthrough' dev='eth1'><interface dev='eth1'/><interface "
                      "dev='eth2'/></forward>"
                      "<vlan><tag id='42'/></vlan>"),
                  DIRECT_PASSTHROUGH },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(network_def_freep) vport_network_def *d = tu_net_ok(cases[i].xml);
                vport_direct_mode mode;

                free(tu_net_roundtrip(cases[i].xml));
                assert_int_equal(network_def_plug_type(d, &mode), PLUG_DIRECT);
                assert_int_equal(mode, cases[i].mode);
        }
}

static void test_roundtrip_hostdev(void **state) {
        const char *xml =
                NET("<forward mode='hostdev' managed='yes'><driver name='vfio'/>"
                    "<address type='pci' domain='0x0000' bus='0x06' slot='0x10' function='0x1'/>"
                    "<address type='pci' domain='0x0000' bus='0x06' slot='0x10' function='0x3'/></forward>"
                    "<vlan><tag id='42'/></vlan>"
                    "<virtualport type='802.1Qbh'><parameters profileid='p1'/></virtualport>"
                    "<portgroup name='a' default='yes'><vlan><tag id='7'/></vlan></portgroup>");
        const char *pf = NET("<forward mode='hostdev'><pf dev='enp6s0f0'/></forward>");
        _cleanup_(network_def_freep) vport_network_def *d = tu_net_ok(xml), *p = tu_net_ok(pf);

        free(tu_net_roundtrip(xml));
        free(tu_net_roundtrip(pf));
        assert_true(d->managed);
        assert_int_equal(d->driver, HOSTDEV_DRIVER_VFIO);
        assert_int_equal(d->n_addresses, 2);
        assert_int_equal(d->addresses[1].function, 3);
        assert_int_equal(network_def_plug_type(d, NULL), PLUG_HOSTDEV_PCI);
        assert_string_equal(p->pf, "enp6s0f0");
        assert_false(p->managed);
}

static const char *const open_xml =
        "<network ipv6='yes' trustGuestRxFilters='no'>\n"
        "  <name>default</name>\n"
        "  <title>the &amp; default</title>\n"
        "  <forward mode='open'/>\n"
        "  <bridge name='virbr0' zone='trusted' stp='on' delay='0'/>\n"
        "  <mac address='52:54:00:0a:cd:21'/>\n"
        "  <dns enable='no'/>\n"
        "  <ip address='192.168.122.1' netmask='255.255.255.0'/>\n"
        "  <ip family='ipv6' address='2001:db8:ca2:2::1' prefix='64'/>\n"
        "  <bandwidth><inbound average='100000'/></bandwidth>\n"
        "  <portgroup name='eng' default='yes'><bandwidth><inbound average='1000' "
        "floor='200'/></bandwidth></portgroup>\n"
        "</network>\n";

static void test_roundtrip_l3(void **state) {
        _cleanup_(network_def_freep) vport_network_def *d = tu_net_ok(open_xml);
        _cleanup_free_ char *out = NULL;

        free(tu_net_roundtrip(open_xml));
        assert_int_equal(network_def_plug_type(d, NULL), PLUG_NETWORK);
        assert_int_equal(d->bridge_stp, 1);
        assert_int_equal(d->bridge_delay, 0);
        assert_string_equal(d->bridge_zone, "trusted");
        assert_int_equal(d->ipv6, TRISTATE_YES);
        assert_int_equal(d->trust_guest_rx_filters, TRISTATE_NO);
        assert_int_equal(network_def_format(d, &out), 0);
        /* the L3 parts come back verbatim, escaping included; what vport
         * keeps without effect is kept in the dump */
        assert_non_null(strstr(out, "<dns enable=\"no\"/>"));
        assert_non_null(strstr(out, "<title>the &amp; default</title>"));
        assert_non_null(strstr(out, "<network ipv6=\"yes\" trustGuestRxFilters=\"no\">"));
        assert_non_null(strstr(out, "zone=\"trusted\""));

        free(tu_net_roundtrip(
                NET("<forward mode='open'/><bridge name='virbr2'/><ip address='10.0.1.1' prefix='24'/>")));
        free(tu_net_roundtrip(
                NET("<bridge name='virbr3'/><ip address='10.0.2.1' prefix='24'/>"))); /* isolated */
        {
                _cleanup_(network_def_freep) vport_network_def *iso =
                        tu_net_ok(NET("<bridge name='virbr3'/>"));

                assert_int_equal(iso->forward_mode, FORWARD_NONE);
                assert_int_equal(network_def_plug_type(iso, NULL), PLUG_NETWORK);
        }
}

static void test_uuid_generated(void **state) {
        _cleanup_(network_def_freep) vport_network_def *a = tu_net_ok(NET("<bridge name='virbr3'/>"));
        _cleanup_(network_def_freep) vport_network_def *b = tu_net_ok(NET("<bridge name='virbr3'/>"));

        assert_false(uuid_is_null(&a->uuid));
        assert_false(uuid_equal(&a->uuid, &b->uuid));
        tu_net_fail(NET("<uuid>not-a-uuid</uuid><bridge name='virbr3'/>"), "network 'n1'", "<uuid>", NULL);
}

static void test_enum_tables(void **state) {
        assert_string_equal(forward_mode_to_string(FORWARD_HOSTDEV), "hostdev");
        assert_int_equal(forward_mode_from_string("passthrough"), FORWARD_PASSTHROUGH);
        assert_int_equal(forward_mode_from_string("bogus"), -EINVAL);
        assert_string_equal(mac_table_manager_to_string(MAC_TABLE_MANAGER_KERNEL), "kernel");
        assert_int_equal(mac_table_manager_from_string("libvirt"), MAC_TABLE_MANAGER_LIBVIRT);
        assert_string_equal(virtualport_def_type_to_string(VIRTUALPORT_8021QBG), "802.1Qbg");
        assert_int_equal(virtualport_def_type_from_string("openvswitch"), VIRTUALPORT_OPENVSWITCH);
        assert_string_equal(plug_def_type_to_string(PLUG_HOSTDEV_PCI), "hostdev-pci");
        assert_int_equal(direct_mode_from_string("vepa"), DIRECT_VEPA);
        assert_true(forward_mode_is_l3(FORWARD_OPEN));
        assert_false(forward_mode_is_l3(FORWARD_BRIDGE));
}

/* ---- validation rules: one failing and one passing example each ---- */

static void test_basic_elements(void **state) {
        tu_net_fail("<network><bridge name='virbr0'/></network>", "missing <name>", NULL);
        tu_net_fail(NET("<name>n2</name><bridge name='virbr0'/>"), "network 'n1'", "<name>", "duplicate",
                    NULL);
        tu_net_fail("<network><name>a/b</name><bridge name='virbr0'/></network>", "'/'", NULL);
        tu_net_fail("<network><name>.x</name><bridge name='virbr0'/></network>", "'.'", NULL);
        tu_net_fail(NET("<bridge name='virbr0'/><frobnicate/>"), "network 'n1'",
                    "unexpected element <frobnicate>", NULL);
        tu_net_fail(NET("<bridge name='virbr0'/><mtu size='12'/>"), "<mtu size='12'>", NULL);
        tu_net_fail(NET("<bridge name='virbr0'/><mtu size='x'/>"), "<mtu size='x'>", NULL);
        tu_net_fail(NET("<forward mode='teleport'/>"), "<forward mode='teleport'>", NULL);
        tu_net_fail(NET("<bridge name='br/0'/>"), "<bridge name>", NULL);
        tu_net_fail(NET("<bridge name='virbr0' stp='maybe'/>"), "<bridge stp='maybe'>", NULL);
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0' macTableManager='x'/>"),
                    "<bridge macTableManager='x'>", NULL);
        network_def_free(
                tu_net_ok(NET("<forward mode='bridge'/><bridge name='br0' macTableManager='kernel'/>")));
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/><bridge macTableManager='kernel'/>"),
                    "macTableManager", NULL);
}

static void test_pool_rules(void **state) {
        tu_net_fail(NET("<forward mode='vepa'><interface dev='eth1'/><pf dev='eth0'/></forward>"),
                    "network 'n1'", "<interface>, <pf> and <address> are mutually exclusive", NULL);
        tu_net_fail(NET("<forward mode='hostdev'><pf dev='eth0'/>"
                        "<address type='pci' domain='0' bus='6' slot='16' function='1'/></forward>"),
                    "mutually exclusive", NULL);
        tu_net_fail(NET("<forward mode='vepa'><pf dev='eth0'/><pf dev='eth1'/></forward>"), "only one <pf>",
                    NULL);
        tu_net_fail(NET("<forward mode='vepa'><interface dev='eth1'/><interface dev='eth1'/></forward>"),
                    "<interface dev='eth1'>", "twice", NULL);
        tu_net_fail(NET("<forward mode='vepa'><interface/></forward>"), "<interface>", "'dev'", NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth2'><interface dev='eth1'/></forward>"),
                    "<forward dev='eth2'>", "first <interface dev='eth1'>", NULL);
        /* no device at all: defined (and started) as by libvirt, its ports refused */
        network_def_free(tu_net_ok(NET("<forward mode='vepa'/>")));
        network_def_free(tu_net_ok(NET("<forward mode='vepa'><interface dev='eth1'/></forward>")));
        tu_net_fail(
                NET("<forward mode='hostdev'>"
                    "<address type='pci' domain='0x0000' bus='0x06' slot='0x20' function='0x1'/></forward>"),
                "slot='0x20'", NULL);
        tu_net_fail(
                NET("<forward mode='hostdev'>"
                    "<address type='usb' domain='0x0000' bus='0x06' slot='0x10' function='0x1'/></forward>"),
                "<address type='usb'>", NULL);
        tu_net_fail(NET("<forward mode='hostdev'>"
                        "<address type='pci' domain='0x0000' bus='0x06' slot='0x10' function='0x1'/>"
                        "<address type='pci' domain='0' bus='6' slot='16' function='1'/></forward>"),
                    "0000:06:10.1 listed twice", NULL);
        tu_net_fail(NET("<forward mode='vepa'><address type='pci' domain='0' bus='6' slot='16' "
                        "function='1'/></forward>"),
                    "<forward mode='vepa'>", "<address>", NULL);
}

static void test_l3_elements_on_non_l3_modes(void **state) {
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0'/><ip address='10.0.0.1' prefix='24'/>"),
                    "network 'n1'", "<forward mode='bridge'>", "<ip> is not supported", NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/><mac address='52:54:00:00:00:01'/>"),
                    "<mac> is not supported", NULL);
        tu_net_fail(NET("<forward mode='passthrough' dev='eth0'/><dns enable='no'/>"),
                    "<dns> is not supported", NULL);
        tu_net_fail(NET("<forward mode='bridge'><nat/></forward><bridge name='br0'/>"), "<nat>", NULL);
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0' stp='on'/>"), "<bridge stp='on'>", NULL);
        /* libvirt: "bridge delay/stp/zone options only allowed in open, route, nat, and isolated mode" */
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0' zone='public'/>"), "<bridge zone>",
                    NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/><bridge zone='public'/>"), "<bridge zone>", NULL);
        /* the same elements are fine on L3 modes */
        network_def_free(
                tu_net_ok(NET("<forward mode='open'/><bridge name='br0'/><mac address='52:54:00:00:00:01'/>"
                              "<dns enable='no'/><ip address='10.0.0.1' prefix='24'/>")));
        /* title/description/metadata are not L3 */
        network_def_free(
                tu_net_ok(NET("<title>t</title><description>d</description><metadata><x/></metadata>"
                              "<forward mode='vepa' dev='eth0'/>")));
}

static void test_l3_mode_rules(void **state) {
        network_def_free(tu_net_ok(NET("<forward mode='open'/>"))); /* libvirt 11.3 takes it */
        tu_net_fail(NET("<forward mode='open'><pf dev='eth0'/></forward><bridge name='virbr0'/>"), "<pf>",
                    NULL);
        tu_net_fail(NET("<forward mode='open'><interface dev='eth0'/><interface dev='eth1'/></forward>"
                        "<bridge name='virbr0'/>"),
                    "<forward mode='open'>", "not allowed", NULL);
        tu_net_fail(NET("<forward mode='none' dev='eth0'/><bridge name='virbr0'/>"), "isolated", NULL);
        /* libvirt: "forward dev not allowed for network ... with forward mode='open'" */
        tu_net_fail(NET("<forward mode='open' dev='eth0'><interface dev='eth0'/></forward>"
                        "<bridge name='virbr0'/><ip address='10.0.0.1' prefix='24'/>"),
                    "<forward mode='open'>", "<forward dev>", NULL);
}

/* What needs forwarding and firewall rules, dnsmasq or routes is refused at
 * define with one line naming it and what vport manages instead. */
static void test_unmanaged_refused(void **state) {
        static const char *const managed = "vport manages isolated and open networks";

        tu_net_fail(NET("<forward mode='nat'/><bridge name='virbr0'/>"), "network 'n1'",
                    "<forward mode='nat'>", "NAT", managed, NULL);
        tu_net_fail(NET("<forward/><bridge name='virbr0'/>"), "<forward mode='nat'>",
                    NULL); /* the default */
        tu_net_fail(NET("<forward mode='route' dev='eth0'/><bridge name='virbr0'/>"),
                    "<forward mode='route'>", "routed", managed, NULL);
        tu_net_fail(NET("<bridge name='virbr0'/><ip address='10.0.0.1' prefix='24'><dhcp><range "
                        "start='10.0.0.2' end='10.0.0.9'/></dhcp></ip>"),
                    "network 'n1'", "<ip><dhcp>", "DHCP", managed, NULL);
        tu_net_fail(
                NET("<bridge name='virbr0'/><ip address='10.0.0.1' prefix='24'><tftp root='/srv'/></ip>"),
                "<ip><tftp>", "TFTP", NULL);
        tu_net_fail(NET("<bridge name='virbr0'/><dns/>"), "<dns>", "DNS server", managed, NULL);
        tu_net_fail(NET("<bridge name='virbr0'/><dns enable='yes'/>"), "<dns>", NULL);
        tu_net_fail(NET("<bridge name='virbr0'/><dns enable='no'><host ip='10.0.0.2'><hostname>h</hostname>"
                        "</host></dns>"),
                    "<dns>", NULL);
        tu_net_fail(NET("<bridge name='virbr0'/><domain name='x'/>"), "<domain>", managed, NULL);
        tu_net_fail(NET("<bridge name='virbr0'/><route address='10.1.0.0' prefix='16' gateway='10.0.0.2'/>"),
                    "<route>", "static routes", NULL);
        /* on direct modes too: the same refusal, first */
        tu_net_fail(NET("<forward mode='private' dev='eth0'/><route address='10.1.0.0' prefix='16' "
                        "gateway='10.0.0.2'/>"),
                    "<route>", NULL);
}

static void collect_note(void *userdata, const char *msg) {
        char *buf = userdata;

        strncat(buf, msg, 1023 - strlen(buf));
        strncat(buf, "\n", 1023 - strlen(buf));
}

/* Kept without effect: said once per item at define, and dumped. */
static void test_notices(void **state) {
        _cleanup_(network_def_freep) vport_network_def *d =
                tu_net_ok(NET("<bridge name='virbr0' zone='trusted'/>"));
        _cleanup_(network_def_freep) vport_network_def *v6 =
                tu_net_ok("<network ipv6='no'><name>n2</name><forward mode='vepa' dev='eth0'/></network>");
        _cleanup_(network_def_freep) vport_network_def *quiet = tu_net_ok(
                "<network trustGuestRxFilters='yes'><name>n3</name><forward mode='vepa' dev='eth0'/>"
                "</network>");
        char buf[1024] = "";

        network_def_notices(d, collect_note, buf);
        assert_string_equal(buf,
                            "network 'n1': <bridge zone='trusted'>: kept, but vport gives it no effect (it "
                            "does not talk to firewalld)\n");
        buf[0] = '\0';
        network_def_notices(v6, collect_note, buf);
        assert_non_null(
                strstr(buf, "network 'n2': <network ipv6='no'>: kept, but vport gives it no effect"));
        buf[0] = '\0';
        /* trustGuestRxFilters is handed to the ports (their <rxfilters>): no notice */
        network_def_notices(quiet, collect_note, buf);
        assert_string_equal(buf, "");
        {
                _cleanup_(network_def_freep) vport_network_def *ip =
                        tu_net_ok(NET("<bridge name='b'/><ip address='10.0.0.1' prefix='24'/>"));
                _cleanup_(network_def_freep) vport_network_def *ip_nodns = tu_net_ok(
                        NET("<bridge name='b'/><dns enable='no'/><ip address='10.0.0.1' prefix='24'/>"));

                buf[0] = '\0';
                network_def_notices(ip, collect_note, buf);
                assert_non_null(strstr(buf, "network 'n1': <ip>: libvirt would answer DNS"));
                buf[0] = '\0';
                network_def_notices(ip_nodns, collect_note, buf);
                assert_string_equal(buf, "");
        }
        tu_net_fail("<network ipv6='maybe'><name>n4</name><bridge name='b'/></network>", "network 'n4'",
                    "ipv6='maybe'", NULL);
        tu_net_fail(NET("<bridge name='b' zone='a b'/>"), "zone='a b'", NULL);
}

static void test_bridge_and_direct_rules(void **state) {
        tu_net_fail(NET("<forward mode='bridge' dev='eth0'/><bridge name='br0'/>"),
                    "<forward mode='bridge'>", "cannot be combined", NULL);
        network_def_free(tu_net_ok(NET("<forward mode='bridge'/>"))); /* as libvirt; its ports fail */
        tu_net_fail(NET("<forward mode='private' dev='eth0'/><bridge name='br0'/>"),
                    "<forward mode='private'>", "<bridge name> is not allowed", NULL);
        network_def_free(tu_net_ok(NET("<forward mode='bridge'><pf dev='eth0'/></forward>")));
}

static void test_hostdev_rules(void **state) {
        tu_net_fail(NET("<forward mode='hostdev'><interface dev='eth1'/></forward>"), "network 'n1'",
                    "<forward mode='hostdev'>", "<interface dev='eth1'>", NULL);
        tu_net_fail(NET("<forward mode='hostdev' dev='eth1'><pf dev='eth0'/></forward>"),
                    "<forward dev='eth1'>", NULL);
        tu_net_fail(NET("<forward mode='hostdev'><driver name='foo'/><pf dev='eth0'/></forward>"),
                    "<forward><driver name='foo'>", "vfio, kvm or xen", NULL);
        tu_net_fail(
                NET("<forward mode='hostdev'><driver name='vfio' model='a b'/><pf dev='eth0'/></forward>"),
                "<forward><driver model='a b'>", "not a driver name", NULL);
        tu_net_fail(NET("<forward mode='hostdev'><driver name='vfio'/><driver name='vfio'/><pf dev='eth0'/>"
                        "</forward>"),
                    "more than one <driver>", NULL);
        {
                /* libvirt 11's model (a VFIO variant driver) is kept; kvm and xen
                 * are kept too and refused when a port is prepared */
                _cleanup_(network_def_freep) vport_network_def *m = tu_net_ok(NET(
                        "<forward mode='hostdev'><driver name='vfio' model='mlx5_vfio_pci'/><pf dev='eth0'/>"
                        "</forward>"));
                _cleanup_(network_def_freep) vport_network_def *k = tu_net_ok(
                        NET("<forward mode='hostdev'><driver name='kvm'/><pf dev='eth0'/></forward>"));
                _cleanup_free_ char *out = NULL;

                assert_string_equal(m->driver_model, "mlx5_vfio_pci");
                assert_int_equal(m->driver, HOSTDEV_DRIVER_VFIO);
                assert_int_equal(network_def_format(m, &out), 0);
                assert_non_null(strstr(out, "<driver name=\"vfio\" model=\"mlx5_vfio_pci\"/>"));
                assert_int_equal(k->driver, HOSTDEV_DRIVER_KVM);
                free(tu_net_roundtrip(NET("<forward mode='hostdev'><driver model='mlx5_vfio_pci'/><pf "
                                          "dev='eth0'/></forward>")));
        }
        network_def_free(tu_net_ok(NET("<forward mode='hostdev'/>"))); /* as libvirt; its ports fail */
        /* libvirt: "mtu size only allowed in open, route, nat, and isolated mode" */
        tu_net_fail(NET("<forward mode='hostdev'><pf dev='eth0'/></forward><mtu size='9000'/>"),
                    "<forward mode='hostdev'>", "<mtu size='9000'>", NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/><mtu size='1400'/>"), "<mtu size='1400'>", NULL);
        tu_net_fail(NET("<forward mode='hostdev' managed='maybe'><pf dev='eth0'/></forward>"),
                    "managed='maybe'", NULL);
        {
                /* libvirt keeps a <driver> outside hostdev mode: so does vport, with a notice */
                _cleanup_(network_def_freep) vport_network_def *v = tu_net_ok(
                        NET("<forward mode='vepa' dev='eth0'><driver name='vfio' model='x'/></forward>"));
                _cleanup_free_ char *out = NULL;
                char buf[1024] = "";

                network_def_notices(v, collect_note, buf);
                assert_non_null(strstr(buf,
                                       "<forward mode='vepa'>: <forward <driver>>: kept, but vport gives "
                                       "it no effect"));
                assert_int_equal(network_def_format(v, &out), 0);
                assert_non_null(strstr(out, "<driver name=\"vfio\" model=\"x\"/>"));
        }
        tu_net_fail(NET("<forward mode='hostdev'><pf dev='eth0'/></forward><bridge name='br0'/>"),
                    "<bridge name> is not allowed", NULL);
        network_def_free(tu_net_ok(NET(
                "<forward mode='hostdev' managed='no'><driver name='vfio'/><pf dev='eth0'/></forward>")));
}

static void test_bandwidth_rules(void **state) {
        tu_net_fail(NET("<forward mode='hostdev'><pf dev='eth0'/></forward>"
                        "<bandwidth><inbound average='10'/></bandwidth>"),
                    "network 'n1': <forward mode='hostdev'>: <bandwidth> is not supported", NULL);
        tu_net_fail(NET("<forward mode='hostdev'><pf dev='eth0'/></forward>"
                        "<portgroup name='pg'><bandwidth><inbound average='10'/></bandwidth></portgroup>"),
                    "<portgroup name='pg'><bandwidth>", "hostdev", NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/><bandwidth><inbound average='10'/></bandwidth>"),
                    "<bandwidth> is not supported", NULL);
        /* libvirt: "Unsupported <bandwidth> element ... in portgroup ... with forward mode='vepa'" */
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/>"
                        "<portgroup name='pg'><bandwidth><inbound average='10'/></bandwidth></portgroup>"),
                    "<portgroup name='pg'><bandwidth>", "vepa", NULL);
        tu_net_fail(NET("<forward mode='bridge'><interface dev='eth0'/></forward>"
                        "<portgroup name='pg'><bandwidth><inbound average='10'/></bandwidth></portgroup>"),
                    "<portgroup name='pg'><bandwidth>", NULL);
        /* a tap on a bridge can be shaped */
        network_def_free(tu_net_ok(
                NET("<forward mode='bridge'/><bridge name='br0'/>"
                    "<portgroup name='pg'><bandwidth><inbound average='10'/></bandwidth></portgroup>")));
        tu_net_fail(NET("<bridge name='b'/><bandwidth><outbound average='10' floor='5'/></bandwidth>"),
                    "<outbound floor>", NULL);
        tu_net_fail(NET("<bridge name='b'/><bandwidth><inbound peak='10'/></bandwidth>"), "<inbound>",
                    "'average'", NULL);
        tu_net_fail(NET("<bridge name='b'/><bandwidth><inbound average='-1'/></bandwidth>"),
                    "<inbound average='-1'>", NULL);
        tu_net_fail(
                NET("<bridge name='b'/><bandwidth><inbound average='99999999999999999999999'/></bandwidth>"),
                "out of range", NULL);
        tu_net_fail(NET("<bridge name='b'/><bandwidth><inbound average='10'/><inbound "
                        "average='20'/></bandwidth>"),
                    "more than one <inbound>", NULL);
        tu_net_fail(NET("<bridge name='b'/><bandwidth><inbound average='10' peak='5'/></bandwidth>"),
                    "peak='5'", NULL);
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0'/>"
                        "<portgroup name='pg'><bandwidth><inbound floor='10'/></bandwidth></portgroup>"),
                    "<inbound floor>", NULL);
        network_def_free(tu_net_ok(NET("<bridge name='b'/><bandwidth><inbound floor='10'/></bandwidth>")));
}

static void test_vlan_rules(void **state) {
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/><vlan><tag id='42'/></vlan>"), "network 'n1'",
                    "<vlan>", "<forward mode='vepa'>", NULL);
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0'/><vlan><tag id='42'/></vlan>"), "<vlan>",
                    NULL);
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0'/>"
                        "<portgroup name='pg'><vlan><tag id='42'/></vlan></portgroup>"),
                    "<portgroup name='pg'><vlan>", NULL);
        tu_net_fail(NET("<bridge name='virbr0'/><vlan><tag id='42'/></vlan>"), "<vlan>", NULL);
        network_def_free(
                tu_net_ok(NET("<forward mode='passthrough' dev='eth0'/><vlan><tag id='42'/></vlan>")));
        network_def_free(
                tu_net_ok(NET("<forward mode='bridge'/><bridge name='br0'/><virtualport type='openvswitch'/>"
                              "<vlan><tag id='42'/></vlan>")));
        /* an openvswitch virtualport on the portgroup allows a vlan there */
        network_def_free(
                tu_net_ok(NET("<forward mode='bridge'/><bridge name='br0'/><portgroup name='pg'>"
                              "<virtualport type='openvswitch'/><vlan><tag id='42'/></vlan></portgroup>")));
        tu_net_fail(NET("<forward mode='passthrough' dev='eth0'/><vlan><tag id='4096'/></vlan>"),
                    "<tag id='4096'>", NULL);
        tu_net_fail(NET("<forward mode='passthrough' dev='eth0'/><vlan><tag/></vlan>"), "'id'", NULL);
        tu_net_fail(NET("<forward mode='passthrough' dev='eth0'/><vlan/>"), "<vlan>", "<tag>", NULL);
        tu_net_fail(NET("<forward mode='passthrough' dev='eth0'/><vlan trunk='no'><tag id='1'/><tag "
                        "id='2'/></vlan>"),
                    "trunk='no'", NULL);
        /* one tag with nativeMode and no trunk attribute: libvirt accepts it; trunk='no' it refuses */
        network_def_free(tu_net_ok(NET("<forward mode='passthrough' dev='eth0'/><vlan><tag id='1' "
                                       "nativeMode='untagged'/></vlan>")));
        tu_net_fail(NET("<forward mode='passthrough' dev='eth0'/><vlan trunk='no'><tag id='1' "
                        "nativeMode='untagged'/></vlan>"),
                    "<vlan trunk='no'>", "native", NULL);
        tu_net_fail(NET("<forward mode='passthrough' dev='eth0'/><vlan trunk='yes'><tag id='1' "
                        "nativeMode='x'/></vlan>"),
                    "nativeMode='x'", NULL);
        tu_net_fail(NET("<forward mode='passthrough' dev='eth0'/><vlan><tag id='1' nativeMode='tagged'/>"
                        "<tag id='2' nativeMode='untagged'/></vlan>"),
                    "only one native", NULL);
        network_def_free(tu_net_ok(NET("<forward mode='passthrough' dev='eth0'/>"
                                       "<vlan trunk='yes'><tag id='1' nativeMode='tagged'/></vlan>")));
}

/* libvirt's networkValidate, quirks included */
static void test_vlan_use_rules(void **state) {
        /* a portgroup with its own typeless virtualport hands out a tag: refused */
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0'/><virtualport type='openvswitch'/>"
                        "<portgroup name='pg'><virtualport><parameters profileid='x'/></virtualport>"
                        "<vlan><tag id='42'/></vlan></portgroup>"),
                    "network 'n1'", "<portgroup name='pg'><vlan>", NULL);
        /* the network's tag through a portgroup whose virtualport is not openvswitch */
        tu_net_fail(NET("<forward mode='passthrough' dev='eth0'/><vlan><tag id='42'/></vlan>"
                        "<portgroup name='pg'><virtualport type='802.1Qbh'/></portgroup>"),
                    "<portgroup name='pg'>: the network's <vlan>", NULL);
        /* an openvswitch portgroup may tag on a bridge network without one */
        network_def_free(
                tu_net_ok(NET("<forward mode='bridge'/><bridge name='br0'/><portgroup name='pg'>"
                              "<virtualport type='openvswitch'/><vlan><tag id='42'/></vlan></portgroup>")));
        /* the network's tag with a default openvswitch portgroup: checked through it */
        network_def_free(
                tu_net_ok(NET("<forward mode='bridge'/><bridge name='br0'/><vlan><tag id='42'/></vlan>"
                              "<portgroup name='pg' default='yes'><virtualport type='openvswitch'/>"
                              "</portgroup>")));
        tu_net_fail(NET("<forward mode='bridge'/><bridge name='br0'/><vlan><tag id='42'/></vlan>"
                        "<portgroup name='pg'><virtualport type='openvswitch'/></portgroup>"),
                    "network 'n1': <vlan>", NULL);
}

static void test_virtualport_rules(void **state) {
        /* a type the mode does not take is accepted here and refused per port
         * (test-port-conf.c), where libvirt refuses it (networkAllocatePort) */
        static const char *const accepted[] = {
                NET("<forward mode='hostdev'><pf dev='eth0'/></forward><virtualport "
                    "type='802.1Qbg'><parameters "
                    "managerid='1' typeid='2' typeidversion='3'/></virtualport>"),
                NET("<forward mode='vepa' dev='eth0'/><virtualport type='openvswitch'/>"),
                NET("<forward mode='bridge'/><bridge name='br0'/><virtualport type='802.1Qbh'><parameters "
                    "profileid='p'/></virtualport>"),
                NET("<forward mode='open'/><bridge name='virbr0'/><ip address='10.0.0.1' prefix='24'/>"
                    "<virtualport type='openvswitch'/>"),
                NET("<forward mode='vepa' dev='eth0'/><portgroup name='pg'><virtualport type='openvswitch'/>"
                    "</portgroup>"),
                NET("<forward mode='bridge'/><bridge name='br0'/><virtualport type='midonet'><parameters "
                    "interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/></virtualport>"),
        };

        for (size_t i = 0; i < ELEMENTSOF(accepted); i++)
                free(tu_net_roundtrip(accepted[i]));
        tu_net_fail(
                NET("<forward mode='bridge'/><bridge name='br0'/><virtualport type='midonet'><parameters "
                    "profileid='p'/></virtualport>"),
                "<virtualport type='midonet'><parameters profileid>", "not used", NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/><virtualport/>"), "<virtualport>", "'type'", NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/><virtualport type='vmware'/>"),
                    "<virtualport type='vmware'>", NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/>"
                        "<virtualport type='802.1Qbg'><parameters profileid='x'/></virtualport>"),
                    "<parameters profileid>", "not used", NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/>"
                        "<virtualport type='802.1Qbh'><parameters managerid='1'/></virtualport>"),
                    "<parameters managerid>", NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/>"
                        "<virtualport type='802.1Qbg'><parameters managerid='256'/></virtualport>"),
                    "managerid='256'", "out of range", NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/>"
                        "<virtualport type='802.1Qbg'><parameters typeid='16777216'/></virtualport>"),
                    "typeid='16777216'", NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/>"
                        "<virtualport type='802.1Qbg'><parameters instanceid='xyz'/></virtualport>"),
                    "instanceid='xyz'", NULL);
        tu_net_fail(NET("<forward mode='vepa' dev='eth0'/>"
                        "<virtualport type='802.1Qbh'><parameters "
                        "profileid='0123456789012345678901234567890123456789'/>"
                        "</virtualport>"),
                    "profileid", NULL);
        /* type given only on the network, parameters on the portgroup: fine */
        network_def_free(
                tu_net_ok(NET("<forward mode='vepa' dev='eth0'/><virtualport type='802.1Qbh'/>"
                              "<portgroup name='pg'><virtualport><parameters profileid='p'/></virtualport>"
                              "</portgroup>")));
}

/* libvirt accepts a portgroup whose virtualport conflicts with the network's
 * and refuses each port of that group (test-port-conf.c checks the port). */
static void test_virtualport_conflicts(void **state) {
        network_def_free(
                tu_net_ok(NET("<forward mode='vepa' dev='eth0'/>"
                              "<virtualport type='802.1Qbg'><parameters managerid='11'/></virtualport>"
                              "<portgroup name='pg'><virtualport><parameters "
                              "managerid='12'/></virtualport></portgroup>")));
        network_def_free(tu_net_ok(NET("<forward mode='vepa' dev='eth0'/>"
                                       "<virtualport type='802.1Qbg'/>"
                                       "<portgroup name='pg'><virtualport type='802.1Qbh'/></portgroup>")));
        /* the same value in two places is no conflict */
        network_def_free(
                tu_net_ok(NET("<forward mode='vepa' dev='eth0'/>"
                              "<virtualport type='802.1Qbg'><parameters managerid='11'/></virtualport>"
                              "<portgroup name='pg'><virtualport><parameters managerid='11' typeid='5'/>"
                              "</virtualport></portgroup>")));
}

static void test_portgroup_rules(void **state) {
        tu_net_fail(NET("<bridge name='b'/><portgroup name='a' default='yes'/><portgroup name='b' "
                        "default='yes'/>"),
                    "network 'n1'", "<portgroup name='b' default='yes'>", "'a' is already the default",
                    NULL);
        tu_net_fail(NET("<bridge name='b'/><portgroup name='a'/><portgroup name='a'/>"),
                    "<portgroup name='a'>", "duplicate name", NULL);
        tu_net_fail(NET("<bridge name='b'/><portgroup/>"), "<portgroup>", "'name'", NULL);
        tu_net_fail(NET("<bridge name='b'/><portgroup name='a'><bandwidth/><bandwidth/></portgroup>"),
                    "<portgroup name='a'>", "more than one <bandwidth>", NULL);
        tu_net_fail(NET("<bridge name='b'/><portgroup name='a'><ip/></portgroup>"), "<portgroup name='a'>",
                    "unexpected element <ip>", NULL);
        tu_net_fail(NET("<bridge name='b'/><portgroup name='a' default='1'/>"), "default='1'", NULL);
        network_def_free(tu_net_ok(
                NET("<bridge name='b'/><portgroup name='a' default='yes'/><portgroup name='b'/>")));
}

static void test_validate_built_in_code(void **state) {
        _cleanup_(network_def_freep) vport_network_def *d =
                tu_net_ok(NET("<forward mode='vepa'><pf dev='eth0'/></forward>"));
        vport_error err = { 0 };

        assert_int_equal(network_def_validate(d, &err), 0);
        d->n_addresses = 0;
        d->interfaces = calloc(1, sizeof(char *));
        d->interfaces[0] = strdup("eth1");
        d->n_interfaces = 1;
        assert_int_equal(network_def_validate(d, &err), -EINVAL);
        assert_non_null(strstr(err.message, "mutually exclusive"));
        free(d->pf);
        d->pf = NULL;
        assert_int_equal(network_def_validate(d, &err), 0);
        assert_true(network_def_virtualport_allowed(d, VIRTUALPORT_8021QBG));
        assert_false(network_def_virtualport_allowed(d, VIRTUALPORT_OPENVSWITCH));
        assert_false(network_def_vlan_allowed(d, NULL));
}

static void test_parse_file(void **state) {
        char path[] = "/tmp/test-network-conf-XXXXXX";
        _cleanup_(network_def_freep) vport_network_def *d = NULL;
        vport_error err = { 0 };
        int fd = mkstemp(path);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, open_xml, strlen(open_xml)), (ssize_t) strlen(open_xml));
        close(fd);
        assert_int_equal(network_def_parse_file(path, &d, &err), 0);
        assert_string_equal(d->name, "default");
        network_def_free(TAKE_PTR(d));
        /* each failure names its own cause (a stale errno named ENOENT) */
        assert_int_equal(truncate(path, 17 << 20), 0);
        assert_int_equal(network_def_parse_file(path, &d, &err), -EFBIG);
        assert_non_null(strstr(err.message, path));
        assert_non_null(strstr(err.message, "larger than"));
        unlink(path);
        assert_int_equal(network_def_parse_file(path, &d, &err), -ENOENT);
        assert_non_null(strstr(err.message, path));
        assert_int_equal(network_def_parse_file("/tmp", &d, &err), -EINVAL);
        assert_non_null(strstr(err.message, "not a regular file"));
}

/* Duplicate detection sorts instead of comparing every pair: 100,000
 * <interface> entries are parsed, and the duplicate reported is the first
 * one in document order. (Timings: bench/xml-bench.) */
static void test_many_interfaces(void **state) {
        const size_t n = 100000;
        _cleanup_(network_def_freep) vport_network_def *d = NULL;
        _cleanup_free_ char *xml = malloc(n * 40 + 200);
        vport_error err = { 0 };
        size_t len;

        assert_non_null(xml);
        len = (size_t) sprintf(xml, "<network><name>big</name><forward mode='bridge'>");
        for (size_t i = 0; i < n; i++)
                len += (size_t) sprintf(xml + len, "<interface dev='e%zu'/>", i);
        strcpy(xml + len, "</forward></network>");
        assert_int_equal(network_def_parse_string(xml, strlen(xml), &d, &err), 0);
        assert_int_equal(d->n_interfaces, n);
        network_def_free(TAKE_PTR(d));
        /* e7 repeated at the end, e5 repeated after it: e5's repeat comes first */
        len = (size_t) sprintf(xml, "<network><name>big</name><forward mode='bridge'>");
        for (size_t i = 0; i < n; i++)
                len += (size_t) sprintf(xml + len, "<interface dev='e%zu'/>",
                                        i == n - 2   ? 5
                                        : i == n - 1 ? 7
                                                     : i);
        strcpy(xml + len, "</forward></network>");
        assert_int_equal(network_def_parse_string(xml, strlen(xml), &d, &err), -EINVAL);
        assert_non_null(strstr(err.message, "<interface dev='e5'>: listed twice"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_many_interfaces),
                cmocka_unit_test(test_roundtrip_bridge_ovs),
                cmocka_unit_test(test_roundtrip_direct_modes),
                cmocka_unit_test(test_roundtrip_hostdev),
                cmocka_unit_test(test_roundtrip_l3),
                cmocka_unit_test(test_uuid_generated),
                cmocka_unit_test(test_enum_tables),
                cmocka_unit_test(test_basic_elements),
                cmocka_unit_test(test_pool_rules),
                cmocka_unit_test(test_l3_elements_on_non_l3_modes),
                cmocka_unit_test(test_l3_mode_rules),
                cmocka_unit_test(test_unmanaged_refused),
                cmocka_unit_test(test_notices),
                cmocka_unit_test(test_bridge_and_direct_rules),
                cmocka_unit_test(test_hostdev_rules),
                cmocka_unit_test(test_bandwidth_rules),
                cmocka_unit_test(test_vlan_rules),
                cmocka_unit_test(test_vlan_use_rules),
                cmocka_unit_test(test_virtualport_rules),
                cmocka_unit_test(test_virtualport_conflicts),
                cmocka_unit_test(test_portgroup_rules),
                cmocka_unit_test(test_validate_built_in_code),
                cmocka_unit_test(test_parse_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
