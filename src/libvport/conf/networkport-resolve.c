/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A port's effective vlan / virtualport / bandwidth from its network, with
 * the precedence libvirt's networkAllocatePort uses. */
#include <stdio.h>

#include "conf/networkport.h"

/* libvirt's virPortGroupFindByName: a named portgroup the network lacks
 * means no portgroup at all (not the default one), and is not an error. */
static const vport_portgroup *resolve_portgroup(const vport_port_def *def, const vport_network_def *net) {
        return network_def_find_portgroup(net, def->group);
}

static int resolve_virtualport(vport_port_def *def, const vport_network_def *net, const vport_portgroup *pg,
                               vport_error *err) {
        vport_virtualport *merged = NULL;
        int r;

        r = virtualport_def_merge3(def->virtualport, net->virtualport, pg ? pg->virtualport : NULL, &merged,
                                   err);
        if (r < 0)
                return r;
        free(def->virtualport);
        def->virtualport = merged;
        if (!merged)
                return 0;
        if (merged->type == VIRTUALPORT_NONE)
                return vport_error_set(
                        err, -EINVAL,
                        "<virtualport>: no type given by the port, its portgroup or the network");
        if (!network_def_virtualport_allowed(net, merged->type))
                return vport_error_set(err, -EINVAL,
                                       "<virtualport type='%s'>: not supported with <forward mode='%s'>",
                                       virtualport_def_type_to_string(merged->type),
                                       forward_mode_to_string(net->forward_mode));
        return virtualport_def_check_complete(merged, true, err);
}

static int resolve_vlan(vport_port_def *def, const vport_network_def *net, const vport_portgroup *pg,
                        vport_error *err) {
        const vport_vlan *src = NULL;
        int r;

        if (!vlan_is_set(&def->vlan))
                src = pg && vlan_is_set(&pg->vlan) ? &pg->vlan : vlan_is_set(&net->vlan) ? &net->vlan : NULL;
        if (src && (r = vlan_copy(&def->vlan, src)) < 0)
                return r;
        return 0;
}

static int resolve_bandwidth(vport_port_def *def, const vport_network_def *net, const vport_portgroup *pg,
                             vport_error *err) {
        if (!bandwidth_is_set(&def->bandwidth) && pg)
                def->bandwidth = pg->bandwidth;
        if (def->bandwidth.in.floor && !forward_mode_is_l3(net->forward_mode))
                return vport_error_set(err, -EINVAL,
                                       "<bandwidth><inbound floor>: only supported on nat, route, open and "
                                       "isolated networks");
        /* libvirt's networkCheckBandwidth: a floor is a share of the
         * network's inbound limit (vport does not add the floors up: it
         * applies no limits, and a note says so) */
        if (def->bandwidth.in.floor && !net->bandwidth.in.set)
                return vport_error_set(err, -EINVAL,
                                       "<bandwidth><inbound floor='%llu'>: the network has no inbound "
                                       "<bandwidth> to guarantee it from",
                                       (unsigned long long) def->bandwidth.in.floor);
        return 0;
}

/* libvirt's networkAllocatePort: the port's own setting, else the
 * portgroup's, else the network's. */
static void resolve_trust_guest_rx_filters(vport_port_def *def, const vport_network_def *net,
                                           const vport_portgroup *pg) {
        if (def->trust_guest_rx_filters != TRISTATE_ABSENT)
                return;
        def->trust_guest_rx_filters = pg && pg->trust_guest_rx_filters != TRISTATE_ABSENT
                                              ? pg->trust_guest_rx_filters
                                              : net->trust_guest_rx_filters;
}

/* libvirt copies the network's value into a port that gives none; vport
 * also honours a portgroup's, between the two. */
static void resolve_isolated(vport_port_def *def, const vport_network_def *net, const vport_portgroup *pg) {
        if (def->isolated_port == TRISTATE_ABSENT)
                def->isolated_port =
                        pg && pg->isolated_port != TRISTATE_ABSENT ? pg->isolated_port : net->isolated_port;
}

