/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Statement, binding and error helpers shared by the store's files. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "store-internal.h"

int store_errno(int rc) {
        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
                return 0;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_CONSTRAINT:
                return -EEXIST;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return -EUCLEAN;
        default:
                return -EIO;
        }
}

int store_sql_error(vport_store *s, int rc, vport_error *err, const char *fmt, ...) {
        char what[256];
        va_list ap;
        int r = store_errno(rc);

        if (r == 0)
                r = -EIO;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        if (store_rc_damaged(rc))
                return store_damaged_error(s, what, sqlite3_errmsg(s->db), err);
        if ((rc & 0xff) == SQLITE_READONLY && (s->flags & STORE_OPEN_READ_ONLY))
                return vport_error_set(err, r, "state file %s: %s: opened read-only", s->path, what);
        return vport_error_set(err, r, "state file %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

/* The cached statements in use, process-wide: the cleanup handler only
 * gets the statement, not its store. A vport_store is used by one thread. */
static store_stmt *lent[STORE_STMT_CACHE * 4];
static size_t n_lent;

static void lend(store_stmt *c) {
        c->in_use = true;
        if (n_lent < ELEMENTSOF(lent))
                lent[n_lent++] = c;
}

void store_stmt_release(sqlite3_stmt **st) {
        if (!*st)
                return;
        for (size_t i = 0; i < n_lent; i++)
                if (lent[i]->st == *st) {
                        sqlite3_reset(*st);
                        sqlite3_clear_bindings(*st);
                        lent[i]->in_use = false;
                        lent[i] = lent[--n_lent];
                        return;
                }
        sqlite3_finalize(*st);
}

void store_stmt_cache_clear(vport_store *s) {
        for (size_t i = 0; i < s->n_stmts; i++)
                sqlite3_finalize(s->stmts[i].st);
        s->n_stmts = 0;
}

int store_prepare(vport_store *s, const char *sql, sqlite3_stmt **ret, vport_error *err) {
        bool busy = false;
        int r, rc;

        r = store_refuse_damaged(s, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < s->n_stmts; i++) {
                if (!streq(sqlite3_sql(s->stmts[i].st), sql))
                        continue;
                if (s->stmts[i].in_use) {
                        busy = true; /* nested use of one statement: a fresh one */
                        break;
                }
                lend(&s->stmts[i]);
                *ret = s->stmts[i].st;
                return 0;
        }
        rc = sqlite3_prepare_v3(s->db, sql, -1, busy ? 0 : SQLITE_PREPARE_PERSISTENT, ret, NULL);
        if (rc != SQLITE_OK)
                return store_sql_error(s, rc, err, "preparing statement");
        if (!busy && s->n_stmts < STORE_STMT_CACHE && n_lent < ELEMENTSOF(lent)) {
                s->stmts[s->n_stmts] = (store_stmt){ .st = *ret };
                lend(&s->stmts[s->n_stmts++]);
        }
        return 0;
}

/* One statement goes through the statement cache: BEGIN IMMEDIATE and
 * COMMIT run for every transaction, and sqlite3_exec() compiles its text
 * each time (a tenth of a VM's activate). Several (a migration step) go
 * to sqlite3_exec(). Rows a statement returns (a PRAGMA's) are dropped. */
int store_exec(vport_store *s, const char *sql, const char *what, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = store_refuse_damaged(s, err);
        if (r < 0)
                return r;
        if (strchr(sql, ';')) {
                rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
                return rc == SQLITE_OK ? 0 : store_sql_error(s, rc, err, "%s", what);
        }
        r = store_prepare(s, sql, &st, err);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                ;
        return rc == SQLITE_DONE ? 0 : store_sql_error(s, rc, err, "%s", what);
}

int store_exec_text(vport_store *s, const char *sql, const char *text, vport_error *err, const char *fmt,
                    ...) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char what[256];
        va_list ap;
        int r, rc;

        r = store_prepare(s, sql, &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, text);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        return store_sql_error(s, rc, err, "%s", what);
}

int store_bind_text(sqlite3_stmt *st, int i, const char *text) {
        if (!text)
                return sqlite3_bind_null(st, i);
        return sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
}

int store_bind_uuid(sqlite3_stmt *st, int i, const vport_uuid *uuid) {
        char buf[VPORT_UUID_STRLEN];

        if (!uuid)
                return sqlite3_bind_null(st, i);
        return sqlite3_bind_text(st, i, uuid_format(uuid, buf), -1, SQLITE_TRANSIENT);
}

int store_bind_mac(sqlite3_stmt *st, int i, const vport_mac *mac) {
        char buf[VPORT_MAC_STRLEN];

        return sqlite3_bind_text(st, i, mac_format(mac, buf), -1, SQLITE_TRANSIENT);
}

int store_column_strdup(sqlite3_stmt *st, int i, char **ret) {
        const unsigned char *text = sqlite3_column_text(st, i);

        if (!text) {
                *ret = NULL;
                return sqlite3_errcode(sqlite3_db_handle(st)) == SQLITE_NOMEM ? -ENOMEM : 0;
        }
        *ret = strdup((const char *) text);
        return *ret ? 0 : -ENOMEM;
}

int store_column_uuid(sqlite3_stmt *st, int i, vport_uuid *ret) {
        const unsigned char *text = sqlite3_column_text(st, i);

        if (!text || uuid_parse((const char *) text, ret) < 0)
                return -EIO;
        return 0;
}

int store_column_mac(sqlite3_stmt *st, int i, vport_mac *ret) {
        const unsigned char *text = sqlite3_column_text(st, i);

        if (!text || mac_parse((const char *) text, ret) < 0)
                return -EIO;
        return 0;
}

/* Cut to the buffer as snprintf("%s") would, without a printf per row. */
void store_column_boot_id(sqlite3_stmt *st, int i, char ret[static STORE_BOOT_ID_MAX]) {
        const char *text = strempty((const char *) sqlite3_column_text(st, i));
        size_t n = strnlen(text, STORE_BOOT_ID_MAX - 1);

        memcpy(ret, text, n);
        ret[n] = '\0';
}

/* Make room for one more element in *array (of *alloc elements of size),
 * which holds n. Returns 0 or -ENOMEM. */
static int store_array_grow(void **array, size_t *alloc, size_t n, size_t size) {
        size_t want;
        void *p;

        if (n < *alloc)
                return 0;
        want = *alloc ? *alloc * 2 : 8;
        p = reallocarray(*array, want, size);
        if (!p)
                return -ENOMEM;
        memset((char *) p + *alloc * size, 0, (want - *alloc) * size);
        *array = p;
        *alloc = want;
        return 0;
}

static void rows_free(const store_row_type *type, char *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                type->clear(list + i * type->size);
        free(list);
}

int store_rows_collect(vport_store *s, sqlite3_stmt *st, const store_row_type *type, void **ret,
                       size_t *ret_n, vport_error *err) {
        char *list = NULL;
        size_t n = 0, alloc = 0;
        int r = 0, rc;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                r = store_array_grow((void **) &list, &alloc, n, type->size);
                if (r < 0)
                        break;
                /* counted before it is read: a row read half-way is cleared with the rest */
                r = type->from_row(st, list + n++ * type->size);
                if (r < 0)
                        break;
        }
        if (r < 0)
                r = vport_error_set(err, r, "reading %s in %s", type->what, s->path);
        else if (rc != SQLITE_DONE)
                r = store_sql_error(s, rc, err, "reading %s", type->what);
        if (r < 0) {
                rows_free(type, list, n);
                return r;
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

int store_sync_full(vport_store *s, bool on, vport_error *err) {
        if (!sqlite3_get_autocommit(s->db))
                return 0;
        return store_exec(s, on ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                          "setting the sync mode", err);
}

/* A transaction SQLite ended by itself (an I/O or full-disk error rolls
 * back) is not taken over: nothing of it is left to commit. */
bool store_txn_take_deferred(vport_store *s) {
        bool deferred = s->deferred && !sqlite3_get_autocommit(s->db);

        s->deferred = false;
        return deferred;
}

int store_txn_enter(vport_store *s, bool *ret_owned, vport_error *err) {
        int r;

        *ret_owned = store_txn_take_deferred(s);
        if (*ret_owned || !sqlite3_get_autocommit(s->db))
                return 0; /* a deferred one is ours now; the caller's is joined */
        r = store_exec(s, "BEGIN IMMEDIATE", "starting a transaction", err);
        if (r < 0)
                return r;
        *ret_owned = true;
        return 0;
}

int store_txn_leave(vport_store *s, bool owned, int r, vport_error *err) {
        int q;

        if (!owned)
                return r;
        if (r < 0) {
                /* Errors like SQLITE_FULL may have rolled back already. */
                if (!sqlite3_get_autocommit(s->db))
                        (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
                s->defs_changed = false;
                return r;
        }
        /* Refused on a damaged store, which rolls back below. */
        q = store_exec(s, "COMMIT", "committing", err);
        if (q < 0) {
                if (!sqlite3_get_autocommit(s->db))
                        (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
                s->defs_changed = false;
                return q;
        }
        store_save_last_good(s);
        return r;
}

int64_t store_now(void) {
        return (int64_t) time(NULL);
}
