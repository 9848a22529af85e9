/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finish what crashed processes left half-done, from the journal. */
#include <stdio.h>

#include "core/internal.h"
#include "core/netdev-name.h"
#include "core/network-bridge.h"

/* What a crash left of one port, read from its journal entries. */
typedef enum reconcile_action {
        RECONCILE_NONE,   /* nothing, or a live process is at work on it */
        RECONCILE_UNDO,   /* a prepare (or a release outside a delete) died: undo it */
        RECONCILE_DELETE, /* a delete died: finish it */
} reconcile_action;

/* The writer pid of an entry (tok: one tokener for every entry). */
static int entry_pid(json_tokener *tok, const store_journal *j) {
        int64_t pid = journal_data_int(tok, j->data, "pid");

        /* as json_object_get_int() clamps */
        return pid > INT_MAX ? INT_MAX : pid < INT_MIN ? INT_MIN : (int) pid;
}

/* The UUIDs of the ports still "allocated", sorted: read in one pass over
 * the rows (in place), not one query per port, which on a host of 8188
 * prepared ports was a third of a reconcile with nothing to do. */
typedef struct uuid_set {
        vport_uuid *u;
        size_t n, alloc;
} uuid_set;

static int uuid_cmp(const void *a, const void *b) {
        return memcmp(a, b, sizeof(vport_uuid));
}

static int allocated_add(const store_port *row, void *userdata, vport_error *err) {
        uuid_set *s = userdata;

        if (!streq_ptr(row->state, "allocated"))
                return 0;
        if (s->n == s->alloc) {
                size_t want = s->alloc ? s->alloc * 2 : 64;
                vport_uuid *u = reallocarray(s->u, want, sizeof(*u));
                if (!u)
                        return vport_error_set(err, -ENOMEM, "reconcile: out of memory");
                s->u = u, s->alloc = want;
        }
        s->u[s->n++] = row->uuid;
        return 0;
}

static int allocated_load(vport_ctx *ctx, uuid_set *s, vport_error *err) {
        int r = store_port_foreach(ctx->store, NULL, NULL, allocated_add, s, err);

        if (r >= 0 && s->n > 1)
                qsort(s->u, s->n, sizeof(*s->u), uuid_cmp);
        return r;
}

static bool uuid_set_has(const uuid_set *s, const vport_uuid *uuid) {
        return s->n > 0 && bsearch(uuid, s->u, s->n, sizeof(*s->u), uuid_cmp);
}

/* The port's entries are entries[i] for every i with its uuid.
 *  - Its delete entry, abandoned: the delete died after its first commit.
 *  - Any other entry abandoned (being changed, writer gone): undo.
 *  - A port still "allocated" whose entries all have a dead writer: its
 *    prepare died after journaling a device as made ("prepared") but
 *    before the port itself moved on. Undo, or the device would stay with
 *    a port that claims to hold nothing.
 * An entry whose writer lives is someone's step in progress: leave it. */
static reconcile_action port_action(json_tokener *tok, const uuid_set *allocated,
                                    const store_journal *entries, size_t n, const vport_uuid *uuid) {
        bool abandoned = false, deleting = false, live = false;

        for (size_t i = 0; i < n; i++) {
                int pid = entry_pid(tok, &entries[i]);
                if (!uuid_equal(&entries[i].port_uuid, uuid))
                        continue;
                live |= !journal_writer_gone(pid);
                if (!journal_is_abandoned(entries[i].step, pid))
                        continue;
                abandoned = true;
                deleting |= streq(entries[i].key, JOURNAL_KEY_DELETE);
        }
        if (deleting)
                return RECONCILE_DELETE;
        if (abandoned)
                return RECONCILE_UNDO;
        return !live && uuid_set_has(allocated, uuid) ? RECONCILE_UNDO : RECONCILE_NONE;
}

/* Restore one port's devices; a port that was being deleted is then
 * forgotten, one that was being prepared goes back to "allocated" (it still
 * holds its pool device: its owner may prepare again or delete it). */
