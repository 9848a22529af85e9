/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-destroy: check everything first, then tear every port down. */
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "core/internal.h"
#include "core/network-bridge.h"

/* Append "UUID (owner NAME)" of each port in state `state` to buf. */
static size_t list_ports(vport_port **ports, size_t n, vport_port_state state, char *buf, size_t size) {
        char uuid[VPORT_UUID_STRLEN];
        size_t len = 0, count = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                if (ports[i]->stale || ports[i]->state != state)
                        continue;
                if (len < size)
                        len += (size_t) snprintf(buf + len, size - len, "%s%s (owner %s)", count ? ", " : "",
                                                 uuid_format(&ports[i]->def->uuid, uuid),
                                                 strempty(ports[i]->def->owner_name));
                count++;
        }
        return count;
}

/* A port in state active belongs to a running guest: tearing it down pulls
 * the guest's NIC from under it, so that takes --force. */
static int check_active(const char *name, vport_port **ports, size_t n, unsigned flags, vport_error *err) {
        char buf[VPORT_ERROR_MAX];
        size_t count;

        if (flags & VPORT_NET_DESTROY_FORCE)
                return 0;
        count = list_ports(ports, n, PORT_STATE_ACTIVE, buf, sizeof(buf));
        if (count == 0)
                return 0;
        return vport_error_set(err, -EBUSY,
                               "network '%s' has %zu active port%s (a running guest): %s; stop the guest%s "
                               "first, or destroy with --force",
                               name, count, count == 1 ? "" : "s", buf, count == 1 ? "" : "s");
}

/* Keep of ports[] those that are no longer in the store (torn down), in
 * order, freeing the others. Returns how many are kept. */
static size_t torn_down(vport_ctx *ctx, vport_port **ports, size_t n) {
        size_t kept = 0;

        for (size_t i = 0; i < n; i++) {
                _cleanup_(store_port_freep) store_port *row = NULL;
                if (store_port_get(ctx->store, &ports[i]->def->uuid, &row, NULL) == -ENOENT)
                        ports[kept++] = ports[i];
                else
                        vport_port_free(ports[i]);
        }
        return kept;
}

/* What the destroy entry records: who wrote it and what the command was
 * given, so that reconcile tells a destroy in progress from one that died
 * and finishes the latter as the command would have. */
typedef struct destroy_record {
        int pid;        /* 0: none recorded (counts as gone) */
        unsigned flags; /* the VPORT_NET_DESTROY_* of the command */
} destroy_record;

static int mark_destroying(vport_ctx *ctx, const char *name, unsigned flags, vport_error *err) {
        char data[64];
        store_net_journal j = { .network = (char *) name,
                                .key = (char *) NET_JOURNAL_KEY_DESTROY,
                                .step = (char *) JOURNAL_STEP_RELEASING,
                                .data = data };

        snprintf(data, sizeof(data), "{\"pid\":%d,\"flags\":%u}", (int) getpid(),
                 flags & VPORT_NET_DESTROY_FORCE);
        return store_net_journal_put(ctx->store, &j, err);
}

static void destroy_record_parse(json_tokener *tok, const store_net_journal *j, destroy_record *ret) {
        int64_t pid = journal_data_int(tok, j->data, "pid");

        *ret = (destroy_record){ .pid = pid > 0 && pid <= INT_MAX ? (int) pid : 0,
                                 .flags = (unsigned) journal_data_int(tok, j->data, "flags") &
                                          VPORT_NET_DESTROY_FORCE };
}

/* The network's destroy entry of this boot: 1 and *ret filled, 0 if it has
 * none, or -errno. */
static int destroy_entry(vport_ctx *ctx, const char *name, destroy_record *ret, vport_error *err) {
        store_net_journal *entries = NULL;
        json_tokener *tok = json_tokener_new();
        size_t n = 0;
        int r = tok ? store_net_journal_list(ctx->store, name, &entries, &n, err) : -ENOMEM;

        for (size_t i = 0; r == 0 && i < n; i++)
                if ((r = streq(entries[i].key, NET_JOURNAL_KEY_DESTROY) && !entries[i].stale))
                        destroy_record_parse(tok, &entries[i], ret);
        store_net_journal_array_free(entries, n);
        if (tok)
                json_tokener_free(tok);
        return r;
}

