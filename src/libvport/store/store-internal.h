/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the store's .c files only: the handle, statement helpers, the
 * SQLite-to-errno mapping and the join-or-own transaction helpers. */
#pragma once

#include <sqlite3.h>

#include "store.h"

#define STORE_STMT_CACHE 64

/* A prepared statement kept for reuse: compiling SQL costs more than running
 * it on these small tables, and the same few statements run on every port
 * step. Keyed by its SQL text (sqlite3_sql()). */
typedef struct store_stmt {
        sqlite3_stmt *st;
        bool in_use; /* handed out and not yet released */
} store_stmt;

struct vport_store {
        sqlite3 *db;
        char *path;
        char boot_id[STORE_BOOT_ID_MAX];
        bool user_txn; /* a store_begin() transaction is open */
        void (*commit_hook)(void *userdata);
        void *commit_hook_data;
        store_stmt stmts[STORE_STMT_CACHE];
        size_t n_stmts;
};

/* Give a statement from store_prepare() back: a cached one is reset for the
 * next use, any other finalized. NULL-safe. */
void store_stmt_release(sqlite3_stmt **st);
#define _cleanup_stmt_ _cleanup_(store_stmt_release)

/* Finalize every cached statement of s (before closing its database). */
void store_stmt_cache_clear(vport_store *s);

/* Map an SQLite result code to -errno: BUSY/LOCKED -> -EBUSY, CONSTRAINT ->
 * -EEXIST, NOMEM -> -ENOMEM, anything else -> -EIO. */
int store_errno(int rc);

/* Fill err with "<context>: <sqlite3_errmsg>" and return store_errno(rc). */
int store_sql_error(vport_store *s, int rc, vport_error *err, const char *fmt, ...) _printf_(4, 5);

/* Prepare sql, reusing the cached statement of the same text when it is not
 * in use. Release with _cleanup_stmt_.
 * Returns 0 and *ret, or -errno with err filled. */
int store_prepare(vport_store *s, const char *sql, sqlite3_stmt **ret, vport_error *err);

/* Run sql (no result rows wanted). Returns 0 or -errno with err filled. */
int store_exec(vport_store *s, const char *sql, vport_error *err);

/* Run sql with text (may be NULL) bound to ?1. Returns 0 or -errno. */
int store_exec_text(vport_store *s, const char *sql, const char *text, vport_error *err);

/* Bind helpers: text is copied; NULL binds SQL NULL. Return an SQLite rc. */
int store_bind_text(sqlite3_stmt *st, int i, const char *text);
int store_bind_uuid(sqlite3_stmt *st, int i, const vport_uuid *uuid);
int store_bind_mac(sqlite3_stmt *st, int i, const vport_mac *mac);

/* Column readers. store_column_strdup() gives NULL for SQL NULL. Return 0,
 * -ENOMEM, or -EIO for a value that does not parse (a damaged database). */
int store_column_strdup(sqlite3_stmt *st, int i, char **ret);
int store_column_uuid(sqlite3_stmt *st, int i, vport_uuid *ret);
int store_column_mac(sqlite3_stmt *st, int i, vport_mac *ret);
void store_column_boot_id(sqlite3_stmt *st, int i, char ret[static STORE_BOOT_ID_MAX]);

/* Make room for one more element in *array (of *alloc elements of size),
 * which holds n. Returns 0 or -ENOMEM. */
int store_array_grow(void **array, size_t *alloc, size_t n, size_t size);

/* Multi-step operations call store_txn_enter() first: it joins an open
 * transaction (*ret_owned = false) or begins BEGIN IMMEDIATE itself.
 * store_txn_leave(s, owned, r, err) then commits (r >= 0) or rolls back
 * (r < 0) a transaction it owns, and returns r (or the commit error). */
int store_txn_enter(vport_store *s, bool *ret_owned, vport_error *err);

/* Switch the connection between synchronous=FULL (on: commits reach the
 * disk before they return) and NORMAL (off). Only outside a transaction;
 * inside one it does nothing (SQLite refuses the change there). Returns 0
 * or -errno. */
int store_sync_full(vport_store *s, bool on, vport_error *err);
int store_txn_leave(vport_store *s, bool owned, int r, vport_error *err);

/* Seconds since the epoch. */
int64_t store_now(void);
