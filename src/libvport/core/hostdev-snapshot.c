/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VF snapshots for hostdev ports: take, store as JSON, restore. */
#include <stdarg.h>
#include <stdio.h>

#include "core/hostdev-snapshot.h"
#include "core/sriov-internal.h"

int vf_snapshot_take(vport_ctx *ctx, const vport_pci_addr *vf, vf_snapshot *ret, vport_link *ret_pf,
                     vport_error *err) {
        char bdf[VPORT_PCI_STRLEN];
        vport_pci_info info;
        vport_link nd;
        int r;

        pci_addr_format(vf, bdf);
        r = ctx->ops->pci_info(ctx->kernel, vf, &info, err);
        if (r < 0)
                return r;
        if (!info.is_vf || !info.is_net || info.vf_index < 0)
                return vport_error_set(err, -EINVAL, "PCI device %s is not a network VF", bdf);
        *ret = (vf_snapshot){ .vf = *vf, .pf = info.pf, .index = info.vf_index };
        snprintf(ret->driver, sizeof(ret->driver), "%s", info.driver);
        r = sriov_pf_link(ctx, &info.pf, ret_pf, err);
        if (r < 0)
                return vport_error_prefix(err, r, "VF %s", bdf);
        snprintf(ret->pf_ifname, sizeof(ret->pf_ifname), "%s", ret_pf->name);
        r = sriov_vf_info(ctx, ret_pf->ifindex, ret->index, &ret->info, err);
        if (r < 0)
                return vport_error_prefix(err, r, "VF %s", bdf);
        r = sriov_vf_netdev(ctx, vf, &nd, err);
        if (r < 0)
                return r;
        ret->has_netdev = r > 0;
        if (ret->has_netdev) {
                snprintf(ret->netdev, sizeof(ret->netdev), "%s", nd.name);
                ret->mac = nd.mac;
                ret->mtu = nd.mtu;
        }
        return 0;
}

static void add_mac(json_object *o, const char *key, const vport_mac *mac) {
        char s[VPORT_MAC_STRLEN];

        json_object_object_add(o, key, json_object_new_string(mac_format(mac, s)));
}

json_object *vf_snapshot_to_json(const vf_snapshot *s) {
        json_object *o = json_object_new_object();
        char bdf[VPORT_PCI_STRLEN];

        json_object_object_add(o, "pci", json_object_new_string(pci_addr_format(&s->vf, bdf)));
        json_object_object_add(o, "pf_pci", json_object_new_string(pci_addr_format(&s->pf, bdf)));
        json_object_object_add(o, "pf", json_object_new_string(s->pf_ifname));
        json_object_object_add(o, "vf", json_object_new_int(s->index));
        json_object_object_add(o, "driver", json_object_new_string(s->driver));
        sriov_vf_info_to_json(o, &s->info); /* the shape vf-list shows */
        json_object_object_add(o, "netdev", s->has_netdev ? json_object_new_string(s->netdev) : NULL);
        if (s->has_netdev) {
                add_mac(o, "netdev_mac", &s->mac);
                json_object_object_add(o, "mtu", json_object_new_int64(s->mtu));
        }
        return o;
}

/* ---- from JSON ---- */

static json_object *get(json_object *o, const char *key) {
        json_object *v = NULL;

        return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static int get_str(json_object *o, const char *key, char *buf, size_t size, vport_error *err) {
        json_object *v = get(o, key);

        if (!v || !json_object_is_type(v, json_type_string))
                return vport_error_set(err, -EBADMSG, "VF snapshot: field '%s' missing or not a string",
                                       key);
        snprintf(buf, size, "%s", json_object_get_string(v));
        return 0;
}

static int get_mac(json_object *o, const char *key, vport_mac *ret, vport_error *err) {
        char s[32];

        if (get_str(o, key, s, sizeof(s), err) < 0)
                return -EBADMSG;
        if (mac_parse(s, ret) < 0)
                return vport_error_set(err, -EBADMSG, "VF snapshot: field '%s' = '%s' is not a MAC", key, s);
        return 0;
}

static int get_pci(json_object *o, const char *key, vport_pci_addr *ret, vport_error *err) {
        char s[32];

        if (get_str(o, key, s, sizeof(s), err) < 0)
                return -EBADMSG;
        if (pci_addr_parse(s, ret) < 0)
                return vport_error_set(err, -EBADMSG, "VF snapshot: field '%s' = '%s' is not a PCI address",
                                       key, s);
        return 0;
}

/* An optional integer or boolean: false if null or absent. */
static bool get_opt(json_object *o, const char *key, int64_t *ret) {
        json_object *v = get(o, key);

        if (!v)
                return false;
        *ret = json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v)
                                                         : json_object_get_int64(v);
        return true;
}

