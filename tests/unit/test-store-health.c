/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* State that cannot rot: a damaged, truncated, empty, foreign or newer state
 * file is refused and never written to; modes are tightened; a read-only
 * open creates nothing; copies are made before a migration and after a
 * change of the definitions. Each test builds a real store in a fresh
 * directory and damages the file the way a disk or a person would. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store-schema.h"
#include "store/store.h"
#include "wal-frames.h"

#define BOOT_A   "11111111-1111-4111-8111-111111111111"
#define NET_UUID "6f5c9d2a-1b3e-4c7d-9e8f-0a1b2c3d4e5f"

typedef struct fixture {
        char dir[64];
        char db[96];
        char boot_file[96];
        vport_store *s;
} fixture;

/* The file's bytes and times, to show nothing was written. */
typedef struct snapshot {
        char *bytes;
        size_t len;
        struct timespec mtime;
} snapshot;

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        vport_error err = {};
        FILE *fp;

        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "/tmp/test-store-health-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->db, sizeof(f->db), "%s/%s", f->dir, STORE_DB_NAME);
        snprintf(f->boot_file, sizeof(f->boot_file), "%s.boot_id", f->dir);
        fp = fopen(f->boot_file, "we");
        assert_non_null(fp);
        fprintf(fp, "%s\n", BOOT_A);
        assert_int_equal(fclose(fp), 0);
        setenv(STORE_ENV_BOOT_ID_FILE, f->boot_file, 1);
        unsetenv(STORE_ENV_STATE_DIR);
        assert_int_equal(store_open(f->dir, &f->s, &err), 0);
        *state = f;
        return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static int teardown(void **state) {
        fixture *f = *state;

        store_close(f->s);
        nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        unlink(f->boot_file);
        free(f);
        return 0;
}

static vport_uuid U(const char *s) {
        vport_uuid u;

        assert_int_equal(uuid_parse(s, &u), 0);
        return u;
}

static void define_net(vport_store *s, const char *name, const char *uuid) {
        vport_uuid u = U(uuid);
        vport_error err = {};

        assert_int_equal(store_network_define(s, name, &u, "<network/>", &err), 1);
}

/* Enough ports to fill more than one page of the ports table, and the
 * network active. */
static void fill(fixture *f) {
        vport_error err = {};
        char xml[600];

        define_net(f->s, "default", NET_UUID);
        memset(xml, 'x', sizeof(xml) - 1);
        xml[sizeof(xml) - 1] = '\0';
        for (int i = 0; i < 40; i++) {
                store_port p = {
                        .network = (char *) "default",
                        .owner_name = (char *) "vm1",
                        .owner_uuid = U("0000000a-0000-4000-8000-000000000001"),
                        .mac = { { 0x52, 0x54, 0, 0, 0, (uint8_t) i } },
                        .state = (char *) "allocated",
                        .xml = xml,
                };
                assert_int_equal(uuid_generate(&p.uuid), 0);
                assert_int_equal(store_port_insert(f->s, &p, &err), 0);
        }
        /* and a commit of one page, which restarts the log if the last
         * insert happened to checkpoint it: the log is never left empty */
        assert_int_equal(store_network_set_active(f->s, "default", true, &err), 0);
}

/* Close the store: the log stays (checkpointed by size, not at close). */
static void close_store(fixture *f) {
        store_close(f->s);
        f->s = NULL;
}

static int db_int(const char *path, const char *sql) {
        sqlite3 *db;
        sqlite3_stmt *st;
        int v;

        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
        return v;
}

static void db_exec(const char *path, const char *sql) {
        sqlite3 *db;

        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
}

/* Overwrite the cell pointer array of the root page of table with 0xff:
 * what a torn or misdirected write leaves. */
static void damage_table(fixture *f, const char *table) {
        char sql[128];
        int page, page_size, fd;
        char junk[64];

        snprintf(sql, sizeof(sql), "SELECT rootpage FROM sqlite_schema WHERE name = '%s'", table);
        page = db_int(f->db, sql);
        page_size = db_int(f->db, "PRAGMA page_size");
        assert_true(page > 1);
        memset(junk, 0xff, sizeof(junk));
        fd = open(f->db, O_WRONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(pwrite(fd, junk, sizeof(junk), (off_t) (page - 1) * page_size + 8), sizeof(junk));
        assert_int_equal(close(fd), 0);
}

static snapshot take(const char *path) {
        snapshot sn = {};
        struct stat st;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        sn.len = (size_t) st.st_size;
        sn.mtime = st.st_mtim;
        sn.bytes = malloc(sn.len + 1);
        assert_non_null(sn.bytes);
        assert_int_equal(read(fd, sn.bytes, sn.len), (ssize_t) sn.len);
        close(fd);
        return sn;
}

/* The file holds exactly what it held when sn was taken. */
static void assert_unchanged(const char *path, snapshot *sn) {
        snapshot now = take(path);

        assert_int_equal(now.len, sn->len);
        assert_memory_equal(now.bytes, sn->bytes, sn->len);
        assert_int_equal(now.mtime.tv_sec, sn->mtime.tv_sec);
        assert_int_equal(now.mtime.tv_nsec, sn->mtime.tv_nsec);
        free(now.bytes);
        free(sn->bytes);
}

/* A refusal names the file and never shows SQL. */
static void assert_names_file(const vport_error *err, const char *path) {
        static const char *const sql[] = { "SELECT", "INSERT", "UPDATE", "DELETE", "PRAGMA", "WHERE" };

        assert_non_null(strstr(err->message, path));
        for (size_t i = 0; i < ELEMENTSOF(sql); i++)
                assert_null(strstr(err->message, sql[i]));
}

/* Every open mode refuses the file with code, naming it. */
static void assert_open_refused(fixture *f, int code, const char *says) {
        static const unsigned modes[] = { 0, STORE_OPEN_READ_ONLY };

        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                vport_error err = {};
                vport_store *s = NULL;

                assert_int_equal(store_open_with(f->dir, modes[i], &s, &err), code);
                assert_null(s);
                assert_names_file(&err, f->db);
                assert_non_null(strstr(err.message, says));
        }
}