static int reconcile_port(vport_ctx *ctx, const vport_uuid *uuid, reconcile_action action,
                          vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        const plug_driver *d;
        int r;

        r = port_load(ctx, uuid, &port, err);
        if (r >= 0)
                r = port_damaged_refine(ctx, port, err);
        if (r < 0)
                return r;
        d = plug_driver_get(port->def->plug.type);
        if (d) {
                r = d->release(ctx, port, err);
                if (r < 0)
                        return r;
        }
        if (action == RECONCILE_DELETE)
                return port_forget(ctx, uuid, err);
        port->state = PORT_STATE_ALLOCATED;
        port_runtime_clear(&port->rt);
        return port_save(ctx, port, err);
}

struct vport_repair {
        vport_repair_kind kind;
        vport_uuid port;
        unsigned count;
        char *network; /* a network repair's */
};

/* What was repaired, in order (NULL: not wanted). */
typedef struct repair_log {
        vport_repair **items;
        size_t n;
        int error; /* -ENOMEM if an entry could not be kept */
} repair_log;

static const char *const repair_kind_table[_VPORT_REPAIR_KIND_MAX] = {
        [VPORT_REPAIR_UNDO_PREPARE] = "undo-prepare",
        [VPORT_REPAIR_FINISH_DELETE] = "finish-delete",
        [VPORT_REPAIR_DROP_STALE] = "drop-stale",
        [VPORT_REPAIR_FINISH_NET_DESTROY] = "finish-net-destroy",
        [VPORT_REPAIR_UNDO_NET_START] = "undo-net-start",
};

static const char *const repair_action_table[_VPORT_REPAIR_KIND_MAX] = {
        [VPORT_REPAIR_UNDO_PREPARE] =
                "undid an interrupted prepare: devices restored, port back to allocated",
        [VPORT_REPAIR_FINISH_DELETE] = "finished an interrupted delete: devices restored, port forgotten",
        [VPORT_REPAIR_DROP_STALE] = "dropped ports of an earlier boot",
        [VPORT_REPAIR_FINISH_NET_DESTROY] =
                "finished an interrupted net-destroy: ports torn down, network inactive",
        [VPORT_REPAIR_UNDO_NET_START] =
                "undid an interrupted net-start: the bridge it made deleted, network inactive",
};

const char *vport_repair_kind_to_string(vport_repair_kind k) {
        return (size_t) k < ELEMENTSOF(repair_kind_table) ? repair_kind_table[k] : NULL;
}

vport_repair_kind vport_repair_get_kind(const vport_repair *r) {
        return r->kind;
}

static bool repair_is_network(vport_repair_kind k) {
        return k == VPORT_REPAIR_FINISH_NET_DESTROY || k == VPORT_REPAIR_UNDO_NET_START;
}

const vport_uuid *vport_repair_get_port(const vport_repair *r) {
        return r->kind == VPORT_REPAIR_DROP_STALE || repair_is_network(r->kind) ? NULL : &r->port;
}

const char *vport_repair_get_network(const vport_repair *r) {
        return r->network;
}

unsigned vport_repair_get_count(const vport_repair *r) {
        return r->count;
}

const char *vport_repair_get_action(const vport_repair *r) {
        return repair_action_table[r->kind];
}

void vport_repair_array_free(vport_repair **r, size_t n) {
        for (size_t i = 0; r && i < n; i++) {
                if (r[i])
                        free(r[i]->network);
                free(r[i]);
        }
        free(r);
}

/* The repair appended, or NULL (log not wanted, or out of memory). */
static vport_repair *log_add(repair_log *log, vport_repair_kind kind, const vport_uuid *port,
                             unsigned count) {
        vport_repair **items, *item;

        if (!log || log->error < 0)
                return NULL;
        items = reallocarray(log->items, log->n + 1, sizeof(*items));
        item = items ? calloc(1, sizeof(*item)) : NULL;
        if (items)
                log->items = items;
        if (!item) {
                log->error = -ENOMEM;
                return NULL;
        }
        *item = (vport_repair){ .kind = kind, .port = port ? *port : (vport_uuid){ { 0 } }, .count = count };
        log->items[log->n++] = item;
        return item;
}

