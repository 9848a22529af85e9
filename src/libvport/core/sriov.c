/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Naming SR-IOV VFs, and the helpers the VF MAC code and the hostdev plug
 * driver share. Every device is found by PCI address; a netdev name is only
 * ever a way to find one (udev may rename a VF's netdev after a rebind). */
#include <net/if.h>
#include <stdio.h>

#include "base/names.h"
#include "core/sriov-internal.h"

static const char *const vf_mac_method_table[_VF_MAC_METHOD_MAX] = {
        [VF_MAC_DIRECT] = "direct",
        [VF_MAC_ADMIN_BOUNCE] = "admin-bounce",
        [VF_MAC_ADMIN_ONLY] = "admin-only",
};

const char *vf_mac_method_to_string(vport_vf_mac_method m) {
        if ((size_t) m >= ELEMENTSOF(vf_mac_method_table))
                return NULL;
        return vf_mac_method_table[m];
}

static void kernel_strv_free_n(char **v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
}

/* The first netdev under a PCI device into buf ("" if none). */
static int pci_first_netdev(vport_ctx *ctx, const vport_pci_addr *pci, char buf[static VPORT_IFNAMSIZ],
                            vport_error *err) {
        char **names = NULL;
        size_t n = 0;
        int r;

        buf[0] = '\0';
        r = ctx->ops->pci_netdevs(ctx->kernel, pci, &names, &n, err);
        if (r < 0)
                return r;
        if (n > 0)
                snprintf(buf, VPORT_IFNAMSIZ, "%s", names[0]);
        kernel_strv_free_n(names, n);
        return n > 0;
}

int sriov_pf_link(vport_ctx *ctx, const vport_pci_addr *pf, vport_link *ret, vport_error *err) {
        char name[VPORT_IFNAMSIZ], bdf[VPORT_PCI_STRLEN];
        int r;

        r = pci_first_netdev(ctx, pf, name, err);
        if (r < 0)
                return r;
        if (r == 0)
                return vport_error_set(err, -ENODEV, "PF %s has no netdev (is its driver loaded?)",
                                       pci_addr_format(pf, bdf));
        return ctx->ops->link_get(ctx->kernel, 0, name, ret, err);
}

int sriov_pf_require_up(const vport_link *pf, vport_error *err) {
        if (pf->flags & IFF_UP)
                return 0;
        return vport_error_set(
                err, -ENETDOWN,
                "PF %s is down: VF settings need it up, and vport does not bring it up itself "
                "(that would start IPv6 autoconfiguration on the host); run 'ip link set %s up'",
                pf->name, pf->name);
}

int sriov_vf_info(vport_ctx *ctx, int pf_ifindex, int index, vport_vf_info *ret, vport_error *err) {
        _cleanup_free_ vport_vf_info *vfs = NULL;
        size_t n = 0;
        int r;

        r = ctx->ops->vf_list(ctx->kernel, pf_ifindex, &vfs, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (vfs[i].vf == index) {
                        *ret = vfs[i];
                        return 0;
                }
        return vport_error_set(err, -ENODEV, "PF (ifindex %d) does not report VF %d in its VF table",
                               pf_ifindex, index);
}

int sriov_vf_netdev(vport_ctx *ctx, const vport_pci_addr *vf, vport_link *ret, vport_error *err) {
        char name[VPORT_IFNAMSIZ];
        int r;

        r = pci_first_netdev(ctx, vf, name, err);
        if (r <= 0)
                return r;
        r = ctx->ops->link_get(ctx->kernel, 0, name, ret, err);
        return r < 0 ? r : 1;
}

int sriov_vf_bounce(vport_ctx *ctx, const vport_pci_addr *vf, const char *driver, vport_link *ret,
                    vport_error *err) {
        _cleanup_free_ char *name = NULL;
        char bdf[VPORT_PCI_STRLEN];
        int r;

        pci_addr_format(vf, bdf);
        r = ctx->ops->pci_unbind(ctx->kernel, vf, err);
        if (r < 0)
                return vport_error_prefix(err, r, "unbinding VF %s from %s", bdf, driver);
        r = ctx->ops->pci_bind(ctx->kernel, vf, driver, err);
        if (r < 0)
                return vport_error_prefix(err, r, "binding VF %s to %s again", bdf, driver);
        r = ctx->ops->pci_wait_netdev(ctx->kernel, vf, SRIOV_NETDEV_TIMEOUT_MS, &name, err);
        if (r < 0)
                return vport_error_prefix(err, r, "VF %s: no netdev came back after rebinding %s", bdf,
                                          driver);
        return ctx->ops->link_get(ctx->kernel, 0, name, ret, err);
}

/* A live port holding the VF: a hostdev port by its PCI address, or a
 * direct port on its netdev. Two indexed look-ups, not a read of every
 * port on the host (a hostdev prepare asks, issue 13). */
int sriov_vf_owner(vport_ctx *ctx, const vport_pci_addr *pci, const char *netdev, const vport_uuid *except,
                   vport_uuid *ret_uuid, vport_error *err) {
        char bdf[VPORT_PCI_STRLEN];
        int r;

        pci_addr_format(pci, bdf);
        r = store_device_holder(ctx->store, bdf, plug_def_type_to_string(PLUG_HOSTDEV_PCI), except, ret_uuid,
                                err);
        if (r == 0 && netdev)
                r = store_device_holder(ctx->store, netdev, plug_def_type_to_string(PLUG_DIRECT), except,
                                        ret_uuid, err);
        return r;
}

/* ---- vport_vf_resolve ---- */

static int resolve_pci(vport_ctx *ctx, const char *arg, vport_pci_addr *ret, vport_error *err) {
        int r;

        if (pci_addr_parse(arg, ret) >= 0)
                return 0;
        r = ctx->ops->netdev_pci(ctx->kernel, arg, ret, err);
        if (r < 0)
                return vport_error_prefix(err, r, "'%s' is neither a PCI address nor a VF's netdev", arg);
        return 0;
}

/* A PCI address that must be a network VF; fills vf, pf and index of ret. */
static int resolve_vf_addr(vport_ctx *ctx, const char *arg, const vport_pci_addr *addr, vport_vf_ref *ret,
                           vport_error *err) {
        vport_pci_info info;
        char bdf[VPORT_PCI_STRLEN];
        int r;

        r = ctx->ops->pci_info(ctx->kernel, addr, &info, err);
        if (r < 0)
                return vport_error_prefix(err, r, "'%s'", arg);
        pci_addr_format(addr, bdf);
        if (!info.is_vf || !info.is_net || info.vf_index < 0)
                return vport_error_set(err, -EINVAL, "'%s' (PCI %s) is not a network VF (%s)", arg, bdf,
                                       !info.is_net ? "not a network controller" : "no physfn: not a VF");
        ret->vf = *addr;
        ret->pf = info.pf;
        ret->index = info.vf_index;
        return 0;
}

/* PF netdev + VF number. */
static int resolve_pf_index(vport_ctx *ctx, const char *pf, const char *num, vport_vf_ref *ret,
                            vport_error *err) {
        _cleanup_free_ vport_pci_addr *vfs = NULL;
        vport_pci_addr pf_addr;
        size_t n = 0;
        char *end;
        long idx;
        int r;

        errno = 0;
        idx = strtol(num, &end, 10);
        if (errno || end == num || *end || idx < 0 || idx > 4096)
                return vport_error_set(err, -EINVAL, "VF number '%s' is not a non-negative integer", num);
        r = ctx->ops->netdev_pci(ctx->kernel, pf, &pf_addr, err);
        if (r < 0)
                return vport_error_prefix(err, r, "PF '%s'", pf);
        r = ctx->ops->pci_vfs(ctx->kernel, &pf_addr, &vfs, &n, err);
        if (r < 0)
                return vport_error_prefix(err, r, "PF '%s'", pf);
        if ((size_t) idx >= n)
                return vport_error_set(err, -ENODEV, "PF '%s' has %zu VFs; there is no VF %ld", pf, n, idx);
        return resolve_vf_addr(ctx, num, &vfs[idx], ret, err);
}

int vport_vf_resolve(vport_ctx *ctx, const char *a, const char *b, vport_vf_ref *ret, vport_error *err) {
        vport_link pf;
        vport_pci_addr addr;
        int r;

        assert_return(ctx && a && ret, -EINVAL);
        name_check_return(NAME_DEVICE, a, err);
        *ret = (vport_vf_ref){ .index = -1 };
        if (b)
                r = resolve_pf_index(ctx, a, b, ret, err);
        else if ((r = resolve_pci(ctx, a, &addr, err)) >= 0)
                r = resolve_vf_addr(ctx, a, &addr, ret, err);
        if (r < 0)
                return r;
        r = sriov_pf_link(ctx, &ret->pf, &pf, err);
        if (r < 0)
                return r;
        snprintf(ret->pf_ifname, sizeof(ret->pf_ifname), "%s", pf.name);
        ret->pf_ifindex = pf.ifindex;
        return 0;
}

int vport_vf_check_unowned(vport_ctx *ctx, const vport_vf_ref *vf, vport_error *err) {
        char bdf[VPORT_PCI_STRLEN], owner_s[VPORT_UUID_STRLEN];
        vport_uuid owner;
        vport_link nd;
        bool has_nd;
        int r;

        assert_return(ctx && vf, -EINVAL);
        has_nd = sriov_vf_netdev(ctx, &vf->vf, &nd, NULL) > 0;
        r = sriov_vf_owner(ctx, &vf->vf, has_nd ? nd.name : NULL, NULL, &owner, err);
        if (r <= 0)
                return r;
        return vport_error_set(err, -EBUSY, "VF %d of %s (%s) is held by port %s; delete that port first",
                               vf->index, vf->pf_ifname, pci_addr_format(&vf->vf, bdf),
                               uuid_format(&owner, owner_s));
}
