/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vport vf-list PF`: every VF of a PF, as the PF's VF table, sysfs and the
 * store see it. */
#include <linux/if_link.h>
#include <stdio.h>

#include "base/names.h"
#include "core/sriov-internal.h"

static const char *link_state_str(uint32_t s) {
        switch (s) {
        case IFLA_VF_LINK_STATE_AUTO:
                return "auto";
        case IFLA_VF_LINK_STATE_ENABLE:
                return "enable";
        case IFLA_VF_LINK_STATE_DISABLE:
                return "disable";
        }
        return "unknown";
}

static json_object *json_string_or_null(const char *s) {
        return s && *s ? json_object_new_string(s) : NULL;
}

/* The PF's table entry for a VF: admin MAC null when unset (all-zero);
 * flags the driver does not report are null. */
static void vf_info_to_json(json_object *o, const vport_vf_info *vi) {
        char mac[VPORT_MAC_STRLEN];

        json_object_object_add(
                o, "mac", mac_is_zero(&vi->mac) ? NULL : json_object_new_string(mac_format(&vi->mac, mac)));
        json_object_object_add(o, "vlan", json_object_new_int(vi->vlan));
        json_object_object_add(o, "qos", json_object_new_int(vi->qos));
        json_object_object_add(o, "spoofchk",
                               vi->has_spoofchk ? json_object_new_boolean(vi->spoofchk) : NULL);
        json_object_object_add(o, "trust", vi->has_trust ? json_object_new_boolean(vi->trust) : NULL);
        json_object_object_add(o, "link_state",
                               vi->has_link_state ? json_object_new_string(link_state_str(vi->link_state))
                                                  : NULL);
        json_object_object_add(o, "min_tx_rate",
                               vi->has_rate ? json_object_new_int64(vi->min_tx_rate) : NULL);
        json_object_object_add(o, "max_tx_rate",
                               vi->has_rate ? json_object_new_int64(vi->max_tx_rate) : NULL);
}

static int vf_to_json(vport_ctx *ctx, int index, const vport_pci_addr *pci, const vport_vf_info *vi,
                      json_object **ret, vport_error *err) {
        char bdf[VPORT_PCI_STRLEN], uuid_s[VPORT_UUID_STRLEN];
        vport_pci_info info;
        vport_link nd;
        vport_uuid owner;
        int has_nd, owned, r;

        r = ctx->ops->pci_info(ctx->kernel, pci, &info, err);
        if (r < 0)
                return r;
        has_nd = sriov_vf_netdev(ctx, pci, &nd, err);
        if (has_nd < 0)
                return has_nd;
        owned = sriov_vf_owner(ctx, pci, has_nd ? nd.name : NULL, NULL, &owner, err);
        if (owned < 0)
                return owned;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "vf", json_object_new_int(index));
        json_object_object_add(o, "pci", json_object_new_string(pci_addr_format(pci, bdf)));
        json_object_object_add(o, "netdev", has_nd ? json_object_new_string(nd.name) : NULL);
        json_object_object_add(o, "driver", json_string_or_null(info.driver));
        if (vi)
                vf_info_to_json(o, vi);
        json_object_object_add(o, "port",
                               owned ? json_object_new_string(uuid_format(&owner, uuid_s)) : NULL);
        *ret = o;
        return 0;
}

static const vport_vf_info *find_info(const vport_vf_info *vfs, size_t n, int index) {
        for (size_t i = 0; i < n; i++)
                if (vfs[i].vf == index)
                        return &vfs[i];
        return NULL;
}

int vport_vf_list(vport_ctx *ctx, const char *pf, json_object **ret, vport_error *err) {
        _cleanup_free_ vport_vf_info *infos = NULL;
        _cleanup_free_ vport_pci_addr *vfs = NULL;
        size_t n_infos = 0, n_vfs = 0;
        vport_pci_addr pf_addr;
        vport_link link;
        json_object *a;
        int r;

        assert_return(ctx && pf && ret, -EINVAL);
        name_check_return(NAME_IFNAME, pf, err);
        r = ctx->ops->link_get(ctx->kernel, 0, pf, &link, err);
        if (r >= 0)
                r = ctx->ops->netdev_pci(ctx->kernel, pf, &pf_addr, err);
        if (r >= 0)
                r = ctx->ops->pci_vfs(ctx->kernel, &pf_addr, &vfs, &n_vfs, err);
        if (r >= 0)
                r = ctx->ops->vf_list(ctx->kernel, link.ifindex, &infos, &n_infos, err);
        if (r < 0)
                return vport_error_prefix(err, r, "PF '%s'", pf);
        a = json_object_new_array();
        for (size_t i = 0; i < n_vfs; i++) {
                json_object *o = NULL;
                r = vf_to_json(ctx, (int) i, &vfs[i], find_info(infos, n_infos, (int) i), &o, err);
                if (r < 0) {
                        json_object_put(a);
                        return r;
                }
                json_object_array_add(a, o);
        }
        *ret = a;
        return 0;
}
