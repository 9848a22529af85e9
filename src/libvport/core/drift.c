/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Drift: where the host no longer matches what the live ports set up,
 * changed behind vport's back. Found by reading only: reporting it never
 * changes the host or the store (deleting the port, or putting the value
 * back, is the owner's decision). */
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/netdev-name.h"
#include "core/network-bridge.h"
#include "core/sriov-internal.h"
#include "core/vsi.h"

struct vport_drift_item {
        vport_drift_kind kind;
        bool has_port;
        vport_uuid port;
        char *owner, *network, *device, *detail;
};

typedef struct drift {
        vport_ctx *ctx;
        vport_drift_item **items;
        size_t n;
        int error; /* -ENOMEM if an item could not be kept */
        /* One dump of the namespace's links, sorted by ifindex: every port
         * is checked against it (a lookup, not a request per device), so a
         * report costs one dump plus n log n, whatever the host holds. */
        vport_link *links;
        size_t n_links;
} drift;

static int link_ifindex_cmp(const void *a, const void *b) {
        const vport_link *x = a, *y = b;

        return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

/* The link with ifindex from the dump: 0 and *ret, or -ENODEV. */
static int link_lookup(drift *d, int ifindex, vport_link *ret, vport_error *err) {
        vport_link key = { .ifindex = ifindex };
        const vport_link *l;

        /* no dump (it failed): one request per device, so one device that
         * cannot be read fails only its own port's check */
        if (!d->links)
                return d->ctx->ops->link_get(d->ctx->kernel, ifindex, NULL, ret, err);
        l = ifindex > 0 ? bsearch(&key, d->links, d->n_links, sizeof(key), link_ifindex_cmp) : NULL;
        if (!l)
                return vport_error_set(err, -ENODEV, "no link with ifindex %d", ifindex);
        *ret = *l;
        return 0;
}

/* The link named name from the dump (a scan: one per network, not per
 * port), or by a request if there is no dump: 0 and *ret, or -ENODEV. */
static int link_lookup_name(drift *d, const char *name, vport_link *ret, vport_error *err) {
        if (!d->links)
                return d->ctx->ops->link_get(d->ctx->kernel, 0, name, ret, err);
        for (size_t i = 0; i < d->n_links; i++)
                if (streq(d->links[i].name, name)) {
                        *ret = d->links[i];
                        return 0;
                }
        return vport_error_set(err, -ENODEV, "no link named %s", name);
}

static const char *const drift_kind_table[_VPORT_DRIFT_KIND_MAX] = {
        [VPORT_DRIFT_DEVICE_MISSING] = "device-missing",
        [VPORT_DRIFT_DEVICE_DETACHED] = "device-detached",
        [VPORT_DRIFT_FDB_MISSING] = "fdb-missing",
        [VPORT_DRIFT_MAC_CHANGED] = "mac-changed",
        [VPORT_DRIFT_VF_MAC_CHANGED] = "vf-mac-changed",
        [VPORT_DRIFT_VF_VLAN_CHANGED] = "vf-vlan-changed",
        [VPORT_DRIFT_ORPHAN_DEVICE] = "orphan-device",
        [VPORT_DRIFT_DAMAGED] = "damaged",
        [VPORT_DRIFT_CHECK_FAILED] = "check-failed",
        [VPORT_DRIFT_NETWORK_DEVICE_MISSING] = "network-device-missing",
        [VPORT_DRIFT_VSI_ENDED] = "vsi-ended",
};

const char *vport_drift_kind_to_string(vport_drift_kind k) {
        return (size_t) k < ELEMENTSOF(drift_kind_table) ? drift_kind_table[k] : NULL;
}

vport_drift_kind vport_drift_item_get_kind(const vport_drift_item *d) {
        return d->kind;
}

const vport_uuid *vport_drift_item_get_port(const vport_drift_item *d) {
        return d->has_port ? &d->port : NULL;
}

const char *vport_drift_item_get_owner(const vport_drift_item *d) {
        return d->owner;
}

const char *vport_drift_item_get_network(const vport_drift_item *d) {
        return d->network;
}

const char *vport_drift_item_get_device(const vport_drift_item *d) {
        return d->device;
}

const char *vport_drift_item_get_detail(const vport_drift_item *d) {
        return d->detail;
}

static void drift_item_free(vport_drift_item *d) {
        if (!d)
                return;
        free(d->owner);
        free(d->network);
        free(d->device);
        free(d->detail);
        free(d);
}

void vport_drift_item_array_free(vport_drift_item **d, size_t n) {
        for (size_t i = 0; d && i < n; i++)
                drift_item_free(d[i]);
        free(d);
}

static vport_drift_item *item_new(const vport_port *p, const char *network, vport_drift_kind kind,
                                  const char *device, char *detail) {
        vport_drift_item *d = calloc(1, sizeof(*d));

        if (!d) {
                free(detail);
                return NULL;
        }
        d->kind = kind;
        d->detail = detail;
        d->device = strdup(device);
        if (p) {
                d->has_port = true;
                d->port = p->def->uuid;
                d->owner = p->def->owner_name ? strdup(p->def->owner_name) : NULL;
                network = p->network;
        }
        d->network = network ? strdup(network) : NULL;
        if (!d->detail || !d->device || (network && !d->network) || (p && p->def->owner_name && !d->owner)) {
                drift_item_free(d);
                return NULL;
        }
        return d;
}

static void drift_addv(drift *d, const vport_port *p, const char *network, vport_drift_kind kind,
                       const char *device, const char *fmt, va_list ap) {
        vport_drift_item **items, *item;
        char *detail = NULL;

        if (vasprintf(&detail, fmt, ap) < 0)
                detail = NULL;
        items = reallocarray(d->items, d->n + 1, sizeof(*items));
        if (items)
                d->items = items;
        item = items ? item_new(p, network, kind, device, detail) : NULL;
        if (!item) {
                if (!items)
                        free(detail);
                d->error = -ENOMEM;
                return;
        }
        d->items[d->n++] = item;
}

static void _printf_(5, 6) drift_add(drift *d, const vport_port *p, vport_drift_kind kind,
                                     const char *device, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        drift_addv(d, p, NULL, kind, device, fmt, ap);
        va_end(ap);
}

/* A difference of a network's own device: no port. */
static void _printf_(5, 6) drift_add_net(drift *d, const char *network, vport_drift_kind kind,
                                         const char *device, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        drift_addv(d, NULL, network, kind, device, fmt, ap);
        va_end(ap);
}

/* The port's own device (tap, macvtap): 1 and *ret if it is still there
 * under its ifindex and name, 0 after reporting it missing, or -errno. */
static int check_own(drift *d, const vport_port *p, const char *what, vport_link *ret, vport_error *err) {
        int r = link_lookup(d, p->rt.ifindex, ret, err);

        if (r == -ENODEV) {
                vport_error_clear(err);
                drift_add(d, p, VPORT_DRIFT_DEVICE_MISSING, p->rt.ifname, "%s %s (ifindex %d) is gone", what,
                          p->rt.ifname, p->rt.ifindex);
                return 0;
        }
        if (r < 0)
                return r;
        if (!streq(ret->name, p->rt.ifname)) {
                drift_add(d, p, VPORT_DRIFT_DEVICE_MISSING, p->rt.ifname,
                          "%s %s (ifindex %d) is gone: that ifindex is now %s", what, p->rt.ifname,
                          p->rt.ifindex, ret->name);
                return 0;
        }
        return 1;
}

/* A device the port depends on (bridge, lower device), by ifindex. */
static int check_dep(drift *d, const vport_port *p, const char *what, const char *name, int ifindex,
                     vport_error *err) {
        vport_link link;
        int r = link_lookup(d, ifindex, &link, err);

        if (r == -ENODEV) {
                vport_error_clear(err);
                drift_add(d, p, VPORT_DRIFT_DEVICE_MISSING, name, "%s %s (ifindex %d) is gone", what, name,
                          ifindex);
                return 0;
        }
        return r < 0 ? r : 1;
}

/* A MAC vport set on a device, changed since. */
static void check_mac(drift *d, const vport_port *p, const char *what, const vport_link *link,
                      const vport_mac *want) {
        char got_s[VPORT_MAC_STRLEN], want_s[VPORT_MAC_STRLEN];

        if (!mac_equal(&link->mac, want))
                drift_add(d, p, VPORT_DRIFT_MAC_CHANGED, link->name, "%s %s has MAC %s, the port set %s",
                          what, link->name, mac_format(&link->mac, got_s), mac_format(want, want_s));
}

static int check_bridge(drift *d, const vport_port *p, vport_error *err) {
        vport_mac tap_mac = p->def->mac;
        char mac[VPORT_MAC_STRLEN];
        vport_link tap;
        int r;

        r = check_own(d, p, "tap", &tap, err);
        if (r <= 0)
                return r;
        tap_mac.addr[0] = 0xFE; /* plug-bridge.c: the guest MAC with 0xFE first */
        check_mac(d, p, "tap", &tap, &tap_mac);
        r = check_dep(d, p, "bridge", p->rt.lower, p->rt.lower_ifindex, err);
        if (r <= 0)
                return r;
        if (tap.master_ifindex != p->rt.lower_ifindex) {
                drift_add(d, p, VPORT_DRIFT_DEVICE_DETACHED, p->rt.ifname,
                          "tap %s is no longer a port of bridge %s", p->rt.ifname, p->rt.lower);
                return 0;
        }
        if (p->state != PORT_STATE_ACTIVE || p->def->plug.mac_table_manager != MAC_TABLE_MANAGER_LIBVIRT)
                return 0;
        r = d->ctx->ops->fdb_get(d->ctx->kernel, p->rt.ifindex, &p->def->mac, err);
        if (r == -ENOENT) {
                vport_error_clear(err);
                drift_add(d, p, VPORT_DRIFT_FDB_MISSING, p->rt.ifname,
                          "bridge %s has no FDB entry for %s on %s (macTableManager='libvirt', port active)",
                          p->rt.lower, mac_format(&p->def->mac, mac), p->rt.ifname);
                return 0;
        }
        return r < 0 ? r : 0;
}

/* The macvtap carries the guest MAC; in passthrough mode the lower
 * device does too (prepare gave it the guest MAC). */
static int check_direct(drift *d, const vport_port *p, vport_error *err) {
        vport_link mvt, lower;
        int r;

        r = link_lookup(d, p->rt.lower_ifindex, &lower, err);
        if (r == -ENODEV) {
                vport_error_clear(err);
                drift_add(d, p, VPORT_DRIFT_DEVICE_MISSING, p->rt.lower,
                          "lower device %s (ifindex %d) is gone", p->rt.lower, p->rt.lower_ifindex);
        } else if (r < 0)
                return r;
        else if (p->def->plug.mode == DIRECT_PASSTHROUGH)
                check_mac(d, p, "passthrough lower device", &lower, &p->def->mac);
        r = check_own(d, p, "macvtap", &mvt, err);
        if (r > 0)
                check_mac(d, p, "macvtap", &mvt, &p->def->mac);
        return r < 0 ? r : 0;
}

/* The VF's PF table entry against what prepare set: the port's MAC as
 * admin MAC and its VLAN tag (0 for none). */
static int check_vf(drift *d, const vport_port *p, vport_error *err) {
        char bdf[VPORT_PCI_STRLEN], want[VPORT_MAC_STRLEN], got[VPORT_MAC_STRLEN];
        uint16_t vlan = p->def->vlan.n_tags ? p->def->vlan.tags[0] : 0;
        vport_pci_info info;
        vport_vf_info vi;
        vport_link pf;
        int r;

        pci_addr_format(&p->def->plug.addr, bdf);
        r = d->ctx->ops->pci_info(d->ctx->kernel, &p->def->plug.addr, &info, err);
        if (r >= 0 && !info.is_vf)
                r = vport_error_set(err, -ENODEV, "PCI device %s is no longer a VF", bdf);
        if (r >= 0)
                r = sriov_pf_link(d->ctx, &info.pf, &pf, err);
        if (r >= 0)
                r = sriov_vf_info(d->ctx, pf.ifindex, info.vf_index, &vi, err);
        if (r == -ENODEV) {
                drift_add(d, p, VPORT_DRIFT_DEVICE_MISSING, bdf, "VF %s: %s", bdf,
                          vport_error_message(err, r));
                vport_error_clear(err);
                return 0;
        }
        if (r < 0)
                return r;
        if (!mac_equal(&vi.mac, &p->def->mac))
                drift_add(d, p, VPORT_DRIFT_VF_MAC_CHANGED, bdf,
                          "VF %s (PF %s VF %d): admin MAC is %s, the port set %s", bdf, pf.name,
                          info.vf_index, mac_format(&vi.mac, got), mac_format(&p->def->mac, want));
        if (vi.vlan != vlan)
                drift_add(d, p, VPORT_DRIFT_VF_VLAN_CHANGED, bdf,
                          "VF %s (PF %s VF %d): VLAN is %u, the port set %u", bdf, pf.name, info.vf_index,
                          vi.vlan, vlan);
        return 0;
}

/* What re-association recorded: the switch ended the VSI and asking again
 * failed. Nothing is asked of lldpad here (drift only reads). */
static int check_vsi(drift *d, const vport_port *p, vport_error *err) {
        char uplink[VPORT_IFNAMSIZ], u[VPORT_UUID_STRLEN];
        int r = port_vsi_ended(d->ctx, p, uplink, err);

        if (r > 0)
                drift_add(d, p, VPORT_DRIFT_VSI_ENDED, uplink,
                          "the switch ended the association of VSI instance %s on %s and associating again "
                          "failed",
                          uuid_format(p->def->virtualport->type == VIRTUALPORT_8021QBH
                                              ? &p->def->owner_uuid
                                              : &p->def->virtualport->instance_id,
                                      u),
                          uplink);
        return r < 0 ? r : 0;
}

static int check_devices(drift *d, const vport_port *p, vport_error *err) {
        switch (p->def->plug.type) {
        case PLUG_BRIDGE:
        case PLUG_NETWORK:
                return p->rt.ifindex > 0 ? check_bridge(d, p, err) : 0;
        case PLUG_DIRECT:
                return p->rt.ifindex > 0 ? check_direct(d, p, err) : 0;
        case PLUG_HOSTDEV_PCI:
                return check_vf(d, p, err);
        default:
                return 0;
        }
}

static int check_port(drift *d, const vport_port *p, vport_error *err) {
        int r;

        if (p->stale)
                return 0;
        /* its definition (VLAN, mode, FDB policy) is unknown: comparing the
         * host with it would report drift that is not there */
        if (p->damage) {
                drift_add(d, p, VPORT_DRIFT_DAMAGED, strempty(p->device), "%s; it can only be deleted",
                          p->damage);
                return 0;
        }
        if (p->state == PORT_STATE_ALLOCATED)
                return 0;
        r = check_devices(d, p, err);
        return r < 0 ? r : check_vsi(d, p, err);
}

static int int_cmp(const void *a, const void *b) {
        int x = *(const int *) a, y = *(const int *) b;

        return (x > y) - (x < y);
}

static int u32_cmp(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;

        return (x > y) - (x < y);
}

/* The "group" of a network journal record's JSON data, 0 if none (tok:
 * one tokener for every record). */
static uint32_t data_group(json_tokener *tok, const char *data) {
        return (uint32_t) journal_data_int(tok, data, "group");
}

/* A port journal record keeps its device's creation group inside the
 * snapshot journal_put() wraps ({"pid":N,"snapshot":{...,"group":G}}).
 * Only device records have one: the others are not parsed. */
static uint32_t port_data_group(json_tokener *tok, const char *data) {
        json_object *o, *snap, *v;
        uint32_t g = 0;

        if (!data || !strstr(data, "\"group\""))
                return 0;
        json_tokener_reset(tok);
        o = json_tokener_parse_ex(tok, data, -1);
        if (o && json_object_object_get_ex(o, "snapshot", &snap) &&
            json_object_object_get_ex(snap, "group", &v))
                g = (uint32_t) json_object_get_int64(v);
        json_object_put(o);
        return g;
}

typedef struct held_groups {
        uint32_t *g;
        size_t n;
} held_groups;

static int held_add(held_groups *h, uint32_t g) {
        uint32_t *a;

        if (!netdev_is_create_group(g))
                return 0;
        a = reallocarray(h->g, h->n + 1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        h->g = a;
        h->g[h->n++] = g;
        return 0;
}

/* The creation groups the port and network journals hold: a device in one
 * of them is a create still being finished (or one reconcile finishes). */
static int held_groups_load(vport_ctx *ctx, held_groups *h, vport_error *err) {
        store_journal *pj = NULL;
        store_net_journal *nj = NULL;
        json_tokener *tok = json_tokener_new();
        size_t n_pj = 0, n_nj = 0;
        int r;

        if (!tok)
                return vport_error_set(err, -ENOMEM, "out of memory");
        r = store_journal_list(ctx->store, NULL, &pj, &n_pj, err);
        if (r >= 0)
                r = store_net_journal_list(ctx->store, NULL, &nj, &n_nj, err);
        for (size_t i = 0; r >= 0 && i < n_pj; i++)
                r = held_add(h, port_data_group(tok, pj[i].data));
        for (size_t i = 0; r >= 0 && i < n_nj; i++)
                r = held_add(h, data_group(tok, nj[i].data));
        json_tokener_free(tok);
        store_journal_array_free(pj, n_pj);
        store_net_journal_array_free(nj, n_nj);
        if (r == -ENOMEM)
                return vport_error_set(err, r, "out of memory");
        if (h->n > 0)
                qsort(h->g, h->n, sizeof(*h->g), u32_cmp);
        return r < 0 ? r : 0;
}

/* Whether vport's own marks say it made l: a group marker, or a device
 * still in a creation group (made by vport's RTM_NEWLINK / TUNSETIFF in a
 * group drawn at random for that one create, before anything else was set)
 * that no journal holds. Never by name or MAC: libvirt's QEMU driver makes
 * vnetN taps and macvtapN devices too, with the same MAC prefix. A device
 * vport made goes back to group 0 once its ifindex is journaled: from then
 * on only the journal and the port row know it, and a port or journal
 * entry holding it is not an orphan. */
static bool made_by_vport(const vport_link *l, const held_groups *h) {
        if (netdev_is_group_marker(l))
                return true;
        return netdev_is_create_group(l->group) &&
               !(h->n > 0 && bsearch(&l->group, h->g, h->n, sizeof(*h->g), u32_cmp));
}

/* Against sorted lists of the ifindexes the ports hold and the creation
 * groups the journals hold: n log n, not a scan of every port per link. */
static int check_orphans(drift *d, vport_port **ports, size_t n, vport_error *err) {
        _cleanup_free_ int *held = calloc(n ? n : 1, sizeof(int));
        held_groups groups = { 0 };
        char mac[VPORT_MAC_STRLEN];
        size_t n_held = 0;
        int r;

        if (!held)
                return vport_error_set(err, -ENOMEM, "out of memory");
        if (!d->links && d->ctx->ops->link_list) {
                r = d->ctx->ops->link_list(d->ctx->kernel, &d->links, &d->n_links, err);
                if (r < 0)
                        return r;
        }
        r = held_groups_load(d->ctx, &groups, err);
        if (r < 0) {
                free(groups.g);
                return r;
        }
        for (size_t i = 0; i < n; i++)
                if (!ports[i]->stale && ports[i]->rt.ifindex > 0)
                        held[n_held++] = ports[i]->rt.ifindex;
        qsort(held, n_held, sizeof(int), int_cmp);
        for (size_t i = 0; i < d->n_links; i++) {
                const vport_link *l = &d->links[i];

                if (made_by_vport(l, &groups) && !bsearch(&l->ifindex, held, n_held, sizeof(int), int_cmp))
                        drift_add(d, NULL, VPORT_DRIFT_ORPHAN_DEVICE, l->name,
                                  "%s %s (ifindex %d, MAC %s, group %#x) was made by vport (its creation "
                                  "group or group marker), but no port or journal entry holds it",
                                  l->kind, l->name, l->ifindex, mac_format(&l->mac, mac), l->group);
        }
        free(groups.g);
        return 0;
}

/* An active network's bridge: the one net-start made (by the ifindex it
 * recorded: a device that took the name since is not it), or the existing
 * one a bridge-mode network plugs into (by name, as net-start checked it).
 * Reported even when no port is there to notice. */
static int check_network(drift *d, const store_network *sn, vport_error *err) {
        _cleanup_(net_parsed_unrefp) net_parsed *parsed = NULL;
        const vport_network_def *def;
        vport_plug_type t;
        char name[VPORT_IFNAMSIZ];
        vport_link link;
        int ifindex = 0, r;

        if (!sn->active || net_parsed_get(d->ctx, sn, &parsed, NULL) < 0)
                return 0; /* an unreadable definition fails its own commands, with their message */
        def = parsed->def;
        t = network_def_plug_type(def, NULL);
        if (forward_mode_makes_bridge(def->forward_mode)) {
                r = net_bridge_recorded(d->ctx, sn->name, name, &ifindex, err);
                if (r < 0)
                        return r;
                if (!name[0] || ifindex <= 0)
                        return 0; /* a start still under way, or one reconcile finishes */
        } else if ((t == PLUG_BRIDGE || t == PLUG_NETWORK) && def->bridge_name)
                snprintf(name, sizeof(name), "%s", def->bridge_name);
        else
                return 0;
        r = ifindex > 0 ? link_lookup(d, ifindex, &link, err) : link_lookup_name(d, name, &link, err);
        if (r == -ENODEV) {
                vport_error_clear(err);
                if (ifindex > 0)
                        drift_add_net(d, sn->name, VPORT_DRIFT_NETWORK_DEVICE_MISSING, name,
                                      "network '%s': bridge %s (ifindex %d) that net-start made is gone",
                                      sn->name, name, ifindex);
                else
                        drift_add_net(d, sn->name, VPORT_DRIFT_NETWORK_DEVICE_MISSING, name,
                                      "network '%s': bridge %s is gone", sn->name, name);
                return 0;
        }
        if (r < 0)
                return r;
        if (!streq(link.name, name))
                drift_add_net(d, sn->name, VPORT_DRIFT_NETWORK_DEVICE_MISSING, name,
                              "network '%s': bridge %s (ifindex %d) that net-start made is gone: that "
                              "ifindex is now %s",
                              sn->name, name, ifindex, link.name);
        else if (!streq(link.kind, "bridge"))
                drift_add_net(d, sn->name, VPORT_DRIFT_NETWORK_DEVICE_MISSING, name,
                              "network '%s': %s is no longer a bridge (kind %s)", sn->name, name,
                              link.kind[0] ? link.kind : "none");
        return 0;
}

static int check_networks(drift *d, vport_error *err) {
        store_network *nets = NULL;
        size_t n = 0;
        int r;

        r = store_network_list(d->ctx->store, &nets, &n, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                vport_error e = { 0 };
                int q = check_network(d, &nets[i], &e);
                if (q == -ENOMEM)
                        r = q;
                else if (q < 0)
                        drift_add_net(d, nets[i].name, VPORT_DRIFT_CHECK_FAILED, "", "network '%s': %s",
                                      nets[i].name, vport_error_message(&e, q));
        }
        store_network_array_free(nets, n);
        return r;
}

typedef struct port_set {
        vport_port **ports;
        size_t n, alloc;
        json_tokener *tok; /* for the rows' runtime JSON */
} port_set;

static int port_set_add(const store_port *row, void *userdata, vport_error *err) {
        port_set *s = userdata;
        int r;

        if (s->n == s->alloc) {
                size_t want = s->alloc ? s->alloc * 2 : 64;
                vport_port **p = reallocarray(s->ports, want, sizeof(*p));
                if (!p)
                        return vport_error_set(err, -ENOMEM, "drift: out of memory");
                s->ports = p, s->alloc = want;
        }
        r = port_step_from_store(row, s->tok, &s->ports[s->n], err);
        if (r < 0)
                return r;
        s->n++;
        return 0;
}

/* Every port, from the columns where they stand for the XML (the summary:
 * plug, mode, FDB policy, VLAN; a port with a <virtualport> is parsed, its
 * VSI is checked): parsing 8188 definitions was half of a reconcile with
 * nothing to do. A damaged row is parsed in full, and so reported. */
static int ports_load(vport_ctx *ctx, vport_port ***ret, size_t *ret_n, vport_error *err) {
        port_set s = { 0 };
        int r;

        if (!(s.tok = json_tokener_new()))
                return vport_error_set(err, -ENOMEM, "drift: out of memory");
        r = store_port_foreach(ctx->store, NULL, NULL, port_set_add, &s, err);
        json_tokener_free(s.tok);
        if (r < 0) {
                vport_port_array_free(s.ports, s.n);
                return r;
        }
        *ret = s.ports ? s.ports : calloc(1, sizeof(*s.ports));
        *ret_n = s.n;
        return *ret ? 0 : -ENOMEM;
}

int vport_drift(vport_ctx *ctx, vport_drift_item ***ret, size_t *ret_n, vport_error *err) {
        drift d = { .ctx = ctx };
        vport_port **ports = NULL;
        size_t n = 0;
        int r;

        assert_return(ctx && ret && ret_n, -EINVAL);
        *ret = NULL;
        *ret_n = 0;
        r = ports_load(ctx, &ports, &n, err);
        if (r < 0)
                return r;
        /* (a fake SR-IOV table for hostdev-only tests lists no links) */
        if (ctx->ops->link_list && ctx->ops->link_list(ctx->kernel, &d.links, &d.n_links, NULL) >= 0)
                qsort(d.links, d.n_links, sizeof(*d.links), link_ifindex_cmp);
        /* One port that cannot be checked is reported, not a reason to
         * report nothing on the others. */
        for (size_t i = 0; r >= 0 && i < n; i++) {
                vport_error e = { 0 };
                int q = check_port(&d, ports[i], &e);
                if (q == -ENOMEM)
                        r = q;
                else if (q < 0)
                        drift_add(&d, ports[i], VPORT_DRIFT_CHECK_FAILED, strempty(ports[i]->device), "%s",
                                  vport_error_message(&e, q));
        }
        if (r >= 0)
                r = check_networks(&d, err);
        if (r >= 0)
                r = check_orphans(&d, ports, n, err);
        vport_port_array_free(ports, n);
        free(d.links);
        if (r >= 0 && d.error < 0)
                r = vport_error_set(err, d.error, "drift: out of memory listing the differences");
        if (r < 0) {
                vport_drift_item_array_free(d.items, d.n);
                return r;
        }
        *ret = d.items;
        *ret_n = d.n;
        return (int) d.n;
}
