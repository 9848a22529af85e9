/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plug driver for <forward mode='hostdev'> ports: an SR-IOV VF handed to the
 * guest as a PCI device (seed 001). The core has chosen the VF from the
 * pool; prepare gives it the port's MAC and VLAN through the PF (so the
 * guest sees the same MAC at every boot instead of the VF's random one) and,
 * with managed='yes', binds it to vfio-pci. Release puts the VF back exactly
 * as the journaled snapshot has it. The guest owns the device while it runs,
 * so activate and deactivate have nothing to do. */
#include <stdio.h>

#include <net/if.h>

#include "core/container.h"
#include "core/hostdev-snapshot.h"
#include "core/sriov-internal.h"
#include "core/sriov.h"
#include "core/vsi.h"

#define VFIO_DRIVER "vfio-pci"

static char *journal_key(const vport_port *port, char buf[static 3 + VPORT_PCI_STRLEN]) {
        char bdf[VPORT_PCI_STRLEN];

        snprintf(buf, 3 + VPORT_PCI_STRLEN, "vf:%s", pci_addr_format(&port->def->plug.addr, bdf));
        return buf;
}

/* A VF holds one guest NIC. The pool already keeps ports of one network
 * apart; this also catches a direct port on the VF's netdev, and a port of
 * another network whose journal entry for the VF is still open. */
static int check_not_in_use(vport_ctx *ctx, const vport_port *port, const vf_snapshot *s, const char *key,
                            vport_error *err) {
        char bdf[VPORT_PCI_STRLEN], other[VPORT_UUID_STRLEN];
        vport_uuid owner;
        int r;

        pci_addr_format(&s->vf, bdf);
        r = sriov_vf_owner(ctx, &s->vf, s->has_netdev ? s->netdev : NULL, &port->def->uuid, &owner, err);
        if (r == 0)
                /* any boot's entry: a stale one still holds the VF's
                 * original state, to be restored by reconcile */
                r = store_journal_key_holder(ctx->store, key, &port->def->uuid, &owner, err);
        if (r <= 0)
                return r;
        return vport_error_set(err, -EBUSY, "VF %s (PF %s VF %d) is already used by port %s", bdf,
                               s->pf_ifname, s->index, uuid_format(&owner, other));
}

/* A VF filters one VLAN in hardware: no trunks, no native VLAN. */
static int port_vlan(const vport_port *port, uint16_t *ret, vport_error *err) {
        const vport_vlan *v = &port->def->vlan;

        if (v->n_tags > 1 || v->trunk || v->native_mode != VLAN_NATIVE_NONE)
                return vport_error_set(
                        err, -EINVAL,
                        "hostdev port: <vlan> must be a single tag without trunk or nativeMode "
                        "(a VF filters exactly one VLAN)");
        *ret = v->n_tags ? v->tags[0] : 0;
        return 0;
}

static int apply_table(vport_ctx *ctx, const vport_port *port, const vf_snapshot *s, int pf_ifindex,
                       uint16_t vlan, vport_error *err) {
        vport_vf_info cfg = { .vf = s->index, .mac = port->def->mac, .vlan = vlan };
        char mac[VPORT_MAC_STRLEN];
        int r;

        /* Two requests, so a failure (or a crash) names exactly which one. */
        r = ctx->ops->vf_set(ctx->kernel, pf_ifindex, &cfg, VF_SET_MAC, err);
        if (r < 0)
                return vport_error_prefix(err, r, "PF %s VF %d: setting admin MAC %s", s->pf_ifname,
                                          s->index, mac_format(&cfg.mac, mac));
        r = ctx->ops->vf_set(ctx->kernel, pf_ifindex, &cfg, VF_SET_VLAN, err);
        if (r < 0)
                return vport_error_prefix(err, r, "PF %s VF %d: setting VLAN %u", s->pf_ifname, s->index,
                                          vlan);
        return 0;
}

/* vfio-pci, or the VFIO variant driver the network names (<driver
 * model='mlx5_vfio_pci'/>, libvirt 11). */
static const char *vfio_driver(const vport_port *port) {
        return port->def->plug.driver_model[0] ? port->def->plug.driver_model : VFIO_DRIVER;
}

static int bind_vfio(vport_ctx *ctx, const vf_snapshot *s, const char *driver, vport_error *err) {
        char bdf[VPORT_PCI_STRLEN];
        int r;

        if (streq(s->driver, driver))
                return 0;
        pci_addr_format(&s->vf, bdf);
        r = ctx->ops->pci_unbind(ctx->kernel, &s->vf, err);
        if (r < 0)
                return vport_error_prefix(err, r, "VF %s: unbinding from %s", bdf, s->driver);
        r = ctx->ops->pci_bind(ctx->kernel, &s->vf, driver, err);
        if (r < 0)
                return vport_error_prefix(err, r, "VF %s: binding to %s", bdf, driver);
        return 0;
}

