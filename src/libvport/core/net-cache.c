/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The context's parsed network definitions: a long-lived context (vportd, a
 * library user) parses a network's stored XML once, not at every request
 * (libxml2's parse and the checks were ~46 k instructions of a vportd
 * port-create). An entry is found by the stored text itself, compared in
 * full with what the store holds now: a definition changed by anyone (this
 * context, another one, another process sharing the state file) is a
 * different text, so an entry can never stand for a definition the store
 * no longer holds. Entries are shared with their users and counted: one
 * replaced or dropped while a caller holds it lives until that caller
 * lets it go. */
#include "core/internal.h"

void net_parsed_unref(net_parsed *p) {
        if (!p || --p->n_ref > 0)
                return;
        network_def_free(p->def);
        free(p->xml);
        free(p);
}

/* Entry i out of the cache (its users keep their shares). */
static void cache_drop(vport_ctx *ctx, size_t i) {
        net_parsed_unref(ctx->net_cache[i]);
        memmove(&ctx->net_cache[i], &ctx->net_cache[i + 1],
                (ctx->n_net_cache - i - 1) * sizeof(net_parsed *));
        ctx->n_net_cache--;
}

/* Entry i to the front: the last entry is the least recently used. */
static net_parsed *cache_use(vport_ctx *ctx, size_t i) {
        net_parsed *p = ctx->net_cache[i];

        memmove(&ctx->net_cache[1], &ctx->net_cache[0], i * sizeof(net_parsed *));
        ctx->net_cache[0] = p;
        p->n_ref++;
        return p;
}

/* The place for a new entry of network name: the entry of an older
 * definition of the same network (it is not the stored one any more), or
 * the least recently used one once the cache is full. */
static void cache_make_room(vport_ctx *ctx, const char *name) {
        for (size_t i = 0; i < ctx->n_net_cache; i++)
                if (streq(ctx->net_cache[i]->def->name, name)) {
                        cache_drop(ctx, i);
                        return;
                }
        if (ctx->n_net_cache == NET_CACHE_MAX)
                cache_drop(ctx, ctx->n_net_cache - 1);
}

static int parsed_new(const store_network *row, net_parsed **ret, vport_error *err) {
        _cleanup_free_ net_parsed *p = calloc(1, sizeof(*p));
        int r;

        if (!p || !(p->xml = strdup(row->xml)))
                return -ENOMEM;
        r = network_def_parse_string(row->xml, strlen(row->xml), &p->def, err);
        if (r < 0) {
                free(p->xml);
                return vport_error_prefix(err, r, "network '%s': stored definition", row->name);
        }
        p->n_ref = 1;
        *ret = TAKE_PTR(p);
        return 0;
}

int net_parsed_get(vport_ctx *ctx, const store_network *row, net_parsed **ret, vport_error *err) {
        net_parsed *p = NULL;
        int r;

        for (size_t i = 0; i < ctx->n_net_cache; i++)
                if (streq(ctx->net_cache[i]->xml, row->xml)) {
                        *ret = cache_use(ctx, i);
                        return 0;
                }
        r = parsed_new(row, &p, err);
        if (r < 0)
                return r;
        cache_make_room(ctx, p->def->name);
        memmove(&ctx->net_cache[1], &ctx->net_cache[0], ctx->n_net_cache * sizeof(net_parsed *));
        ctx->net_cache[0] = p;
        ctx->n_net_cache++;
        p->n_ref++; /* the caller's share beside the cache's */
        *ret = p;
        return 0;
}

void net_cache_forget(vport_ctx *ctx, const char *name) {
        for (size_t i = ctx->n_net_cache; i > 0; i--)
                if (streq(ctx->net_cache[i - 1]->def->name, name))
                        cache_drop(ctx, i - 1);
}

void net_cache_clear(vport_ctx *ctx) {
        while (ctx->n_net_cache > 0)
                cache_drop(ctx, ctx->n_net_cache - 1);
}