int port_def_resolve(vport_port_def *def, const vport_network_def *net, vport_error *err) {
        const vport_portgroup *pg;
        char uuid[VPORT_UUID_STRLEN];
        int r;

        assert_return(def && net, -EINVAL);
        pg = resolve_portgroup(def, net);
        if ((r = resolve_virtualport(def, net, pg, err)) < 0 || (r = resolve_vlan(def, net, pg, err)) < 0 ||
            (r = resolve_bandwidth(def, net, pg, err)) < 0)
                return vport_error_prefix(err, r, "network '%s': networkport %s", net->name,
                                          uuid_format(&def->uuid, uuid));
        resolve_trust_guest_rx_filters(def, net, pg);
        resolve_isolated(def, net, pg);
        return 0;
}

/* libvirt's virNetDevValidatePortOptions (domain layer): isolation is a
 * flag of a Linux bridge port, so only a tap in a bridge can have it, and
 * not one whose port an openvswitch or 802.1Qbg/h profile describes. */
static int check_isolated(const vport_port_def *def, const vport_network_def *net, vport_error *err) {
        vport_plug_type t = network_def_plug_type(net, NULL);
        char uuid[VPORT_UUID_STRLEN];

        if (def->isolated_port != TRISTATE_YES)
                return 0;
        if (t != PLUG_BRIDGE && t != PLUG_NETWORK)
                return vport_error_set(
                        err, -EINVAL,
                        "network '%s': networkport %s: <port isolated='yes'>: only for a tap in "
                        "a bridge, not with <forward mode='%s'> (plug type %s)",
                        net->name, uuid_format(&def->uuid, uuid), forward_mode_to_string(net->forward_mode),
                        plug_def_type_to_string(t));
        if (def->virtualport)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': networkport %s: <port isolated='yes'>: not supported "
                                       "with <virtualport type='%s'>",
                                       net->name, uuid_format(&def->uuid, uuid),
                                       virtualport_def_type_to_string(def->virtualport->type));
        return 0;
}

/* What libvirt checks when a guest starts on the port rather than when the
 * port is allocated: a <vlan> needs a mode that can tag (the network's
 * virtualport may have made this an openvswitch port), a hostdev takes no
 * <bandwidth>. */
int port_def_check_mode(const vport_port_def *def, const vport_network_def *net, vport_error *err) {
        const vport_portgroup *pg;
        char uuid[VPORT_UUID_STRLEN];

        assert_return(def && net, -EINVAL);
        pg = resolve_portgroup(def, net);
        if (vlan_is_set(&def->vlan) && !network_def_vlan_allowed(net, pg) &&
            !(def->virtualport && def->virtualport->type == VIRTUALPORT_OPENVSWITCH &&
              net->forward_mode == FORWARD_BRIDGE && net->bridge_name))
                return vport_error_set(
                        err, -EINVAL,
                        "network '%s': networkport %s: <vlan>: not supported with <forward mode='%s'>",
                        net->name, uuid_format(&def->uuid, uuid), forward_mode_to_string(net->forward_mode));
        /* libvirt's domain layer: a hostdev interface takes only 802.1Qbh (802.1Qbg
         * associates through a macvtap) */
        if (def->plug.type == PLUG_HOSTDEV_PCI && def->virtualport &&
            def->virtualport->type != VIRTUALPORT_8021QBH)
                return vport_error_set(
                        err, -EINVAL,
                        "network '%s': networkport %s: <virtualport type='%s'>: a hostdev port "
                        "takes only 802.1Qbh",
                        net->name, uuid_format(&def->uuid, uuid),
                        virtualport_def_type_to_string(def->virtualport->type));
        /* kvm (legacy assignment, gone from the kernel) and xen: what libvirt's
         * QEMU driver refuses at guest start */
        if (def->plug.type == PLUG_HOSTDEV_PCI && def->plug.driver != HOSTDEV_DRIVER_DEFAULT &&
            def->plug.driver != HOSTDEV_DRIVER_VFIO)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': networkport %s: <driver name='%s'>: vport hands "
                                       "devices over with VFIO "
                                       "only",
                                       net->name, uuid_format(&def->uuid, uuid),
                                       hostdev_driver_to_string(def->plug.driver));
        if (bandwidth_is_set(&def->bandwidth) && net->forward_mode == FORWARD_HOSTDEV)
                return vport_error_set(
                        err, -EINVAL,
                        "network '%s': networkport %s: <bandwidth>: not supported with <forward "
                        "mode='hostdev'>",
                        net->name, uuid_format(&def->uuid, uuid));
        return check_isolated(def, net, err);
}
