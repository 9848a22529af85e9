/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the SR-IOV code (sriov*.c) and the hostdev plug driver.
 * Not part of the public API. */
#pragma once

#include "core/internal.h"
#include "core/sriov.h"

/* How long to wait for a VF's netdev after (re)binding its driver. */
#define SRIOV_NETDEV_TIMEOUT_MS 10000

/* The PF's netdev, found by its PCI address (never by a remembered name).
 * Returns 0, or -ENODEV with err naming the PF. */
int sriov_pf_link(vport_ctx *ctx, const vport_pci_addr *pf, vport_link *ret, vport_error *err);

/* vport never brings a PF up itself: that would start IPv6 autoconf (and
 * router solicitations) on the host's uplink. Returns 0 if pf is up,
 * -ENETDOWN with err naming it otherwise. */
int sriov_pf_require_up(const vport_link *pf, vport_error *err);

/* VF index's entry in the PF's VF table. Returns 0, -ENODEV if the PF does
 * not report that VF, or -errno. */
int sriov_vf_info(vport_ctx *ctx, int pf_ifindex, int index, vport_vf_info *ret, vport_error *err);

/* The VF's current netdev (found under its PCI address). Returns 1 with
 * *ret filled, 0 if it has none (unbound, vfio-pci), or -errno. */
int sriov_vf_netdev(vport_ctx *ctx, const vport_pci_addr *vf, vport_link *ret, vport_error *err);

/* Unbind the VF from its driver and bind it to driver again, so the driver
 * re-reads the admin MAC from the PF, then wait for its netdev by PCI
 * address. Returns 0 with the new netdev in *ret, or -errno with err saying
 * which step failed. */
int sriov_vf_bounce(vport_ctx *ctx, const vport_pci_addr *vf, const char *driver, vport_link *ret,
                    vport_error *err);

/* The live port (other than except, may be NULL) holding the VF at pci with
 * netdev (may be NULL): a hostdev-pci port on that address or a direct port
 * on that netdev. Returns 1 with its uuid in *ret_uuid (may be NULL), 0 if
 * none, or -errno. */
int sriov_vf_owner(vport_ctx *ctx, const vport_pci_addr *pci, const char *netdev, const vport_uuid *except,
                   vport_uuid *ret_uuid, vport_error *err);

/* IFLA_VF_LINK_STATE_* as "auto", "enable", "disable" (NULL for another
 * value), and back (-EINVAL for an unknown name). */
const char *sriov_link_state_to_string(uint32_t state);
int sriov_link_state_from_string(const char *s);

/* The PF's table entry of a VF as JSON, one shape for vf-list and the
 * hostdev journal: mac (the admin MAC, null when zero), vlan, qos,
 * vlan_proto, spoofchk, trust, link_state ("auto"/"enable"/"disable", an
 * integer only for a value the kernel has no name for), min_tx_rate,
 * max_tx_rate; null for what the PF did not report. Adds them to o. */
void sriov_vf_info_to_json(json_object *o, const vport_vf_info *vi);
/* Back from that shape, and from the hostdev journal's earlier one (the
 * admin MAC as admin_mac, link_state an integer). admin_key names the
 * admin MAC's field. Returns 0, or -EBADMSG with err naming the field. */
int sriov_vf_info_from_json(json_object *o, const char *admin_key, vport_vf_info *ret, vport_error *err);

/* The PF's table entry vf was listed with, or NULL if the PF had none. */
const vport_vf_info *sriov_vf_get_info(const vport_vf *vf);
