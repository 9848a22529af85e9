/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the store's .c files only: the handle, statement helpers, the
 * SQLite-to-errno mapping and the join-or-own transaction helpers. */
#pragma once

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "store.h"

#define STORE_STMT_CACHE 64
/* Long enough to outlast another vport's whole allocate-and-plug
 * transaction; waiting beats failing with "database is locked". */
#define STORE_BUSY_TIMEOUT_MS 30000
/* "vport-checked 2 db DEV INO SIZE MTIME CTIME wal DEV INO SIZE MTIME" */
#define STORE_STAMP_MAX 320

/* What the checked stamp names of one file (store-wal.c): all zero for a
 * file that is missing or empty. */
typedef struct store_stamp_file {
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime, ctime;
} store_stamp_file;

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
        unsigned flags; /* STORE_OPEN_* */
        bool creating;  /* building a new database (store_file_create) */
        bool user_txn;  /* a store_begin() transaction is open */
        /* store_commit_deferred(): the transaction is open, waiting for the
         * next write to commit it (user_txn is false meanwhile). */
        bool deferred;
        void (*commit_hook)(void *userdata);
        void *commit_hook_data;
        /* Set by the first SQLITE_CORRUPT / SQLITE_NOTADB: from then on every
         * call is refused with this message (the file is never written). */
        bool damaged;
        char damage[VPORT_ERROR_MAX];
        /* The file passed the integrity check at this open, or still is the
         * file that passed one (store_stamp_matches_found()). */
        bool verified;
        /* The stamp matched the files when this connection's commit began:
         * the WAL hook restamps what the commit wrote. */
        bool stamp_current;
        /* store_hold_checkpoint(): commits leave the log to a later one. */
        bool hold_checkpoint;
        /* This connection's last commit checkpointed the log, and no
         * commit of its own has restarted it since. */
        bool log_restart_due;
        /* The stamp this connection last matched or wrote, or "", and the
         * file and log it names. */
        char stamp[STORE_STAMP_MAX];
        store_stamp_file stamp_db, stamp_wal;
        /* The stamp file, open once this connection has written it, or -1. */
        int stamp_fd;
        /* What the open found: the file and its log (store_file_check()),
         * and the stamp (read once, "" if none). */
        store_stamp_file found_db, found_wal;
        bool open_stamp_read;
        char open_stamp[STORE_STAMP_MAX];
        /* A network definition changed in the open transaction: refresh the
         * last-good copy once it commits. */
        bool defs_changed;
        char *notice; /* what opening did that a human should hear, or NULL */
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
 * -EEXIST, NOMEM -> -ENOMEM, READONLY -> -EROFS, CORRUPT/NOTADB -> -EUCLEAN,
 * anything else -> -EIO. */
int store_errno(int rc);

/* Fill err with "state file <path>: <operation>: <sqlite3_errmsg>" and
 * return store_errno(rc). fmt names the operation in words, never SQL text.
 * SQLITE_CORRUPT / SQLITE_NOTADB mark the store damaged
 * (store_damaged_error()). */
int store_sql_error(vport_store *s, int rc, vport_error *err, const char *fmt, ...) _printf_(4, 5);

/* Prepare sql, reusing the cached statement of the same text when it is not
 * in use. Release with _cleanup_stmt_.
 * Returns 0 and *ret, or -errno with err filled. */
int store_prepare(vport_store *s, const char *sql, sqlite3_stmt **ret, vport_error *err);

/* Run sql (no result rows wanted); what names the operation for an error
 * message. Refused (-EUCLEAN) once the store is damaged. Returns 0 or -errno
 * with err filled. */
int store_exec(vport_store *s, const char *sql, const char *what, vport_error *err);

/* Run sql with text (may be NULL) bound to ?1; fmt names the operation.
 * Returns 0 or -errno. */
int store_exec_text(vport_store *s, const char *sql, const char *text, vport_error *err, const char *fmt,
                    ...) _printf_(5, 6);

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

/* What store_rows_collect() makes of each row: elements of size bytes,
 * filled by from_row (0 or -errno; it may leave one partly filled) and
 * emptied by clear (safe on a zeroed or already cleared element). what
 * names the rows in messages ("the journal"). */
typedef struct store_row_type {
        size_t size;
        int (*from_row)(sqlite3_stmt *st, void *elem);
        void (*clear)(void *elem);
        const char *what;
} store_row_type;

/* Step st (prepared and bound by the caller) to its end, one element per
 * row. Returns 0 with *ret (an array of *ret_n elements, NULL when none;
 * the caller frees it as its type's array) or -errno with err filled and
 * nothing kept. */
int store_rows_collect(vport_store *s, sqlite3_stmt *st, const store_row_type *type, void **ret,
                       size_t *ret_n, vport_error *err);

/* Multi-step operations call store_txn_enter() first: it joins an open
 * transaction (*ret_owned = false) or begins BEGIN IMMEDIATE itself; a
 * deferred one (store_commit_deferred()) it takes over (*ret_owned =
 * true). store_txn_leave(s, owned, r, err) then commits (r >= 0) or rolls
 * back (r < 0) a transaction it owns, and returns r (or the commit
 * error). */
int store_txn_enter(vport_store *s, bool *ret_owned, vport_error *err);

/* A write of one statement commits by itself outside a transaction, and
 * joins an open one; a deferred transaction must commit with it. Returns
 * true if it took a deferred one over: store_txn_leave() then commits or
 * rolls back both. */
bool store_txn_take_deferred(vport_store *s);

/* Switch the connection between synchronous=FULL (on: commits reach the
 * disk before they return) and NORMAL (off). Only outside a transaction;
 * inside one it does nothing (SQLite refuses the change there). Returns 0
 * or -errno. */
