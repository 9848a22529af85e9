/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-destroy: check everything first, then tear every port down. */
#include <stdio.h>

#include "core/internal.h"

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

static int mark_destroying(vport_ctx *ctx, const char *name, vport_error *err) {
        store_net_journal j = { .network = (char *) name,
                                .key = (char *) NET_JOURNAL_KEY_DESTROY,
                                .step = (char *) JOURNAL_STEP_RELEASING };

        return store_net_journal_put(ctx->store, &j, err);
}

/* Whether the network has a destroy entry of this boot. */
static int has_destroy_entry(vport_ctx *ctx, const char *name, vport_error *err) {
        store_net_journal *entries = NULL;
        size_t n = 0;
        int r;

        r = store_net_journal_list(ctx->store, name, &entries, &n, err);
        for (size_t i = 0; r == 0 && i < n; i++)
                r = streq(entries[i].key, NET_JOURNAL_KEY_DESTROY) && !entries[i].stale;
        store_net_journal_array_free(entries, n);
        return r;
}

int net_check_open(vport_ctx *ctx, const char *name, vport_error *err) {
        _cleanup_(store_network_freep) store_network *net = NULL;
        int r;

        r = store_network_get(ctx->store, name, &net, err);
        if (r < 0)
                return r;
        if (!net->active)
                return vport_error_set(err, -EHOSTDOWN, "network '%s' is not active", name);
        r = has_destroy_entry(ctx, name, err);
        if (r > 0)
                return vport_error_set(err, -EBUSY,
                                       "network '%s' is being destroyed (if no net-destroy is running, one "
                                       "did not finish: run 'vport net-destroy %s' again)",
                                       name, name);
        return r;
}

void net_destroy_forget_left(vport_ctx *ctx, const char *name) {
        _cleanup_(store_network_freep) store_network *net = NULL;

        if (store_network_get(ctx->store, name, &net, NULL) >= 0 && !net->active)
                (void) store_net_journal_delete(ctx->store, name, NET_JOURNAL_KEY_DESTROY, NULL);
}

int net_destroy_done(vport_ctx *ctx, const char *name, vport_error *err) {
        bool owned = !store_in_transaction(ctx->store);
        int r = owned ? store_begin(ctx->store, err) : 0;

        if (r >= 0)
                r = store_network_set_active(ctx->store, name, false, err);
        if (r >= 0) {
                r = store_net_journal_delete(ctx->store, name, NET_JOURNAL_KEY_DESTROY, NULL);
                r = r == -ENOENT ? 0 : r;
        }
        if (!owned)
                return r;
        if (r < 0) {
                (void) store_rollback(ctx->store);
                return r;
        }
        return store_commit(ctx->store, err);
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
        if (r >= 0)
                refused = (r = check_active(name, *ports, *n, flags, err)) < 0;
        if (r >= 0)
                r = vport_port_list(ctx, name, before, n_before, err);
        if (r >= 0 && *n > 0)
                r = port_delete_many_begin(ctx, *ports, *n, err);
        if (r >= 0)
                r = mark_destroying(ctx, name, err);
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