/* The changes themselves; the caller has journaled the snapshot. */
static int apply(vport_ctx *ctx, const vport_port *port, const vf_snapshot *s, int pf_ifindex, uint16_t vlan,
                 vport_error *err) {
        int r;

        r = apply_table(ctx, port, s, pf_ifindex, vlan, err);
        if (r < 0)
                return r;
        /* managed='no': the admin binds the VF to vfio-pci himself. */
        if (port->def->plug.managed)
                return bind_vfio(ctx, s, vfio_driver(port), err);
        return 0;
}

/* ---- a container's VF netdev ----
 * A VF bound to a network driver is the container's interface: it gets the
 * port's MAC the seed-000 way (its netdev takes it, or the admin MAC plus a
 * driver rebind), then is moved into the namespace under the port's name.
 * "vfns:BDF" records its name on the host before the move; release moves
 * it back under that name (from the namespace, or from the host where the
 * kernel put it when the namespace died) before the snapshot is restored. */

#define VF_NETDEV_WAIT_MS 5000

static void vfns_key(const vport_port *port, char buf[static 5 + VPORT_PCI_STRLEN]) {
        char bdf[VPORT_PCI_STRLEN];

        snprintf(buf, 5 + VPORT_PCI_STRLEN, "vfns:%s", pci_addr_format(&port->def->plug.addr, bdf));
}

static bool is_vfio(const char *driver) {
        return strstr(driver, "vfio") != NULL;
}

static int vf_netdev_mac(vport_ctx *ctx, const vport_port *port, vport_error *err) {
        char bdf[VPORT_PCI_STRLEN];
        vport_vf_ref ref;
        int r;

        r = vport_vf_resolve(ctx, pci_addr_format(&port->def->plug.addr, bdf), NULL, &ref, err);
        if (r >= 0)
                r = vport_vf_set_mac(ctx, &ref, &port->def->mac, NULL, err);
        return r;
}

static int vfns_move_in(vport_ctx *ctx, vport_port *port, vport_error *err) {
        _cleanup_free_ char *name = NULL;
        vport_kernel *netns = NULL;
        char key[5 + VPORT_PCI_STRLEN];
        json_object *o;
        vport_link link;
        int r;

        r = vf_netdev_mac(ctx, port, err);
        if (r >= 0) /* a rebind may have renamed it: found by PCI address */
                r = ctx->ops->pci_wait_netdev(ctx->kernel, &port->def->plug.addr, VF_NETDEV_WAIT_MS, &name,
                                              err);
        if (r >= 0)
                r = ctx->ops->link_get(ctx->kernel, 0, name, &link, err);
        if (r < 0)
                return r;
        vfns_key(port, key);
        o = json_object_new_object();
        json_object_object_add(o, "ifname", json_object_new_string(link.name));
        json_object_object_add(o, "up", json_object_new_boolean(link.flags & IFF_UP));
        r = journal_put(ctx, port, key, JOURNAL_STEP_PREPARING, o, err);
        json_object_put(o);
        if (r >= 0)
                r = container_open(ctx, port, &netns, err);
        if (r >= 0 && (link.flags & IFF_UP))
                r = ctx->ops->link_set_up(ctx->kernel, link.ifindex, false, err);
        if (r >= 0)
                r = ctx->ops->link_move(ctx->kernel, link.ifindex, netns, port->rt.cifname, err);
        if (r == -EEXIST)
                r = vport_error_set(err, r, "namespace %s already has an interface %s", port->rt.netns,
                                    port->rt.cifname);
        if (netns)
                ctx->ops->netns_close(netns);
        if (r >= 0)
                r = journal_set_step(ctx, port, key, JOURNAL_STEP_PREPARED, err);
        if (r >= 0)
                snprintf(port->rt.ifname, sizeof(port->rt.ifname), "%s", port->rt.cifname);
        return r;
}

/* The VF netdev in the namespace, moved back to the host as name. 0 if it
 * was not there; 1 if moved. */
static int vfns_from_netns(vport_ctx *ctx, const vport_port *port, const char *name, vport_error *err) {
        vport_kernel *netns = NULL;
        vport_link link;
        int r;

        r = container_open_present(ctx, port, &netns, err);
        if (r <= 0)
                return r;
        r = ctx->ops->link_get(netns, 0, port->rt.cifname, &link, err);
        if (r >= 0 && (link.flags & IFF_UP))
                r = ctx->ops->link_set_up(netns, link.ifindex, false, err);
        if (r >= 0)
                r = ctx->ops->link_move(netns, link.ifindex, ctx->kernel, name, err);
        ctx->ops->netns_close(netns);
        if (r == -ENODEV) {
                vport_error_clear(err);
                return 0;
        }
        return r < 0 ? r : 1;
}

