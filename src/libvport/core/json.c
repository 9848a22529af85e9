/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ports, networks and VFs as JSON, built from the typed values: one shape
 * per type, for the CLI's --json (and a daemon later). */
#include "core/internal.h"
#include "core/sriov.h"

static json_object *plug_json(const vport_plug *plug) {
        json_object *o = json_object_new_object();
        char bdf[VPORT_PCI_STRLEN];
        const char *mtm;

        json_object_object_add(o, "type", json_object_new_string(plug_def_type_to_string(plug->type)));
        switch (plug->type) {
        case PLUG_NETWORK:
        case PLUG_BRIDGE:
                json_object_object_add(o, "bridge", json_object_new_string(strempty(plug->bridge)));
                mtm = mac_table_manager_to_string(plug->mac_table_manager);
                json_object_object_add(o, "macTableManager", json_object_new_string(mtm ? mtm : "kernel"));
                break;
        case PLUG_DIRECT:
                json_object_object_add(o, "dev", json_object_new_string(strempty(plug->dev)));
                json_object_object_add(o, "mode", json_object_new_string(direct_mode_to_string(plug->mode)));
                break;
        case PLUG_HOSTDEV_PCI:
                json_object_object_add(o, "address",
                                       json_object_new_string(pci_addr_format(&plug->addr, bdf)));
                json_object_object_add(o, "managed", json_object_new_boolean(plug->managed));
                json_object_object_add(o, "driver", json_object_new_string("vfio"));
                break;
        default:
                break;
        }
        return o;
}

static json_object *vlan_json(const vport_vlan *vlan) {
        json_object *tags;

        if (!vlan_is_set(vlan))
                return NULL;
        if (vlan->n_tags == 1 && !vlan->trunk)
                return json_object_new_int(vlan->tags[0]);
        tags = json_object_new_array();
        for (size_t i = 0; i < vlan->n_tags; i++)
                json_object_array_add(tags, json_object_new_int(vlan->tags[i]));
        return tags;
}

json_object *vport_port_to_json(const vport_port *p) {
        json_object *o = json_object_new_object(), *owner = json_object_new_object();
        char uuid[VPORT_UUID_STRLEN], mac[VPORT_MAC_STRLEN];

        json_object_object_add(o, "uuid", json_object_new_string(uuid_format(&p->def->uuid, uuid)));
        json_object_object_add(o, "network", json_object_new_string(p->network));
        json_object_object_add(owner, "name", json_object_new_string(strempty(p->def->owner_name)));
        json_object_object_add(owner, "uuid",
                               json_object_new_string(uuid_format(&p->def->owner_uuid, uuid)));
        json_object_object_add(o, "owner", owner);
        json_object_object_add(o, "mac", json_object_new_string(mac_format(&p->def->mac, mac)));
        json_object_object_add(o, "portgroup", p->def->group ? json_object_new_string(p->def->group) : NULL);
        json_object_object_add(o, "vlan", vlan_json(&p->def->vlan));
        json_object_object_add(o, "state", json_object_new_string(port_state_to_string(p->state)));
        json_object_object_add(o, "generation", json_object_new_int64((int64_t) p->generation));
        if (p->creator_uid >= 0)
                json_object_object_add(o, "creator_uid", json_object_new_int64(p->creator_uid));
        if (p->stale)
                json_object_object_add(o, "stale", json_object_new_boolean(true));
        if (p->damage)
                json_object_object_add(o, "damaged", json_object_new_string(p->damage));
        json_object_object_add(o, "device", p->device ? json_object_new_string(p->device) : NULL);
        json_object_object_add(o, "plug", plug_json(&p->def->plug));
        if (p->rt.ifname[0])
                json_object_object_add(o, "ifname", json_object_new_string(p->rt.ifname));
        if (p->rt.ifindex > 0)
                json_object_object_add(o, "ifindex", json_object_new_int(p->rt.ifindex));
        if (p->rt.tapdev[0])
                json_object_object_add(o, "tapdev", json_object_new_string(p->rt.tapdev));
        if (p->rt.netns[0])
                json_object_object_add(o, "netns", json_object_new_string(p->rt.netns));
        if (p->rt.cifname[0])
                json_object_object_add(o, "container_ifname", json_object_new_string(p->rt.cifname));
        return o;
}

