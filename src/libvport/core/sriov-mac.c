/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Setting a VF's MAC the hard way (seed 000).
 *
 * Once an admin MAC has been set for a VF through its PF, the PF driver sets
 * an "administratively set" flag that only a PF driver reload clears; after
 * that the VF's own driver can no longer change the MAC. Some drivers refuse
 * (EPERM, EADDRNOTAVAIL); igbvf "succeeds" and shows the new MAC on the
 * netdev while the hardware filter keeps the admin MAC, so only a read-back
 * through the PF tells the truth. The way out is to set the wanted MAC as
 * the admin MAC and bounce the VF's driver, which makes it re-read the admin
 * MAC from the PF. */
#include <stdio.h>

#include "core/sriov-internal.h"

/* Everything the steps below need, resolved once. */
typedef struct vf_mac_job {
        const vport_vf_ref *vf;
        vport_mac want;
        char want_s[VPORT_MAC_STRLEN];
        char bdf[VPORT_PCI_STRLEN];
        char driver[64];
        vport_link netdev; /* valid if has_netdev */
        bool has_netdev;
} vf_mac_job;

static int job_init(vport_ctx *ctx, const vport_vf_ref *vf, const vport_mac *mac, vf_mac_job *job,
                    vport_error *err) {
        vport_pci_info info;
        vport_link pf;
        int r;

        *job = (vf_mac_job){ .vf = vf, .want = *mac };
        mac_format(mac, job->want_s);
        pci_addr_format(&vf->vf, job->bdf);
        /* Checked before anything changes: a down PF is not ours to bring up. */
        r = ctx->ops->link_get(ctx->kernel, vf->pf_ifindex, NULL, &pf, err);
        if (r < 0)
                return vport_error_prefix(err, r, "PF %s", vf->pf_ifname);
        r = sriov_pf_require_up(&pf, err);
        if (r < 0)
                return r;
        r = ctx->ops->pci_info(ctx->kernel, &vf->vf, &info, err);
        if (r < 0)
                return r;
        snprintf(job->driver, sizeof(job->driver), "%s", info.driver[0] ? info.driver : "(none)");
        r = sriov_vf_netdev(ctx, &vf->vf, &job->netdev, err);
        if (r < 0)
                return r;
        job->has_netdev = r > 0;
        return 0;
}

/* The admin MAC the PF reports for the VF. */
static int pf_admin_mac(vport_ctx *ctx, const vf_mac_job *job, vport_mac *ret, vport_error *err) {
        vport_vf_info info;
        int r;

        r = sriov_vf_info(ctx, job->vf->pf_ifindex, job->vf->index, &info, err);
        if (r >= 0)
                *ret = info.mac;
        return r;
}

static int set_admin_mac(vport_ctx *ctx, const vf_mac_job *job, vport_error *err) {
        vport_vf_info cfg = { .vf = job->vf->index, .mac = job->want };
        int r;

        r = ctx->ops->vf_set(ctx->kernel, job->vf->pf_ifindex, &cfg, VF_SET_MAC, err);
        if (r < 0)
                return vport_error_prefix(err, r, "PF %s VF %d: setting admin MAC %s", job->vf->pf_ifname,
                                          job->vf->index, job->want_s);
        return 0;
}

/* The PF contradicts a direct set when it reports another, non-zero MAC:
 * that is the admin MAC still filtering in hardware. All-zero means no
 * admin MAC, and many PF drivers do not record a MAC the VF chose itself. */
static bool pf_agrees(const vport_mac *pf_mac, const vport_mac *want) {
        return mac_is_zero(pf_mac) || mac_equal(pf_mac, want);
}

/* Try the VF's own netdev. Returns 1 if the MAC took and the PF agrees, 0
 * if the admin-MAC path is needed, or -errno for any other failure. */
