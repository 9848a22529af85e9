/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "config.h"
#include "core/internal.h"

static void ctx_store_notices(vport_ctx *ctx) {
        const char *n = store_notice(ctx->store);

        while (n && *n) {
                size_t len = strcspn(n, "\n");

                ctx_notice(ctx, "%.*s", (int) len, n);
                n += len + (n[len] == '\n');
        }
}

static unsigned ctx_store_flags(const vport_ctx_options *opts) {
        if (!opts)
                return 0;
        /* defer_checkpoint: every open now leaves the log at close. */
        return opts->read_only ? STORE_OPEN_READ_ONLY : 0;
}

int vport_ctx_open(const vport_ctx_options *opts, vport_ctx **ret, vport_error *err) {
        _cleanup_(vport_ctx_closep) vport_ctx *ctx = NULL;
        int r;

        assert_return(ret, -EINVAL);
        ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
                return -ENOMEM;
        /* An explicit directory wins over $VPORT_STATE_DIR, which wins over the default. */
        r = store_open_with(opts && opts->state_dir ? opts->state_dir
                                                    : store_state_dir(VPORT_DEFAULT_STATE_DIR),
                            ctx_store_flags(opts), &ctx->store, err);
        if (r < 0)
                return r;
        ctx_store_notices(ctx);
        /* A fake table still gets a real context: fault tables wrap the real ops. */
        r = kernel_open(&ctx->kernel, err);
        if (r >= 0 && opts)
                r = kernel_vsi_config(ctx->kernel, opts->lldpad_pidfile, opts->vsi_timeout_ms,
                                      opts->vsi_interval_ms, err);
        if (r < 0)
                return r;
        ctx->ops = opts && opts->ops ? opts->ops : &vport_kernel_ops_real;
        *ret = TAKE_PTR(ctx);
        return 0;
}

bool ctx_lower_known_up(const vport_ctx *ctx, int ifindex) {
        for (size_t i = 0; ctx->owner_step && i < ctx->n_lowers_up; i++)
                if (ctx->lowers_up[i] == ifindex)
                        return true;
        return false;
}

void ctx_lower_seen_up(vport_ctx *ctx, int ifindex) {
        if (ctx->owner_step && ctx->n_lowers_up < ELEMENTSOF(ctx->lowers_up) &&
            !ctx_lower_known_up(ctx, ifindex))
                ctx->lowers_up[ctx->n_lowers_up++] = ifindex;
}

void ctx_notice(vport_ctx *ctx, const char *fmt, ...) {
        va_list ap;
        char *m;

        if (ctx->n_notices == VPORT_NOTICES_MAX)
                return;
        va_start(ap, fmt);
        if (vasprintf(&m, fmt, ap) >= 0)
                ctx->notices[ctx->n_notices++] = m;
        va_end(ap);
}

size_t vport_ctx_notices(const vport_ctx *ctx, const char *const **ret) {
        *ret = (const char *const *) ctx->notices;
        return ctx->n_notices;
}

void vport_ctx_clear_notices(vport_ctx *ctx) {
        for (size_t i = 0; i < ctx->n_notices; i++)
                free(ctx->notices[i]);
        ctx->n_notices = 0;
}

void vport_ctx_close(vport_ctx *ctx) {
        if (!ctx)
                return;
        vport_ctx_clear_notices(ctx);
        net_cache_clear(ctx);
        store_close(ctx->store);
        kernel_close(ctx->kernel);
        free(ctx);
}

int ctx_txn_begin(vport_ctx *ctx, bool *ret_owned, vport_error *err) {
        *ret_owned = !store_in_transaction(ctx->store);
        return *ret_owned ? store_begin(ctx->store, err) : 0;
}

int ctx_txn_end(vport_ctx *ctx, bool owned, int r, vport_error *err) {
        if (!owned)
                return r;
        if (r < 0) {
                (void) store_rollback(ctx->store);
                return r;
        }
        return store_commit(ctx->store, err);
}