static json_object *string_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

static json_object *network_devices_json(const vport_network *n) {
        json_object *a = json_object_new_array();
        char bdf[VPORT_PCI_STRLEN];

        for (size_t i = 0; i < (size_t) vport_network_get_n_devices(n); i++) {
                json_object *d = json_object_new_object();
                json_object_object_add(d, "device", string_or_null(vport_network_device_key(n, i)));
                json_object_object_add(d, "netdev", string_or_null(vport_network_device_netdev(n, i)));
                json_object_object_add(d, "pci", string_or_null(vport_network_device_pci(n, i, bdf)));
                json_object_object_add(d, "connections",
                                       json_object_new_int((int) vport_network_device_connections(n, i)));
                json_object_array_add(a, d);
        }
        return a;
}

json_object *vport_network_to_json(const vport_network *n) {
        json_object *o = json_object_new_object();
        char uuid[VPORT_UUID_STRLEN];

        json_object_object_add(o, "name", json_object_new_string(vport_network_get_name(n)));
        json_object_object_add(o, "uuid",
                               json_object_new_string(uuid_format(vport_network_get_uuid(n), uuid)));
        json_object_object_add(o, "active", json_object_new_boolean(vport_network_get_active(n)));
        json_object_object_add(o, "autostart", json_object_new_boolean(vport_network_get_autostart(n)));
        if (vport_network_get_forward(n)) {
                json_object_object_add(o, "forward", json_object_new_string(vport_network_get_forward(n)));
                json_object_object_add(o, "plug", json_object_new_string(vport_network_get_plug_type(n)));
        }
        json_object_object_add(o, "ports", json_object_new_int((int) vport_network_get_ports(n)));
        if (vport_network_get_bridge(n))
                json_object_object_add(o, "bridge", json_object_new_string(vport_network_get_bridge(n)));
        if (vport_network_get_n_devices(n) >= 0)
                json_object_object_add(o, "devices", network_devices_json(n));
        return o;
}

static json_object *tristate_json(int v) {
        return v < 0 ? NULL : json_object_new_boolean(v);
}

static json_object *rate_json(int64_t v) {
        return v < 0 ? NULL : json_object_new_int64(v);
}

json_object *vport_vf_to_json(const vport_vf *vf) {
        json_object *o = json_object_new_object();
        char bdf[VPORT_PCI_STRLEN], mac[VPORT_MAC_STRLEN], uuid[VPORT_UUID_STRLEN];
        const vport_mac *m = vport_vf_get_mac(vf);
        const vport_uuid *port = vport_vf_get_port(vf);

        json_object_object_add(o, "vf", json_object_new_int(vport_vf_get_index(vf)));
        json_object_object_add(o, "pf", json_object_new_string(vport_vf_get_pf(vf)));
        json_object_object_add(o, "pci", json_object_new_string(vport_vf_get_pci(vf, bdf)));
        json_object_object_add(o, "netdev", string_or_null(vport_vf_get_netdev(vf)));
        json_object_object_add(o, "driver", string_or_null(vport_vf_get_driver(vf)));
        if (vport_vf_get_vlan(vf) >= 0) { /* the PF's VF table has an entry */
                json_object_object_add(o, "mac", m ? json_object_new_string(mac_format(m, mac)) : NULL);
                json_object_object_add(o, "vlan", json_object_new_int(vport_vf_get_vlan(vf)));
                json_object_object_add(o, "qos", json_object_new_int(vport_vf_get_qos(vf)));
                json_object_object_add(o, "spoofchk", tristate_json(vport_vf_get_spoofchk(vf)));
                json_object_object_add(o, "trust", tristate_json(vport_vf_get_trust(vf)));
                json_object_object_add(o, "link_state", string_or_null(vport_vf_get_link_state(vf)));
                json_object_object_add(o, "min_tx_rate", rate_json(vport_vf_get_min_tx_rate(vf)));
                json_object_object_add(o, "max_tx_rate", rate_json(vport_vf_get_max_tx_rate(vf)));
        }
        json_object_object_add(o, "port", port ? json_object_new_string(uuid_format(port, uuid)) : NULL);
        return o;
}
