/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* prepare -> activate -> deactivate -> delete, dispatched to the plug type's
 * driver. The state in the store only moves after the driver's step has
 * succeeded; drivers journal what they are about to change before changing
 * it, so a crash in between is finished by delete or reconcile. */
#include <stdio.h>

#include "core/internal.h"

const plug_driver *plug_driver_get(vport_plug_type type) {
        const plug_driver *d;

        switch (type) {
        case PLUG_HOSTDEV_PCI:
                d = &plug_driver_hostdev;
                break;
        case PLUG_DIRECT:
                d = &plug_driver_direct;
                break;
        case PLUG_BRIDGE:
        case PLUG_NETWORK:
                d = &plug_driver_bridge;
                break;
        default:
                d = NULL;
        }
        /* Unresolved weak symbol: the driver is not built in. */
        return d;
}

static const plug_driver *driver_of(const vport_port *p, vport_error *err) {
        const plug_driver *d = plug_driver_get(p->def->plug.type);
        char uuid[VPORT_UUID_STRLEN];

        if (!d)
                vport_error_set(err, -EOPNOTSUPP, "port %s: plug type '%s' has no driver",
                                uuid_format(&p->def->uuid, uuid), plug_type_to_string(p->def->plug.type));
        return d;
}

/* Run one driver step and move the port to state `to` in the store. */
typedef int (*step_fn)(vport_ctx *ctx, vport_port *port, vport_error *err);

static int port_step(vport_ctx *ctx, vport_port *port, step_fn fn, vport_port_state to, vport_error *err) {
        int r;

        if (fn) {
                r = fn(ctx, port, err);
                if (r < 0)
                        return r;
        }
        port->state = to;
        return port_save(ctx, port, err);
}

static int prepare_step(vport_ctx *ctx, vport_port *port, unsigned flags, vport_error *err) {
        const plug_driver *d = driver_of(port, err);
        int r;

        if (!d)
                return -EOPNOTSUPP;
        r = d->prepare(ctx, port, flags, err);
        if (r < 0)
                return r;
        port->state = PORT_STATE_PREPARED;
        r = port_save(ctx, port, err);
        if (r < 0)
                (void) d->release(ctx, port, NULL);
        return r;
}

static int load_live(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err) {
        char s[VPORT_UUID_STRLEN];
        int r = port_load(ctx, uuid, ret, err);

        if (r >= 0 && (*ret)->stale) {
                vport_port_free(*ret);
                *ret = NULL;
                return vport_error_set(err, -ESTALE, "port %s is from an earlier boot; run 'vport reconcile'",
                                       uuid_format(uuid, s));
        }
        return r;
}

static int hand_back(vport_port **port, vport_port **ret) {
        if (ret)
                *ret = TAKE_PTR(*port);
        return 0;
}

int vport_port_prepare(vport_ctx *ctx, const vport_uuid *uuid, unsigned flags, vport_port **ret,
                       vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        int r;

        assert_return(ctx && uuid, -EINVAL);
        r = load_live(ctx, uuid, &port, err);
        if (r < 0)
                return r;
        if (port->state == PORT_STATE_ALLOCATED) {
                r = prepare_step(ctx, port, flags, err);
                if (r < 0)
                        return r;
        }
        return hand_back(&port, ret);
}

int vport_port_activate(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        const plug_driver *d;
        int r;

        assert_return(ctx && uuid, -EINVAL);
        r = load_live(ctx, uuid, &port, err);
        if (r < 0)
                return r;
        if (port->state == PORT_STATE_ALLOCATED) {
                char s[VPORT_UUID_STRLEN];
                return vport_error_set(err, -EINVAL, "port %s is not prepared; run 'vport port-prepare' first",
                                       uuid_format(uuid, s));
        }
        if (port->state == PORT_STATE_PREPARED) {
                if (!(d = driver_of(port, err)))
                        return -EOPNOTSUPP;
                r = port_step(ctx, port, d->activate, PORT_STATE_ACTIVE, err);
                if (r < 0)
                        return r;
        }
        return hand_back(&port, ret);
}

static int deactivate_loaded(vport_ctx *ctx, vport_port *port, vport_error *err) {
        const plug_driver *d;

        if (port->state != PORT_STATE_ACTIVE)
                return 0;
        if (!(d = driver_of(port, err)))
                return -EOPNOTSUPP;
        return port_step(ctx, port, d->deactivate, PORT_STATE_PREPARED, err);
}

int vport_port_deactivate(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        int r;

        assert_return(ctx && uuid, -EINVAL);
        r = load_live(ctx, uuid, &port, err);
        if (r < 0)
                return r;
        r = deactivate_loaded(ctx, port, err);
        if (r < 0)
                return r;
        return hand_back(&port, ret);
}

/* Release whatever prepare (or a half-done prepare) changed, then forget the
 * port. A port still "allocated" may hold journal entries from a prepare
 * that crashed, so release runs for every state. */
static int delete_loaded(vport_ctx *ctx, vport_port *port, vport_error *err) {
        const plug_driver *d = plug_driver_get(port->def->plug.type);
        int r;

        if (!port->stale) {
                r = deactivate_loaded(ctx, port, err);
                if (r < 0)
                        return r;
        }
        if (d && !port->stale) {
                r = d->release(ctx, port, err);
                if (r < 0)
                        return r;
        }
        return store_port_delete(ctx->store, &port->def->uuid, err);
}

int vport_port_delete(vport_ctx *ctx, const vport_uuid *uuid, vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        int r;

        assert_return(ctx && uuid, -EINVAL);
        r = port_load(ctx, uuid, &port, err);
        if (r < 0)
                return r;
        return delete_loaded(ctx, port, err);
}

int port_delete_many(vport_ctx *ctx, vport_port **ports, size_t n, vport_error *err) {
        int first = 0, deleted = 0;

        for (size_t i = 0; i < n; i++) {
                vport_error e = { 0 };
                int r = delete_loaded(ctx, ports[i], &e);
                if (r < 0 && first == 0) {
                        first = r;
                        if (err)
                                *err = e;
                }
                deleted += r >= 0;
        }
        return first < 0 ? first : deleted;
}

int vport_port_delete_owner(vport_ctx *ctx, const char *owner, vport_error *err) {
        store_port *rows = NULL;
        vport_port **ports = NULL;
        size_t n = 0;
        int r;

        assert_return(ctx && owner, -EINVAL);
        r = store_port_list(ctx->store, NULL, owner, &rows, &n, err);
        if (r < 0)
                return r;
        if (n == 0)
                return vport_error_set(err, -ENOENT, "owner '%s' has no ports", owner);
        ports = calloc(n, sizeof(*ports));
        for (size_t i = 0; ports && r >= 0 && i < n; i++)
                r = port_from_store(&rows[i], &ports[i], err);
        store_port_array_free(rows, n);
        if (!ports)
                return -ENOMEM;
        if (r >= 0)
                r = port_delete_many(ctx, ports, n, err);
        vport_port_array_free(ports, n);
        return r;
}
