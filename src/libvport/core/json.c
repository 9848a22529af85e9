/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ports, networks and VFs as JSON, built from the typed values: one shape
 * per type, for the CLI's --json (and a daemon later). */
#include "core/internal.h"
#include "core/sriov-internal.h"

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
        /* <port isolated> as port-dumpxml shows it (resolved from the
         * portgroup and network); absent when none of them sets it */
        if (p->def->isolated_port != TRISTATE_ABSENT)
                json_object_object_add(o, "isolated",
                                       json_object_new_boolean(p->def->isolated_port == TRISTATE_YES));
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

static json_object *link_state_json(const vport_vf_info *vi) {
        const char *name = sriov_link_state_to_string(vi->link_state);

        if (!vi->has_link_state)
                return NULL;
        return name ? json_object_new_string(name) : json_object_new_int64(vi->link_state);
}

void sriov_vf_info_to_json(json_object *o, const vport_vf_info *vi) {
        char mac[VPORT_MAC_STRLEN];

        json_object_object_add(
                o, "mac", mac_is_zero(&vi->mac) ? NULL : json_object_new_string(mac_format(&vi->mac, mac)));
        json_object_object_add(o, "vlan", json_object_new_int(vi->vlan));
        json_object_object_add(o, "qos", json_object_new_int(vi->qos));
        json_object_object_add(o, "vlan_proto", json_object_new_int(vi->vlan_proto));
        json_object_object_add(o, "spoofchk",
                               vi->has_spoofchk ? json_object_new_boolean(vi->spoofchk) : NULL);
        json_object_object_add(o, "trust", vi->has_trust ? json_object_new_boolean(vi->trust) : NULL);
        json_object_object_add(o, "link_state", link_state_json(vi));
        json_object_object_add(o, "min_tx_rate",
                               vi->has_rate ? json_object_new_int64(vi->min_tx_rate) : NULL);
        json_object_object_add(o, "max_tx_rate",
                               vi->has_rate ? json_object_new_int64(vi->max_tx_rate) : NULL);
}

static json_object *field(json_object *o, const char *key) {
        json_object *v = NULL;

        return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* An optional integer or boolean: false if null or absent. */
static bool field_int(json_object *o, const char *key, int64_t *ret) {
        json_object *v = field(o, key);

        if (!v)
                return false;
        *ret = json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v)
                                                         : json_object_get_int64(v);
        return true;
}

/* link_state: a name (this shape) or the kernel's integer (the journal's
 * earlier shape). */
static int link_state_from_json(json_object *o, vport_vf_info *vi, vport_error *err) {
        json_object *v = field(o, "link_state");
        int64_t n;
        int r;

        if ((vi->has_link_state = v != NULL) && json_object_is_type(v, json_type_string)) {
                r = sriov_link_state_from_string(json_object_get_string(v));
                if (r < 0)
                        return vport_error_set(err, -EBADMSG,
                                               "VF state: link_state '%s' is not auto, enable or disable",
                                               json_object_get_string(v));
                vi->link_state = (uint32_t) r;
        } else if (vi->has_link_state && field_int(o, "link_state", &n))
                vi->link_state = (uint32_t) n;
        return 0;
}

/* The admin MAC: a string, or null for none (all zero). */
static int admin_mac_from_json(json_object *o, const char *key, vport_mac *ret, vport_error *err) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v))
                return vport_error_set(err, -EBADMSG, "VF state: field '%s' missing", key);
        *ret = (vport_mac){ 0 };
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_string) || mac_parse(json_object_get_string(v), ret) < 0)
                return vport_error_set(err, -EBADMSG, "VF state: field '%s' = '%s' is not a MAC", key,
                                       json_object_get_string(v));
        return 0;
}

int sriov_vf_info_from_json(json_object *o, const char *admin_key, vport_vf_info *ret, vport_error *err) {
        int64_t v = 0, w = 0;
        int r;

        ret->vlan = field_int(o, "vlan", &v) ? (uint16_t) v : 0;
        ret->qos = field_int(o, "qos", &v) ? (uint16_t) v : 0;
        ret->vlan_proto = field_int(o, "vlan_proto", &v) ? (uint16_t) v : 0;
        if ((ret->has_spoofchk = field_int(o, "spoofchk", &v)))
                ret->spoofchk = v;
        if ((ret->has_trust = field_int(o, "trust", &v)))
                ret->trust = v;
        if ((ret->has_rate = field_int(o, "min_tx_rate", &v) && field_int(o, "max_tx_rate", &w))) {
                ret->min_tx_rate = (uint32_t) v;
                ret->max_tx_rate = (uint32_t) w;
        }
        r = link_state_from_json(o, ret, err);
        return r < 0 ? r : admin_mac_from_json(o, admin_key, &ret->mac, err);
}

