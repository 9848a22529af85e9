/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* prepare -> activate -> deactivate -> delete, dispatched to the plug type's
 * driver. The state in the store only moves after the driver's step has
 * succeeded; drivers journal what they are about to change before changing
 * it, so a crash in between is finished by delete or reconcile. */
#include <stdio.h>

#include "config.h"
#include "base/names.h"
#include "core/container.h"
#include "core/internal.h"

const plug_driver *plug_driver_get(vport_plug_type type) {
        const plug_driver *d;

        switch (type) {
        case PLUG_HOSTDEV_PCI:
                d = &plug_driver_hostdev;
                break;
        case PLUG_DIRECT:
#if WITH_MACVTAP
                d = &plug_driver_direct;
#else
                d = NULL;
#endif
                break;
        case PLUG_BRIDGE:
        case PLUG_NETWORK:
                d = &plug_driver_bridge;
                break;
        default:
                d = NULL;
        }
        return d;
}

static const plug_driver *driver_of(const vport_port *p, vport_error *err) {
        const plug_driver *d = plug_driver_get(p->def->plug.type);
        char uuid[VPORT_UUID_STRLEN];

        if (!d)
                vport_error_set(err, -EOPNOTSUPP, "port %s: plug type '%s' has no driver",
                                uuid_format(&p->def->uuid, uuid),
                                plug_def_type_to_string(p->def->plug.type));
        return d;
}

/* Run one driver step and move the port to state `to` in the store. A step
 * leaves the port as it was (the driver's const), so only the state
 * column is written, not the row's XML, runtime and summary again. */
typedef int (*step_fn)(vport_ctx *ctx, const vport_port *port, vport_error *err);

static int port_step(vport_ctx *ctx, vport_port *port, step_fn fn, vport_port_state to, vport_error *err) {
        int r;

        if (fn) {
                r = fn(ctx, port, err);
                if (r < 0)
                        return r;
        }
        port->state = to;
        return port_save_state(ctx, port, err);
}

/* A VF asked for by netdev name (seed 001): the name must still lead to the
 * PCI address recorded at allocation; a rename or re-enumeration since then
 * is refused rather than handing the guest a different device. */
static int check_vf_netdev(vport_ctx *ctx, const vport_port *port, vport_error *err) {
        char want[VPORT_PCI_STRLEN], got[VPORT_PCI_STRLEN];
        vport_pci_addr pci;
        int r;

        if (!port->rt.vf_netdev[0])
                return 0;
        r = ctx->ops->netdev_pci(ctx->kernel, port->rt.vf_netdev, &pci, err);
        if (r < 0)
                return vport_error_prefix(err, r, "port's device '%s'", port->rt.vf_netdev);
        if (!pci_addr_equal(&pci, &port->def->plug.addr))
                return vport_error_set(err, -EXDEV,
                                       "netdev '%s' is now PCI device %s, but the port holds %s",
                                       port->rt.vf_netdev, pci_addr_format(&pci, got),
                                       pci_addr_format(&port->def->plug.addr, want));
        return 0;
}

/* What libvirt refuses when a guest starts rather than at allocation. net
 * may be NULL: then the port's network is loaded. */
static int check_mode(vport_ctx *ctx, const vport_port *port, const vport_network_def *net,
                      vport_error *err) {
        _cleanup_(net_parsed_unrefp) net_parsed *loaded = NULL;
        int r;

        if (!net) {
                r = net_load(ctx, port->network, &loaded, NULL, err);
                if (r < 0)
                        return r;
                net = loaded->def;
        }
        return port_def_check_mode(port->def, net, err);
}

/* A port whose delete began (and did not finish: it was killed, or a
 * device refused) is on its way out: reconcile or a repeated delete will
 * remove it, so nothing may put it to use again meanwhile. */
static int check_not_deleting(vport_ctx *ctx, const vport_port *port, unsigned flags, vport_error *err) {
        char s[VPORT_UUID_STRLEN];

        if ((flags & (STEP_NOT_DELETING | STEP_FRESH)) ||
            journal_get(ctx, port, JOURNAL_KEY_DELETE, NULL, NULL, NULL) < 0)
                return 0;
        uuid_format(&port->def->uuid, s);
        return vport_error_set(
                err, -EBUSY,
                "port %s is being deleted (a delete did not finish): run 'vport port-delete %s' "
                "again or 'vport reconcile'",
                s, s);
}

