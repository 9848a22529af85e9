/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vport vf-list PF`: every VF of a PF, as the PF's VF table, sysfs and the
 * store see it, as typed vport_vf values (the JSON is built from them in
 * json.c). */
#include <linux/if_link.h>
#include <stdio.h>

#include "core/sriov-internal.h"

struct vport_vf {
        int index; /* VF index on the PF */
        char pf[VPORT_IFNAMSIZ];
        vport_pci_addr pci;
        char netdev[VPORT_IFNAMSIZ]; /* "" if none */
        char driver[64];             /* "" if none */
        bool has_info;               /* the PF's VF table had an entry */
        vport_vf_info info;
        bool owned;
        vport_uuid port;
};

void vport_vf_free(vport_vf *vf) {
        free(vf);
}

void vport_vf_array_free(vport_vf **vfs, size_t n) {
        for (size_t i = 0; vfs && i < n; i++)
                vport_vf_free(vfs[i]);
        free(vfs);
}

static int vf_load(vport_ctx *ctx, const char *pf, int index, const vport_pci_addr *pci,
                   const vport_vf_info *vi, vport_vf **ret, vport_error *err) {
        _cleanup_free_ vport_vf *vf = calloc(1, sizeof(*vf));
        vport_pci_info info;
        vport_link nd;
        int has_nd, owned, r;

        if (!vf)
                return -ENOMEM;
        if ((r = ctx->ops->pci_info(ctx->kernel, pci, &info, err)) < 0)
                return r;
        if ((has_nd = sriov_vf_netdev(ctx, pci, &nd, err)) < 0)
                return has_nd;
        owned = sriov_vf_owner(ctx, pci, has_nd ? nd.name : NULL, NULL, &vf->port, err);
        if (owned < 0)
                return owned;
        vf->index = index;
        snprintf(vf->pf, sizeof(vf->pf), "%s", pf);
        vf->pci = *pci;
        snprintf(vf->netdev, sizeof(vf->netdev), "%s", has_nd ? nd.name : "");
        snprintf(vf->driver, sizeof(vf->driver), "%s", info.driver);
        if ((vf->has_info = vi))
                vf->info = *vi;
        vf->owned = owned;
        *ret = TAKE_PTR(vf);
        return 0;
}

static const vport_vf_info *find_info(const vport_vf_info *vfs, size_t n, int index) {
        for (size_t i = 0; i < n; i++)
                if (vfs[i].vf == index)
                        return &vfs[i];
        return NULL;
}

/* The PF's VF PCI addresses and its VF table. */
static int pf_tables(vport_ctx *ctx, const char *pf, vport_pci_addr **ret_vfs, size_t *ret_n_vfs,
                     vport_vf_info **ret_infos, size_t *ret_n_infos, vport_error *err) {
        vport_pci_addr pf_addr;
        vport_link link;
        int r;

        name_check_return(NAME_IFNAME, pf, err);
        r = ctx->ops->link_get(ctx->kernel, 0, pf, &link, err);
        if (r >= 0)
                r = ctx->ops->netdev_pci(ctx->kernel, pf, &pf_addr, err);
        if (r >= 0)
                r = ctx->ops->pci_vfs(ctx->kernel, &pf_addr, ret_vfs, ret_n_vfs, err);
        if (r >= 0)
                r = ctx->ops->vf_list(ctx->kernel, link.ifindex, ret_infos, ret_n_infos, err);
        return r < 0 ? vport_error_prefix(err, r, "PF '%s'", pf) : 0;
}

int vport_pf_list_vfs(vport_ctx *ctx, const char *pf, vport_vf ***ret, size_t *ret_n, vport_error *err) {
        _cleanup_free_ vport_vf_info *infos = NULL;
        _cleanup_free_ vport_pci_addr *vfs = NULL;
        size_t n_infos = 0, n_vfs = 0;
        vport_vf **list;
        int r;

        assert_return(ctx && pf && ret && ret_n, -EINVAL);
        if ((r = pf_tables(ctx, pf, &vfs, &n_vfs, &infos, &n_infos, err)) < 0)
                return r;
        if (!(list = calloc(n_vfs ? n_vfs : 1, sizeof(*list))))
                return -ENOMEM;
        for (size_t i = 0; r >= 0 && i < n_vfs; i++)
                r = vf_load(ctx, pf, (int) i, &vfs[i], find_info(infos, n_infos, (int) i), &list[i], err);
        if (r < 0) {
                vport_vf_array_free(list, n_vfs);
                return r;
        }
        *ret = list;
        *ret_n = n_vfs;
        return 0;
}

/* One VF as vport_pf_list_vfs() shows it. */
static int vf_get(vport_ctx *ctx, const vport_vf_ref *ref, vport_vf **ret, vport_error *err) {
        _cleanup_free_ vport_vf_info *infos = NULL;
        _cleanup_free_ vport_pci_addr *vfs = NULL;
        size_t n_infos = 0, n_vfs = 0;
        int r;

        if ((r = pf_tables(ctx, ref->pf_ifname, &vfs, &n_vfs, &infos, &n_infos, err)) < 0)
                return r;
        return vf_load(ctx, ref->pf_ifname, ref->index, &ref->vf, find_info(infos, n_infos, ref->index), ret,
                       err);
}

int vport_vf_set_mac_named(vport_ctx *ctx, const char *a, const char *b, const vport_mac *mac,
                           vport_vf_mac_method *ret_method, vport_vf **ret, vport_error *err) {
        vport_vf_mac_method method;
        vport_vf_ref ref;
        int r;

        assert_return(ctx && a && mac, -EINVAL);
        if ((r = vport_vf_resolve(ctx, a, b, &ref, err)) < 0 ||
            (r = vport_vf_check_unowned(ctx, &ref, err)) < 0 ||
            (r = vport_vf_set_mac(ctx, &ref, mac, &method, err)) < 0)
                return r;
        if (ret_method)
                *ret_method = method;
        return ret ? vf_get(ctx, &ref, ret, err) : 0;
}

int vport_vf_get_index(const vport_vf *vf) {
        return vf->index;
}

const char *vport_vf_get_pf(const vport_vf *vf) {
        return vf->pf;
}

char *vport_vf_get_pci(const vport_vf *vf, char buf[VPORT_PCI_STRLEN]) {
        return pci_addr_format(&vf->pci, buf);
}

const char *vport_vf_get_netdev(const vport_vf *vf) {
        return vf->netdev[0] ? vf->netdev : NULL;
}

const char *vport_vf_get_driver(const vport_vf *vf) {
        return vf->driver[0] ? vf->driver : NULL;
}

const vport_mac *vport_vf_get_mac(const vport_vf *vf) {
        return vf->has_info && !mac_is_zero(&vf->info.mac) ? &vf->info.mac : NULL;
}

int vport_vf_get_vlan(const vport_vf *vf) {
        return vf->has_info ? vf->info.vlan : -1;
}

int vport_vf_get_qos(const vport_vf *vf) {
        return vf->has_info ? vf->info.qos : -1;
}

int vport_vf_get_spoofchk(const vport_vf *vf) {
        return vf->has_info && vf->info.has_spoofchk ? vf->info.spoofchk : -1;
}

int vport_vf_get_trust(const vport_vf *vf) {
        return vf->has_info && vf->info.has_trust ? vf->info.trust : -1;
}

static const char *const link_state_table[] = {
        [IFLA_VF_LINK_STATE_AUTO] = "auto",
        [IFLA_VF_LINK_STATE_ENABLE] = "enable",
        [IFLA_VF_LINK_STATE_DISABLE] = "disable",
};

const char *sriov_link_state_to_string(uint32_t state) {
        return state < ELEMENTSOF(link_state_table) ? link_state_table[state] : NULL;
}

int sriov_link_state_from_string(const char *s) {
        for (size_t i = 0; s && i < ELEMENTSOF(link_state_table); i++)
                if (link_state_table[i] && streq(link_state_table[i], s))
                        return (int) i;
        return -EINVAL;
}

const vport_vf_info *sriov_vf_get_info(const vport_vf *vf) {
        return vf->has_info ? &vf->info : NULL;
}

const char *vport_vf_get_link_state(const vport_vf *vf) {
        const char *s;

        if (!vf->has_info || !vf->info.has_link_state)
                return NULL;
        s = sriov_link_state_to_string(vf->info.link_state);
        return s ? s : "unknown";
}

int64_t vport_vf_get_min_tx_rate(const vport_vf *vf) {
        return vf->has_info && vf->info.has_rate ? (int64_t) vf->info.min_tx_rate : -1;
}

int64_t vport_vf_get_max_tx_rate(const vport_vf *vf) {
        return vf->has_info && vf->info.has_rate ? (int64_t) vf->info.max_tx_rate : -1;
}

const vport_uuid *vport_vf_get_port(const vport_vf *vf) {
        return vf->owned ? &vf->port : NULL;
}
