/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host-side devices the plug drivers make: names from a template the
 * kernel fills in ("macvtap%d", "vnet%d"), creation groups, and netdev
 * groups for batched deletes. */
#pragma once

#include "core/internal.h"

/* Name templates: "%d" becomes a number no device of the namespace uses.
 * The kernel layer tries a number it found free with a few name lookups
 * (O(log n)); the kernel's own pick (dev_alloc_name(), under the RTNL
 * lock) reads every link's name, so it is only asked when another process
 * took that number meanwhile. Either way two vport processes (or libvirt)
 * never get the same name, no dump is read, and the create fails rather
 * than reuse a device. The name chosen comes back from the create
 * (TUNSETIFF, NLM_F_ECHO). */
#define NETDEV_TAP_TEMPLATE     "vnet%d"
#define NETDEV_MACVTAP_TEMPLATE "macvtap%d"

/* Whether name is a template (one trailing "%d"). */
bool netdev_name_is_template(const char *name);

/* The device of kind, made from template in creation group group (what
 * a prepare killed between the create and journaling the name left).
 * Only for recovery: it dumps the links of that kind. Returns 1 and ret,
 * 0 if none (or group is no creation group), or -errno. */
int netdev_find_created(vport_ctx *ctx, const char *template, const char *kind, uint32_t group,
                        vport_link *ret, vport_error *err);

/* A creation group: a netdev group drawn at random (from a range of its
 * own) for one device vport is about to create. The plug drivers journal
 * it with the name before the create and make the device in it (atomically:
 * IFLA_GROUP in the RTM_NEWLINK of a macvtap; a tap only persists once its
 * group is set), so a device found under the journaled name is known to be
 * the one vport made even if the process died before recording its
 * ifindex. See plug-common.c's find_device(). */
uint32_t netdev_create_group(void);

/* Whether group is in the range netdev_create_group() draws from. */
bool netdev_is_create_group(uint32_t group);

/* Whether link still is the device vport recorded: same ifindex and name.
 * Returns 1 and ret filled, 0 if it is gone or another device now holds the
 * name or index (never delete that; a notice says which), or -errno. */
int netdev_still_ours(vport_ctx *ctx, int ifindex, const char *name, vport_link *ret, vport_error *err);

/* A netdev group no other device uses, held by a marker device the caller
 * must delete (link_delete_group on the group deletes it along). The group
 * number is derived from the marker's ifindex, which the kernel makes
 * unique, so two vport processes never get the same group. Returns 0, the
 * group and the marker's ifindex, or -errno. */
int netdev_group_new(vport_ctx *ctx, uint32_t *ret_group, int *ret_marker, vport_error *err);

/* Whether l is a group marker netdev_group_new() made (a vpgrpN tap in
 * the group derived from its own ifindex). */
bool netdev_is_group_marker(const vport_link *l);

/* Delete the group markers dead vport processes left alone in their group
 * (best effort: a failure leaves them for the next sweep). */
void netdev_markers_sweep(vport_ctx *ctx);

/* Whether every member of group is in ifindexes[0..n) or is marker.
 * Returns 1, 0 if a foreign device sits in the group, or -errno. Its one
 * link dump (the kernel cannot filter a dump by group) also serves the
 * sweep of dead markers (as netdev_markers_sweep(), marker kept), so a
 * batched delete reads the host's links once, not twice. */
int netdev_group_only(vport_ctx *ctx, uint32_t group, int marker, const int *ifindexes, size_t n,
                      vport_error *err);
