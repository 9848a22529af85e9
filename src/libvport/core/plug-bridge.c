/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bridge and network plugs: a tap attached to a host bridge.
 *
 * The tap gets the guest MAC with the first byte set to 0xFE, as libvirt
 * does: the bridge takes the lowest port MAC as its own, and the guest's
 * MAC must never become the bridge's. prepare leaves the tap down;
 * activate brings it up. With macTableManager='libvirt' the port does not
 * learn or flood unknown unicast, and vport adds the guest MAC to the FDB
 * itself, only at activate (seed 002: earlier, the bridge of a migration's
 * destination would pull the traffic of its other guests away from the
 * still running source) and removes it at deactivate. */
#include <net/if.h>
#include <stdio.h>

#include "core/container.h"
#include "core/netdev-name.h"
#include "core/plug-common.h"

static const char *port_id(const vport_port *port, char buf[static VPORT_UUID_STRLEN]) {
        return uuid_format(&port->def->uuid, buf);
}

static bool libvirt_fdb(const vport_port *port) {
        return port->def->plug.mac_table_manager == MAC_TABLE_MANAGER_LIBVIRT;
}

static void tap_key(const vport_port *port, char buf[static PLUG_KEY_MAX]) {
        char uuid[VPORT_UUID_STRLEN];

        snprintf(buf, PLUG_KEY_MAX, "tap:%s", port_id(port, uuid));
}

static vport_mac tap_mac(const vport_port *port) {
        vport_mac mac = port->def->mac;

        mac.addr[0] = 0xFE;
        return mac;
}

static int bridge_get(vport_ctx *ctx, const vport_port *port, vport_link *ret, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN];
        int r;

        r = ctx->ops->link_get(ctx->kernel, 0, port->def->plug.bridge, ret, err);
        if (r == -ENODEV)
                return vport_error_set(err, r, "port %s: bridge '%s' does not exist", port_id(port, uuid),
                                       port->def->plug.bridge);
        if (r >= 0 && !streq(ret->kind, "bridge"))
                return vport_error_set(err, -EINVAL, "port %s: '%s' is a %s device, not a bridge",
                                       port_id(port, uuid), port->def->plug.bridge,
                                       ret->kind[0] ? ret->kind : "plain");
        return r;
}

typedef struct tap_job {
        const vport_port *port;
        int bridge_ifindex;
        uint32_t group;      /* creation group */
        vport_kernel *netns; /* a container port's namespace: a veth pair, not a tap */
} tap_job;

/* A container port's host end is a veth whose peer is made in the
 * container's namespace with the port's own name and MAC: deleting the
 * host end (release) deletes the peer too, and a namespace that goes away
 * takes both. */
static int veth_create(vport_ctx *ctx, const tap_job *job, const char *name, const vport_mac *mac,
                       vport_link *ret, vport_error *err) {
        vport_veth_request req = {
                .name = name,
                .mac = *mac,
                .group = job->group,
                .peer_name = job->port->rt.cifname,
                .peer_mac = job->port->def->mac,
                .peer_netns = job->netns,
        };

        return ctx->ops->veth_create(ctx->kernel, &req, ret, err);
}

/* A bridge numbers its ports in 10 bits and keeps 0 for itself
 * (BR_MAX_PORTS 1024, br_if.c find_portno()): the 1024th port gets
 * EXFULL. */
#define BRIDGE_MAX_PORTS 1023

static int bridge_full(const vport_port *port, const vport_link *bridge, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN];

        return vport_error_set(err, -EXFULL, "port %s: bridge %s is full: %d ports (the kernel's limit)",
                               port_id(port, uuid), bridge->name, BRIDGE_MAX_PORTS);
}

/* Enslave the tap with the bridge's MTU (as libvirt's
 * virNetDevSetMTUFromDevice: a smaller port would pull the bridge's MTU
 * down, a network's <mtu> must reach the guest's link). With
 * macTableManager='libvirt' the bridge must not learn the guest MAC from
 * traffic nor flood unknown unicast to it; <port isolated='yes'> makes it
 * an isolated bridge port (no frames to or from other isolated ports). A
 * fresh tap has every flag off, so only a 'yes' needs a request. */
static int tap_attach(vport_ctx *ctx, const vport_port *port, const vport_link *tap,
                      const vport_link *bridge, vport_error *err) {
        int r = 0;

        if (bridge->mtu && tap->mtu != bridge->mtu)
                r = ctx->ops->link_set_mtu(ctx->kernel, tap->ifindex, bridge->mtu, err);
        if (r >= 0)
                r = ctx->ops->link_set_master(ctx->kernel, tap->ifindex, bridge->ifindex, err);
        if (r == -EXFULL)
                return bridge_full(port, bridge, err);
        if (r >= 0 && libvirt_fdb(port))
                r = ctx->ops->brport_set_flags(ctx->kernel, tap->ifindex, false, false, err);
        if (r >= 0 && port->def->isolated_port == TRISTATE_YES)
                r = ctx->ops->brport_set_isolated(ctx->kernel, tap->ifindex, true, err);
        return r;
}