/* net_repaired_fn for a repair_log. */
static void log_network(void *userdata, vport_repair_kind kind, const char *network) {
        repair_log *log = userdata;
        vport_repair *item = log_add(log, kind, NULL, 1);

        if (item && !(item->network = strdup(network)))
                log->error = -ENOMEM;
}

static int entry_port_cmp(const void *a, const void *b) {
        const store_journal *x = a, *y = b;

        return memcmp(&x->port_uuid, &y->port_uuid, sizeof(x->port_uuid));
}

/* The entries of entries[i]'s port follow it once sorted by port. */
static size_t port_entries_end(const store_journal *entries, size_t n, size_t i) {
        size_t j = i + 1;

        while (j < n && uuid_equal(&entries[j].port_uuid, &entries[i].port_uuid))
                j++;
        return j;
}

static int reconcile_run(vport_ctx *ctx, repair_log *log, vport_error *err) {
        store_journal *entries = NULL;
        uuid_set allocated = { 0 };
        json_tokener *tok = NULL;
        size_t n = 0;
        int r, handled = 0;

        assert_return(ctx, -EINVAL);
        r = store_stale_ports_purge(ctx->store, err);
        if (r < 0)
                return r;
        if (r > 0)
                log_add(log, VPORT_REPAIR_DROP_STALE, NULL, (unsigned) r);
        handled += r;
        r = store_journal_list(ctx->store, NULL, &entries, &n, err);
        if (r < 0)
                return r;
        /* the states after the journal: a prepare that finished in between
         * is then seen as prepared, not as a dead writer's allocated port */
        if (n > 0 && !(tok = json_tokener_new()))
                r = vport_error_set(err, -ENOMEM, "reconcile: out of memory");
        if (r >= 0 && n > 0)
                r = allocated_load(ctx, &allocated, err);
        /* Grouped by port (one port may have several entries: handled once),
         * so the work grows with the entries, not with their square: a host
         * with 4096 prepared ports has 4096 entries. */
        if (n > 1)
                qsort(entries, n, sizeof(*entries), entry_port_cmp);
        for (size_t i = 0, end; r >= 0 && i < n; i = end) {
                reconcile_action action;

                end = port_entries_end(entries, n, i);
                action = port_action(tok, &allocated, entries + i, end - i, &entries[i].port_uuid);
                if (action == RECONCILE_NONE)
                        continue;
                r = reconcile_port(ctx, &entries[i].port_uuid, action, err);
                if (r >= 0)
                        log_add(log,
                                action == RECONCILE_DELETE ? VPORT_REPAIR_FINISH_DELETE
                                                           : VPORT_REPAIR_UNDO_PREPARE,
                                &entries[i].port_uuid, 1);
                handled += r >= 0;
        }
        store_journal_array_free(entries, n);
        free(allocated.u);
        if (tok)
                json_tokener_free(tok);
        /* A batched delete that died left its group marker behind. */
        netdev_markers_sweep(ctx);
        if (r < 0)
                return r;
        /* After the ports: a net-destroy's ports are gone by then (their
         * delete entries), and a network's bridge goes once its taps are
         * gone. A destroy finished here takes its bridge record with it. */
        r = net_destroy_reconcile(ctx, log ? log_network : NULL, log, err);
        if (r < 0)
                return r;
        handled += r;
        r = net_bridge_reconcile(ctx, log ? log_network : NULL, log, err);
        return r < 0 ? r : handled + r;
}

int vport_reconcile(vport_ctx *ctx, vport_error *err) {
        return reconcile_run(ctx, NULL, err);
}

int vport_reconcile_ex(vport_ctx *ctx, vport_repair ***ret, size_t *ret_n, vport_error *err) {
        repair_log log = { 0 };
        int r;

        if (ret && ret_n) {
                *ret = NULL;
                *ret_n = 0;
        }
        r = reconcile_run(ctx, &log, err);

        /* what was repaired stays repaired: a list that could not be kept
         * whole is an error of its own, after the work */
        if (r >= 0 && log.error < 0)
                r = vport_error_set(err, log.error, "reconcile: out of memory listing the repairs");
        if (ret && ret_n && r >= 0) {
                *ret = log.items;
                *ret_n = log.n;
        } else
                vport_repair_array_free(log.items, log.n);
        return r;
}
