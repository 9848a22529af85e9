/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A damaged state file is never written to: damage found by SQLite's own
 * checks or reported by any statement makes the handle refuse every later
 * call, with a message that says how to recover. And the copies that
 * recovery needs: one before each schema migration, one after each change
 * of the network definitions. */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "store-internal.h"

bool store_rc_damaged(int rc) {
        return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

/* Restoring a copy is only safe with the damaged file's -wal gone too:
 * SQLite would replay that log onto the copy. */
static void store_recovery_advice(const vport_store *s, char *buf, size_t size) {
        _cleanup_free_ char *copy = NULL;
        struct stat st;
        struct tm tm;
        char when[32];

        if (asprintf(&copy, "%s%s", s->path, STORE_LAST_GOOD_SUFFIX) < 0)
                copy = NULL;
        if (copy && stat(copy, &st) == 0 && localtime_r(&st.st_mtime, &tm) &&
            strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm) > 0) {
                snprintf(buf, size,
                         "with no vport running, move %s and its -wal and -shm files away, then copy %s "
                         "(saved %s) to %s",
                         s->path, copy, when, s->path);
                return;
        }
        snprintf(buf, size,
                 "with no vport running, move %s and its -wal and -shm files away; vport then starts "
                 "with an empty store (define the networks again)",
                 s->path);
}

int store_damaged_error(vport_store *s, const char *what, const char *detail, vport_error *err) {
        char advice[VPORT_ERROR_MAX];

        if (!s->damaged) {
                s->damaged = true;
                store_recovery_advice(s, advice, sizeof(advice));
                snprintf(
                        s->damage, sizeof(s->damage),
                        "state file %s is damaged (%s: %s); vport will not read or write it. To recover: %s",
                        s->path, what, detail, advice);
                /* Nothing of it is written: no checkpoint at close (no
                 * connection runs one, except one building a new file) nor
                 * in the WAL hook (store-wal.c). */
                if (s->db)
                        (void) sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        }
        return vport_error_set(err, -EUCLEAN, "%s", s->damage);
}

int store_refuse_damaged(vport_store *s, vport_error *err) {
        if (!s->damaged)
                return 0;
        return vport_error_set(err, -EUCLEAN, "%s", s->damage);
}

/* The check reports problems one per line, in rows that may hold several
 * lines, under a "*** in database main ***" heading. Keep the first
 * problem in first (if still empty) and return how many the text holds. */
static int store_check_problems(const char *text, char *first, size_t size) {
        int n = 0;

        while (text && *text) {
                size_t len = strcspn(text, "\n");

                if (len > 0 && strncmp(text, "***", 3) != 0) {
                        if (n++ == 0)
                                snprintf(first, size, "%.*s", (int) len, text);
                }
                text += len + (text[len] == '\n');
        }
        return n;
}

int store_check_integrity(vport_store *s, bool full, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        const char *what = full ? "full integrity check" : "quick integrity check";
        char detail[256] = "", first[200] = "";
        int r, rc, problems = 0;

        /* At most 8 problems: the first names the damage, the count says
         * whether it is local. */
        r = store_refuse_damaged(s, err);
        if (r < 0)
                return r;
        /* Not cached: it runs once per open. Preparing it reads the schema,
         * which may already be what is damaged. */
        rc = sqlite3_prepare_v2(s->db, full ? "PRAGMA integrity_check(8)" : "PRAGMA quick_check(8)", -1, &st,
                                NULL);
        if (rc != SQLITE_OK)
                return store_sql_error(s, rc, err, "%s", what);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *row = (const char *) sqlite3_column_text(st, 0);

                if (streq_ptr(row, "ok"))
                        return 0;
                problems += store_check_problems(row, first, sizeof(first));
        }
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, err, "%s", what);
        if (problems > 1)
                snprintf(detail, sizeof(detail), "%s (and %s%d more)", first,
                         problems >= 8 ? "at least " : "", problems - 1);
        else
                snprintf(detail, sizeof(detail), "%s", problems ? first : "no result");
        return store_damaged_error(s, what, detail, err);
}

static int store_fsync_dir_of(const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        _cleanup_close_ int fd = -1;

        if (!copy)
                return -ENOMEM;
        fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0)
                return -errno;
        return 0;
}

/* Copy every page of s into the (empty) file tmp. Returns an SQLite code. */
static int store_backup_pages(vport_store *s, const char *tmp, char ret_msg[static 128]) {
        sqlite3 *dest = NULL;
        sqlite3_backup *b;
        int rc, finish;

        rc = sqlite3_open_v2(tmp, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
        if (rc == SQLITE_OK) {
                b = sqlite3_backup_init(dest, "main", s->db, "main");
                if (!b)
                        rc = sqlite3_errcode(dest);
                else {
                        /* All pages in one step: one read snapshot of s. */
                        rc = sqlite3_backup_step(b, -1);
                        finish = sqlite3_backup_finish(b);
                        if (rc == SQLITE_DONE)
                                rc = finish;
                }
        }
        snprintf(ret_msg, 128, "%s", dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
        if (sqlite3_close(dest) != SQLITE_OK && rc == SQLITE_OK)
                rc = SQLITE_IOERR;
        return rc;
}

int store_backup(vport_store *s, const char *dest, vport_error *err) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        char msg[128];
        int rc;

        if (asprintf(&tmp, "%s.tmp-XXXXXX", dest) < 0)
                return vport_error_set(err, -ENOMEM, "out of memory");
        fd = store_temp_file(tmp);
        if (fd < 0)
                return vport_error_set(err, fd, "state file %s: copying to %s: %s", s->path, dest,
                                       strerror(-fd));
        rc = store_backup_pages(s, tmp, msg);
        if (rc != SQLITE_OK) {
                unlink(tmp);
                return vport_error_set(err, store_errno(rc) < 0 ? store_errno(rc) : -EIO,
                                       "state file %s: copying to %s: %s", s->path, dest, msg);
        }
        if (fsync(fd) < 0 || rename(tmp, dest) < 0) {
                int r = -errno;

                unlink(tmp);
                return vport_error_set(err, r, "state file %s: copying to %s: %s", s->path, dest,
                                       strerror(-r));
        }
        (void) store_fsync_dir_of(dest);
        return 0;
}

void store_save_last_good(vport_store *s) {
        _cleanup_free_ char *dest = NULL;

        if (!s->defs_changed)
                return;
        s->defs_changed = false;
        if (s->damaged || (s->flags & STORE_OPEN_READ_ONLY))
                return;
        if (asprintf(&dest, "%s%s", s->path, STORE_LAST_GOOD_SUFFIX) < 0)
                return;
        (void) store_backup(s, dest, NULL);
}

void store_defs_changed(vport_store *s) {
        s->defs_changed = true;
        if (sqlite3_get_autocommit(s->db))
                store_save_last_good(s);
}