static const plug_release_ops bridge_release_ops, veth_release_ops;

/* VMs' taps and containers' veths, each kind batched on its own. */
static int bridge_release_many(vport_ctx *ctx, vport_port **ports, size_t n, vport_error *err) {
        _cleanup_free_ vport_port **veths = calloc(n ? n : 1, sizeof(*veths));
        _cleanup_free_ vport_port **taps = calloc(n ? n : 1, sizeof(*taps));
        size_t n_veths = 0, n_taps = 0;
        int r = 0, q;

        if (!veths || !taps)
                return vport_error_set(err, -ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
                if (port_is_container(ports[i]))
                        veths[n_veths++] = ports[i];
                else
                        taps[n_taps++] = ports[i];
        if (n_taps)
                r = plug_release(ctx, taps, n_taps, &bridge_release_ops, err);
        if (n_veths) {
                q = plug_release(ctx, veths, n_veths, &veth_release_ops, r < 0 ? NULL : err);
                if (r >= 0)
                        r = q;
        }
        return r;
}

static int bridge_release(vport_ctx *ctx, vport_port *port, vport_error *err) {
        return bridge_release_many(ctx, &port, 1, err);
}

/* The template and the creation group are journaled before the create:
 * a process killed right after it leaves a tap (or a container's veth)
 * that release finds in that group (plug-common.c). The name the kernel
 * chose and the ifindex are journaled right after. */
static int tap_make(vport_ctx *ctx, vport_port *port, const vport_link *bridge, vport_kernel *netns,
                    vport_error *err) {
        tap_job job = { .port = port,
                        .bridge_ifindex = bridge->ifindex,
                        .group = netdev_create_group(),
                        .netns = netns };
        plug_dev_record rec = { .ifname = NETDEV_TAP_TEMPLATE,
                                .lower_ifindex = bridge->ifindex,
                                .group = job.group };
        vport_mac mac = tap_mac(port);
        char key[PLUG_KEY_MAX];
        vport_link link;
        int r;

        tap_key(port, key);
        r = plug_dev_journal(ctx, port, key, JOURNAL_STEP_PREPARING, &rec, err);
        if (r >= 0 && netns)
                r = veth_create(ctx, &job, NETDEV_TAP_TEMPLATE, &mac, &link, err);
        else if (r >= 0)
                r = ctx->ops->tap_create(ctx->kernel, NETDEV_TAP_TEMPLATE, &mac, rec.group, &link, err);
        if (r < 0)
                return r;
        snprintf(rec.ifname, sizeof(rec.ifname), "%s", link.name);
        rec.ifindex = link.ifindex;
        r = plug_dev_journal(ctx, port, key, JOURNAL_STEP_PREPARED, &rec, err);
        /* Known by its ifindex now: back to the default group. */
        if (r >= 0)
                r = ctx->ops->link_set_group(ctx->kernel, link.ifindex, 0, err);
        if (r >= 0)
                r = tap_attach(ctx, port, &link, bridge, err);
        if (r < 0)
                return r;
        snprintf(port->rt.ifname, sizeof(port->rt.ifname), "%s", link.name);
        port->rt.ifindex = link.ifindex;
        snprintf(port->rt.lower, sizeof(port->rt.lower), "%s", bridge->name);
        port->rt.lower_ifindex = bridge->ifindex;
        return 0;
}

/* The container's interface name must be free there: a veth create that
 * fails on it would look like a taken host name and be retried. */
static int container_name_free(vport_ctx *ctx, const vport_port *port, vport_kernel *netns,
                               vport_error *err) {
        vport_link l;
        int r;

        r = ctx->ops->link_get(netns, 0, port->rt.cifname, &l, NULL);
        if (r == -ENODEV)
                return 0;
        if (r < 0)
                return r;
        return vport_error_set(err, -EEXIST, "namespace %s already has an interface %s", port->rt.netns,
                               port->rt.cifname);
}

static int bridge_prepare(vport_ctx *ctx, vport_port *port, unsigned flags, vport_error *err) {
        vport_kernel *netns = NULL;
        vport_link bridge;
        int r;

        /* Leftovers of a prepare that crashed (journal entries): undo first. */
        r = flags & STEP_FRESH ? 0 : bridge_release(ctx, port, err);
        if (r >= 0)
                r = bridge_get(ctx, port, &bridge, err);
        if (r >= 0 && port_is_container(port) && (r = container_open(ctx, port, &netns, err)) >= 0)
                r = container_name_free(ctx, port, netns, err);
        if (r >= 0)
                r = tap_make(ctx, port, &bridge, netns, err);
        if (netns)
                ctx->ops->netns_close(netns);
        if (r < 0)
                (void) bridge_release(ctx, port, NULL);
        return r;
}

static int port_gone(const vport_port *port, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN];

        return vport_error_set(err, -ENODEV,
                               "port %s: tap %s (ifindex %d) is gone; delete the port ('vport port-delete')",
                               port_id(port, uuid), port->rt.ifname, port->rt.ifindex);
}