/* On the host (a namespace that died hands its physical devices back, as
 * "devN" if the name is taken): give it its name again. */
static int vfns_rename_on_host(vport_ctx *ctx, const vport_port *port, const char *name, vport_error *err) {
        _cleanup_free_ char *cur = NULL;
        vport_link link;
        int r;

        r = ctx->ops->pci_wait_netdev(ctx->kernel, &port->def->plug.addr, VF_NETDEV_WAIT_MS, &cur, err);
        if (r == -ETIMEDOUT) {
                vport_error_clear(err);
                return 0; /* unbound or gone: the snapshot restore says so */
        }
        if (r < 0 || streq(cur, name))
                return r;
        r = ctx->ops->link_get(ctx->kernel, 0, cur, &link, err);
        if (r >= 0 && (link.flags & IFF_UP))
                r = ctx->ops->link_set_up(ctx->kernel, link.ifindex, false, err);
        if (r >= 0)
                r = ctx->ops->link_move(ctx->kernel, link.ifindex, NULL, name, err);
        return r;
}

static int vfns_return(vport_ctx *ctx, vport_port *port, vport_error *err) {
        char key[5 + VPORT_PCI_STRLEN], name[VPORT_IFNAMSIZ] = "";
        json_object *o = NULL, *v;
        bool up = false;
        int r;

        vfns_key(port, key);
        r = journal_get(ctx, port, key, &o, NULL, err);
        if (r == -ENOENT) {
                vport_error_clear(err);
                return 0;
        }
        if (r < 0)
                return r;
        if (o && json_object_object_get_ex(o, "ifname", &v))
                snprintf(name, sizeof(name), "%s", json_object_get_string(v));
        if (o && json_object_object_get_ex(o, "up", &v))
                up = json_object_get_boolean(v);
        json_object_put(o);
        if (ifname_check(name, err) < 0)
                return -EBADMSG;
        r = journal_set_step(ctx, port, key, JOURNAL_STEP_RELEASING, err);
        if (r >= 0)
                r = vfns_from_netns(ctx, port, name, err);
        if (r >= 0)
                r = vfns_rename_on_host(ctx, port, name, err);
        if (r >= 0 && up) {
                vport_link link;
                if (ctx->ops->link_get(ctx->kernel, 0, name, &link, NULL) >= 0)
                        r = ctx->ops->link_set_up(ctx->kernel, link.ifindex, true, err);
        }
        if (r >= 0)
                r = journal_delete(ctx, port, key, err);
        return r;
}

/* CHECK: the VF's admin MAC and VLAN are still what prepare set. */
int sriov_port_check_vf(vport_ctx *ctx, const vport_port *port, vport_error *err) {
        _cleanup_free_ vport_vf_info *vfs = NULL;
        char bdf[VPORT_PCI_STRLEN], mac[VPORT_MAC_STRLEN];
        vport_vf_ref ref;
        uint16_t vlan = 0;
        size_t n = 0;
        int r;

        r = vport_vf_resolve(ctx, pci_addr_format(&port->def->plug.addr, bdf), NULL, &ref, err);
        if (r >= 0)
                r = port_vlan(port, &vlan, err);
        if (r >= 0)
                r = ctx->ops->vf_list(ctx->kernel, ref.pf_ifindex, &vfs, &n, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (vfs[i].vf != ref.index)
                        continue;
                if (!mac_equal(&vfs[i].mac, &port->def->mac))
                        return vport_error_set(err, -EREMCHG, "VF %s: admin MAC is %s, not the port's", bdf,
                                               mac_format(&vfs[i].mac, mac));
                if (vfs[i].vlan != vlan)
                        return vport_error_set(err, -EBADSLT, "VF %s: VLAN is %u, not %u", bdf, vfs[i].vlan,
                                               vlan);
                return 0;
        }
        return r < 0 ? r : vport_error_set(err, -ENODEV, "VF %s: not in its PF's VF table", bdf);
}

static int hostdev_release(vport_ctx *ctx, vport_port *port, vport_error *err);

