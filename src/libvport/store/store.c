/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening the store: state directory, boot id, connection settings,
 * migrations; and the caller-visible transactions. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "store-internal.h"
#include "store-schema.h"

#define STORE_BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

const char *store_state_dir(const char *default_dir) {
        const char *e = getenv(STORE_ENV_STATE_DIR);

        return e && *e ? e : default_dir;
}

/* open() and read(), not stdio: no buffer and no fstat() for one line. */
static int store_read_boot_id(char ret[static STORE_BOOT_ID_MAX], vport_error *err) {
        const char *e = getenv(STORE_ENV_BOOT_ID_FILE);
        const char *path = e && *e ? e : STORE_BOOT_ID_PATH;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;
        size_t len;

        if (fd < 0)
                return vport_error_set(err, -errno, "boot id %s: %s", path, strerror(errno));
        n = read(fd, ret, STORE_BOOT_ID_MAX - 1);
        if (n < 0)
                return vport_error_set(err, -errno, "boot id %s: %s", path, strerror(errno));
        ret[n] = '\0';
        len = strcspn(ret, "\r\n");
        ret[len] = '\0';
        if (len == 0 || len >= STORE_BOOT_ID_MAX - 1)
                return vport_error_set(err, -EINVAL, "boot id %s: empty or too long", path);
        return 0;
}

/* Memory statistics off: with them SQLite takes a mutex and counts at
 * every allocation and free, ~0.3 M of a CLI port-create --prepare's 2.9
 * M instructions; they only feed sqlite3_memory_used(), sqlite3_status()
 * and the heap limits, which vport does not use. A process-wide setting,
 * so never made by the library on its own: a program that embeds
 * libvport may use SQLite itself (its statistics, its own sqlite3_config()
 * before first use) or from other threads, beside which sqlite3_config()
 * must not run. Once SQLite is in use the call is refused (SQLITE_MISUSE)
 * and changes nothing. */
void store_sqlite_tune_process(void) {
        (void) sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Returns 1 if the database is in WAL mode afterwards, 0 if not, or an
 * SQLite error code (negated). */
static int store_try_wal(vport_store *s) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int rc;

        rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc == SQLITE_OK)
                rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return -rc;
        return streq_ptr((const char *) sqlite3_column_text(st, 0), "wal");
}

/* WAL: readers never block the writer, and a crash cannot leave a
 * half-written page behind. Switching a new file to WAL needs an exclusive
 * lock and SQLite answers SQLITE_BUSY at once, without calling the busy
 * handler, while another process does the same: retry for the busy timeout. */
static int store_set_wal(vport_store *s, vport_error *err) {
        int r = 0;

        for (int waited = 0; waited < STORE_BUSY_TIMEOUT_MS; waited += 10) {
                r = store_try_wal(s);
                if (r >= 0 || ((-r & 0xff) != SQLITE_BUSY && (-r & 0xff) != SQLITE_LOCKED))
                        break;
                usleep(10 * 1000);
        }
        if (r < 0)
                return store_sql_error(s, -r, err, "switching to WAL journal mode");
        if (r == 0)
                return vport_error_set(err, -EIO, "state file %s: cannot switch to WAL journal mode",
                                       s->path);
        return 0;
}

/* What every connection needs before its first statement. */
static int store_connection_settings(vport_store *s, vport_error *err) {
        int rc;

        sqlite3_extended_result_codes(s->db, 1);
        store_wal_setup(s);
        rc = sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
        if (rc != SQLITE_OK)
                return store_sql_error(s, rc, err, "setting the busy timeout");
        return 0;
}

int store_configure(vport_store *s, vport_error *err) {
        int r;

        r = store_connection_settings(s, err);
        if (r >= 0)
                r = store_set_wal(s, err);
        if (r < 0)
                return r;
        /* NORMAL in WAL mode: a commit survives a crash of the process, and
         * only a crash of the whole system can lose the last ones. Runtime
         * rows (ports, journal, active flags) are worthless after such a
         * crash anyway: the boot id changes and the kernel has forgotten the
         * devices. Network definitions, which must outlive reboots, are
         * written with FULL (store_sync_full). This keeps an fsync off every
         * port step, which sits on the live-migration downtime path.
         * temp_store MEMORY: a sort of a whole table (every journal entry
         * by creation, for reconcile and drift) spilled past the page cache
         * into files in /var/tmp, 3.9 MB written per list at 8172 entries;
         * the caller holds every row it sorts in memory anyway. */
        return store_exec(
                s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY",
                "configuring the connection", err);
}

/* A read-only handle on a store that does not exist yet: an empty one in
 * memory, so every read answers "nothing defined" without creating the
 * directory or the file. */
static int store_connect_empty(vport_store *s, vport_error *err) {
        int r, rc;

        rc = sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE, NULL);
        if (rc != SQLITE_OK)
                return store_sql_error(s, rc, err, "opening an empty store");
        sqlite3_extended_result_codes(s->db, 1);
        s->creating = true;
        r = store_migrate(s, err);
        s->creating = false;
        if (r < 0)
                return r;
        return store_exec(s, "PRAGMA foreign_keys = ON; PRAGMA query_only = ON",
                          "configuring the connection", err);
}

/* Everything that reads before anything may be written: the integrity
 * check, then the schema version (a file that is damaged, foreign or newer
 * is refused before the switch to WAL could write its header). */