json_object *vport_vf_to_json(const vport_vf *vf) {
        json_object *o = json_object_new_object();
        char bdf[VPORT_PCI_STRLEN], uuid[VPORT_UUID_STRLEN];
        const vport_uuid *port = vport_vf_get_port(vf);

        json_object_object_add(o, "vf", json_object_new_int(vport_vf_get_index(vf)));
        json_object_object_add(o, "pf", json_object_new_string(vport_vf_get_pf(vf)));
        json_object_object_add(o, "pci", json_object_new_string(vport_vf_get_pci(vf, bdf)));
        json_object_object_add(o, "netdev", string_or_null(vport_vf_get_netdev(vf)));
        json_object_object_add(o, "driver", string_or_null(vport_vf_get_driver(vf)));
        if (sriov_vf_get_info(vf)) /* the PF's VF table has an entry */
                sriov_vf_info_to_json(o, sriov_vf_get_info(vf));
        json_object_object_add(o, "port", port ? json_object_new_string(uuid_format(port, uuid)) : NULL);
        return o;
}

static json_object *vport_repair_to_json(const vport_repair *r) {
        json_object *o = json_object_new_object();
        char uuid[VPORT_UUID_STRLEN];

        json_object_object_add(
                o, "kind", json_object_new_string(vport_repair_kind_to_string(vport_repair_get_kind(r))));
        if (vport_repair_get_port(r))
                json_object_object_add(o, "port",
                                       json_object_new_string(uuid_format(vport_repair_get_port(r), uuid)));
        else
                json_object_object_add(o, "stale_ports", json_object_new_int64(vport_repair_get_count(r)));
        json_object_object_add(o, "action", json_object_new_string(vport_repair_get_action(r)));
        return o;
}

static json_object *vport_drift_item_to_json(const vport_drift_item *d) {
        json_object *o = json_object_new_object();
        char uuid[VPORT_UUID_STRLEN];

        json_object_object_add(
                o, "kind", json_object_new_string(vport_drift_kind_to_string(vport_drift_item_get_kind(d))));
        if (vport_drift_item_get_port(d)) {
                json_object_object_add(
                        o, "port", json_object_new_string(uuid_format(vport_drift_item_get_port(d), uuid)));
                json_object_object_add(o, "owner",
                                       json_object_new_string(strempty(vport_drift_item_get_owner(d))));
        }
        if (vport_drift_item_get_network(d))
                json_object_object_add(o, "network",
                                       json_object_new_string(vport_drift_item_get_network(d)));
        json_object_object_add(o, "device", json_object_new_string(vport_drift_item_get_device(d)));
        json_object_object_add(o, "detail", json_object_new_string(vport_drift_item_get_detail(d)));
        return o;
}

static json_object *vport_repairs_to_json(vport_repair **r, size_t n) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, vport_repair_to_json(r[i]));
        return a;
}

static json_object *vport_drift_items_to_json(vport_drift_item **d, size_t n) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, vport_drift_item_to_json(d[i]));
        return a;
}

json_object *vport_ports_to_json(vport_port **p, size_t n) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, vport_port_to_json(p[i]));
        return a;
}

json_object *vport_reconcile_report_to_json(int handled, vport_repair **r, size_t n_r, vport_drift_item **d,
                                            size_t n_d) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "handled", json_object_new_int(handled));
        json_object_object_add(o, "repaired", vport_repairs_to_json(r, n_r));
        json_object_object_add(o, "drift", vport_drift_items_to_json(d, n_d));
        return o;
}

/* The small results of the verbs that change state, shared by the CLI's
 * --json and vportd's replies. */
json_object *vport_name_result_json(const char *key, const char *name, const char *flag, bool value) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, key, json_object_new_string(name));
        if (flag)
                json_object_object_add(o, flag, json_object_new_boolean(value));
        return o;
}

json_object *vport_count_result_json(const char *key, const char *name, const char *counter, int n) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, key, json_object_new_string(name));
        json_object_object_add(o, counter, json_object_new_int(n));
        return o;
}

json_object *vport_xml_result_json(const char *key, const char *name, const char *xml) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, key, json_object_new_string(name));
        json_object_object_add(o, "xml", json_object_new_string(xml));
        return o;
}

json_object *vport_net_destroy_result_json(const char *name, bool destroyed, vport_port **ports, size_t n) {
        json_object *o = vport_name_result_json("name", name, "destroyed", destroyed);

        json_object_object_add(o, "ports", vport_ports_to_json(ports, n));
        return o;
}

json_object *vport_vfs_to_json(vport_vf **vfs, size_t n) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, vport_vf_to_json(vfs[i]));
        return a;
}
