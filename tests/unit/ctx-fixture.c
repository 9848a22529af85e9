/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "config.h"
#include "core/sriov.h"
#include "ctx-fixture.h"
#include "store/store-internal.h"

void tu_state_dir_new(char *dir, const char *name) {
        snprintf(dir, TU_DIR_MAX, "/tmp/%s.XXXXXX", name);
        assert_non_null(mkdtemp(dir));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

void tu_state_dir_remove(const char *dir) {
        nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

vport_ctx *tu_ctx_open(const char *dir, const vport_kernel_ops *ops) {
        vport_ctx_options opts = { .state_dir = dir, .ops = ops };
        vport_error err = { 0 };
        vport_ctx *ctx = NULL;

        if (vport_ctx_open(&opts, &ctx, &err) < 0)
                fail_msg("opening a context on %s: %s", dir, err.message);
        return ctx;
}

void tu_net_up(vport_ctx *ctx, const char *xml, const char *name) {
        vport_error err = { 0 };

        if (vport_net_define(ctx, xml, NULL, &err) < 0 || vport_net_start(ctx, name, &err) < 0)
                fail_msg("network %s: %s", name, err.message);
}

void tu_skip_without_faults(void) {
        if (!WITH_FAULT_INJECTION) {
                print_message("skipped: needs a -Dfault_injection=true build\n");
                skip();
        }
}

static void need_faults(const char *spec) {
        if (!WITH_FAULT_INJECTION)
                fail_msg("fault '%s' in a build without the wrapper: call tu_skip_without_faults() first",
                         spec);
}

void tu_ctx_reopen_faulty(vport_ctx **ctx, const char *dir, const vport_kernel_ops *base, const char *spec,
                          fault_ops **fault) {
        const vport_kernel_ops *ops = NULL;

        need_faults(spec);
        vport_ctx_close(*ctx);
        fault_ops_free(*fault);
        *fault = NULL;
        assert_int_equal(fault_ops_new(spec, base, fault, &ops, NULL), 0);
        *ctx = tu_ctx_open(dir, ops);
}

size_t tu_n_ports(vport_ctx *ctx) {
        vport_port **ports = NULL;
        size_t n = 0;

        assert_int_equal(vport_port_list(ctx, NULL, &ports, &n, NULL), 0);
        vport_port_array_free(ports, n);
        return n;
}

size_t tu_n_journal(vport_ctx *ctx, const vport_port *port) {
        store_journal *entries = NULL;
        size_t n = 0;

        assert_int_equal(store_journal_list(ctx->store, port ? &port->def->uuid : NULL, &entries, &n, NULL),
                         0);
        store_journal_array_free(entries, n);
        return n;
}

void tu_crash_child(const char *dir, const vport_kernel_ops *base, const char *spec,
                    void (*fn)(vport_ctx *ctx, const void *arg), const void *arg) {
        assert_true(tu_crash_child_at(dir, base, spec, fn, arg));
}

/* fn(ctx, arg) in a child on a context over dir through spec around base;
 * the child's exit status: 99 if the fault ended it, 2 if the spec was
 * refused, else what fn returned. */
static int child_status(const char *dir, const vport_kernel_ops *base, const char *spec, bool watch_store,
                        int (*fn)(vport_ctx *ctx, const void *arg), const void *arg) {
        pid_t pid;
        int status;

        need_faults(spec);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                const vport_kernel_ops *ops;
                fault_ops *fo = NULL;
                vport_ctx *ctx;

                if (fault_ops_new(spec, base, &fo, &ops, NULL) < 0)
                        _exit(2);
                ctx = tu_ctx_open(dir, ops);
                if (watch_store)
                        fault_ops_watch_store(fo, ctx);
                _exit(fn(ctx, arg));
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

typedef struct {
        void (*fn)(vport_ctx *ctx, const void *arg);
        const void *arg;
} void_step;

static int run_void_step(vport_ctx *ctx, const void *arg) {
        const void_step *v = arg;

        v->fn(ctx, v->arg);
        return 3; /* not reached if the fault fired */
}

bool tu_crash_child_at(const char *dir, const vport_kernel_ops *base, const char *spec,
                       void (*fn)(vport_ctx *ctx, const void *arg), const void *arg) {
        int status = child_status(dir, base, spec, false, run_void_step, &(void_step){ fn, arg });

        assert_true(status == 99 || status == 3);
        return status == 99;
}

typedef struct {
        int (*fn)(vport_ctx *ctx, const void *arg);
        const void *arg;
} int_step;

static int run_int_step(vport_ctx *ctx, const void *arg) {
        const int_step *s = arg;

        return s->fn(ctx, s->arg) < 0 ? 4 : 0;
}

int tu_sweep_child(const char *dir, const vport_kernel_ops *base, unsigned k,
                   int (*fn)(vport_ctx *ctx, const void *arg), const void *arg) {
        char spec[32];

        snprintf(spec, sizeof(spec), "change:%u=crash-after", k);
        return child_status(dir, base, spec, true, run_int_step, &(int_step){ fn, arg });
}

int tu_vf_list(vport_ctx *ctx, const char *pf, json_object **ret, vport_error *err) {
        vport_vf **vfs = NULL;
        size_t n = 0;
        int r = vport_pf_list_vfs(ctx, pf, &vfs, &n, err);

        if (r < 0)
                return r;
        *ret = vport_vfs_to_json(vfs, n);
        vport_vf_array_free(vfs, n);
        return 0;
}

#define TU_SQL_MAX 256

static char *watched_sql[TU_SQL_MAX];
static size_t n_watched_sql;

static int on_sql(unsigned type, void *ctx, void *p, void *x) {
        const char *sql = sqlite3_sql(p);

        (void) type;
        (void) ctx;
        (void) x;
        if (!sql)
                return 0;
        for (size_t i = 0; i < n_watched_sql; i++)
                if (strcmp(watched_sql[i], sql) == 0)
                        return 0;
        assert_true(n_watched_sql < TU_SQL_MAX);
        watched_sql[n_watched_sql] = strdup(sql);
        assert_non_null(watched_sql[n_watched_sql]);
        n_watched_sql++;
        return 0;
}

void tu_sql_watch(vport_ctx *ctx) {
        for (size_t i = 0; i < n_watched_sql; i++)
                free(watched_sql[i]);
        n_watched_sql = 0;
        sqlite3_trace_v2(ctx->store->db, SQLITE_TRACE_STMT, on_sql, NULL);
}

/* "SCAN t", "SCAN t USING [COVERING] INDEX i": every row of t (or of its
 * index). Anything but the networks table is a table that grows with the
 * ports on the host. */
static bool plan_scans_host(const char *detail) {
        static const char *const ok[] = { "SCAN networks", "SCAN CONSTANT ROW" };

        if (strncmp(detail, "SCAN ", 5) != 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if (strncmp(detail, ok[i], strlen(ok[i])) == 0 &&
                    (detail[strlen(ok[i])] == '\0' || detail[strlen(ok[i])] == ' '))
                        return false;
        return true;
}

static void assert_plan_indexed(sqlite3 *db, const char *sql) {
        _cleanup_free_ char *explain = NULL;
        sqlite3_stmt *st = NULL;
        int rc;

        assert_true(asprintf(&explain, "EXPLAIN QUERY PLAN %s", sql) > 0);
        rc = sqlite3_prepare_v2(db, explain, -1, &st, NULL);
        if (rc != SQLITE_OK)
                fail_msg("EXPLAIN QUERY PLAN of %s: %s", sql, sqlite3_errmsg(db));
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *detail = (const char *) sqlite3_column_text(st, 3);

                if (detail && plan_scans_host(detail)) {
                        char copy[256];

                        snprintf(copy, sizeof(copy), "%s", detail);
                        sqlite3_finalize(st);
                        fail_msg("a per-port step's statement scans a whole table (%s): %s", copy, sql);
                }
        }
        assert_int_equal(rc, SQLITE_DONE);
        sqlite3_finalize(st);
}

static const char *counted_needle;
static size_t n_counted;

static int on_sql_count(unsigned type, void *ctx, void *p, void *x) {
        const char *sql = sqlite3_sql(p);

        (void) type;
        (void) ctx;
        (void) x;
        if (sql && strstr(sql, counted_needle))
                n_counted++;
        return 0;
}

void tu_sql_count(vport_ctx *ctx, const char *needle) {
        counted_needle = needle;
        n_counted = 0;
        sqlite3_trace_v2(ctx->store->db, SQLITE_TRACE_STMT, on_sql_count, NULL);
}

size_t tu_sql_counted(vport_ctx *ctx) {
        sqlite3_trace_v2(ctx->store->db, 0, NULL, NULL);
        return n_counted;
}

size_t tu_sql_assert_indexed(vport_ctx *ctx) {
        sqlite3_trace_v2(ctx->store->db, 0, NULL, NULL);
        for (size_t i = 0; i < n_watched_sql; i++)
                assert_plan_indexed(ctx->store->db, watched_sql[i]);
        return n_watched_sql;
}