/* A journal written before the VF's shape was shared with vf-list has the
 * admin MAC as admin_mac and the netdev's MAC as mac; a restore must still
 * read it. */
int vf_snapshot_from_json(json_object *o, vf_snapshot *ret, vport_error *err) {
        bool old = o && json_object_object_get_ex(o, "admin_mac", NULL);
        int64_t v = -1;

        *ret = (vf_snapshot){ 0 };
        if (!o)
                return vport_error_set(err, -EBADMSG, "VF snapshot: no data");
        if (get_pci(o, "pci", &ret->vf, err) < 0 || get_pci(o, "pf_pci", &ret->pf, err) < 0 ||
            get_str(o, "pf", ret->pf_ifname, sizeof(ret->pf_ifname), err) < 0 ||
            get_str(o, "driver", ret->driver, sizeof(ret->driver), err) < 0 ||
            sriov_vf_info_from_json(o, old ? "admin_mac" : "mac", &ret->info, err) < 0)
                return -EBADMSG;
        if (!get_opt(o, "vf", &v) || v < 0)
                return vport_error_set(err, -EBADMSG, "VF snapshot: field 'vf' missing");
        ret->index = (int) v;
        ret->info.vf = ret->index;
        ret->has_netdev = get(o, "netdev") != NULL;
        if (!ret->has_netdev)
                return 0;
        if (get_str(o, "netdev", ret->netdev, sizeof(ret->netdev), err) < 0 ||
            get_mac(o, old ? "mac" : "netdev_mac", &ret->mac, err) < 0)
                return -EBADMSG;
        ret->mtu = get_opt(o, "mtu", &v) ? (unsigned) v : 0;
        return 0;
}

/* ---- restore ---- */

/* Failures of a restore, collected so every step is still tried. */
typedef struct restore_log {
        int first;
        char msg[VPORT_ERROR_MAX];
} restore_log;

static void _printf_(3, 4) log_fail(restore_log *log, int r, const char *fmt, ...) {
        size_t len = strlen(log->msg);
        va_list ap;

        if (log->first == 0)
                log->first = r;
        if (len > 0 && len < sizeof(log->msg) - 2)
                len += (size_t) snprintf(log->msg + len, sizeof(log->msg) - len, "; ");
        va_start(ap, fmt);
        if (len < sizeof(log->msg))
                vsnprintf(log->msg + len, sizeof(log->msg) - len, fmt, ap);
        va_end(ap);
}

static void vf_set_logged(vport_ctx *ctx, int pf_ifindex, const vport_vf_info *cfg, unsigned mask,
                          const char *what, restore_log *log) {
        vport_error e = { 0 };
        int r = ctx->ops->vf_set(ctx->kernel, pf_ifindex, cfg, mask, &e);

        if (r < 0)
                log_fail(log, r, "%s: %s", what, vport_error_message(&e, r));
}

/* Some PF drivers refuse to clear an admin MAC (all-zero is not a valid
 * unicast address to them); a locally administered placeholder is the
 * closest they take, as libvirt does. */
static void restore_admin_mac(vport_ctx *ctx, int pf_ifindex, const vf_snapshot *s, restore_log *log) {
        vport_vf_info cfg = s->info;
        vport_error e = { 0 };
        int r;

        r = ctx->ops->vf_set(ctx->kernel, pf_ifindex, &cfg, VF_SET_MAC, &e);
        if (r == -EINVAL && mac_is_zero(&cfg.mac)) {
                cfg.mac = (vport_mac){ { 0x02, 0, 0, 0, 0, 0 } };
                r = ctx->ops->vf_set(ctx->kernel, pf_ifindex, &cfg, VF_SET_MAC, &e);
                if (r >= 0)
                        ctx_notice(ctx,
                                   "VF %d: the PF refused to clear its admin MAC (all-zero); set "
                                   "02:00:00:00:00:00 instead",
                                   s->index);
        }
        if (r < 0)
                log_fail(log, r, "admin MAC: %s", vport_error_message(&e, r));
}

/* Only fields that differ are written: drivers report attributes they
 * cannot set (igb reports a link state but has no ndo to change it). */