int net_check_open(vport_ctx *ctx, const store_network *net, vport_error *err) {
        const char *name = net->name;
        destroy_record rec;
        int r;

        if (!net->active)
                return vport_error_set(err, -EHOSTDOWN, "network '%s' is not active", name);
        if (!net->destroying) /* read with the row: the common case costs no query */
                return 0;
        r = destroy_entry(ctx, name, &rec, err);
        if (r > 0 && !journal_writer_gone(rec.pid))
                return vport_error_set(err, -EBUSY, "network '%s' is being destroyed (by process %d)", name,
                                       rec.pid);
        if (r > 0)
                return vport_error_set(err, -EBUSY,
                                       "network '%s': a net-destroy of it did not finish; 'vport reconcile' "
                                       "(or 'vport net-destroy %s' again) finishes it",
                                       name, name);
        return r;
}

void net_destroy_forget_left(vport_ctx *ctx, const char *name) {
        _cleanup_(store_network_freep) store_network *net = NULL;

        if (store_network_get(ctx->store, name, &net, NULL) >= 0 && !net->active)
                (void) store_net_journal_delete(ctx->store, name, NET_JOURNAL_KEY_DESTROY, NULL);
}

int net_destroy_done(vport_ctx *ctx, const char *name, vport_error *err) {
        bool owned;
        int r = ctx_txn_begin(ctx, &owned, err);

        if (r >= 0)
                r = store_network_set_active(ctx->store, name, false, err);
        if (r >= 0) {
                r = store_net_journal_delete(ctx->store, name, NET_JOURNAL_KEY_DESTROY, NULL);
                r = r == -ENOENT ? 0 : r;
        }
        return ctx_txn_end(ctx, owned, r, err);
}

/* -EALREADY if a live process is changing one of the ports (a port-delete
 * under way), else 0 or -errno. */
static int ports_idle(vport_ctx *ctx, vport_port **ports, size_t n, vport_error *err) {
        json_tokener *tok = n > 0 ? json_tokener_new() : NULL;
        int r = n > 0 && !tok ? -ENOMEM : 0;

        for (size_t i = 0; r >= 0 && i < n; i++) {
                store_journal *entries = NULL;
                size_t m = 0;

                r = store_journal_list(ctx->store, &ports[i]->def->uuid, &entries, &m, err);
                for (size_t k = 0; r >= 0 && k < m; k++)
                        if (!streq(entries[k].step, JOURNAL_STEP_PREPARED) &&
                            !journal_writer_gone((int) journal_data_int(tok, entries[k].data, "pid")))
                                r = -EALREADY;
                store_journal_array_free(entries, m);
        }
        if (tok)
                json_tokener_free(tok);
        return r;
}

/* For reconcile, inside destroy_begin()'s transaction: the destroy entry
 * reconcile read is still there and its writer still gone, and no live
 * process is changing a port of the network. -EALREADY (nothing to do
 * now) if a net-destroy run meanwhile finished the network or took it
 * over, or a port is being changed: reconcile leaves what a live process
 * does alone, and a later run finishes the network. */
static int resume_allowed(vport_ctx *ctx, const char *name, vport_port **ports, size_t n, vport_error *err) {
        destroy_record rec;
        int r = destroy_entry(ctx, name, &rec, err);

        if (r < 0)
                return r;
        if (r == 0 || !journal_writer_gone(rec.pid))
                return -EALREADY;
        return ports_idle(ctx, ports, n, err);
}

/* -EBUSY if another live process is destroying the network (its entry,
 * not this process's own: a destroy that failed here may be run again):
 * two teardowns of the same ports at once would fight over them. */
static int check_not_running(vport_ctx *ctx, const char *name, vport_error *err) {
        destroy_record rec;
        int r = destroy_entry(ctx, name, &rec, err);

        if (r <= 0 || rec.pid == (int) getpid() || journal_writer_gone(rec.pid))
                return r < 0 ? r : 0;
        return vport_error_set(err, -EBUSY, "network '%s' is being destroyed by process %d; nothing changed",
                               name, rec.pid);
}

/* Under the store's write lock, in one transaction: list the ports, check
 * them, and mark them as being deleted (from then on activate and prepare
 * refuse them). A check outside it would let a port be activated between
 * the check and the teardown and pulled from under its guest, or be torn
 * down as the state it had before (not deactivated first). The network's
 * destroy entry goes in the same transaction: a port-create that begins
 * after it refuses the network (one that ran before is in the list). before
 * gets a second copy, kept as the ports were. */
