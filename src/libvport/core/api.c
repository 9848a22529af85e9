/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The public API's value helpers and port accessors (vport/vport.h): thin
 * wrappers, so callers outside the library never see its layers' types. */
#include "core/internal.h"
#include "core/sriov.h"

int vport_mac_parse(const char *s, vport_mac *ret) {
        assert_return(s && ret, -EINVAL);
        return mac_parse(s, ret);
}

char *vport_mac_format(const vport_mac *mac, char buf[VPORT_MAC_STRLEN]) {
        return mac_format(mac, buf);
}

int vport_uuid_parse(const char *s, vport_uuid *ret) {
        assert_return(s && ret, -EINVAL);
        return uuid_parse(s, ret);
}

char *vport_uuid_format(const vport_uuid *uuid, char buf[VPORT_UUID_STRLEN]) {
        return uuid_format(uuid, buf);
}

const char *vport_port_state_to_string(vport_port_state s) {
        return port_state_to_string(s);
}

int vport_port_state_from_string(const char *s) {
        assert_return(s, -EINVAL);
        return port_state_from_string(s);
}

const vport_uuid *vport_port_get_uuid(const vport_port *p) {
        return &p->def->uuid;
}

const char *vport_port_get_network(const vport_port *p) {
        return p->network;
}

vport_port_state vport_port_get_state(const vport_port *p) {
        return p->state;
}

bool vport_port_get_stale(const vport_port *p) {
        return p->stale;
}

const vport_mac *vport_port_get_mac(const vport_port *p) {
        return &p->def->mac;
}

const char *vport_port_get_owner_name(const vport_port *p) {
        return p->def->owner_name;
}

const vport_uuid *vport_port_get_owner_uuid(const vport_port *p) {
        return &p->def->owner_uuid;
}

const char *vport_port_get_portgroup(const vport_port *p) {
        return p->def->group;
}

int vport_port_get_vlan(const vport_port *p) {
        const vport_vlan *v = &p->def->vlan;

        return vlan_is_set(v) && v->n_tags == 1 && !v->trunk ? v->tags[0] : -1;
}

const char *vport_port_get_plug_type(const vport_port *p) {
        return plug_def_type_to_string(p->def->plug.type);
}

const char *vport_port_get_device(const vport_port *p) {
        return p->device;
}

const char *vport_port_get_ifname(const vport_port *p) {
        return p->rt.ifname[0] ? p->rt.ifname : NULL;
}

int vport_port_get_ifindex(const vport_port *p) {
        return p->rt.ifindex;
}

const char *vport_port_get_tapdev(const vport_port *p) {
        return p->rt.tapdev[0] ? p->rt.tapdev : NULL;
}

const char *vport_port_get_damage(const vport_port *p) {
        return p->damage;
}

uint64_t vport_port_get_generation(const vport_port *p) {
        return p->generation;
}

int64_t vport_port_get_creator_uid(const vport_port *p) {
        return p->creator_uid;
}

const char *vport_vf_mac_method_to_string(vport_vf_mac_method m) {
        return vf_mac_method_to_string(m);
}
