/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vport_network_def back to <network> XML, in libvirt's element order. */
#include <stdio.h>

#include "conf/network.h"
#include "conf/vlan-xml.h"
#include "conf/xml-util.h"

static int format_forward_pool(xmlNodePtr fwd, const vport_network_def *def) {
        if (plug_def_format_driver(fwd, def->driver, def->driver_model) < 0)
                return -ENOMEM;
        if (def->pf) {
                xmlNodePtr pf = xml_add_child(fwd, "pf", NULL);

                if (!pf || xml_set_prop(pf, "dev", def->pf) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < def->n_interfaces; i++) {
                xmlNodePtr n = xml_add_child(fwd, "interface", NULL);

                if (!n || xml_set_prop(n, "dev", def->interfaces[i]) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < def->n_addresses; i++)
                if (plug_def_format_pci_address(fwd, &def->addresses[i], true) < 0)
                        return -ENOMEM;
        return xml_add_raw(fwd, def->forward_extra_xml);
}

static int format_forward(xmlNodePtr root, const vport_network_def *def) {
        xmlNodePtr fwd;

        if (def->forward_mode == FORWARD_NONE)
                return 0;
        if (!(fwd = xml_add_child(root, "forward", NULL)) ||
            xml_set_prop(fwd, "mode", forward_mode_to_string(def->forward_mode)) < 0)
                return -ENOMEM;
        if (def->forward_dev && xml_set_prop(fwd, "dev", def->forward_dev) < 0)
                return -ENOMEM;
        if (def->managed && xml_set_prop(fwd, "managed", "yes") < 0)
                return -ENOMEM;
        return format_forward_pool(fwd, def);
}

/* As libvirt: the L3 modes always show stp (default on) and delay
 * (default 0); the others only a name and macTableManager. */
static int format_bridge(xmlNodePtr root, const vport_network_def *def) {
        bool l3 = forward_mode_is_l3(def->forward_mode);
        xmlNodePtr br;

        if (!l3 && !def->bridge_name && def->mac_table_manager == MAC_TABLE_MANAGER_DEFAULT &&
            !def->bridge_zone)
                return 0;
        if (!(br = xml_add_child(root, "bridge", NULL)))
                return -ENOMEM;
        if ((def->bridge_name && xml_set_prop(br, "name", def->bridge_name) < 0) ||
            (def->bridge_zone && xml_set_prop(br, "zone", def->bridge_zone) < 0) ||
            (l3 && xml_set_prop(br, "stp", def->bridge_stp != 0 ? "on" : "off") < 0) ||
            (l3 && xml_set_propf(br, "delay", "%ld", def->bridge_delay > 0 ? def->bridge_delay : 0) < 0) ||
            (def->mac_table_manager != MAC_TABLE_MANAGER_DEFAULT &&
             xml_set_prop(br, "macTableManager", mac_table_manager_to_string(def->mac_table_manager)) < 0))
                return -ENOMEM;
        return 0;
}

static int format_mtu_mac(xmlNodePtr root, const vport_network_def *def) {
        char mac[VPORT_MAC_STRLEN];
        xmlNodePtr n;

        if (def->mtu &&
            (!(n = xml_add_child(root, "mtu", NULL)) || xml_set_propf(n, "size", "%u", def->mtu) < 0))
                return -ENOMEM;
        if (def->mac_specified && (!(n = xml_add_child(root, "mac", NULL)) ||
                                   xml_set_prop(n, "address", mac_format(&def->mac, mac)) < 0))
                return -ENOMEM;
        return 0;
}

static int format_portgroup(xmlNodePtr root, const vport_portgroup *pg) {
        xmlNodePtr n = xml_add_child(root, "portgroup", NULL);

        if (!n || xml_set_prop(n, "name", pg->name) < 0 ||
            (pg->is_default && xml_set_prop(n, "default", "yes") < 0) ||
            xml_set_tristate(n, "trustGuestRxFilters", pg->trust_guest_rx_filters) < 0)
                return -ENOMEM;
        if (vlan_def_format(n, &pg->vlan) < 0 || virtualport_def_format(n, pg->virtualport) < 0 ||
            bandwidth_def_format(n, &pg->bandwidth) < 0 || port_opts_def_format(n, pg->isolated_port) < 0)
                return -ENOMEM;
        return 0;
}

static int format_body(xmlNodePtr root, const vport_network_def *def) {
        char uuid[VPORT_UUID_STRLEN];
        int r;

        if (!xml_add_child(root, "name", def->name) ||
            !xml_add_child(root, "uuid", uuid_format(&def->uuid, uuid)))
                return -ENOMEM;
        if ((r = xml_add_raw(root, def->meta_xml)) < 0 || (r = format_forward(root, def)) < 0 ||
            (r = format_bridge(root, def)) < 0)
                return r;
        if ((r = format_mtu_mac(root, def)) < 0)
                return r;
        if ((r = xml_add_raw(root, def->l3_xml)) < 0 ||
            (r = bandwidth_def_format(root, &def->bandwidth)) < 0 ||
            (r = vlan_def_format(root, &def->vlan)) < 0 ||
            (r = port_opts_def_format(root, def->isolated_port)) < 0 ||
            (r = virtualport_def_format(root, def->virtualport)) < 0)
                return r;
        for (size_t i = 0; i < def->n_portgroups; i++)
                if ((r = format_portgroup(root, &def->portgroups[i])) < 0)
                        return r;
        return 0;
}

int network_def_format(const vport_network_def *def, char **ret_xml) {
        _cleanup_(xmlFreeDocp) xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
        xmlNodePtr root;
        int r;

        assert_return(def && ret_xml, -EINVAL);
        if (!doc || !(root = xmlNewDocNode(doc, NULL, BAD_CAST "network", NULL)))
                return -ENOMEM;
        xmlDocSetRootElement(doc, root);
        if (xml_set_tristate(root, "ipv6", def->ipv6) < 0 ||
            xml_set_tristate(root, "trustGuestRxFilters", def->trust_guest_rx_filters) < 0)
                return -ENOMEM;
        if ((r = format_body(root, def)) < 0)
                return r;
        return xml_format_doc(doc, ret_xml);
}
