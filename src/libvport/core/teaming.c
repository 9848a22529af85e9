/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <teaming>: a failover pair of ports of one VM, as libvirt's domain
 * <interface><teaming> (QEMU's virtio failover): the persistent port is the
 * paravirtual NIC (a tap or macvtap: it stays across a migration), the
 * transient one the VF (hostdev: released before an outgoing migration,
 * a new one allocated at the destination once the guest runs). The guest
 * pairs them by MAC, so both must carry the same one. Checked when the
 * port is allocated (its plug type is known then), inside the allocation's
 * transaction. */
#include <stdio.h>

#include "core/internal.h"

static bool plug_is_tap(vport_plug_type t) {
        return t == PLUG_NETWORK || t == PLUG_BRIDGE || t == PLUG_DIRECT;
}

static bool same_owner(const vport_port_def *a, const vport_port_def *b) {
        return uuid_equal(&a->owner_uuid, &b->owner_uuid) && a->owner_name && b->owner_name &&
               streq(a->owner_name, b->owner_name);
}

static int teaming_check_transient(vport_ctx *ctx, const vport_port_def *def, const char *uuid,
                                   vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *peer = NULL;
        char peer_uuid[VPORT_UUID_STRLEN];
        int r;

        uuid_format(&def->teaming_persistent, peer_uuid);
        if (def->plug.type != PLUG_HOSTDEV_PCI)
                return vport_error_set(
                        err, -EINVAL,
                        "port %s: <teaming type='transient'>: must be a hostdev port (the VF), "
                        "its network gives a %s plug",
                        uuid, plug_def_type_to_string(def->plug.type));
        r = port_load(ctx, &def->teaming_persistent, &peer, NULL);
        if (r < 0)
                return vport_error_set(err, r == -ENOENT ? -EINVAL : r,
                                       "port %s: <teaming persistent='%s'>: no such port", uuid, peer_uuid);
        if (peer->def->teaming != TEAMING_PERSISTENT)
                return vport_error_set(err, -EINVAL,
                                       "port %s: <teaming persistent='%s'>: that port has no <teaming "
                                       "type='persistent'/>",
                                       uuid, peer_uuid);
        if (!same_owner(def, peer->def))
                return vport_error_set(
                        err, -EINVAL,
                        "port %s: <teaming persistent='%s'>: that port belongs to another owner", uuid,
                        peer_uuid);
        if (!mac_equal(&def->mac, &peer->def->mac))
                return vport_error_set(
                        err, -EINVAL,
                        "port %s: <teaming persistent='%s'>: the MACs differ (the guest pairs "
                        "the two NICs by MAC)",
                        uuid, peer_uuid);
        return 0;
}

int teaming_check(vport_ctx *ctx, const vport_port_def *def, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN];

        uuid_format(&def->uuid, uuid);
        if (def->teaming == TEAMING_PERSISTENT && !plug_is_tap(def->plug.type))
                return vport_error_set(
                        err, -EINVAL,
                        "port %s: <teaming type='persistent'>: must be a tap or macvtap port, "
                        "its network gives a %s plug",
                        uuid, plug_def_type_to_string(def->plug.type));
        if (def->teaming == TEAMING_TRANSIENT)
                return teaming_check_transient(ctx, def, uuid, err);
        return 0;
}
