/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a caller reads about a network (vport_network, typed): its state,
 * forward mode, bridge, live ports and, for pools of devices, how many
 * connections each device holds. net-list and net-info print it; the JSON
 * is built from it in one place (json.c). */
#include "base/names.h"
#include "core/internal.h"
#include "core/pool.h"

struct vport_network {
        char *name;
        vport_uuid uuid;
        bool active, autostart;
        const char *forward; /* static strings; NULL if the stored definition cannot be read */
        const char *plug;
        char *bridge;
        unsigned ports;   /* live ports */
        bool has_devices; /* a direct or hostdev pool was loaded */
        pool devices;
};

void vport_network_free(vport_network *n) {
        if (!n)
                return;
        free(n->name);
        free(n->bridge);
        pool_clear(&n->devices);
        free(n);
}

void vport_network_array_free(vport_network **n, size_t count) {
        for (size_t i = 0; n && i < count; i++)
                vport_network_free(n[i]);
        free(n);
}

/* Counted by the store (an index), not by reading every port: net-list
 * read all 4096 ports' rows to count them (10 ms). */
static unsigned count_live_ports(vport_ctx *ctx, const char *network) {
        int r = store_port_count_live(ctx->store, network, NULL);

        return r < 0 ? 0 : (unsigned) r;
}

/* The pool of a direct or hostdev network, with its usage. */
static int network_load_devices(vport_ctx *ctx, const vport_network_def *def, vport_network *n,
                                vport_error *err) {
        vport_plug_type t = network_def_plug_type(def, NULL);
        int r;

        if (t != PLUG_DIRECT && t != PLUG_HOSTDEV_PCI)
                return 0;
        if ((r = pool_load(ctx, def, t, &n->devices, err)) < 0)
                return r;
        n->has_devices = true;
        return 0;
}

/* A summary from a store row; with_devices also loads the pool (sysfs, the
 * store's usage), and then a definition that cannot be read is an error. */
static int network_from_row(vport_ctx *ctx, const store_network *row, bool with_devices, vport_network **ret,
                            vport_error *err) {
        _cleanup_(net_parsed_unrefp) net_parsed *parsed = NULL;
        _cleanup_(vport_network_freep) vport_network *n = calloc(1, sizeof(*n));
        const vport_network_def *def;
        int r;

        if (!n || !(n->name = strdup(row->name)))
                return -ENOMEM;
        n->uuid = row->uuid;
        n->active = row->active;
        n->autostart = row->autostart;
        n->ports = count_live_ports(ctx, row->name);
        r = net_parsed_get(ctx, row, &parsed, with_devices ? err : NULL);
        if (r < 0 && with_devices)
                return r;
        if (r >= 0) {
                def = parsed->def;
                n->forward = forward_mode_to_string(def->forward_mode);
                n->plug = plug_def_type_to_string(network_def_plug_type(def, NULL));
                if (def->bridge_name && !(n->bridge = strdup(def->bridge_name)))
                        return -ENOMEM;
                if (with_devices && (r = network_load_devices(ctx, def, n, err)) < 0)
                        return r;
        }
        *ret = TAKE_PTR(n);
        return 0;
}

int vport_network_list(vport_ctx *ctx, vport_network ***ret, size_t *ret_n, vport_error *err) {
        store_network *rows = NULL;
        vport_network **nets;
        size_t n = 0;
        int r;

        assert_return(ctx && ret && ret_n, -EINVAL);
        if ((r = store_network_list(ctx->store, &rows, &n, err)) < 0)
                return r;
        nets = calloc(n ? n : 1, sizeof(*nets));
        r = nets ? 0 : -ENOMEM;
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = network_from_row(ctx, &rows[i], false, &nets[i], err);
        store_network_array_free(rows, n);
        if (r < 0) {
                vport_network_array_free(nets, n);
                return r;
        }
        *ret = nets;
        *ret_n = n;
        return 0;
}

int vport_network_get(vport_ctx *ctx, const char *name, vport_network **ret, vport_error *err) {
        _cleanup_(store_network_freep) store_network *row = NULL;
        int r;

        assert_return(ctx && name && ret, -EINVAL);
        name_check_return(NAME_NETWORK, name, err);
        if ((r = store_network_get(ctx->store, name, &row, err)) < 0)
                return r;
        return network_from_row(ctx, row, true, ret, err);
}

const char *vport_network_get_name(const vport_network *n) {
        return n->name;
}

const vport_uuid *vport_network_get_uuid(const vport_network *n) {
        return &n->uuid;
}

bool vport_network_get_active(const vport_network *n) {
        return n->active;
}

bool vport_network_get_autostart(const vport_network *n) {
        return n->autostart;
}

const char *vport_network_get_forward(const vport_network *n) {
        return n->forward;
}

const char *vport_network_get_plug_type(const vport_network *n) {
        return n->plug;
}

const char *vport_network_get_bridge(const vport_network *n) {
        return n->bridge;
}

unsigned vport_network_get_ports(const vport_network *n) {
        return n->ports;
}

int vport_network_get_n_devices(const vport_network *n) {
        return n->has_devices ? (int) n->devices.n : -1;
}

static const pool_device *device_at(const vport_network *n, size_t i) {
        return n->has_devices && i < n->devices.n ? &n->devices.devices[i] : NULL;
}

const char *vport_network_device_key(const vport_network *n, size_t i) {
        const pool_device *d = device_at(n, i);
        return d ? d->key : NULL;
}

const char *vport_network_device_netdev(const vport_network *n, size_t i) {
        const pool_device *d = device_at(n, i);
        return d ? d->netdev : NULL;
}

char *vport_network_device_pci(const vport_network *n, size_t i, char buf[VPORT_PCI_STRLEN]) {
        const pool_device *d = device_at(n, i);
        return d && d->has_pci ? pci_addr_format(&d->pci, buf) : NULL;
}

unsigned vport_network_device_connections(const vport_network *n, size_t i) {
        const pool_device *d = device_at(n, i);
        return d ? d->connections : 0;
}