static bool exists(const char *path) {
        struct stat st;

        return lstat(path, &st) == 0;
}

/* ---- damage ---- */

static void test_damaged_pages_refused(void **state) {
        fixture *f = *state;
        vport_error err = {};
        vport_store *s = NULL;
        snapshot sn;

        fill(f);
        close_store(f);
        damage_table(f, "ports");
        sn = take(f->db);
        assert_open_refused(f, -EUCLEAN, "is damaged");
        /* ... and says how to recover, with the copy that exists. */
        assert_int_equal(store_open(f->dir, &s, &err), -EUCLEAN);
        assert_non_null(strstr(err.message, "To recover"));
        assert_non_null(strstr(err.message, STORE_DB_NAME STORE_LAST_GOOD_SUFFIX));
        assert_unchanged(f->db, &sn);
}

/* Damage that only a later statement meets (the open check skipped, as if
 * the file broke after it): from then on everything is refused, the open
 * transaction is never committed, and the file is not written, not even
 * by the checkpoint at close. */
static void test_damage_found_later_is_sticky(void **state) {
        fixture *f = *state;
        vport_uuid u = U("00000001-0000-4000-8000-000000000001"),
                   p = U("00000002-0000-4000-8000-000000000002");
        store_journal j = { .port_uuid = p, .key = (char *) "physdev:eth0", .step = (char *) "prepared" };
        store_network *nets = NULL;
        store_port *ports = NULL;
        vport_error err = {};
        size_t n = 0;
        snapshot sn;

        fill(f);
        close_store(f);
        damage_table(f, "ports");
        sn = take(f->db);
        assert_int_equal(store_open_with(f->dir, STORE_OPEN_UNCHECKED, &f->s, &err), 0);
        /* Committed before the damage is found: it stays in the WAL. */
        assert_int_equal(store_network_set_active(f->s, "default", true, &err), 0);
        assert_int_equal(store_begin(f->s, &err), 0);
        assert_int_equal(store_network_define(f->s, "other", &u, "<network/>", &err), 1);
        assert_int_equal(store_port_list(f->s, NULL, NULL, &ports, &n, &err), -EUCLEAN);
        assert_names_file(&err, f->db);
        assert_non_null(strstr(err.message, "is damaged"));
        assert_int_equal(store_commit(f->s, &err), -EUCLEAN);
        assert_false(store_in_transaction(f->s));

        /* Writes that would not touch the damaged page are refused too. */
        assert_int_equal(store_network_define(f->s, "other", &u, "<network/>", &err), -EUCLEAN);
        assert_int_equal(store_network_undefine(f->s, "default", &err), -EUCLEAN);
        assert_int_equal(store_port_delete(f->s, &p, &err), -EUCLEAN);
        assert_int_equal(store_journal_put(f->s, &j, &err), -EUCLEAN);
        assert_int_equal(store_network_set_autostart(f->s, "default", true, &err), -EUCLEAN);
        assert_int_equal(store_stale_ports_purge(f->s, &err), -EUCLEAN);
        assert_int_equal(store_begin(f->s, &err), -EUCLEAN);
        assert_int_equal(store_network_list(f->s, &nets, &n, &err), -EUCLEAN);
        assert_names_file(&err, f->db);
        close_store(f);
        assert_unchanged(f->db, &sn);
}

/* A refused open leaves the (unused) -wal behind, which alone makes the
 * next open check the file. */
static void unlink_wal(fixture *f) {
        char wal[PATH_MAX];

        snprintf(wal, sizeof(wal), "%s-wal", f->db);
        (void) unlink(wal);
        snprintf(wal, sizeof(wal), "%s-shm", f->db);
        (void) unlink(wal);
}

/* " NAME DEV INO SIZE MTIME[ CTIME]", or " NAME -" for a missing or empty
 * file: store-wal.c's format. */