static void restore_table(vport_ctx *ctx, const vf_snapshot *s, restore_log *log) {
        const vport_vf_info *want = &s->info;
        vport_vf_info cur;
        vport_error e = { 0 };
        vport_link pf;
        int r;

        r = sriov_pf_link(ctx, &s->pf, &pf, &e);
        if (r >= 0)
                r = sriov_vf_info(ctx, pf.ifindex, s->index, &cur, &e);
        if (r == -ENODEV) {
                /* The PF lost its netdev (driver unbound, device removed) or
                 * no longer lists the VF: the table entry went with it, and
                 * a PF driver that comes back starts from a clean one. */
                ctx_notice(ctx, "PF %s VF %d: the PF's VF table entry was already gone (%s): not restored",
                           s->pf_ifname, s->index, vport_error_message(&e, r));
                return;
        }
        if (r < 0) {
                log_fail(log, r, "PF table: %s", vport_error_message(&e, r));
                return;
        }
        if (!mac_equal(&cur.mac, &want->mac))
                restore_admin_mac(ctx, pf.ifindex, s, log);
        if (cur.vlan != want->vlan || cur.qos != want->qos ||
            (want->vlan_proto && cur.vlan_proto && cur.vlan_proto != want->vlan_proto))
                vf_set_logged(ctx, pf.ifindex, want, VF_SET_VLAN, "VLAN", log);
        if (want->has_spoofchk && cur.spoofchk != want->spoofchk)
                vf_set_logged(ctx, pf.ifindex, want, VF_SET_SPOOFCHK, "spoofchk", log);
        if (want->has_trust && cur.trust != want->trust)
                vf_set_logged(ctx, pf.ifindex, want, VF_SET_TRUST, "trust", log);
        if (want->has_link_state && cur.link_state != want->link_state)
                vf_set_logged(ctx, pf.ifindex, want, VF_SET_LINK_STATE, "link state", log);
        if (want->has_rate && (cur.min_tx_rate != want->min_tx_rate || cur.max_tx_rate != want->max_tx_rate))
                vf_set_logged(ctx, pf.ifindex, want, VF_SET_RATE, "rates", log);
}

static void restore_driver(vport_ctx *ctx, const vf_snapshot *s, restore_log *log) {
        vport_pci_info info;
        vport_error e = { 0 };
        int r;

        r = ctx->ops->pci_info(ctx->kernel, &s->vf, &info, &e);
        if (r >= 0 && streq(info.driver, s->driver))
                return;
        if (r >= 0 && info.driver[0])
                r = ctx->ops->pci_unbind(ctx->kernel, &s->vf, &e);
        if (r >= 0 && s->driver[0])
                r = ctx->ops->pci_bind(ctx->kernel, &s->vf, s->driver, &e);
        if (r < 0)
                log_fail(log, r, "driver %s: %s", s->driver[0] ? s->driver : "(none)",
                         vport_error_message(&e, r));
}

/* The netdev is found again by PCI address: after a rebind it may have
 * another name than the one in the snapshot. */
static void restore_netdev(vport_ctx *ctx, const vf_snapshot *s, restore_log *log) {
        _cleanup_free_ char *name = NULL;
        vport_error e = { 0 };
        vport_link nd;
        int r;

        if (!s->has_netdev)
                return;
        r = ctx->ops->pci_wait_netdev(ctx->kernel, &s->vf, SRIOV_NETDEV_TIMEOUT_MS, &name, &e);
        if (r >= 0)
                r = ctx->ops->link_get(ctx->kernel, 0, name, &nd, &e);
        if (r >= 0 && !mac_equal(&nd.mac, &s->mac))
                r = ctx->ops->link_set_mac(ctx->kernel, nd.ifindex, &s->mac, &e);
        if (r >= 0 && s->mtu && nd.mtu != s->mtu)
                r = ctx->ops->link_set_mtu(ctx->kernel, nd.ifindex, s->mtu, &e);
        if (r < 0)
                log_fail(log, r, "netdev MAC/MTU: %s", vport_error_message(&e, r));
}

/* A VF whose PCI function is gone (its PF disabled SR-IOV, or was
 * removed itself) took all its state with it: nothing is left to restore,
 * and a VF that appears there later is a new one. Returns true if gone. */
static bool vf_gone(vport_ctx *ctx, const vf_snapshot *s) {
        char bdf[VPORT_PCI_STRLEN];
        vport_pci_info info;

        if (ctx->ops->pci_info(ctx->kernel, &s->vf, &info, NULL) != -ENODEV)
                return false;
        ctx_notice(ctx,
                   "VF %s (PF %s VF %d) was already gone (SR-IOV disabled or the PF removed): nothing to "
                   "restore",
                   pci_addr_format(&s->vf, bdf), s->pf_ifname, s->index);
        return true;
}

int vf_snapshot_restore(vport_ctx *ctx, const vf_snapshot *s, vport_error *err) {
        restore_log log = { 0 };
        char bdf[VPORT_PCI_STRLEN];

        if (vf_gone(ctx, s))
                return 0;
        restore_table(ctx, s, &log);
        restore_driver(ctx, s, &log);
        restore_netdev(ctx, s, &log);
        if (log.first == 0)
                return 0;
        return vport_error_set(err, log.first, "PF %s VF %d (%s): not fully restored: %s", s->pf_ifname,
                               s->index, pci_addr_format(&s->vf, bdf), log.msg);
}