/* The tap must still be a port of the bridge prepare put it on: a tap
 * whose bridge was deleted (or that someone detached) would come up
 * connected to nothing while the port read "active". */
static int tap_on_bridge(vport_ctx *ctx, const vport_port *port, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN];
        vport_link tap;
        int r;

        r = ctx->ops->link_get(ctx->kernel, port->rt.ifindex, NULL, &tap, err);
        if (r == -ENODEV)
                return port_gone(port, err);
        if (r < 0 || tap.master_ifindex == port->rt.lower_ifindex)
                return r;
        return vport_error_set(err, -ENODEV,
                               "port %s: tap %s is no longer on bridge %s (ifindex %d): was the bridge "
                               "deleted? Delete the port ('vport port-delete')",
                               port_id(port, uuid), port->rt.ifname, port->rt.lower, port->rt.lower_ifindex);
}

static int bridge_deactivate(vport_ctx *ctx, const vport_port *port, vport_error *err);

static int bridge_activate(vport_ctx *ctx, const vport_port *port, vport_error *err) {
        int r;

        if (port->rt.ifindex <= 0)
                return port_gone(port, err);
        /* With macTableManager='libvirt' the FDB add fails on a tap that is
         * off its bridge, so only the other case pays for a look first. */
        if (!libvirt_fdb(port) && (r = tap_on_bridge(ctx, port, err)) < 0)
                return r;
        r = ctx->ops->link_set_up(ctx->kernel, port->rt.ifindex, true, err);
        if (r >= 0 && libvirt_fdb(port)) {
                r = ctx->ops->fdb_add(ctx->kernel, port->rt.ifindex, &port->def->mac, err);
                /* The port stays prepared: its tap must be down again. */
                if (r < 0)
                        (void) ctx->ops->link_set_up(ctx->kernel, port->rt.ifindex, false, NULL);
                if (r == -EOPNOTSUPP && tap_on_bridge(ctx, port, err) < 0)
                        return -ENODEV;
        }
        if (r >= 0 && port_is_container(port)) {
                r = container_set_up(ctx, port, true, err);
                if (r < 0)
                        (void) bridge_deactivate(ctx, port, NULL);
        }
        return r == -ENODEV ? port_gone(port, err) : r;
}

/* FDB entry first: once the guest is stopped nothing may pull traffic to
 * this port (post-copy migration, seed 002). What went away behind vport's
 * back (the entry, the bridge, the tap) counts as undone. */
static int bridge_deactivate(vport_ctx *ctx, const vport_port *port, vport_error *err) {
        int r;

        if (port->rt.ifindex <= 0)
                return 0;
        if (libvirt_fdb(port)) {
                r = ctx->ops->fdb_del(ctx->kernel, port->rt.ifindex, &port->def->mac, err);
                r = plug_undo_error(ctx, port, PLUG_UNDO_FDB, port->rt.ifindex, port->rt.ifname, r, err);
                if (r != 0)
                        return r > 0 ? 0 : r;
        }
        r = ctx->ops->link_set_up(ctx->kernel, port->rt.ifindex, false, err);
        r = plug_undo_error(ctx, port, PLUG_UNDO_DOWN, port->rt.ifindex, port->rt.ifname, r, err);
        if (r == 0 && port_is_container(port))
                r = container_set_up(ctx, port, false, err);
        return r < 0 ? r : 0;
}

/* Nothing on the bridge to restore (the kernel drops the port and its FDB
 * entries with the tap), but a bridge deleted behind vport's back is
 * worth a word. */
static int bridge_note_gone(vport_ctx *ctx, vport_port *port, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN];
        vport_link link;

        if (port->rt.lower_ifindex > 0 &&
            ctx->ops->link_get(ctx->kernel, port->rt.lower_ifindex, NULL, &link, NULL) == -ENODEV)
                ctx_notice(ctx, "port %s: bridge %s (ifindex %d) was already gone", port_id(port, uuid),
                           port->rt.lower, port->rt.lower_ifindex);
        return 0;
}

static const plug_release_ops bridge_release_ops = {
        .dev_key = tap_key,
        .dev_kind = "tun",
        .restore = bridge_note_gone,
};

static const plug_release_ops veth_release_ops = {
        .dev_key = tap_key,
        .dev_kind = "veth",
        .restore = bridge_note_gone,
};

const plug_driver plug_driver_bridge = {
        .prepare = bridge_prepare,
        .activate = bridge_activate,
        .deactivate = bridge_deactivate,
        .release = bridge_release,
        .release_many = bridge_release_many,
};