int port_prepare_loaded(vport_ctx *ctx, vport_port *port, const vport_network_def *net, unsigned flags,
                        vport_error *err) {
        const plug_driver *d;
        int r;

        if (port->state != PORT_STATE_ALLOCATED)
                return 0;
        r = port_refuse_damaged(port, err);
        if (r >= 0)
                r = check_not_deleting(ctx, port, flags, err);
        if (r >= 0)
                r = check_mode(ctx, port, net, err);
        if (r < 0)
                return r;
        r = check_vf_netdev(ctx, port, err);
        if (r < 0)
                return r;
        if (!(d = driver_of(port, err)))
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
                return vport_error_set(err, -ESTALE,
                                       "port %s is from an earlier boot; run 'vport reconcile'",
                                       uuid_format(uuid, s));
        }
        return r;
}

/* The steps on a loaded port. Each is a no-op when the port is already
 * past it, so repeating a step is harmless. */
typedef int (*loaded_fn)(vport_ctx *ctx, vport_port *port, unsigned flags, vport_error *err);

static int prepare_loaded(vport_ctx *ctx, vport_port *port, unsigned flags, vport_error *err) {
        return port_prepare_loaded(ctx, port, NULL, flags, err);
}

static int activate_loaded(vport_ctx *ctx, vport_port *port, unsigned flags, vport_error *err) {
        const plug_driver *d;
        char s[VPORT_UUID_STRLEN];
        int r;

        if (port->state == PORT_STATE_ALLOCATED)
                return vport_error_set(err, -EINVAL,
                                       "port %s is not prepared; run 'vport port-prepare' first",
                                       uuid_format(&port->def->uuid, s));
        if (port->state != PORT_STATE_PREPARED)
                return 0;
        if (port_refuse_damaged(port, err) < 0)
                return -EBADMSG;
        if (!(d = driver_of(port, err)))
                return -EOPNOTSUPP;
        r = check_not_deleting(ctx, port, flags, err);
        if (r < 0)
                return r;
        return port_step(ctx, port, d->activate, PORT_STATE_ACTIVE, err);
}

/* An active port only: what delete runs before it releases the devices. */
static int deactivate_loaded(vport_ctx *ctx, vport_port *port, unsigned flags, vport_error *err) {
        const plug_driver *d;
        int r;

        if (port->state != PORT_STATE_ACTIVE)
                return 0;
        if ((r = port_damaged_refine(ctx, port, err)) < 0)
                return r;
        if (!(d = driver_of(port, err)))
                return -EOPNOTSUPP;
        return port_step(ctx, port, d->deactivate, PORT_STATE_PREPARED, err);
}

/* What port-deactivate runs: a "prepared" port is deactivated too (the
 * driver's deactivate is idempotent). An activate killed half-way leaves
 * the port "prepared" with its device possibly up and its FDB entry added:
 * the VM manager's deactivate must still take the guest MAC off the wire. */
static int deactivate_any_loaded(vport_ctx *ctx, vport_port *port, unsigned flags, vport_error *err) {
        const plug_driver *d;
        int r;

        if (port->state != PORT_STATE_PREPARED)
                return deactivate_loaded(ctx, port, flags, err);
        if ((r = port_damaged_refine(ctx, port, err)) < 0)
                return r;
        if (!(d = driver_of(port, err)))
                return -EOPNOTSUPP;
        return d->deactivate(ctx, port, err);
}

