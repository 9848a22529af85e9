/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SR-IOV VFs: naming them, listing them, and setting their MAC the hard way
 * (seed 000). */
#pragma once

#include "core/vport.h"

/* A VF named as "DDDD:BB:SS.F", as a netdev name, or (b non-NULL) as PF
 * netdev a + VF index b. Resolved to its PCI address, PF and index, checked
 * to really be a network VF. Returns 0, -ENODEV / -EINVAL with err naming
 * the argument. */
typedef struct vport_vf_ref {
        vport_pci_addr vf;
        vport_pci_addr pf;
        int index; /* VF index on the PF */
        char pf_ifname[VPORT_IFNAMSIZ];
        int pf_ifindex;
} vport_vf_ref;

int vport_vf_resolve(vport_ctx *ctx, const char *a, const char *b, vport_vf_ref *ret, vport_error *err);

/* -EBUSY (err naming the port) if a live port holds the VF, else 0. Front
 * ends call it before changing a VF on a user's request. */
int vport_vf_check_unowned(vport_ctx *ctx, const vport_vf_ref *vf, vport_error *err);

/* How vport_vf_set_mac() got there: vport_vf_mac_method (vport/vport.h),
 * by the core's short names. */
#define VF_MAC_DIRECT       VPORT_VF_MAC_DIRECT
#define VF_MAC_ADMIN_BOUNCE VPORT_VF_MAC_ADMIN_BOUNCE
#define VF_MAC_ADMIN_ONLY   VPORT_VF_MAC_ADMIN_ONLY
#define _VF_MAC_METHOD_MAX  _VPORT_VF_MAC_METHOD_MAX

const char *vf_mac_method_to_string(vport_vf_mac_method m);

/* Set a VF's MAC, trying really hard: set it on the VF's netdev; if that
 * fails (EPERM, EADDRNOTAVAIL) or the PF's read-back disagrees (the driver
 * "succeeded" silently because the admin MAC was set before), set the admin
 * MAC through the PF, bounce the VF driver and wait for its netdev by PCI
 * address, and verify through both the netdev and the PF. The PF must be up
 * (-ENETDOWN otherwise: vport never brings it up itself, that would start
 * IPv6 autoconf on the host). Returns 0 and the method used, or -errno with
 * err naming the PF, VF index, driver, wanted and actual MAC. */
int vport_vf_set_mac(vport_ctx *ctx, const vport_vf_ref *vf, const vport_mac *mac,
                     vport_vf_mac_method *ret_method, vport_error *err);

/* A VF as JSON, for --json: {vf, pf, pci, netdev, driver, mac, vlan, qos,
 * spoofchk, trust, link_state, min_tx_rate, max_tx_rate, port} (the PF-side
 * fields only when the PF's VF table has the VF). */
json_object *vport_vf_to_json(const vport_vf *vf);
DEFINE_TRIVIAL_CLEANUP_FUNC(vport_vf *, vport_vf_free);

/* VFs as a JSON array of vport_vf_to_json() objects. */
json_object *vport_vfs_to_json(vport_vf **vfs, size_t n);