static int destroy_begin(vport_ctx *ctx, const char *name, unsigned flags, vport_port ***ports, size_t *n,
                         vport_port ***before, size_t *n_before, vport_error *err) {
        bool refused = false; /* the check's own message says nothing changed */
        int r = store_begin(ctx->store, err);

        if (r >= 0)
                r = vport_port_list(ctx, name, ports, n, err);
        if (r >= 0 && (flags & NET_DESTROY_RESUME))
                refused = (r = resume_allowed(ctx, name, *ports, *n, err)) == -EALREADY;
        else if (r >= 0)
                refused = (r = check_not_running(ctx, name, err)) == -EBUSY;
        if (r >= 0)
                refused = (r = check_active(name, *ports, *n, flags, err)) < 0;
        if (r >= 0)
                r = vport_port_list(ctx, name, before, n_before, err);
        if (r >= 0 && *n > 0)
                r = port_delete_many_begin(ctx, *ports, *n, err);
        if (r >= 0)
                r = mark_destroying(ctx, name, flags, err);
        if (r >= 0)
                r = store_commit(ctx->store, err);
        else
                (void) store_rollback(ctx->store);
        if (r < 0) {
                vport_port_array_free(*ports, *n);
                vport_port_array_free(*before, *n_before);
                *ports = *before = NULL;
                *n = *n_before = 0;
                if (!refused)
                        vport_error_prefix(err, r, "network '%s': nothing changed", name);
        }
        return r;
}

int net_destroy_ports(vport_ctx *ctx, const char *name, unsigned flags, vport_port ***ret_ports,
                      size_t *ret_n, vport_error *err) {
        vport_port **ports = NULL, **before = NULL;
        size_t n = 0, n_before = 0, done;
        int r;

        r = destroy_begin(ctx, name, flags, &ports, &n, &before, &n_before, err);
        if (r < 0)
                return r;
        if (n > 0)
                r = port_delete_many_finish(ctx, ports, n, err);
        vport_port_array_free(ports, n);
        done = torn_down(ctx, before, n_before);
        if (r < 0 && done < n_before)
                r = vport_error_prefix(err, r, "network '%s' stays active: %zu of %zu ports not torn down",
                                       name, n_before - done, n_before);
        *ret_ports = before;
        *ret_n = done;
        return r < 0 ? r : 0;
}

int net_destroy_finish(vport_ctx *ctx, const vport_network_def *def, vport_error *err) {
        if (forward_mode_makes_bridge(def->forward_mode))
                return net_bridge_destroy(ctx, def, err);
        return net_destroy_done(ctx, def->name, err);
}

/* Finish the destroy of network name whose writer died, as the command
 * would have: the rest of its ports (with the flags it was given), then
 * the network itself. 1 if finished, 0 if someone else is at it or did it
 * meanwhile, or -errno. */
static int destroy_resume(vport_ctx *ctx, const char *name, const destroy_record *rec, vport_error *err) {
        _cleanup_(net_parsed_unrefp) net_parsed *net = NULL;
        vport_port **ports = NULL;
        size_t n = 0;
        bool active;
        int r;

        r = net_load(ctx, name, &net, &active, err);
        if (r < 0)
                return r;
        if (!active) { /* the destroy got that far: only the entry is left */
                net_destroy_forget_left(ctx, name);
                return 0;
        }
        r = net_destroy_ports(ctx, name, rec->flags | NET_DESTROY_RESUME, &ports, &n, err);
        vport_port_array_free(ports, n);
        if (r == -EALREADY) {
                vport_error_clear(err);
                return 0;
        }
        if (r >= 0)
                r = net_destroy_finish(ctx, net->def, err);
        if (r < 0)
                return vport_error_prefix(err, r, "finishing the net-destroy of network '%s'", name);
        return 1;
}

int net_destroy_reconcile(vport_ctx *ctx, net_repaired_fn fn, void *userdata, vport_error *err) {
        store_net_journal *entries = NULL;
        json_tokener *tok = json_tokener_new();
        size_t n = 0;
        int r = tok ? store_net_journal_list(ctx->store, NULL, &entries, &n, err) : -ENOMEM;
        int handled = 0;

        for (size_t i = 0; r >= 0 && i < n; i++) {
                destroy_record rec;

                if (!streq(entries[i].key, NET_JOURNAL_KEY_DESTROY))
                        continue;
                if (entries[i].stale) { /* the network went inactive with that boot */
                        net_destroy_forget_left(ctx, entries[i].network);
                        handled++;
                        continue;
                }
                destroy_record_parse(tok, &entries[i], &rec);
                if (!journal_is_abandoned(entries[i].step, rec.pid))
                        continue;
                r = destroy_resume(ctx, entries[i].network, &rec, err);
                if (r > 0 && fn)
                        fn(userdata, VPORT_REPAIR_FINISH_NET_DESTROY, entries[i].network);
                handled += r > 0;
        }
        store_net_journal_array_free(entries, n);
        if (tok)
                json_tokener_free(tok);
        return r < 0 ? r : handled;
}
