/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bridge of an isolated or open network: vport makes it at net-start
 * and deletes it at net-destroy, as libvirt's network driver does. */
#pragma once

#include "core/internal.h"

/* At define (libvirt's networkValidate): a missing or template <bridge
 * name> becomes the first "virbr%d" (or template) name no other network
 * uses and no device has; an explicit one must not be another network's
 * bridge; a missing <mac> becomes a random 52:54:00 one. Modifies def.
 * Returns 0 or -errno with err naming the network and bridge. */
int net_bridge_define(vport_ctx *ctx, vport_network_def *def, vport_error *err);

/* Make the bridge: refuse a name some device already has (never take one
 * over), journal the name, create it with its MAC, forward delay and STP,
 * set the MTU, add the <ip> addresses, bring it up, then record it and mark
 * the network active in one transaction, if its stored definition is still
 * xml, the text def was parsed from (-ESTALE if another process redefined
 * it meanwhile). On failure nothing is left. Returns 0 or -errno. */
int net_bridge_start(vport_ctx *ctx, const vport_network_def *def, const char *xml, vport_error *err);

/* Delete the bridge if it still is the one recorded (a device gone already
 * counts as done, with a notice), then forget it and mark the network
 * inactive in one transaction. Returns 0 or -errno. */
int net_bridge_destroy(vport_ctx *ctx, const vport_network_def *def, vport_error *err);

/* Finish what a crashed net-start or net-destroy of this network left, and
 * drop its records of an earlier boot (before an undefine). Returns 0 or
 * -errno. */
int net_bridge_forget_abandoned(vport_ctx *ctx, const char *network, vport_error *err);

/* Finish what a crashed net-start or net-destroy left: delete a bridge
 * recorded by a dead writer and forget it (a destroy's network ends
 * inactive); entries of an earlier boot are dropped (the bridge died with
 * it). fn (may be NULL) hears of each start undone and destroy finished.
 * Returns the number handled or -errno. */
int net_bridge_reconcile(vport_ctx *ctx, net_repaired_fn fn, void *userdata, vport_error *err);

/* The bridge this boot's net-start of network recorded: its name and
 * ifindex (0 if not yet made), or "" and 0 if none is recorded. For drift:
 * the device vport made, not whatever holds the name now. Returns 0 or
 * -errno. */
int net_bridge_recorded(vport_ctx *ctx, const char *network, char ret_ifname[static VPORT_IFNAMSIZ],
                        int *ret_ifindex, vport_error *err);