/* Load a live port, run one step, hand the updated port back. */
static int port_run(vport_ctx *ctx, const vport_uuid *uuid, loaded_fn fn, unsigned flags, vport_port **ret,
                    vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        int r;

        assert_return(ctx && uuid, -EINVAL);
        r = load_live(ctx, uuid, &port, err);
        if (r < 0)
                return r;
        r = fn(ctx, port, flags, err);
        if (r < 0)
                return r;
        if (ret)
                *ret = TAKE_PTR(port);
        return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(json_tokener *, json_tokener_free);

/* The flags owner_run() passes for the port: STEP_NOT_DELETING unless the
 * owner's delete entries name it (the step then looks and refuses). */
static unsigned owner_step_flags(const vport_uuid *deleting, int n_deleting, const vport_uuid *uuid) {
        for (int i = 0; i < n_deleting; i++)
                if (uuid_equal(&deleting[i], uuid))
                        return 0;
        return STEP_NOT_DELETING;
}

/* One step on every live port of an owner, in one store transaction: the
 * whole VM's NICs go up (or down) with one commit, which matters on the
 * live-migration downtime path. Ports are independent: one failing does not
 * undo the others; the first error is returned, the others are still run.
 * The rows are read once, each port from its columns and summary where they
 * stand for its XML (port_step_from_store), and the journal is asked once
 * for the owner's ports being deleted. */
static int owner_run(vport_ctx *ctx, const char *owner, loaded_fn fn, vport_error *err) {
        _cleanup_free_ vport_uuid *deleting = NULL;
        _cleanup_(json_tokener_freep) json_tokener *tok = json_tokener_new();
        store_port *rows = NULL;
        size_t n = 0;
        int r, first = 0, done = 0, n_deleting = 0;

        assert_return(ctx && owner, -EINVAL);
        name_check_return(NAME_OWNER, owner, err);
        if (!tok)
                return -ENOMEM;
        r = store_begin(ctx->store, err);
        if (r < 0)
                return r;
        ctx->owner_step = true;
        ctx->n_lowers_up = 0;
        r = store_port_list(ctx->store, NULL, owner, &rows, &n, err);
        if (r >= 0 && n == 0)
                r = vport_error_set(err, -ENOENT, "owner '%s' has no ports", owner);
        if (r >= 0)
                r = n_deleting =
                        store_journal_owner_ports(ctx->store, owner, JOURNAL_KEY_DELETE, &deleting, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_(vport_port_freep) vport_port *port = NULL;
                vport_error e = { 0 };
                int q = rows[i].stale ? 0 : port_step_from_store(&rows[i], tok, &port, &e);

                if (q >= 0 && port)
                        q = fn(ctx, port, owner_step_flags(deleting, n_deleting, &port->def->uuid), &e);
                if (q < 0 && first == 0) {
                        first = q;
                        if (err)
                                *err = e;
                }
                done += q >= 0 && port;
        }
        store_port_array_free(rows, n);
        ctx->owner_step = false;
        if (r < 0) {
                store_rollback(ctx->store);
                return r;
        }
        r = store_commit(ctx->store, first < 0 ? NULL : err);
        return first < 0 ? first : r < 0 ? r : done;
}

/* Activate and deactivate sit on a migration's downtime path (the guest's
 * CPUs wait for them): their commits never wait for a checkpoint's
 * fdatasyncs, which the next other step does instead. */
static int owner_run_urgent(vport_ctx *ctx, const char *owner, loaded_fn fn, vport_error *err) {
        int r;

        store_hold_checkpoint(ctx ? ctx->store : NULL, true);
        r = owner_run(ctx, owner, fn, err);
        store_hold_checkpoint(ctx ? ctx->store : NULL, false);
        return r;
}

static int port_run_urgent(vport_ctx *ctx, const vport_uuid *uuid, loaded_fn fn, vport_port **ret,
                           vport_error *err) {
        int r;

        store_hold_checkpoint(ctx ? ctx->store : NULL, true);
        r = port_run(ctx, uuid, fn, 0, ret, err);
        store_hold_checkpoint(ctx ? ctx->store : NULL, false);
        return r;
}

int vport_port_activate_owner(vport_ctx *ctx, const char *owner, vport_error *err) {
        return owner_run_urgent(ctx, owner, activate_loaded, err);
}

int vport_port_deactivate_owner(vport_ctx *ctx, const char *owner, vport_error *err) {
        return owner_run_urgent(ctx, owner, deactivate_any_loaded, err);
}

int vport_port_prepare(vport_ctx *ctx, const vport_uuid *uuid, unsigned flags, vport_port **ret,
                       vport_error *err) {
        return port_run(ctx, uuid, prepare_loaded, flags, ret, err);
}

int vport_port_activate(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err) {
        return port_run_urgent(ctx, uuid, activate_loaded, ret, err);
}

int vport_port_deactivate(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err) {
        return port_run_urgent(ctx, uuid, deactivate_any_loaded, ret, err);
}

/* Journal that port is being deleted (JOURNAL_KEY_DELETE). Returns 0 or -errno. */
static int port_delete_begin(vport_ctx *ctx, const vport_port *port, vport_error *err) {
        return journal_put(ctx, port, JOURNAL_KEY_DELETE, JOURNAL_STEP_RELEASING, NULL, err);
}

/* Whether the port has journal entries besides its delete entry (a device
 * not restored yet: the store then refuses to forget it). */
static int has_device_entries(vport_ctx *ctx, const vport_uuid *uuid, vport_error *err) {
        store_journal *entries = NULL;
        size_t n = 0;
        int r;

        r = store_journal_list(ctx->store, uuid, &entries, &n, err);
        for (size_t i = 0; r == 0 && i < n; i++)
                r = !streq(entries[i].key, JOURNAL_KEY_DELETE);
        store_journal_array_free(entries, n);
        return r;
}

int port_forget(vport_ctx *ctx, const vport_uuid *uuid, vport_error *err) {
        bool owned;
        int r;

        r = ctx_txn_begin(ctx, &owned, err);
        if (r >= 0)
                r = has_device_entries(ctx, uuid, err);
        /* The delete entry stays while a device does: reconcile then still
         * knows the port is being deleted (a stale port may have none). */
        if (r == 0)
                (void) store_journal_delete(ctx->store, uuid, JOURNAL_KEY_DELETE, NULL);
        if (r >= 0)
                r = store_port_delete(ctx->store, uuid, err);
        return ctx_txn_end(ctx, owned, r, err);
}

/* Journal the delete, deactivate, release whatever prepare (or a half-done
 * prepare) changed, then forget the port and the delete entry together: a
 * kill anywhere after the first commit leaves the delete entry, and
 * reconcile finishes the delete. A port still "allocated" may hold journal
 * entries from a prepare that crashed, so release runs for every state. */
/* A container's device goes with its release in one step: deleting the
 * veth or macvlan takes it down and flushes its FDB entries, and nothing
 * of it has to leave the wire before the rest (no migration). Taking each
 * end down first would only add a synchronize_net() per device. */
static bool delete_deactivates(const vport_port *port) {
        return !port_is_container(port);
}

static int delete_loaded(vport_ctx *ctx, vport_port *port, vport_error *err) {
        const plug_driver *d = plug_driver_get(port->def->plug.type);
        int r;

        if ((r = port_damaged_refine(ctx, port, err)) < 0)
                return r;
        if (port->stale)
                return port_forget(ctx, &port->def->uuid, err);
        r = port_delete_begin(ctx, port, err);
        if (r >= 0 && delete_deactivates(port))
                r = deactivate_loaded(ctx, port, 0, err);
        if (r >= 0 && d)
                r = d->release(ctx, port, err);
        if (r < 0)
                return r;
        return port_forget(ctx, &port->def->uuid, err);
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

/* The caller's view of the port is still current. The step's own save is a
 * compare-and-swap on the generation loaded here, so a change between this
 * check and the save is refused too. */
static int check_generation(const vport_port *port, uint64_t generation, vport_error *err) {
        char s[VPORT_UUID_STRLEN];

        if (generation == 0 || port->generation == generation)
                return 0;
        return vport_error_set(err, -ESTALE, "port %s is at generation %llu, not %llu: it changed since",
                               uuid_format(&port->def->uuid, s), (unsigned long long) port->generation,
                               (unsigned long long) generation);
}

int vport_port_deactivate_gen(vport_ctx *ctx, const vport_uuid *uuid, uint64_t generation, vport_port **ret,
                              vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        int r;

        assert_return(ctx && uuid, -EINVAL);
        r = load_live(ctx, uuid, &port, err);
        if (r >= 0)
                r = check_generation(port, generation, err);
        if (r >= 0)
                r = deactivate_any_loaded(ctx, port, 0, err);
        if (r >= 0 && ret)
                *ret = TAKE_PTR(port);
        return r < 0 ? r : 0;
}

int vport_port_delete_gen(vport_ctx *ctx, const vport_uuid *uuid, uint64_t generation, vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        int r;

        assert_return(ctx && uuid, -EINVAL);
        r = port_load(ctx, uuid, &port, err);
        if (r >= 0)
                r = check_generation(port, generation, err);
        return r < 0 ? r : delete_loaded(ctx, port, err);
}

static void keep_first(int *first, vport_error *err, int r, const vport_error *e) {
        if (r >= 0 || *first < 0)
                return;
        *first = r;
        if (err)
                *err = *e;
}

/* Bulk teardown in four passes, each with one store transaction instead
 * of one per port: journal every delete, deactivate all, release per
 * driver (drivers with release_many delete all their devices with one
 * request), forget the ports. A port whose release failed keeps its
 * journal entries, so the store refuses to forget it (-EBUSY) and a
 * repeated delete or reconcile finishes it. */
/* The delete entries of all ports, on disk before any device changes. */
static int delete_many_begin(vport_ctx *ctx, vport_port **ports, size_t n, vport_error *err) {
        bool owned;
        int r = ctx_txn_begin(ctx, &owned, err);

        for (size_t i = 0; r >= 0 && i < n; i++)
                if (!ports[i]->stale)
                        r = port_delete_begin(ctx, ports[i], err);
        return ctx_txn_end(ctx, owned, r, err); /* a caller's own: it commits or rolls back */
}

static void delete_many_deactivate(vport_ctx *ctx, vport_port **ports, size_t n, int *first,
                                   vport_error *err) {
        vport_error e = { 0 };
        int r = store_begin(ctx->store, &e);

        for (size_t i = 0; r >= 0 && i < n; i++)
                if (!ports[i]->stale && delete_deactivates(ports[i]))
                        keep_first(first, err, deactivate_loaded(ctx, ports[i], 0, &e), &e);
        keep_first(first, err, r >= 0 ? store_commit(ctx->store, &e) : r, &e);
}

static void delete_many_release(vport_ctx *ctx, vport_port **ports, size_t n, int *first, vport_error *err) {
        _cleanup_free_ vport_port **batch = calloc(n ? n : 1, sizeof(*batch));
        vport_error e = { 0 };

        if (!batch) {
                keep_first(first, err, -ENOMEM, &e);
                return;
        }
        for (int t = 0; t < _PLUG_MAX; t++) {
                const plug_driver *d = plug_driver_get((vport_plug_type) t);
                size_t m = 0;

                for (size_t i = 0; d && i < n; i++)
                        if (!ports[i]->stale && (int) ports[i]->def->plug.type == t)
                                batch[m++] = ports[i];
                if (m > 0 && d->release_many)
                        keep_first(first, err, d->release_many(ctx, batch, m, &e), &e);
                for (size_t i = 0; m > 0 && !d->release_many && i < m; i++)
                        keep_first(first, err, d->release(ctx, batch[i], &e), &e);
        }
}

int port_delete_many_begin(vport_ctx *ctx, vport_port **ports, size_t n, vport_error *err) {
        vport_error e = { 0 };
        int first = 0;

        for (size_t i = 0; i < n; i++)
                keep_first(&first, err, port_damaged_refine(ctx, ports[i], &e), &e);
        if (first < 0)
                return first;
        return delete_many_begin(ctx, ports, n, err);
}

int port_delete_many_finish(vport_ctx *ctx, vport_port **ports, size_t n, vport_error *err) {
        vport_error e = { 0 };
        int first = 0, deleted = 0, r;

        delete_many_deactivate(ctx, ports, n, &first, err);
        delete_many_release(ctx, ports, n, &first, err);
        r = store_begin(ctx->store, &e);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                int q = port_forget(ctx, &ports[i]->def->uuid, &e);
                keep_first(&first, err, q, &e);
                deleted += q >= 0;
        }
        keep_first(&first, err, r >= 0 ? store_commit(ctx->store, &e) : r, &e);
        return first < 0 ? first : deleted;
}

/* Under the store's write lock, in one transaction: list the owner's
 * ports and mark them as being deleted. A list read before that
 * transaction would miss a port created for the owner in between (it
 * would outlive "delete every port of vm1"), and tear a port activated in
 * between down as the state it was listed in (released without being
 * deactivated). */
static int delete_owner_begin(vport_ctx *ctx, const char *owner, vport_port ***ret, size_t *ret_n,
                              vport_error *err) {
        store_port *rows = NULL;
        vport_port **ports = NULL;
        size_t n = 0;
        int r = store_begin(ctx->store, err);

        if (r >= 0)
                r = store_port_list(ctx->store, NULL, owner, &rows, &n, err);
        if (r >= 0 && n == 0)
                r = vport_error_set(err, -ENOENT, "owner '%s' has no ports", owner);
        if (r >= 0 && !(ports = calloc(n, sizeof(*ports))))
                r = -ENOMEM;
        for (size_t i = 0; ports && r >= 0 && i < n; i++)
                r = port_from_store(&rows[i], &ports[i], err);
        store_port_array_free(rows, n);
        if (r >= 0)
                r = port_delete_many_begin(ctx, ports, n, err);
        if (r >= 0)
                r = store_commit(ctx->store, err);
        else
                (void) store_rollback(ctx->store);
        if (r < 0) {
                vport_port_array_free(ports, ports ? n : 0);
                return r;
        }
        *ret = ports;
        *ret_n = n;
        return 0;
}

int vport_port_delete_owner(vport_ctx *ctx, const char *owner, vport_error *err) {
        vport_port **ports = NULL;
        size_t n = 0;
        int r;

        assert_return(ctx && owner, -EINVAL);
        name_check_return(NAME_OWNER, owner, err);
        r = delete_owner_begin(ctx, owner, &ports, &n, err);
        if (r < 0)
                return r;
        r = port_delete_many_finish(ctx, ports, n, err);
        vport_port_array_free(ports, n);
        return r;
}