int store_sync_full(vport_store *s, bool on, vport_error *err);
int store_txn_leave(vport_store *s, bool owned, int r, vport_error *err);

/* Seconds since the epoch. */
int64_t store_now(void);

/* ---- store-health.c: damage, integrity checks, copies ---- */

/* Is rc (an SQLite result code) one that means the file is damaged? */
bool store_rc_damaged(int rc);

/* Mark s damaged (for the rest of the process) and fill err with a message
 * naming the file, what was being done, what SQLite found and how to
 * recover. Returns -EUCLEAN. */
int store_damaged_error(vport_store *s, const char *what, const char *detail, vport_error *err);

/* Returns -EUCLEAN with the damage message if s is damaged, else 0. */
int store_refuse_damaged(vport_store *s, vport_error *err);

/* Run SQLite's own consistency check over the whole file: PRAGMA
 * quick_check (full: integrity_check, which also compares every index with
 * its table). A problem marks s damaged. Returns 0 or -EUCLEAN (-errno). */
int store_check_integrity(vport_store *s, bool full, vport_error *err);

/* Copy the database with SQLite's online backup API to dest, atomically
 * (a temporary file in the same directory, synced, then renamed), mode 0600.
 * Returns 0 or -errno. */
int store_backup(vport_store *s, const char *dest, vport_error *err);

/* Refresh <path>.last-good after a committed change of network
 * definitions (see store.h). Errors are not the caller's failure: the commit
 * stands, and the next change tries again. */
void store_save_last_good(vport_store *s);

/* Note that a network definition was written: the last-good copy is
 * refreshed when it commits (at once outside a transaction). */
void store_defs_changed(vport_store *s);

/* ---- store-file.c: the file and directory ---- */

/* Check (and create, unless read-only) the state directory; an existing one
 * readable by others is tightened to 0700. Returns 1 if it exists
 * afterwards, 0 if it does not (read-only), or -errno. */
int store_file_prepare_dir(vport_store *s, const char *dir, vport_error *err);

/* Check the database file and its -wal and -shm before SQLite opens them:
 * owned by us, not writable by others (else -EPERM), readable by others is
 * tightened to 0600, not empty (-EUCLEAN). Returns 1 if it exists, 0 if it
 * does not, or -errno. */
int store_file_check(vport_store *s, vport_error *err);

/* Build a new database in a temporary file next to s->path (WAL mode, full
 * schema) and link it into place, so the path never names a half-made
 * file: a file that exists is complete, and an empty one is damage. If
 * another process linked its own first, that one is kept. Returns 0 or
 * -errno. */
int store_file_create(vport_store *s, vport_error *err);

/* Connection settings: busy timeout, WAL, foreign keys, sync mode.
 * Returns 0 or -errno. */
int store_configure(vport_store *s, vport_error *err);

/* mkostemp() for the store's temporary files (template ends in XXXXXX):
 * 0600, and flock()ed while its fd is open so store_file_sweep() knows it
 * is in use. Returns the fd or -errno. */
int store_temp_file(char *template);

/* Temporary files older than this (seconds) and not locked are litter. */
#define STORE_LITTER_AGE 60

/* Remove the temporary files (and SQLite's files beside them) that a vport
 * killed while creating the database or a copy left in dir, each with a
 * notice. */
void store_file_sweep(vport_store *s, const char *dir);

/* ---- store-wal.c: the log across processes, the checked stamp ---- */

/* Per connection, before its first statement: the log is left at close
 * (except by a database being built), checkpointed by a commit that leaves
 * enough pages in it, and each commit of a verified connection refreshes
 * the stamp. */
void store_wal_setup(vport_store *s);

/* Before the connection closes: a log its last commit checkpointed and
 * nothing restarted since is emptied. */
void store_wal_close(vport_store *s);

/* The checked stamp (STORE_DB_NAME STORE_CHECKED_SUFFIX): the identity and
 * times (device, inode, size, mtime, ctime) of the state file and of its
 * -wal, as the last verified vport write left them. A write by anyone but
 * SQLite changes ctime (which nobody can set back), so files that still
 * match their stamp are the verified file plus what vport's own commits
 * wrote: the integrity check is skipped (it reads every page: ~1 µs per
 * port, 8 ms at 8192 ports). Damage that does not touch ctime (the disk's
 * own) is still met by the first statement that reads the page (SQLITE_
 * CORRUPT, sticky: store_damaged_error()), before any commit. */
#define STORE_CHECKED_SUFFIX ".checked"

/* At open: does the stamp match the files as store_file_check() found
 * them? The stamp is read once for the whole open, and the files are not
 * stat()ed again. */
bool store_stamp_matches_found(vport_store *s);

/* What the checked stamp names of a file lstat() described (ctime only
 * for the database file: see stamp_stat()). */
void store_stamp_file_from(const struct stat *st, bool ctime, store_stamp_file *ret);

/* Close the stamp file if this connection holds it open. */
void store_stamp_close(vport_store *s);

/* Run the quick check (store_check_integrity()); if it passed and nothing
 * wrote the files while it read them, stamp them (not on a read-only
 * open). Returns 0 or -errno. */
int store_check_and_stamp(vport_store *s, vport_error *err);

/* Before SQLite opens the file: refuse (-EUCLEAN) a file that is not the
 * one its log was written for (the stamp names the log as it is, and
 * another file: a copy restored without moving the old -wal away, which
 * SQLite would replay onto it). Returns 0 or -EUCLEAN. */
int store_wal_check_belongs(vport_store *s, vport_error *err);

/* Remove the stamp (the file is damaged). */
void store_stamp_drop(vport_store *s);