static int try_direct(vport_ctx *ctx, vf_mac_job *job, vport_error *err) {
        vport_error e = { 0 };
        vport_link now;
        vport_mac pf_mac;
        int r;

        r = ctx->ops->link_set_mac(ctx->kernel, job->netdev.ifindex, &job->want, &e);
        if (r == -EPERM || r == -EADDRNOTAVAIL)
                return 0;
        if (r < 0) {
                if (err)
                        *err = e;
                return vport_error_prefix(err, r, "PF %s VF %d (%s, driver %s)", job->vf->pf_ifname,
                                          job->vf->index, job->bdf, job->driver);
        }
        r = ctx->ops->link_get(ctx->kernel, job->netdev.ifindex, NULL, &now, err);
        if (r < 0)
                return r;
        r = pf_admin_mac(ctx, job, &pf_mac, err);
        if (r < 0)
                return r;
        return mac_equal(&now.mac, &job->want) && pf_agrees(&pf_mac, &job->want);
}

/* Read back through both the (new) netdev and the PF. */
static int verify_after_bounce(vport_ctx *ctx, const vf_mac_job *job, const vport_link *nd,
                               vport_error *err) {
        char got[VPORT_MAC_STRLEN], pf_s[VPORT_MAC_STRLEN];
        vport_mac pf_mac;
        vport_link now;
        int r;

        r = ctx->ops->link_get(ctx->kernel, nd->ifindex, NULL, &now, err);
        if (r < 0)
                return r;
        r = pf_admin_mac(ctx, job, &pf_mac, err);
        if (r < 0)
                return r;
        if (mac_equal(&now.mac, &job->want) && mac_equal(&pf_mac, &job->want))
                return 0;
        return vport_error_set(
                err, -EIO,
                "PF %s VF %d (%s, driver %s): wanted MAC %s, but after the driver bounce netdev %s "
                "has %s and the PF reports admin MAC %s; the admin MAC is left set",
                job->vf->pf_ifname, job->vf->index, job->bdf, job->driver, job->want_s, now.name,
                mac_format(&now.mac, got), mac_format(&pf_mac, pf_s));
}

static int admin_and_bounce(vport_ctx *ctx, const vf_mac_job *job, vport_error *err) {
        vport_link nd;
        int r;

        r = set_admin_mac(ctx, job, err);
        if (r < 0)
                return r;
        r = sriov_vf_bounce(ctx, &job->vf->vf, job->driver, &nd, err);
        if (r < 0)
                return vport_error_prefix(err, r,
                                          "PF %s VF %d (%s, driver %s): admin MAC %s is set (and left set), "
                                          "but the driver bounce that applies it failed",
                                          job->vf->pf_ifname, job->vf->index, job->bdf, job->driver,
                                          job->want_s);
        return verify_after_bounce(ctx, job, &nd, err);
}

/* No netdev (vfio-pci, or unbound): the admin MAC is all there is; whoever
 * binds the VF next (the guest's driver) picks it up. */
static int admin_only(vport_ctx *ctx, const vf_mac_job *job, vport_error *err) {
        char got[VPORT_MAC_STRLEN];
        vport_mac pf_mac;
        int r;

        r = set_admin_mac(ctx, job, err);
        if (r < 0)
                return r;
        r = pf_admin_mac(ctx, job, &pf_mac, err);
        if (r < 0)
                return r;
        if (!mac_equal(&pf_mac, &job->want))
                return vport_error_set(err, -EIO,
                                       "PF %s VF %d (%s, driver %s): wanted admin MAC %s, the PF reports %s",
                                       job->vf->pf_ifname, job->vf->index, job->bdf, job->driver,
                                       job->want_s, mac_format(&pf_mac, got));
        return 0;
}

int vport_vf_set_mac(vport_ctx *ctx, const vport_vf_ref *vf, const vport_mac *mac,
                     vport_vf_mac_method *ret_method, vport_error *err) {
        vport_vf_mac_method method;
        vf_mac_job job;
        int r;

        assert_return(ctx && vf && mac, -EINVAL);
        r = mac_check_guest(mac, err);
        if (r < 0)
                return r;
        r = job_init(ctx, vf, mac, &job, err);
        if (r < 0)
                return r;
        if (!job.has_netdev) {
                method = VF_MAC_ADMIN_ONLY;
                r = admin_only(ctx, &job, err);
        } else if ((r = try_direct(ctx, &job, err)) > 0)
                method = VF_MAC_DIRECT;
        else if (r == 0) {
                method = VF_MAC_ADMIN_BOUNCE;
                r = admin_and_bounce(ctx, &job, err);
        }
        if (r < 0)
                return r;
        if (ret_method)
                *ret_method = method;
        return 0;
}
