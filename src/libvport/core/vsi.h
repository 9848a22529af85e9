/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A port's <virtualport type='802.1Qbg'|'802.1Qbh'> association with the
 * adjacent switch (seeds 001, 003): made at prepare (pre-associate only on
 * the target of an incoming migration, associate at activate), undone at
 * release. The request is journaled before it is sent, so a crash leaves
 * an entry that delete or reconcile disassociates. */
#pragma once

#include "core/internal.h"

/* Where the request goes: 802.1Qbg names the macvtap's uplink, 802.1Qbh
 * the PF with the VF's index (vf -1: the device itself). */
typedef struct vsi_target {
        int ifindex;
        char ifname[VPORT_IFNAMSIZ];
        int vf;
} vsi_target;

/* Whether the port has a virtualport vport associates (802.1Qbg/Qbh). */
bool port_has_vsi(const vport_port *port);

/* (Pre-)associate: VPORT_PORT_INCOMING in flags pre-associates (802.1Qbg
 * PREASSOCIATE, 802.1Qbh PREASSOCIATE_RR, as libvirt), else ASSOCIATE. On
 * failure nothing stays associated or recorded (a request that may have
 * been taken is followed by a DISASSOCIATE). No-op without a virtualport.
 * Returns 0 or -errno with err naming the response. */
int port_vsi_associate(vport_ctx *ctx, vport_port *port, const vsi_target *t, unsigned flags,
                       vport_error *err);

/* ASSOCIATE a pre-associated port (activate on the migration target).
 * Returns 0 (also when there is nothing to do) or -errno. */
int port_vsi_activate(vport_ctx *ctx, const vport_port *port, vport_error *err);

/* DISASSOCIATE whatever the journal says the port (pre-)associated, and
 * drop the entry. A switch or lldpad that cannot be told (gone, no answer)
 * does not keep the port: a notice says so. Returns 0 or -errno (store). */
int port_vsi_release(vport_ctx *ctx, vport_port *port, vport_error *err);

/* The switch ended the association of a port's VSI (lldpad's unsolicited
 * message): find the port holding that instance and associate it again as
 * the journal has it (pre-associated or associated). *ret_port (may be
 * NULL) gets the port's UUID. Returns 1 (re-associated), 0 (no port of
 * ours: ignored), or -errno. */
int port_vsi_reassociate(vport_ctx *ctx, const vport_vsi_event *ev, vport_uuid *ret_port, vport_error *err);

/* Whether the switch ended the port's association and asking again failed
 * since (what re-association records: lldpad's message reached this
 * process's socket). Read from the journal, no request. Returns 1 with
 * the uplink's name in ret_uplink, 0 (associated as far as vport heard, or
 * no association), or -errno. */
int port_vsi_ended(vport_ctx *ctx, const vport_port *port, char ret_uplink[static VPORT_IFNAMSIZ],
                   vport_error *err);