static int hostdev_prepare(vport_ctx *ctx, vport_port *port, unsigned flags, vport_error *err) {
        char key[3 + VPORT_PCI_STRLEN];
        json_object *snap_json;
        vf_snapshot snap;
        vport_link pf;
        uint16_t vlan = 0;
        int r;

        journal_key(port, key);
        /* An entry left by a prepare that crashed holds the true original
         * state: put that back before taking a new snapshot. */
        if (!(flags & STEP_FRESH) && journal_get(ctx, port, key, NULL, NULL, NULL) >= 0 &&
            (r = hostdev_release(ctx, port, err)) < 0)
                return r;
        if ((r = port_vlan(port, &vlan, err)) < 0 ||
            (r = vf_snapshot_take(ctx, &port->def->plug.addr, &snap, &pf, err)) < 0 ||
            (r = sriov_pf_require_up(&pf, err)) < 0 ||
            (r = check_not_in_use(ctx, port, &snap, key, err)) < 0)
                return r;
        snap_json = vf_snapshot_to_json(&snap);
        r = journal_put(ctx, port, key, JOURNAL_STEP_PREPARING, snap_json, err);
        json_object_put(snap_json);
        if (r < 0)
                return r;
        r = apply(ctx, port, &snap, pf.ifindex, vlan, err);
        /* 802.1Qbh: the PF's driver associates the VF (seed 001 q. 3),
         * once it has the guest MAC */
        if (r >= 0 && port_has_vsi(port)) {
                vsi_target t = { .ifindex = pf.ifindex, .vf = snap.index };
                snprintf(t.ifname, sizeof(t.ifname), "%s", pf.name);
                r = port_vsi_associate(ctx, port, &t, flags, err);
        }
        if (r >= 0)
                r = journal_set_step(ctx, port, key, JOURNAL_STEP_PREPARED, err);
        /* A VF for vfio-pci (KubeVirt) stays on the host: its PCI address is the interface. */
        if (r >= 0 && port_is_container(port) && !port->def->plug.managed && snap.has_netdev &&
            !is_vfio(snap.driver)) {
                r = vfns_move_in(ctx, port, err);
                if (r < 0)
                        (void) vfns_return(ctx, port, NULL);
        }
        if (r < 0) {
                vport_error e = { 0 };
                char msg[VPORT_ERROR_MAX];
                snprintf(msg, sizeof(msg), "%s", vport_error_message(err, r));
                if (vf_snapshot_restore(ctx, &snap, &e) < 0)
                        /* Keep the entry: a later delete or reconcile retries. */
                        return vport_error_set(err, r, "%s; rolling back failed too: %s", msg, e.message);
                (void) journal_delete(ctx, port, key, NULL);
        }
        return r;
}

/* Restore from the journal; no entry means nothing (left) to do. The entry
 * is rewritten first with step "releasing" and this process's pid, so
 * reconcile leaves it alone while we work and finishes it if we die. It is
 * deleted only once everything is back, so a failed release can be retried. */
static int hostdev_release(vport_ctx *ctx, vport_port *port, vport_error *err) {
        char key[3 + VPORT_PCI_STRLEN];
        json_object *data = NULL;
        vf_snapshot snap;
        int r;

        /* the switch lets go before the VF loses the guest MAC */
        r = port_vsi_release(ctx, port, err);
        if (r >= 0)
                r = vfns_return(ctx, port, err);
        if (r < 0)
                return r;
        journal_key(port, key);
        r = journal_get(ctx, port, key, &data, NULL, err);
        if (r == -ENOENT) {
                vport_error_clear(err);
                return 0;
        }
        if (r < 0)
                return r;
        r = vf_snapshot_from_json(data, &snap, err);
        if (r >= 0)
                r = journal_put(ctx, port, key, JOURNAL_STEP_RELEASING, data, err);
        json_object_put(data);
        if (r >= 0)
                r = vf_snapshot_restore(ctx, &snap, err);
        if (r < 0)
                return r;
        return journal_delete(ctx, port, key, err);
}

/* The migration target's VF was pre-associated (PREASSOCIATE_RR). The
 * guest owns a VM's VF; a container's VF netdev is brought up and down. */
static int hostdev_activate(vport_ctx *ctx, const vport_port *port, vport_error *err) {
        int r = port_vsi_activate(ctx, port, err);

        if (r >= 0 && port_is_container(port) && port->rt.ifname[0])
                r = container_set_up(ctx, port, true, err);
        return r;
}

static int hostdev_deactivate(vport_ctx *ctx, const vport_port *port, vport_error *err) {
        return port_is_container(port) && port->rt.ifname[0] ? container_set_up(ctx, port, false, err) : 0;
}

const plug_driver plug_driver_hostdev = {
        .prepare = hostdev_prepare,
        .activate = hostdev_activate,
        .deactivate = hostdev_deactivate,
        .release = hostdev_release,
};
