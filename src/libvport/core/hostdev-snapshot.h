/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The full state of one VF, taken before a hostdev port changes it and put
 * back from the journal when the port goes away. Not part of the public API. */
#pragma once

#include "core/internal.h"

typedef struct vf_snapshot {
        vport_pci_addr vf, pf;
        int index;                      /* VF index on the PF */
        char pf_ifname[VPORT_IFNAMSIZ]; /* for messages only: the PF is found by PCI address */
        char driver[64];                /* "" if it was unbound */
        vport_vf_info info;             /* the PF's table entry: admin MAC, VLAN, flags, rates */
        bool has_netdev;
        char netdev[VPORT_IFNAMSIZ]; /* for messages only */
        vport_mac mac;               /* the netdev's effective MAC */
        unsigned mtu;
} vf_snapshot;

/* Read the VF at vf (which must be a network VF) and its PF. Returns 0 with
 * *ret and the PF's link in *ret_pf, or -errno with err naming the VF. */
int vf_snapshot_take(vport_ctx *ctx, const vport_pci_addr *vf, vf_snapshot *ret, vport_link *ret_pf,
                     vport_error *err);

/* JSON for the journal (new object), and back. from_json returns 0 or
 * -EBADMSG with err naming the missing field. */
json_object *vf_snapshot_to_json(const vf_snapshot *s);
int vf_snapshot_from_json(json_object *o, vf_snapshot *ret, vport_error *err);

/* Put everything back as the snapshot has it, whatever changed it (not only
 * what vport did): the PF's table entry, the driver, then the netdev's MAC
 * and MTU once the netdev is back. Every step is tried even if an earlier
 * one failed. An admin MAC of zero that the PF refuses becomes
 * 02:00:00:00:00:00 (some drivers cannot clear it). What went away behind
 * vport's back counts as restored, with a notice: a VF whose PCI function
 * is gone, a PF table entry gone with the PF's netdev. A VF unbound from
 * its driver is bound to the journaled one again. Returns 0, or the first
 * error with err listing every step that failed. */
int vf_snapshot_restore(vport_ctx *ctx, const vf_snapshot *s, vport_error *err);