static void stamp_add(char *buf, size_t size, const char *name, const char *path, bool ctime) {
        size_t len = strlen(buf);
        struct stat st;

        if (stat(path, &st) < 0 || st.st_size == 0) {
                snprintf(buf + len, size - len, " %s -", name);
                return;
        }
        len += (size_t) snprintf(buf + len, size - len, " %s %ju %ju %jd %jd.%09ld", name,
                                 (uintmax_t) st.st_dev, (uintmax_t) st.st_ino, (intmax_t) st.st_size,
                                 (intmax_t) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
        if (ctime)
                snprintf(buf + len, size - len, " %jd.%09ld", (intmax_t) st.st_ctim.tv_sec,
                         st.st_ctim.tv_nsec);
}

/* What a stamp of the file and its log as they are now says. */
static void stamp_now(const fixture *f, char buf[static 400]) {
        char wal[PATH_MAX];

        snprintf(wal, sizeof(wal), "%s-wal", f->db);
        snprintf(buf, 400, "vport-checked 2");
        stamp_add(buf, 400, "db", f->db, true);
        stamp_add(buf, 400, "wal", wal, false);
        strcat(buf, "\n");
}

static void forge_stamp(const fixture *f, const char *stamp) {
        char line[400];
        FILE *out;

        stamp_now(f, line);
        out = fopen(stamp, "w");
        assert_non_null(out);
        fputs(line, out);
        assert_int_equal(fclose(out), 0);
}

/* Does the stamp describe the files as they are? */
static bool stamp_current(const fixture *f) {
        char path[PATH_MAX], want[400], got[400] = "";
        FILE *in;

        snprintf(path, sizeof(path), "%s.checked", f->db);
        in = fopen(path, "re");
        if (!in)
                return false;
        if (!fgets(got, sizeof(got), in))
                got[0] = '\0';
        fclose(in);
        /* written padded with spaces to a fixed length */
        for (size_t n = strlen(got); n > 0 && (got[n - 1] == ' ' || got[n - 1] == '\n'); n--)
                got[n - 1] = '\0';
        strcat(got, "\n");
        stamp_now(f, want);
        return streq(got, want);
}

/* The checked stamp lets an open skip the integrity check of a file that
 * only SQLite wrote since it was verified. A write by anything else
 * changes the file's ctime: the check runs and refuses the damage, and
 * the stamp is dropped. A stamp that matches a damaged file anyway (here
 * forged; a disk's own rot) only defers the refusal to the first read of
 * the damaged page, and nothing is written. */
static void test_checked_stamp(void **state) {
        fixture *f = *state;
        char stamp[PATH_MAX];
        store_port *ports = NULL;
        vport_error err = {};
        struct stat st;
        size_t n = 0;
        snapshot sn;

        fill(f);
        close_store(f);
        snprintf(stamp, sizeof(stamp), "%s.checked", f->db);
        assert_int_equal(stat(stamp, &st), 0);
        damage_table(f, "ports");
        sn = take(f->db);
        /* the damage changed ctime: the stamp no longer matches */
        assert_open_refused(f, -EUCLEAN, "is damaged");
        assert_int_equal(stat(stamp, &st), -1);
        unlink_wal(f);

        /* rot the stamp cannot see: refused at the first read */
        forge_stamp(f, stamp);
        assert_int_equal(store_open(f->dir, &f->s, &err), 0);
        assert_int_equal(store_port_list(f->s, NULL, NULL, &ports, &n, &err), -EUCLEAN);
        assert_non_null(strstr(err.message, "is damaged"));
        assert_int_equal(store_begin(f->s, &err), -EUCLEAN);
        close_store(f);
        assert_int_equal(stat(stamp, &st), -1);
        assert_open_refused(f, -EUCLEAN, "is damaged");
        assert_unchanged(f->db, &sn);
}

static void test_truncated_refused(void **state) {
        fixture *f = *state;
        /* At a page boundary, inside a page, inside the 100-byte header. */
        const off_t cut[] = { 8192, 10000, 50 };
        struct stat st;

        fill(f);
        close_store(f);
        assert_int_equal(stat(f->db, &st), 0);
        for (size_t i = 0; i < ELEMENTSOF(cut); i++) {
                snapshot sn;

                assert_true(cut[i] < st.st_size);
                assert_int_equal(truncate(f->db, cut[i]), 0);
                sn = take(f->db);
                assert_open_refused(f, -EUCLEAN, "is damaged");
                assert_unchanged(f->db, &sn);
        }
}

/* An empty file is not a new store: taking it for one would forget every
 * network and exit 0. SQLite is not even let near it. */
static void test_empty_file_refused(void **state) {
        fixture *f = *state;
        char wal[128];
        snapshot sn, sn_wal;

        define_net(f->s, "default", NET_UUID);
        close_store(f);
        assert_int_equal(truncate(f->db, 0), 0);
        sn = take(f->db);
        snprintf(wal, sizeof(wal), "%s-wal", f->db);
        sn_wal = take(wal);
        assert_open_refused(f, -EUCLEAN, "empty (0 bytes)");
        assert_unchanged(f->db, &sn);
        assert_unchanged(wal, &sn_wal);
}

static void test_newer_schema_refused(void **state) {
        fixture *f = *state;
        char known[32];
        snapshot sn;

        close_store(f);
        db_exec(f->db, "PRAGMA user_version = 999");
        sn = take(f->db);
        assert_open_refused(f, -EPROTO, "schema version 999");
        snprintf(known, sizeof(known), "schema version %d", store_schema_version());
        assert_open_refused(f, -EPROTO, known);
        assert_unchanged(f->db, &sn);
}

/* After a downgrade the refusal points at the copy saved before the newer
 * vport migrated, which this one can use. */
static void test_downgrade_names_copy(void **state) {
        fixture *f = *state;
        const char *const *steps;
        const char *more[16];
        vport_error err = {};
        vport_store *s = NULL;
        char bak[128];
        int n;

        define_net(f->s, "default", NET_UUID);
        steps = store_schema_steps(&n);
        for (int i = 0; i < n; i++)
                more[i] = steps[i];
        more[n] = "CREATE TABLE added_later (x INTEGER) STRICT";
        assert_int_equal(store_migrate_steps(f->s, more, n + 1, &err), 0);
        close_store(f);
        snprintf(bak, sizeof(bak), "%s.v%d.bak", f->db, n);
        assert_int_equal(store_open(f->dir, &s, &err), -EPROTO);
        assert_non_null(strstr(err.message, bak));
        assert_non_null(strstr(err.message, "-wal and -shm"));
        /* ... and that copy opens, once the log of the newer file is away
         * too (SQLite would replay it onto the copy). */
        unlink_wal(f);
        assert_int_equal(rename(bak, f->db), 0);
        assert_int_equal(store_open(f->dir, &f->s, &err), 0);
}

/* Another program's database, and a file that is no database at all. */
static void test_foreign_file_refused(void **state) {
        fixture *f = *state;
        snapshot sn;
        FILE *fp;

        close_store(f);
        unlink(f->db);
        db_exec(f->db, "CREATE TABLE mine (x INTEGER)");
        sn = take(f->db);
        assert_open_refused(f, -EUCLEAN, "not a vport store");
        assert_unchanged(f->db, &sn);

        fp = fopen(f->db, "we");
        assert_non_null(fp);
        for (int i = 0; i < 200; i++)
                fputs("this is a text file, not a database\n", fp);
        assert_int_equal(fclose(fp), 0);
        sn = take(f->db);
        assert_open_refused(f, -EUCLEAN, "is damaged");
        assert_unchanged(f->db, &sn);
}

/* ---- modes ---- */

static mode_t mode_of(const char *path) {
        struct stat st;

        assert_int_equal(stat(path, &st), 0);
        return st.st_mode & 07777;
}

/* Readable by others: tightened, with a notice (nothing could have been
 * changed through it). Writable by others: refused, content untrusted. */
static void test_modes_tightened_or_refused(void **state) {
        fixture *f = *state;
        const char *suffix[] = { "", "-wal", "-shm" };
        vport_error err = {};
        vport_store *s = NULL;
        char path[128];

        define_net(f->s, "default", NET_UUID); /* f->s stays open: -wal and -shm exist */
        assert_int_equal(chmod(f->dir, 0755), 0);
        for (size_t i = 0; i < ELEMENTSOF(suffix); i++) {
                snprintf(path, sizeof(path), "%s%s", f->db, suffix[i]);
                assert_int_equal(chmod(path, 0644), 0);
        }
        assert_int_equal(store_open(f->dir, &s, &err), 0);
        assert_int_equal(mode_of(f->dir), 0700);
        assert_non_null(strstr(store_notice(s), f->dir));
        for (size_t i = 0; i < ELEMENTSOF(suffix); i++) {
                snprintf(path, sizeof(path), "%s%s", f->db, suffix[i]);
                assert_int_equal(mode_of(path), 0600);
                assert_non_null(strstr(store_notice(s), path));
        }
        store_close(s);
        s = NULL;

        assert_int_equal(chmod(f->db, 0664), 0);
        assert_int_equal(store_open(f->dir, &s, &err), -EPERM);
        assert_names_file(&err, f->db);
        assert_non_null(strstr(err.message, "writable"));
        assert_int_equal(mode_of(f->db), 0664);
        assert_int_equal(chmod(f->db, 0600), 0);
}

/* ---- read-only ---- */

static void test_read_only_creates_nothing(void **state) {
        fixture *f = *state;
        vport_uuid u = U(NET_UUID);
        store_network *nets = NULL;
        vport_error err = {};
        vport_store *s = NULL;
        char missing[128];
        size_t n = 1;
        snapshot sn;

        snprintf(missing, sizeof(missing), "%s/not/yet", f->dir);
        assert_int_equal(store_open_with(missing, STORE_OPEN_READ_ONLY, &s, &err), 0);
        assert_int_equal(store_network_list(s, &nets, &n, &err), 0);
        assert_int_equal(n, 0);
        assert_int_equal(store_network_define(s, "default", &u, "<network/>", &err), -EROFS);
        store_close(s);
        s = NULL;
        snprintf(missing, sizeof(missing), "%s/not", f->dir);
        assert_false(exists(missing));

        /* An existing store: reads work, writes fail, the file is untouched. */
        define_net(f->s, "default", NET_UUID);
        close_store(f);
        sn = take(f->db);
        assert_int_equal(store_open_with(f->dir, STORE_OPEN_READ_ONLY, &s, &err), 0);
        assert_int_equal(store_network_list(s, &nets, &n, &err), 0);
        assert_int_equal(n, 1);
        store_network_array_free(nets, n);
        assert_int_equal(store_network_undefine(s, "default", &err), -EROFS);
        assert_names_file(&err, f->db);
        store_close(s);
        assert_unchanged(f->db, &sn);
}

/* ---- litter ---- */

/* Make dir/name, modified age seconds ago. Returns its fd (open). */
static int make_file(fixture *f, const char *name, int age) {
        struct timespec t[2];
        char path[160];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", f->dir, name);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        clock_gettime(CLOCK_REALTIME, &t[0]);
        t[0].tv_sec -= age;
        t[1] = t[0];
        assert_int_equal(futimens(fd, t), 0);
        return fd;
}

static bool in_dir(fixture *f, const char *name) {
        char path[160];

        snprintf(path, sizeof(path), "%s/%s", f->dir, name);
        return exists(path);
}

/* What a vport killed while creating the database or a copy leaves is
 * removed by the next open that may write, unless its maker still holds
 * it (flock) or it is too fresh to tell. */
static void test_litter_swept(void **state) {
        fixture *f = *state;
        const char *dead[] = { "vport.db.new-Ab12Cd", "vport.db.new-Ab12Cd-wal",
                               "vport.db.last-good.tmp-Xy34Zw-journal" };
        const char *kept[] = { "vport.db.new-Fr35h0", "notes.new-Ab12Cd", "vport.db.last-good.tmp-L0cked" };
        vport_error err = {};
        vport_store *s = NULL;
        int held;

        close_store(f);
        for (size_t i = 0; i < ELEMENTSOF(dead); i++)
                close(make_file(f, dead[i], 600));
        close(make_file(f, kept[0], 0));
        close(make_file(f, kept[1], 600));
        held = make_file(f, kept[2], 600);
        assert_int_equal(flock(held, LOCK_EX), 0);

        assert_int_equal(store_open_with(f->dir, STORE_OPEN_READ_ONLY, &s, &err), 0);
        store_close(s);
        for (size_t i = 0; i < ELEMENTSOF(dead); i++)
                assert_true(in_dir(f, dead[i]));

        assert_int_equal(store_open(f->dir, &f->s, &err), 0);
        for (size_t i = 0; i < ELEMENTSOF(dead); i++) {
                assert_false(in_dir(f, dead[i]));
                assert_non_null(strstr(store_notice(f->s), dead[i]));
        }
        for (size_t i = 0; i < ELEMENTSOF(kept); i++)
                assert_true(in_dir(f, kept[i]));
        close(held);
}

/* ---- copies ---- */

static void test_new_store_complete(void **state) {
        fixture *f = *state;
        struct dirent *e;
        DIR *d;

        /* Nothing half-made is left next to it. */
        d = opendir(f->dir);
        assert_non_null(d);
        while ((e = readdir(d)))
                assert_null(strstr(e->d_name, ".new-"));
        closedir(d);
        /* Born 0600 in a 0700 directory: nothing to tighten. */
        assert_int_equal(mode_of(f->db), 0600);
        assert_int_equal(mode_of(f->dir), 0700);
        assert_null(store_notice(f->s));
        assert_int_equal(db_int(f->db, "PRAGMA user_version"), store_schema_version());
}

static void test_backup_before_migration(void **state) {
        fixture *f = *state;
        const char *const *steps;
        const char *more[16];
        vport_error err = {};
        char bak[128];
        int n;

        define_net(f->s, "default", NET_UUID);
        steps = store_schema_steps(&n);
        assert_true(n + 1 <= (int) ELEMENTSOF(more));
        for (int i = 0; i < n; i++)
                more[i] = steps[i];
        more[n] = "CREATE TABLE added_later (x INTEGER) STRICT";
        assert_int_equal(store_migrate_steps(f->s, more, n + 1, &err), 0);

        snprintf(bak, sizeof(bak), "%s.v%d.bak", f->db, n);
        assert_int_equal(mode_of(bak), 0600);
        assert_int_equal(db_int(bak, "PRAGMA user_version"), n);
        assert_int_equal(
                db_int(bak, "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
        assert_int_equal(db_int(bak, "SELECT COUNT(*) FROM networks WHERE name = 'default'"), 1);
        assert_int_equal(db_int(bak, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'added_later'"), 0);
        assert_int_equal(db_int(f->db, "PRAGMA user_version"), n + 1);
        assert_int_equal(db_int(f->db, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'added_later'"), 1);
}

/* A damaged file is neither copied nor migrated. */
static void test_no_migration_of_damage(void **state) {
        fixture *f = *state;
        const char *const *steps;
        const char *more[16];
        vport_error err = {};
        char bak[128];
        snapshot sn;
        int n;

        fill(f);
        close_store(f);
        damage_table(f, "ports");
        sn = take(f->db);
        assert_int_equal(store_open_with(f->dir, STORE_OPEN_UNCHECKED, &f->s, &err), 0);
        steps = store_schema_steps(&n);
        for (int i = 0; i < n; i++)
                more[i] = steps[i];
        more[n] = "CREATE TABLE added_later (x INTEGER) STRICT";
        assert_int_equal(store_migrate_steps(f->s, more, n + 1, &err), -EUCLEAN);
        assert_non_null(strstr(err.message, "full integrity check"));
        snprintf(bak, sizeof(bak), "%s.v%d.bak", f->db, n);
        assert_false(exists(bak));
        close_store(f);
        assert_unchanged(f->db, &sn);
}

static int networks_in(const char *path) {
        return db_int(path, "SELECT COUNT(*) FROM networks");
}

static void test_last_good_copy(void **state) {
        fixture *f = *state;
        vport_error err = {};
        char copy[128];

        snprintf(copy, sizeof(copy), "%s%s", f->db, STORE_LAST_GOOD_SUFFIX);
        assert_false(exists(copy));
        define_net(f->s, "one", NET_UUID);
        assert_int_equal(mode_of(copy), 0600);
        assert_int_equal(networks_in(copy), 1);

        /* Inside a caller's transaction: refreshed when it commits. */
        assert_int_equal(store_begin(f->s, &err), 0);
        define_net(f->s, "two", "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d");
        assert_int_equal(networks_in(copy), 1);
        assert_int_equal(store_commit(f->s, &err), 0);
        assert_int_equal(networks_in(copy), 2);

        /* Not by a rolled-back one. */
        assert_int_equal(store_begin(f->s, &err), 0);
        assert_int_equal(store_network_undefine(f->s, "two", &err), 0);
        assert_int_equal(store_rollback(f->s), 0);
        assert_int_equal(networks_in(copy), 2);
        assert_int_equal(store_network_undefine(f->s, "two", &err), 0);
        assert_int_equal(networks_in(copy), 1);
}

static off_t size_of(const char *path) {
        struct stat st;

        return stat(path, &st) == 0 ? st.st_size : -1;
}

static int64_t mtime_of(const char *path) {
        struct stat st;

        assert_int_equal(stat(path, &st), 0);
        return (int64_t) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

/* No close checkpoints: the log stays between opens with the ports in
 * it, and the next open reads them from there without checking the file
 * again (the stamp covers the log). A commit that leaves
 * STORE_WAL_CHECKPOINT_PAGES or more in the log checkpoints it into the
 * file, and the log starts over: the log never holds more. */
static void test_log_kept_between_opens(void **state) {
        fixture *f = *state;
        char wal[PATH_MAX];
        store_port *ports = NULL;
        vport_error err = {};
        off_t db_size, wal_size;
        int64_t db_mtime;
        size_t n = 0;

        snprintf(wal, sizeof(wal), "%s-wal", f->db);
        fill(f);
        close_store(f);
        db_size = size_of(f->db);
        db_mtime = mtime_of(f->db);
        assert_true(size_of(wal) > 0);
        assert_true(stamp_current(f));
        assert_int_equal(store_open(f->dir, &f->s, &err), 0);
        assert_int_equal(store_port_list(f->s, NULL, NULL, &ports, &n, &err), 0);
        assert_int_equal(n, 40);
        store_port_array_free(ports, n);
        close_store(f);
        assert_int_equal(size_of(f->db), db_size);
        assert_int_equal(mtime_of(f->db), db_mtime);
        assert_true(stamp_current(f));

        /* a page a commit: at the threshold, one checkpoints and the log
         * restarts, never longer than the threshold; its file keeps the
         * blocks it grew to */
        assert_int_equal(store_open(f->dir, &f->s, &err), 0);
        for (int i = 0; i < 2 * STORE_WAL_CHECKPOINT_PAGES + 10; i++) {
                assert_int_equal(store_network_set_active(f->s, "default", i & 1, &err), 0);
                assert_true(tu_wal_frames(wal) <= STORE_WAL_CHECKPOINT_PAGES);
        }
        close_store(f);
        wal_size = size_of(wal);
        assert_true(mtime_of(f->db) != db_mtime);
        assert_true(wal_size >= 32 + STORE_WAL_CHECKPOINT_PAGES * tu_wal_frame_size(wal));
        assert_true(wal_size < 32 + 2 * STORE_WAL_CHECKPOINT_PAGES * tu_wal_frame_size(wal));
        assert_true(stamp_current(f));
        assert_int_equal(db_int(f->db, "SELECT count(*) FROM ports"), 40);
}

/* A commit of one page: the network's active flag flipped (a row written
 * as it was writes no page). */
static void commit_one_page(fixture *f) {
        vport_error err = {};
        int active = db_int(f->db, "SELECT active FROM networks WHERE name = 'default'");

        assert_int_equal(store_network_set_active(f->s, "default", !active, &err), 0);
}

/* One-page commits until one of them fills the log to the threshold,
 * where it checkpoints: the log's header still says so until the next
 * write restarts it. */
static void commit_until_checkpoint(fixture *f, const char *wal) {
        int64_t db_mtime = mtime_of(f->db);

        for (int i = 0; tu_wal_frames(wal) < STORE_WAL_CHECKPOINT_PAGES; i++) {
                assert_true(i < STORE_WAL_CHECKPOINT_PAGES);
                commit_one_page(f);
        }
        assert_true(mtime_of(f->db) != db_mtime);
}

/* A checkpoint restarts the log in place: the next commit writes over its
 * first frames, the file keeps its blocks, and the next open reads only
 * what was written since (tu_wal_frames() counts the frames of the
 * current round). A connection whose last commit checkpointed empties the
 * log when it closes, since nothing restarts it until the next write:
 * every first open would read it all again. The stamp stays current
 * through both. */
static void test_log_restarted_in_place(void **state) {
        fixture *f = *state;
        char wal[PATH_MAX];
        vport_error err = {};
        off_t full;

        snprintf(wal, sizeof(wal), "%s-wal", f->db);
        fill(f);
        full = 32 + STORE_WAL_CHECKPOINT_PAGES * tu_wal_frame_size(wal);
        commit_until_checkpoint(f, wal);
        assert_true(size_of(wal) >= full);
        close_store(f);
        assert_int_equal(size_of(wal), 0);
        assert_true(stamp_current(f));

        assert_int_equal(store_open(f->dir, &f->s, &err), 0);
        commit_until_checkpoint(f, wal);
        commit_one_page(f);
        assert_true(size_of(wal) >= full);
        assert_int_equal(tu_wal_frames(wal), 1);
        close_store(f);
        assert_true(size_of(wal) >= full);
        assert_int_equal(tu_wal_frames(wal), 1);
        assert_true(stamp_current(f));
        assert_int_equal(db_int(f->db, "SELECT count(*) FROM ports"), 40);
}

/* How many times each of names[] was opened since the last call: the
 * IN_OPEN events of watch (an inotify descriptor on the directory). */
static void count_opens(int watch, const char *const *names, int *ret, size_t n) {
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t len;

        memset(ret, 0, n * sizeof(*ret));
        while ((len = read(watch, buf, sizeof(buf))) > 0)
                for (char *p = buf; p < buf + len;
                     p += sizeof(struct inotify_event) + ((struct inotify_event *) p)->len) {
                        const struct inotify_event *e = (const struct inotify_event *) p;

                        for (size_t i = 0; i < n; i++)
                                if (e->len && (e->mask & IN_OPEN) && strcmp(e->name, names[i]) == 0)
                                        ret[i]++;
                }
}

/* A command's open checks the file, its log and its -shm, and compares
 * the stamp with them, without opening any of them but through SQLite:
 * SQLite's are the only opens of the three, and the stamp is read once.
 * Its commits write the stamp through one open of it. */
static void test_open_touches_each_file_once(void **state) {
        static const char *const names[] = { STORE_DB_NAME, STORE_DB_NAME "-wal", STORE_DB_NAME "-shm",
                                             STORE_DB_NAME ".checked" };
        fixture *f = *state;
        vport_error err = {};
        int watch, opens[ELEMENTSOF(names)];

        fill(f);
        close_store(f);
        assert_true(stamp_current(f));
        watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        assert_true(watch >= 0);
        assert_true(inotify_add_watch(watch, f->dir, IN_OPEN) >= 0);

        assert_int_equal(store_open(f->dir, &f->s, &err), 0);
        count_opens(watch, names, opens, ELEMENTSOF(names));
        assert_int_equal(opens[0], 1);
        assert_int_equal(opens[1], 1);
        assert_int_equal(opens[2], 1);
        assert_int_equal(opens[3], 1);

        for (int i = 0; i < 3; i++)
                assert_int_equal(store_network_set_active(f->s, "default", !(i & 1), &err), 0);
        close_store(f);
        count_opens(watch, names, opens, ELEMENTSOF(names));
        assert_int_equal(opens[3], 1);
        assert_true(stamp_current(f));
        close(watch);
}

/* A new state file has 2 KiB pages (store_build()): every command's first
 * open checksums each page of the log, and a port writes ~17 of them. */
static void test_new_file_page_size(void **state) {
        fixture *f = *state;

        fill(f);
        assert_int_equal(db_int(f->db, "PRAGMA page_size"), 2048);
}

/* The stamp file a connection keeps open for its commits: removed (a
 * person forcing the next open to check), the next commit writes a new
 * one in its place, not into the removed file. */
static void test_stamp_removed_under_open_connection(void **state) {
        fixture *f = *state;
        char path[PATH_MAX];
        vport_error err = {};

        snprintf(path, sizeof(path), "%s.checked", f->db);
        fill(f);
        assert_true(stamp_current(f));
        assert_int_equal(unlink(path), 0);
        assert_int_equal(store_network_set_active(f->s, "default", false, &err), 0);
        assert_true(stamp_current(f));
        assert_int_equal(unlink(path), 0);
        assert_int_equal(store_network_set_active(f->s, "default", true, &err), 0);
        close_store(f);
        assert_true(stamp_current(f));
}

/* Held (activate and deactivate, on a migration's downtime path), commits
 * past the threshold leave the checkpoint to a later commit; the first
 * commit after the hold is released does it. Held or not, a log of four
 * times the threshold is checkpointed. */
static void test_checkpoint_held(void **state) {
        fixture *f = *state;
        char wal[PATH_MAX];
        vport_error err = {};
        int64_t db_mtime;

        snprintf(wal, sizeof(wal), "%s-wal", f->db);
        fill(f);
        close_store(f);
        assert_int_equal(store_open(f->dir, &f->s, &err), 0);
        assert_int_equal(store_network_set_active(f->s, "default", true, &err), 0);
        db_mtime = mtime_of(f->db);
        store_hold_checkpoint(f->s, true);
        for (int i = 0; i < 2 * STORE_WAL_CHECKPOINT_PAGES; i++)
                assert_int_equal(store_network_set_active(f->s, "default", i & 1, &err), 0);
        assert_int_equal(mtime_of(f->db), db_mtime);
        assert_true(tu_wal_frames(wal) >= 2 * STORE_WAL_CHECKPOINT_PAGES);
        store_hold_checkpoint(f->s, false);
        assert_int_equal(store_network_set_active(f->s, "default", false, &err), 0);
        assert_true(mtime_of(f->db) != db_mtime);
        commit_one_page(f);
        assert_int_equal(tu_wal_frames(wal), 1);

        db_mtime = mtime_of(f->db);
        store_hold_checkpoint(f->s, true);
        for (int i = 0; i < 4 * STORE_WAL_CHECKPOINT_PAGES + 10; i++) {
                assert_int_equal(store_network_set_active(f->s, "default", i & 1, &err), 0);
                assert_true(tu_wal_frames(wal) <= 4 * STORE_WAL_CHECKPOINT_PAGES);
        }
        assert_true(mtime_of(f->db) != db_mtime);
        store_hold_checkpoint(f->s, false);
        close_store(f);
        assert_true(stamp_current(f));
        assert_int_equal(db_int(f->db, "SELECT count(*) FROM ports"), 40);
}

/* A write by anything but a verified vport connection since the stamp was
 * made is never stamped, not even by a vport commit that follows it: the
 * stamp stays stale and the next open checks the file again (and stamps
 * it then). */
static void test_foreign_write_not_stamped(void **state) {
        fixture *f = *state;
        vport_error err = {};

        define_net(f->s, "default", NET_UUID);
        assert_true(stamp_current(f));
        /* another program writes through SQLite while f->s is open */
        db_exec(f->db, "UPDATE networks SET autostart = 1");
        assert_false(stamp_current(f));
        assert_int_equal(store_network_set_active(f->s, "default", true, &err), 0);
        assert_false(stamp_current(f));
        close_store(f);
        assert_false(stamp_current(f));

        /* an unchecked open's commits are not stamped either */
        assert_int_equal(store_open(f->dir, &f->s, &err), 0);
        assert_true(stamp_current(f));
        close_store(f);
        assert_int_equal(store_open_with(f->dir, STORE_OPEN_UNCHECKED, &f->s, &err), 0);
        assert_int_equal(store_network_set_active(f->s, "default", false, &err), 0);
        close_store(f);
        assert_false(stamp_current(f));
        /* a read-only open checks, and writes nothing, not even the stamp */
        assert_int_equal(store_open_with(f->dir, STORE_OPEN_READ_ONLY, &f->s, &err), 0);
        close_store(f);
        assert_false(stamp_current(f));
        assert_int_equal(store_open(f->dir, &f->s, &err), 0);
        assert_true(stamp_current(f));
        assert_int_equal(store_network_set_active(f->s, "default", true, &err), 0);
        assert_true(stamp_current(f));
}

/* The file moved away with its log left behind: the log holds the file's
 * last commits, which a new file must not get. Refused, nothing created,
 * until the log is moved away too; then a new, empty store. */
static void test_orphan_log_refused(void **state) {
        fixture *f = *state;
        char moved[PATH_MAX], wal[PATH_MAX];
        store_network *nets = NULL;
        vport_error err = {};
        size_t n = 0;
        snapshot sn_wal;

        fill(f);
        close_store(f);
        snprintf(moved, sizeof(moved), "%s.moved", f->db);
        snprintf(wal, sizeof(wal), "%s-wal", f->db);
        assert_int_equal(rename(f->db, moved), 0);
        sn_wal = take(wal);
        assert_open_refused(f, -EUCLEAN, "is missing, but its log");
        assert_false(exists(f->db));
        assert_unchanged(wal, &sn_wal);
        unlink_wal(f);
        assert_int_equal(store_open(f->dir, &f->s, &err), 0);
        assert_int_equal(store_network_list(f->s, &nets, &n, &err), 0);
        assert_int_equal(n, 0);
        store_network_array_free(nets, n);
}

/* Beside a connection that stays open (vportd), the log never goes away:
 * each side's commits keep the stamp current, so commands still skip the
 * check. */
static void test_stamp_beside_open_connection(void **state) {
        fixture *f = *state;
        vport_error err = {};
        vport_store *cmd = NULL;

        define_net(f->s, "default", NET_UUID);
        for (int i = 0; i < 3; i++) {
                assert_int_equal(store_open(f->dir, &cmd, &err), 0);
                assert_true(stamp_current(f));
                assert_int_equal(store_network_set_active(cmd, "default", i & 1, &err), 0);
                store_close(cmd);
                assert_true(stamp_current(f));
                assert_int_equal(store_network_set_autostart(f->s, "default", i & 1, &err), 0);
                assert_true(stamp_current(f));
        }
}

/* A copy put in the file's place (restoring the last-good copy) with the
 * old file's log left beside it: SQLite would replay that log onto the
 * copy. Refused, nothing written, until the log is moved away too. */
static void test_replaced_file_refused(void **state) {
        fixture *f = *state;
        char copy[PATH_MAX], wal[PATH_MAX];
        snapshot sn, sn_wal;

        fill(f);
        close_store(f);
        snprintf(copy, sizeof(copy), "%s%s", f->db, STORE_LAST_GOOD_SUFFIX);
        snprintf(wal, sizeof(wal), "%s-wal", f->db);
        assert_true(size_of(wal) > 0);
        assert_int_equal(rename(copy, f->db), 0);
        sn = take(f->db);
        sn_wal = take(wal);
        assert_open_refused(f, -EUCLEAN, "was replaced, but not its log");
        assert_unchanged(f->db, &sn);
        assert_unchanged(wal, &sn_wal);
        unlink_wal(f);
        assert_int_equal(store_open(f->dir, &f->s, &(vport_error){}), 0);
        assert_int_equal(db_int(f->db, "SELECT count(*) FROM networks"), 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_log_kept_between_opens, setup, teardown),
                cmocka_unit_test_setup_teardown(test_log_restarted_in_place, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_touches_each_file_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stamp_removed_under_open_connection, setup, teardown),
                cmocka_unit_test_setup_teardown(test_new_file_page_size, setup, teardown),
                cmocka_unit_test_setup_teardown(test_foreign_write_not_stamped, setup, teardown),
                cmocka_unit_test_setup_teardown(test_replaced_file_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stamp_beside_open_connection, setup, teardown),
                cmocka_unit_test_setup_teardown(test_orphan_log_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_damaged_pages_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_damage_found_later_is_sticky, setup, teardown),
                cmocka_unit_test_setup_teardown(test_checked_stamp, setup, teardown),
                cmocka_unit_test_setup_teardown(test_truncated_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_empty_file_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_downgrade_names_copy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_foreign_file_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_modes_tightened_or_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_only_creates_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_checkpoint_held, setup, teardown),
                cmocka_unit_test_setup_teardown(test_litter_swept, setup, teardown),
                cmocka_unit_test_setup_teardown(test_new_store_complete, setup, teardown),
                cmocka_unit_test_setup_teardown(test_backup_before_migration, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_migration_of_damage, setup, teardown),
                cmocka_unit_test_setup_teardown(test_last_good_copy, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