static int store_check_file(vport_store *s, vport_error *err) {
        int r = 0;

        if (!(s->flags & STORE_OPEN_UNCHECKED)) {
                if (store_stamp_matches_found(s))
                        r = store_refuse_damaged(s, err);
                else
                        r = store_check_and_stamp(s, err);
                s->verified = r >= 0;
        }
        if (r >= 0)
                r = store_schema_check(s, err);
        return r < 0 ? r : 0;
}

static int store_connect(vport_store *s, vport_error *err) {
        int r, rc;

        r = store_file_check(s, err);
        if (r < 0)
                return r;
        if (r == 0 && (s->flags & STORE_OPEN_READ_ONLY))
                return store_connect_empty(s, err);
        if (r == 0)
                r = store_file_create(s, err);
        else
                r = store_wal_check_belongs(s, err);
        if (r < 0)
                return r;
        /* NOMUTEX: a vport_store is used by one thread at a time, so the
         * connection's own mutex (taken at every call) guards nothing. */
        rc = sqlite3_open_v2(s->path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL);
        if (rc != SQLITE_OK)
                return store_sql_error(s, rc, err, "opening");
        r = store_connection_settings(s, err);
        if (r >= 0)
                r = store_check_file(s, err);
        if (r >= 0)
                r = store_configure(s, err);
        if (r >= 0)
                r = store_migrate(s, err);
        if (r >= 0 && (s->flags & STORE_OPEN_READ_ONLY))
                r = store_exec(s, "PRAGMA query_only = ON", "opening read-only", err);
        return r;
}

int store_open_with(const char *dir, unsigned flags, vport_store **ret, vport_error *err) {
        _cleanup_(store_closep) vport_store *s = NULL;
        int r, dir_exists;

        assert_return(ret, -EINVAL);
        if (!dir || !*dir)
                return vport_error_set(err, -EINVAL, "no state directory given");
        s = calloc(1, sizeof(*s));
        if (!s || asprintf(&s->path, "%s/%s", dir, STORE_DB_NAME) < 0) {
                if (s)
                        s->path = NULL;
                return vport_error_set(err, -ENOMEM, "out of memory");
        }
        s->flags = flags;
        s->stamp_fd = -1;
        r = dir_exists = store_file_prepare_dir(s, dir, err);
        if (r > 0 && !(flags & STORE_OPEN_READ_ONLY))
                store_file_sweep(s, dir);
        if (r >= 0)
                r = store_read_boot_id(s->boot_id, err);
        if (r >= 0)
                r = dir_exists ? store_connect(s, err) : store_connect_empty(s, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int store_open(const char *dir, vport_store **ret, vport_error *err) {
        return store_open_with(dir, 0, ret, err);
}

const char *store_notice(const vport_store *s) {
        return s ? s->notice : NULL;
}

void store_close(vport_store *s) {
        if (!s)
                return;
        store_stmt_cache_clear(s);
        if (s->db)
                store_wal_close(s);
        /* sqlite3_close_v2 rolls back an open transaction. */
        sqlite3_close_v2(s->db);
        store_stamp_close(s);
        if (s->path && s->damaged)
                store_stamp_drop(s);
        free(s->path);
        free(s->notice);
        free(s);
}

const char *store_path(const vport_store *s) {
        return s->path;
}

const char *store_boot_id(const vport_store *s) {
        return s->boot_id;
}

int store_begin(vport_store *s, vport_error *err) {
        int r;

        assert_return(s, -EINVAL);
        if (store_txn_take_deferred(s)) {
                s->user_txn = true;
                return 0;
        }
        if (s->user_txn || !sqlite3_get_autocommit(s->db))
                return vport_error_set(err, -EALREADY, "state file %s: a transaction is already open",
                                       s->path);
        r = store_exec(s, "BEGIN IMMEDIATE", "starting a transaction", err);
        if (r < 0)
                return r;
        s->user_txn = true;
        return 0;
}

int store_commit(vport_store *s, vport_error *err) {
        int r;

        assert_return(s, -EINVAL);
        if (!s->user_txn)
                return vport_error_set(err, -EINVAL, "state file %s: commit without a transaction", s->path);
        /* Refused on a damaged store: rolled back instead. */
        r = store_exec(s, "COMMIT", "committing", err);
        if (r < 0)
                (void) store_rollback(s);
        s->user_txn = false;
        if (r >= 0)
                store_save_last_good(s);
        return r;
}

int store_commit_deferred(vport_store *s, vport_error *err) {
        assert_return(s, -EINVAL);
        if (!s->user_txn)
                return vport_error_set(err, -EINVAL, "state file %s: commit without a transaction", s->path);
        s->user_txn = false;
        s->deferred = true;
        return 0;
}

bool store_deferred(const vport_store *s) {
        return s && s->deferred;
}

int store_commit_pending(vport_store *s, vport_error *err) {
        assert_return(s, -EINVAL);
        if (!store_txn_take_deferred(s))
                return 0;
        return store_txn_leave(s, true, 0, err);
}

int store_rollback(vport_store *s) {
        int rc = SQLITE_OK;

        if (!s)
                return 0;
        /* An I/O or full-disk error may have rolled back already. */
        if (!sqlite3_get_autocommit(s->db))
                rc = sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        s->user_txn = false;
        s->deferred = false;
        s->defs_changed = false;
        return store_errno(rc);
}

bool store_in_transaction(const vport_store *s) {
        return s && s->user_txn;
}

void store_set_commit_hook(vport_store *s, void (*fn)(void *userdata), void *userdata) {
        s->commit_hook = fn;
        s->commit_hook_data = userdata;
}
