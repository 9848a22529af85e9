/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state store, each test in a fresh state directory with a fake boot id. */
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store-internal.h"
#include "store/store.h"
#include "wal-frames.h"

#define BOOT_A    "11111111-1111-4111-8111-111111111111"
#define BOOT_B    "22222222-2222-4222-8222-222222222222"
#define NET_UUID  "6f5c9d2a-1b3e-4c7d-9e8f-0a1b2c3d4e5f"
#define NET2_UUID "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d"

typedef struct fixture {
        char dir[64];
        char boot_file[96];
        vport_store *s;
} fixture;

static void write_boot_id(fixture *f, const char *boot_id) {
        FILE *fp = fopen(f->boot_file, "we");

        assert_non_null(fp);
        fprintf(fp, "%s\n", boot_id);
        assert_int_equal(fclose(fp), 0);
}

static void reopen(fixture *f, const char *boot_id) {
        vport_error err = {};

        store_close(f->s);
        f->s = NULL;
        write_boot_id(f, boot_id);
        assert_int_equal(store_open(f->dir, &f->s, &err), 0);
}

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        vport_error err = {};

        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "/tmp/test-store-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        /* The boot id file lives outside the state directory. */
        snprintf(f->boot_file, sizeof(f->boot_file), "%s.boot_id", f->dir);
        write_boot_id(f, BOOT_A);
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

static vport_mac M(const char *s) {
        vport_mac m;

        assert_int_equal(mac_parse(s, &m), 0);
        return m;
}

static void define_net(vport_store *s, const char *name, const char *uuid) {
        vport_uuid u = U(uuid);
        vport_error err = {};

        assert_int_equal(store_network_define(s, name, &u, "<network/>", &err), 1);
}

/* A port whose strings are literals: never pass it to store_port_clear(). */
static store_port make_port(const char *uuid, const char *network, const char *mac, const char *device) {
        return (store_port){
                .uuid = U(uuid),
                .network = (char *) network,
                .owner_name = (char *) "vm1",
                .owner_uuid = U("0000000a-0000-4000-8000-000000000001"),
                .mac = M(mac),
                .device = (char *) device,
                .plug_type = (char *) "hostdev-pci",
                .state = (char *) "allocated",
                .xml = (char *) "<networkport/>",
        };
}

static void insert_port(vport_store *s, const char *uuid, const char *network, const char *mac,
                        const char *device) {
        store_port p = make_port(uuid, network, mac, device);
        vport_error err = {};

        assert_int_equal(store_port_insert(s, &p, &err), 0);
}

static int usage_of(vport_store *s, const char *network, const char *device) {
        store_device_count *u = NULL;
        vport_error err = {};
        size_t n = 0;
        int count = 0;

        assert_int_equal(store_device_usage(s, network, &u, &n, &err), 0);
        for (size_t i = 0; i < n; i++)
                if (streq(u[i].device, device))
                        count = (int) u[i].count;
        store_device_count_array_free(u, n);
        return count;
}

static int db_int(const char *path, const char *sql) {
        sqlite3 *db;
        sqlite3_stmt *st;
        int v;

        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
        return v;
}

/* A journal entry with no data for port, asserted to succeed. */
static void journal_put_step(vport_store *s, const vport_uuid *port, const char *key, const char *step) {
        vport_error err = {};

        assert_int_equal(
                store_journal_put(
                        s,
                        &(store_journal){ .port_uuid = *port, .key = (char *) key, .step = (char *) step },
                        &err),
                0);
}

static void db_exec(const char *path, const char *sql) {
        sqlite3 *db;

        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
}

/* ---- open, schema, directory ---- */

static void test_schema_created(void **state) {
        fixture *f = *state;
        struct stat st;
        char path[128];

        snprintf(path, sizeof(path), "%s/%s", f->dir, STORE_DB_NAME);
        assert_string_equal(store_path(f->s), path);
        assert_string_equal(store_boot_id(f->s), BOOT_A);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_true(db_int(path, "PRAGMA user_version") >= 1);
        assert_int_equal(db_int(path, "SELECT COUNT(*) FROM sqlite_schema WHERE name IN "
                                      "('networks', 'ports', 'journal', 'device_usage')"),
                         4);
        assert_int_equal(db_int(path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
}

static void test_newer_version_refused(void **state) {
        fixture *f = *state;
        vport_error err = {};
        vport_store *s = NULL;
        char path[128];

        snprintf(path, sizeof(path), "%s", store_path(f->s));
        db_exec(path, "PRAGMA user_version = 999");
        assert_int_equal(store_open(f->dir, &s, &err), -EPROTO);
        assert_null(s);
        assert_non_null(strstr(err.message, "newer"));
        assert_non_null(strstr(err.message, "999"));
}

static void test_reopen_idempotent(void **state) {
        fixture *f = *state;
        store_network *n = NULL;
        vport_error err = {};
        int version;

        define_net(f->s, "default", NET_UUID);
        version = db_int(store_path(f->s), "PRAGMA user_version");
        reopen(f, BOOT_A);
        reopen(f, BOOT_A);
        assert_int_equal(db_int(store_path(f->s), "PRAGMA user_version"), version);
        assert_int_equal(store_network_get(f->s, "default", &n, &err), 0);
        store_network_free(n);
}

static void test_state_dir_checks(void **state) {
        fixture *f = *state;
        vport_error err = {};
        vport_store *s = NULL;
        char sub[128], file[128];
        struct stat st;

        /* Missing directories are created, the state directory 0700. */
        snprintf(sub, sizeof(sub), "%s/a/b", f->dir);
        setenv(STORE_ENV_STATE_DIR, sub, 1);
        assert_int_equal(store_open(store_state_dir("/nonexistent-default"), &s, &err), 0);
        unsetenv(STORE_ENV_STATE_DIR);
        assert_int_equal(stat(sub, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0700);
        store_close(s);
        s = NULL;

        assert_int_equal(chmod(sub, 0777), 0);
        assert_int_equal(store_open(sub, &s, &err), -EPERM);
        assert_non_null(strstr(err.message, "writable"));

        snprintf(file, sizeof(file), "%s/plain", f->dir);
        fclose(fopen(file, "we"));
        assert_int_equal(store_open(file, &s, &err), -ENOTDIR);
        assert_null(s);
}

/* ---- networks ---- */

static void test_network_crud(void **state) {
        fixture *f = *state;
        vport_uuid u = U(NET_UUID), u2 = U(NET2_UUID), u1 = U("00000001-0000-4000-8000-000000000001");
        store_network *n = NULL, *list = NULL;
        vport_error err = {};
        size_t count = 0;

        assert_int_equal(store_network_define(f->s, "default", &u, "<network>v1</network>", &err), 1);
        assert_int_equal(store_network_define(f->s, "default", &u, "<network>v2</network>", &err), 0);
        assert_int_equal(store_network_get(f->s, "default", &n, &err), 0);
        assert_string_equal(n->xml, "<network>v2</network>");
        assert_true(uuid_equal(&n->uuid, &u));
        assert_false(n->active);
        assert_false(n->autostart);
        store_network_free(n);

        assert_int_equal(store_network_define(f->s, "default", &u2, "<network/>", &err), -EEXIST);
        assert_non_null(strstr(err.message, "network 'default' already exists"));
        assert_int_equal(store_network_define(f->s, "other", &u, "<network/>", &err), -EEXIST);
        assert_non_null(strstr(err.message, "already defined as 'default'"));
        assert_int_equal(store_network_define(f->s, "abc", &u2, "<network/>", &err), 1);

        assert_int_equal(store_network_list(f->s, &list, &count, &err), 0);
        assert_int_equal(count, 2);
        assert_string_equal(list[0].name, "abc");
        assert_string_equal(list[1].name, "default");
        store_network_array_free(list, count);

        assert_int_equal(store_network_get_by_uuid(f->s, &u2, &n, &err), 0);
        assert_string_equal(n->name, "abc");
        store_network_free(n);
        n = NULL;
        assert_int_equal(store_network_get(f->s, "nope", &n, &err), -ENOENT);
        assert_string_equal(err.message, "network 'nope' is not defined");
        assert_null(n);

        assert_int_equal(store_network_set_autostart(f->s, "default", true, &err), 0);
        assert_int_equal(store_network_set_active(f->s, "default", true, &err), 0);
        assert_int_equal(store_network_set_active(f->s, "nope", true, &err), -ENOENT);
        assert_int_equal(store_network_get(f->s, "default", &n, &err), 0);
        assert_true(n->active && n->autostart);
        store_network_free(n);

        assert_int_equal(store_network_undefine(f->s, "default", &err), -EBUSY);
        assert_string_equal(err.message, "network 'default' is active");
        assert_int_equal(store_network_set_active(f->s, "default", false, &err), 0);
        insert_port(f->s, "00000001-0000-4000-8000-000000000001", "default", "52:54:00:00:00:01", NULL);
        assert_int_equal(store_network_undefine(f->s, "default", &err), -EBUSY);
        assert_non_null(strstr(err.message, "still has 1 port"));
        assert_int_equal(store_port_delete(f->s, &u1, &err), 0);
        assert_int_equal(store_network_undefine(f->s, "default", &err), 0);
        assert_int_equal(store_network_undefine(f->s, "default", &err), -ENOENT);
        assert_int_equal(store_network_get(f->s, "default", &n, &err), -ENOENT);
}

/* ---- ports ---- */

#define P1 "00000001-0000-4000-8000-000000000001"
#define P2 "00000002-0000-4000-8000-000000000002"
#define P3 "00000003-0000-4000-8000-000000000003"

static void test_port_crud(void **state) {
        fixture *f = *state;
        store_port p = make_port(P1, "default", "52:54:00:00:00:01", "0000:06:10.1");
        store_port *got = NULL, *list = NULL;
        vport_uuid u1 = U(P1);
        vport_error err = {};
        size_t n = 0;

        assert_int_equal(store_port_insert(f->s, &p, &err), -ENOENT);
        assert_string_equal(err.message, "network 'default' is not defined");
        define_net(f->s, "default", NET_UUID);
        define_net(f->s, "other", NET2_UUID);
        assert_int_equal(store_port_insert(f->s, &p, &err), 0);
        assert_int_equal(p.generation, 1);
        assert_string_equal(p.boot_id, BOOT_A);
        assert_int_equal(store_port_insert(f->s, &p, &err), -EEXIST);
        assert_non_null(strstr(err.message, "port " P1 " already exists"));

        assert_int_equal(store_port_get(f->s, &u1, &got, &err), 0);
        assert_true(uuid_equal(&got->uuid, &u1));
        assert_string_equal(got->network, "default");
        assert_string_equal(got->owner_name, "vm1");
        assert_true(mac_equal(&got->mac, &p.mac));
        assert_true(uuid_equal(&got->owner_uuid, &p.owner_uuid));
        assert_string_equal(got->device, "0000:06:10.1");
        assert_string_equal(got->plug_type, "hostdev-pci");
        assert_string_equal(got->state, "allocated");
        assert_null(got->portgroup);
        assert_null(got->runtime);
        assert_false(got->stale);
        assert_int_equal(got->generation, 1);
        assert_true(got->created > 0);

        /* Update through the copy read back. */
        free(got->state);
        got->state = strdup("active");
        got->runtime = strdup("{\"ifname\":\"eth5\"}");
        assert_int_equal(store_port_update(f->s, got, &err), 0);
        assert_int_equal(got->generation, 2);
        store_port_free(got);
        assert_int_equal(store_port_get(f->s, &u1, &got, &err), 0);
        assert_string_equal(got->state, "active");
        assert_string_equal(got->runtime, "{\"ifname\":\"eth5\"}");
        assert_int_equal(got->generation, 2);
        store_port_free(got);

        insert_port(f->s, P2, "other", "52:54:00:00:00:02", NULL);
        p = make_port(P3, "default", "52:54:00:00:00:03", NULL);
        p.owner_name = (char *) "vm2";
        assert_int_equal(store_port_insert(f->s, &p, &err), 0);
        assert_int_equal(store_port_list(f->s, NULL, NULL, &list, &n, &err), 0);
        assert_int_equal(n, 3);
        store_port_array_free(list, n);
        assert_int_equal(store_port_list(f->s, "default", NULL, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        store_port_array_free(list, n);
        assert_int_equal(store_port_list(f->s, "default", "vm2", &list, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(list[0].owner_name, "vm2");
        store_port_array_free(list, n);
        assert_int_equal(store_port_list(f->s, "nope", NULL, &list, &n, &err), 0);
        assert_int_equal(n, 0);
        assert_null(list);

        assert_int_equal(store_port_delete(f->s, &u1, &err), 0);
        assert_int_equal(store_port_delete(f->s, &u1, &err), -ENOENT);
        assert_non_null(strstr(err.message, "port " P1 " does not exist"));
        assert_int_equal(store_port_get(f->s, &u1, &got, &err), -ENOENT);
}

static void test_port_generation_cas(void **state) {
        fixture *f = *state;
        store_port *a = NULL, *b = NULL;
        vport_uuid u1 = U(P1);
        vport_error err = {};

        define_net(f->s, "default", NET_UUID);
        insert_port(f->s, P1, "default", "52:54:00:00:00:01", NULL);
        assert_int_equal(store_port_get(f->s, &u1, &a, &err), 0);
        assert_int_equal(store_port_get(f->s, &u1, &b, &err), 0);
        assert_int_equal(store_port_update(f->s, a, &err), 0);
        assert_int_equal(store_port_update(f->s, b, &err), -ESTALE);
        assert_non_null(strstr(err.message, "generation 1, now 2"));
        /* Re-read and retry succeeds. */
        store_port_free(b);
        assert_int_equal(store_port_get(f->s, &u1, &b, &err), 0);
        assert_int_equal(store_port_update(f->s, b, &err), 0);
        assert_int_equal(b->generation, 3);
        assert_int_equal(store_port_delete(f->s, &u1, &err), 0);
        assert_int_equal(store_port_update(f->s, b, &err), -ENOENT);
        store_port_free(a);
        store_port_free(b);
}

/* Frames in the state file's log: each is a page a commit wrote. */
static long wal_frames(const fixture *f) {
        char wal[PATH_MAX];

        snprintf(wal, sizeof(wal), "%s/vport.db-wal", f->dir);
        assert_int_equal(access(wal, F_OK), 0);
        return tu_wal_frames(wal);
}

/* An update that changes no indexed column (owner, MAC, device: a port's
 * steps) writes the row's page alone, none of the indexes' (SQLite
 * rewrites an index whenever an UPDATE sets its column); one that changes
 * them updates the indexes, so each lookup finds the port by its new value
 * only, and the compare-and-swap holds on both paths. */
static void test_port_update_pages(void **state) {
        fixture *f = *state;
        vport_mac old_mac = M("52:54:00:00:00:01"), new_mac = M("52:54:00:00:00:09");
        vport_uuid u1 = U(P1), holder;
        store_port *got = NULL, *stale = NULL;
        store_port *list = NULL;
        vport_error err = {};
        long frames;
        size_t n = 0;

        define_net(f->s, "default", NET_UUID);
        insert_port(f->s, P1, "default", "52:54:00:00:00:01", "eth0");
        assert_int_equal(store_port_get(f->s, &u1, &got, &err), 0);
        assert_int_equal(store_port_get(f->s, &u1, &stale, &err), 0);
        free(got->state);
        got->state = strdup("prepared");
        frames = wal_frames(f);
        assert_int_equal(store_port_update(f->s, got, &err), 0);
        assert_int_equal(wal_frames(f), frames + 1);
        assert_int_equal(got->generation, 2);
        assert_int_equal(store_port_update(f->s, stale, &err), -ESTALE);

        got->mac = new_mac;
        free(got->device);
        got->device = strdup("eth1");
        free(got->owner_name);
        got->owner_name = strdup("vm9");
        frames = wal_frames(f);
        assert_int_equal(store_port_update(f->s, got, &err), 0);
        assert_true(wal_frames(f) > frames + 1);
        assert_int_equal(got->generation, 3);
        assert_int_equal(store_mac_in_use(f->s, &old_mac, NULL, NULL, &err), 0);
        assert_int_equal(store_mac_in_use(f->s, &new_mac, NULL, &holder, &err), 1);
        assert_true(uuid_equal(&holder, &u1));
        assert_int_equal(usage_of(f->s, "default", "eth0"), 0);
        assert_int_equal(usage_of(f->s, "default", "eth1"), 1);
        assert_int_equal(store_port_list(f->s, NULL, "vm1", &list, &n, &err), 0);
        assert_int_equal(n, 0);
        assert_int_equal(store_port_list(f->s, NULL, "vm9", &list, &n, &err), 0);
        assert_int_equal(n, 1);
        store_port_array_free(list, n);
        /* the new keys, an old generation */
        stale->generation = 2;
        stale->mac = new_mac;
        free(stale->device);
        stale->device = strdup("eth1");
        free(stale->owner_name);
        stale->owner_name = strdup("vm9");
        assert_int_equal(store_port_update(f->s, stale, &err), -ESTALE);
        assert_non_null(strstr(err.message, "generation 2, now 3"));
        store_port_free(got);
        store_port_free(stale);
}

/* One read for both of a new port's owner checks: the first live port
 * (by creation) under the name and the first under the uuid, each only
 * if some port records it; a stale port (another boot) records nothing. */
static void test_owner_pair(void **state) {
        fixture *f = *state;
        vport_uuid u_a = U("0000000a-0000-4000-8000-000000000001"),
                   u_b = U("0000000b-0000-4000-8000-000000000002");
        vport_uuid u_c = U("0000000c-0000-4000-8000-000000000003"), p1 = U(P1), p2 = U(P2);
        store_owner by_name, by_uuid;
        vport_error err = {};
        store_port p;

        define_net(f->s, "default", NET_UUID);
        assert_int_equal(store_owner_pair(f->s, "vm1", &u_a, &by_name, &by_uuid, &err), 0);
        p = make_port(P1, "default", "52:54:00:00:00:01", NULL); /* vm1, u_a */
        assert_int_equal(store_port_insert(f->s, &p, &err), 0);
        p = make_port(P2, "default", "52:54:00:00:00:02", NULL);
        p.owner_name = (char *) "vm2";
        p.owner_uuid = u_b;
        assert_int_equal(store_port_insert(f->s, &p, &err), 0);
        p = make_port(P3, "default", "52:54:00:00:00:03", NULL);
        p.owner_name = (char *) "vm2";
        p.owner_uuid = u_b;
        assert_int_equal(store_port_insert(f->s, &p, &err), 0);

        assert_int_equal(store_owner_pair(f->s, "vm2", &u_a, &by_name, &by_uuid, &err),
                         STORE_OWNER_BY_NAME | STORE_OWNER_BY_UUID);
        assert_string_equal(by_name.name, "vm2");
        assert_true(uuid_equal(&by_name.uuid, &u_b));
        assert_true(uuid_equal(&by_name.port, &p2));
        assert_string_equal(by_uuid.name, "vm1");
        assert_true(uuid_equal(&by_uuid.port, &p1));
        store_owner_clear(&by_name);
        store_owner_clear(&by_uuid);

        assert_int_equal(store_owner_pair(f->s, "vm3", &u_b, &by_name, &by_uuid, &err), STORE_OWNER_BY_UUID);
        assert_string_equal(by_uuid.name, "vm2");
        assert_true(uuid_equal(&by_uuid.port, &p2));
        store_owner_clear(&by_uuid);
        assert_int_equal(store_owner_pair(f->s, "vm1", &u_c, &by_name, &by_uuid, &err), STORE_OWNER_BY_NAME);
        assert_true(uuid_equal(&by_name.uuid, &u_a));
        store_owner_clear(&by_name);

        /* after a reboot the ports are stale: they record no owner */
        reopen(f, BOOT_B);
        assert_int_equal(store_owner_pair(f->s, "vm2", &u_b, &by_name, &by_uuid, &err), 0);
}

/* MACs are looked up, not enforced unique: libvirt lets two ports share one. */
/* A port records its creator's uid; a store from before that column
 * (schema 2) is copied, migrated, and its ports read as of unknown creator. */
static void test_creator_uid(void **state) {
        fixture *f = *state;
        store_port p = make_port("00000001-0000-4000-8000-000000000001", "net1", "52:54:00:00:00:01", NULL);
        store_port *got = NULL;
        vport_error err = {};
        char db[128], bak[160];

        define_net(f->s, "net1", NET_UUID);
        p.creator_uid = 1000;
        assert_int_equal(store_port_insert(f->s, &p, &err), 0);
        assert_int_equal(store_port_get(f->s, &p.uuid, &got, &err), 0);
        assert_int_equal(got->creator_uid, 1000);
        store_port_free(got);

        /* back to schema 2: the columns gone, the version said so (a later
         * migration that cannot run twice would need this test to undo it too) */
        snprintf(db, sizeof(db), "%s/vport.db", f->dir);
        store_close(f->s);
        f->s = NULL;
        db_exec(db, "DROP INDEX journal_key; DROP INDEX ports_network_device_boot; CREATE INDEX "
                    "ports_network_device ON ports "
                    "(network, device); "
                    "DROP INDEX ports_owner_uuid; DROP INDEX ports_created; ALTER TABLE ports DROP COLUMN "
                    "summary; "
                    "ALTER TABLE ports DROP COLUMN creator_uid; "
                    "PRAGMA user_version = 2");
        reopen(f, BOOT_A);
        snprintf(bak, sizeof(bak), "%s.v2.bak", db);
        assert_int_equal(db_int(bak, "SELECT COUNT(*) FROM ports"), 1);
        assert_true(db_int(db, "PRAGMA user_version") >= 3);
        assert_int_equal(store_port_get(f->s, &p.uuid, &got, &err), 0);
        assert_int_equal(got->creator_uid, -1);
        store_port_free(got);
}

static void test_mac_in_use(void **state) {
        fixture *f = *state;
        store_port p = make_port(P2, "default", "52:54:00:00:00:01", NULL);
        vport_mac mac = M("52:54:00:00:00:01");
        vport_uuid u1 = U(P1), u2 = U(P2), holder;
        store_port *got = NULL;
        vport_error err = {};

        define_net(f->s, "default", NET_UUID);
        assert_int_equal(store_mac_in_use(f->s, &mac, NULL, NULL, &err), 0);
        insert_port(f->s, P1, "default", "52:54:00:00:00:01", NULL);
        assert_int_equal(store_mac_in_use(f->s, &mac, NULL, &holder, &err), 1);
        assert_true(uuid_equal(&holder, &u1));
        assert_int_equal(store_mac_in_use(f->s, &mac, &u1, NULL, &err), 0);

        /* A second port with the same MAC is allowed; both are found. */
        assert_int_equal(store_port_insert(f->s, &p, &err), 0);
        assert_int_equal(store_mac_in_use(f->s, &mac, &u1, &holder, &err), 1);
        assert_true(uuid_equal(&holder, &u2));
        assert_int_equal(store_port_delete(f->s, &u1, &err), 0);
        assert_int_equal(store_port_get(f->s, &u2, &got, &err), 0);
        got->mac = M("52:54:00:00:00:02");
        assert_int_equal(store_port_update(f->s, got, &err), 0);
        assert_int_equal(store_mac_in_use(f->s, &mac, NULL, NULL, &err), 0);
        store_port_free(got);
}

/* Rows SQLite stepped over in full-table scans, summed over every
 * statement the store runs while this counts (a profile callback runs as a
 * statement completes or is reset, while its counters still hold). */
static int trace_scans(unsigned type, void *ctx, void *p, void *x) {
        (void) type;
        (void) x;
        *(int *) ctx += sqlite3_stmt_status(p, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
        return 0;
}

/* VM steps of store_journal_key_holder() for a key nobody holds, measured
 * by a trace on its statement as it completes. */
static int trace_vm_steps(unsigned type, void *ctx, void *p, void *x) {
        (void) type;
        (void) x;
        if (strstr(sqlite3_sql(p), "FROM journal WHERE key = ?1"))
                *(int *) ctx = sqlite3_stmt_status(p, SQLITE_STMTSTATUS_VM_STEP, 0);
        return 0;
}

static int store_vm_steps(vport_store *s, const char *key) {
        vport_error err = {};
        int steps = -1;

        sqlite3_trace_v2(s->db, SQLITE_TRACE_PROFILE, trace_vm_steps, &steps);
        assert_int_equal(store_journal_key_holder(s, key, NULL, NULL, &err), 0);
        sqlite3_trace_v2(s->db, 0, NULL, NULL);
        return steps;
}

/* What a prepare reads of the store (its own journal entries, its owner by
 * uuid) must be found through an index, or every prepare costs O(ports on
 * the host) (issue 13): no row of a full scan. Reading the whole journal
 * (reconcile) does scan: shows the probe counts. */
static void test_prepare_reads_use_indexes(void **state) {
        fixture *f = *state;
        vport_error err = {};
        store_journal *list = NULL;
        store_owner owner = {}, by_uuid = {};
        store_device_count *usage = NULL;
        vport_uuid last = {}, owner_uuid = {};
        size_t n = 0;
        int scans = 0;

        define_net(f->s, "default", NET_UUID);
        for (int i = 1; i <= 40; i++) {
                char uuid[VPORT_UUID_STRLEN], ouuid[VPORT_UUID_STRLEN], mac[18];
                store_port p;

                snprintf(uuid, sizeof(uuid), "%08x-0000-4000-8000-000000000001", i);
                snprintf(ouuid, sizeof(ouuid), "%08x-0000-4000-8000-00000000000b", i);
                snprintf(mac, sizeof(mac), "52:54:00:00:01:%02x", i);
                p = make_port(uuid, "default", mac, i % 2 ? "eth0" : "eth1");
                p.owner_uuid = U(ouuid);
                assert_int_equal(store_port_insert(f->s, &p, &err), 0);
                journal_put_step(f->s, &p.uuid, "tap:x", "prepared");
                last = p.uuid;
                owner_uuid = p.owner_uuid;
        }
        sqlite3_trace_v2(f->s->db, SQLITE_TRACE_PROFILE, trace_scans, &scans);

        assert_int_equal(store_journal_list(f->s, &last, &list, &n, &err), 0);
        assert_int_equal(n, 1);
        store_journal_array_free(list, n);
        assert_int_equal(store_owner_by_uuid(f->s, &owner_uuid, &owner, &err), 1);
        store_owner_clear(&owner);
        assert_int_equal(store_owner_pair(f->s, "vm1", &owner_uuid, &owner, &by_uuid, &err),
                         STORE_OWNER_BY_NAME | STORE_OWNER_BY_UUID);
        store_owner_clear(&owner);
        store_owner_clear(&by_uuid);
        /* a pool's device usage (every direct or hostdev create) */
        assert_int_equal(store_device_usage(f->s, "default", &usage, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(usage[0].count + usage[1].count, 40);
        store_device_count_array_free(usage, n);
        assert_int_equal(scans, 0);

        assert_int_equal(store_journal_list(f->s, NULL, &list, &n, &err), 0);
        assert_int_equal(n, 40);
        store_journal_array_free(list, n);
        assert_true(scans > 0);
        sqlite3_trace_v2(f->s->db, 0, NULL, NULL);
}

/* A step's state change writes the state column alone, with the same
 * compare-and-swap on the generation as a full update. */
static void test_port_set_state(void **state) {
        fixture *f = *state;
        store_port p = make_port(P1, "default", "52:54:00:00:00:01", NULL);
        _cleanup_(store_port_freep) store_port *now = NULL;
        vport_error err = {};
        vport_uuid missing = U("00000009-0000-4000-8000-000000000009");
        uint64_t gen, old;

        define_net(f->s, "default", NET_UUID);
        p.runtime = (char *) "{\"ifname\":\"macvtap0\"}";
        p.summary = (char *) "s1 0000000000000000 t=3";
        assert_int_equal(store_port_insert(f->s, &p, &err), 0);
        gen = old = p.generation;
        assert_int_equal(store_port_set_state(f->s, &p.uuid, "active", &gen, &err), 0);
        assert_int_equal(gen, old + 1);
        assert_int_equal(store_port_get(f->s, &p.uuid, &now, &err), 0);
        assert_string_equal(now->state, "active");
        assert_int_equal(now->generation, gen);
        assert_string_equal(now->xml, p.xml);
        assert_string_equal(now->runtime, p.runtime);
        assert_string_equal(now->summary, p.summary);
        assert_string_equal(now->owner_name, "vm1");
        /* a writer that read the row before that change is refused */
        assert_int_equal(store_port_set_state(f->s, &p.uuid, "prepared", &old, &err), -ESTALE);
        assert_non_null(strstr(err.message, "changed since it was read"));
        assert_int_equal(old, gen - 1);
        assert_int_equal(store_port_set_state(f->s, &missing, "active", &gen, &err), -ENOENT);
}

/* The owner's ports with a given journal key, in one query that reads
 * only that owner's ports and their entries (by index: no full scan),
 * whatever the rest of the host holds. */
static void test_journal_owner_ports(void **state) {
        fixture *f = *state;
        _cleanup_free_ vport_uuid *list = NULL;
        vport_error err = {};
        int scans = 0;

        define_net(f->s, "default", NET_UUID);
        for (int i = 1; i <= 12; i++) {
                char uuid[VPORT_UUID_STRLEN], mac[18];
                store_port p;

                snprintf(uuid, sizeof(uuid), "%08x-0000-4000-8000-000000000001", i);
                snprintf(mac, sizeof(mac), "52:54:00:00:01:%02x", i);
                p = make_port(uuid, "default", mac, NULL);
                p.owner_name = (char *) (i <= 4 ? "vm1" : "vm2");
                assert_int_equal(store_port_insert(f->s, &p, &err), 0);
                /* every port has an entry; ports 3 and 7 (vm1, vm2) are being deleted */
                journal_put_step(f->s, &p.uuid, "tap:x", "prepared");
                if (i == 3 || i == 7)
                        journal_put_step(f->s, &p.uuid, "delete", "releasing");
        }
        sqlite3_trace_v2(f->s->db, SQLITE_TRACE_PROFILE, trace_scans, &scans);
        assert_int_equal(store_journal_owner_ports(f->s, "vm1", "delete", &list, &err), 1);
        {
                vport_uuid third = U("00000003-0000-4000-8000-000000000001");
                assert_true(uuid_equal(&list[0], &third));
        }
        free(TAKE_PTR(list));
        assert_int_equal(store_journal_owner_ports(f->s, "vm1", "tap:x", &list, &err), 4);
        free(TAKE_PTR(list));
        assert_int_equal(store_journal_owner_ports(f->s, "nobody", "delete", &list, &err), 0);
        assert_null(list);
        assert_int_equal(scans, 0);
        sqlite3_trace_v2(f->s->db, 0, NULL, NULL);
}

/* Which other port holds a journal entry for a key (a hostdev prepare
 * asking whether its VF is in use): found whatever the entry's boot, never
 * the asking port itself, and read through the index on key: no row of a
 * full scan, and the statement steps over that key's entries only, not the
 * host's (issue 13). */
static void test_journal_key_holder(void **state) {
        fixture *f = *state;
        vport_uuid holder = {}, first = U("00000001-0000-4000-8000-000000000001"),
                   fifth = U("00000005-0000-4000-8000-000000000001");
        vport_error err = {};
        store_journal *list = NULL;
        size_t n = 0;
        int scans = 0, steps;

        define_net(f->s, "default", NET_UUID);
        for (int i = 1; i <= 200; i++) {
                char uuid[VPORT_UUID_STRLEN], mac[18];
                store_port p;

                snprintf(uuid, sizeof(uuid), "%08x-0000-4000-8000-000000000001", i);
                snprintf(mac, sizeof(mac), "52:54:00:00:%02x:%02x", i / 256, i % 256);
                p = make_port(uuid, "default", mac, NULL);
                assert_int_equal(store_port_insert(f->s, &p, &err), 0);
                journal_put_step(f->s, &p.uuid, "tap:x", "prepared");
                if (i == 5)
                        journal_put_step(f->s, &p.uuid, "vf:0000:03:10.0", "prepared");
        }
        sqlite3_trace_v2(f->s->db, SQLITE_TRACE_PROFILE, trace_scans, &scans);
        assert_int_equal(store_journal_key_holder(f->s, "vf:0000:03:10.0", &first, &holder, &err), 1);
        assert_true(uuid_equal(&holder, &fifth));
        assert_int_equal(store_journal_key_holder(f->s, "vf:0000:03:10.0", NULL, NULL, &err), 1);
        /* the asking port's own entry does not count */
        assert_int_equal(store_journal_key_holder(f->s, "vf:0000:03:10.0", &fifth, &holder, &err), 0);
        assert_int_equal(store_journal_key_holder(f->s, "vf:0000:03:10.1", NULL, &holder, &err), 0);
        /* a prefix of keys, the same index: that kind's entries only */
        assert_int_equal(store_journal_list_prefix(f->s, "vf:", &list, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_true(uuid_equal(&list[0].port_uuid, &fifth));
        assert_string_equal(list[0].key, "vf:0000:03:10.0");
        store_journal_array_free(list, n);
        assert_int_equal(store_journal_list_prefix(f->s, "vsi:", &list, &n, &err), 0);
        assert_int_equal(n, 0);
        assert_null(list);
        assert_int_equal(scans, 0);
        sqlite3_trace_v2(f->s->db, 0, NULL, NULL);
        /* fewer VM steps than the host has entries (a scan of the 201
         * steps several per row): it never looks at another key's rows */
        steps = store_vm_steps(f->s, "vf:0000:03:10.1");
        assert_true(steps > 0 && steps < 100);

        /* a stale entry (another boot's) still holds the VF */
        reopen(f, BOOT_B);
        assert_int_equal(store_journal_key_holder(f->s, "vf:0000:03:10.0", &first, &holder, &err), 1);
        assert_true(uuid_equal(&holder, &fifth));
}

static void test_device_usage(void **state) {
        fixture *f = *state;
        store_device_count *u = NULL;
        vport_error err = {};
        vport_uuid u1 = U(P1);
        size_t n = 0;

        define_net(f->s, "default", NET_UUID);
        define_net(f->s, "other", NET2_UUID);
        assert_int_equal(store_device_usage(f->s, "default", &u, &n, &err), 0);
        assert_int_equal(n, 0);
        insert_port(f->s, P1, "default", "52:54:00:00:00:01", "eth1");
        insert_port(f->s, P2, "default", "52:54:00:00:00:02", "eth1");
        insert_port(f->s, P3, "default", "52:54:00:00:00:03", "eth2");
        insert_port(f->s, "00000004-0000-4000-8000-000000000004", "other", "52:54:00:00:00:04", "eth1");
        insert_port(f->s, "00000005-0000-4000-8000-000000000005", "default", "52:54:00:00:00:05", NULL);

        assert_int_equal(store_device_usage(f->s, "default", &u, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(u[0].device, "eth1");
        assert_int_equal(u[0].count, 2);
        assert_string_equal(u[1].device, "eth2");
        assert_int_equal(u[1].count, 1);
        store_device_count_array_free(u, n);
        assert_int_equal(usage_of(f->s, NULL, "eth1"), 3);
        assert_int_equal(usage_of(f->s, "other", "eth1"), 1);

        assert_int_equal(store_port_delete(f->s, &u1, &err), 0);
        assert_int_equal(usage_of(f->s, "default", "eth1"), 1);
}

/* ---- journal ---- */

static void test_journal(void **state) {
        fixture *f = *state;
        store_journal j = { .port_uuid = U(P1),
                            .key = (char *) "vf:0000:06:10.1",
                            .step = (char *) "saved",
                            .data = (char *) "{\"mac\":\"00:00:00:00:00:00\"}" };
        store_journal *got = NULL, *list = NULL;
        vport_uuid u1 = U(P1), u2 = U(P2);
        vport_error err = {};
        size_t n = 0;

        define_net(f->s, "default", NET_UUID);
        assert_int_equal(store_journal_put(f->s, &j, &err), -ENOENT);
        insert_port(f->s, P1, "default", "52:54:00:00:00:01", "0000:06:10.1");
        insert_port(f->s, P2, "default", "52:54:00:00:00:02", "eth1");
        assert_int_equal(store_journal_put(f->s, &j, &err), 0);
        j.step = (char *) "mac-set";
        assert_int_equal(store_journal_put(f->s, &j, &err), 0);
        assert_int_equal(store_journal_get(f->s, &u1, "vf:0000:06:10.1", &got, &err), 0);
        assert_string_equal(got->step, "mac-set");
        assert_string_equal(got->data, j.data);
        assert_string_equal(got->boot_id, BOOT_A);
        assert_false(got->stale);
        store_journal_free(got);

        j = (store_journal){ .port_uuid = u2, .key = (char *) "physdev:eth1", .step = (char *) "saved" };
        assert_int_equal(store_journal_put(f->s, &j, &err), 0);
        assert_int_equal(store_journal_list(f->s, NULL, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        store_journal_array_free(list, n);
        assert_int_equal(store_journal_list(f->s, &u2, &list, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(list[0].key, "physdev:eth1");
        assert_null(list[0].data);
        store_journal_array_free(list, n);

        /* The port cannot go while its saved state is unrestored. */
        assert_int_equal(store_port_delete(f->s, &u1, &err), -EBUSY);
        assert_non_null(strstr(err.message, "vf:0000:06:10.1"));
        assert_int_equal(store_journal_delete(f->s, &u1, "vf:0000:06:10.1", &err), 0);
        assert_int_equal(store_journal_delete(f->s, &u1, "vf:0000:06:10.1", &err), -ENOENT);
        assert_int_equal(store_journal_get(f->s, &u1, "vf:0000:06:10.1", &got, &err), -ENOENT);
        assert_int_equal(store_port_delete(f->s, &u1, &err), 0);
}

/* ---- boot identity ---- */

static void test_boot_change(void **state) {
        fixture *f = *state;
        store_journal j = { .port_uuid = U(P1),
                            .key = (char *) "vf:0000:06:10.1",
                            .step = (char *) "saved" };
        vport_mac mac = M("52:54:00:00:00:01");
        store_port *list = NULL, *got = NULL;
        store_network *net = NULL;
        store_journal *jl = NULL;
        vport_uuid u1 = U(P1);
        vport_error err = {};
        size_t n = 0;

        define_net(f->s, "default", NET_UUID);
        assert_int_equal(store_network_set_active(f->s, "default", true, &err), 0);
        insert_port(f->s, P1, "default", "52:54:00:00:00:01", "eth1");
        insert_port(f->s, P2, "default", "52:54:00:00:00:02", "eth1");
        assert_int_equal(store_journal_put(f->s, &j, &err), 0);
        assert_int_equal(usage_of(f->s, "default", "eth1"), 2);
        assert_int_equal(store_port_count_live(f->s, "default", &err), 2);

        reopen(f, BOOT_B);
        assert_int_equal(store_port_count_live(f->s, "default", &err), 0);
        assert_int_equal(store_network_get(f->s, "default", &net, &err), 0);
        assert_false(net->active);
        store_network_free(net);
        assert_int_equal(usage_of(f->s, "default", "eth1"), 0);
        assert_int_equal(store_mac_in_use(f->s, &mac, NULL, NULL, &err), 0);
        assert_int_equal(store_port_get(f->s, &u1, &got, &err), 0);
        assert_true(got->stale);
        assert_string_equal(got->boot_id, BOOT_A);
        store_port_free(got);
        assert_int_equal(store_journal_list(f->s, NULL, &jl, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_true(jl[0].stale);
        store_journal_array_free(jl, n);

        /* The stale port's MAC and device are free for a live port. */
        insert_port(f->s, P3, "default", "52:54:00:00:00:01", "eth1");
        assert_int_equal(usage_of(f->s, "default", "eth1"), 1);
        assert_int_equal(store_port_count_live(f->s, "default", &err), 1); /* the stale two not counted */
        assert_int_equal(store_port_count_live(f->s, "other", &err), 0);
        assert_int_equal(store_stale_ports_list(f->s, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_true(list[0].stale && list[1].stale);
        store_port_array_free(list, n);

        assert_int_equal(store_stale_ports_purge(f->s, &err), 2);
        assert_int_equal(store_stale_ports_list(f->s, &list, &n, &err), 0);
        assert_int_equal(n, 0);
        assert_int_equal(store_journal_list(f->s, NULL, &jl, &n, &err), 0);
        assert_int_equal(n, 0);
        assert_int_equal(store_port_list(f->s, NULL, NULL, &list, &n, &err), 0);
        assert_int_equal(n, 1);
        store_port_array_free(list, n);
}

/* ---- transactions ---- */

static void test_transactions(void **state) {
        fixture *f = *state;
        store_network *list = NULL;
        store_port *ports = NULL;
        vport_error err = {};
        size_t n = 0;

        assert_int_equal(store_commit(f->s, &err), -EINVAL);
        assert_int_equal(store_rollback(f->s), 0);
        assert_int_equal(store_begin(f->s, &err), 0);
        assert_true(store_in_transaction(f->s));
        assert_int_equal(store_begin(f->s, &err), -EALREADY);
        define_net(f->s, "default", NET_UUID);
        insert_port(f->s, P1, "default", "52:54:00:00:00:01", "eth1");
        assert_int_equal(store_rollback(f->s), 0);
        assert_false(store_in_transaction(f->s));
        assert_int_equal(store_network_list(f->s, &list, &n, &err), 0);
        assert_int_equal(n, 0);
        assert_int_equal(store_port_list(f->s, NULL, NULL, &ports, &n, &err), 0);
        assert_int_equal(n, 0);

        /* A failed step inside the caller's transaction leaves it open. */
        assert_int_equal(store_begin(f->s, &err), 0);
        define_net(f->s, "default", NET_UUID);
        assert_int_equal(store_network_undefine(f->s, "nope", &err), -ENOENT);
        assert_true(store_in_transaction(f->s));
        assert_int_equal(store_commit(f->s, &err), 0);
        reopen(f, BOOT_A);
        assert_int_equal(store_network_list(f->s, &list, &n, &err), 0);
        assert_int_equal(n, 1);
        store_network_array_free(list, n);
}

/* A deferred transaction (a port created to be prepared) commits with the
 * next write: a journal entry's, or the commit of the next store_begin()
 * transaction, which takes it over; that write failing, a rollback or a
 * close drop it; nothing of it is on disk before. */
static size_t n_ports(vport_store *s) {
        store_port *ports = NULL;
        size_t n = 0;

        assert_int_equal(store_port_list(s, NULL, NULL, &ports, &n, NULL), 0);
        store_port_array_free(ports, n);
        return n;
}

static void put_entry(vport_store *s, const char *port, const char *key, int want) {
        store_journal j = { .port_uuid = U(port), .key = (char *) key, .step = (char *) "preparing" };
        vport_error err = {};

        assert_int_equal(store_journal_put(s, &j, &err), want);
}

static void begin_deferred_port(vport_store *s, const char *uuid, const char *mac) {
        vport_error err = {};

        assert_int_equal(store_begin(s, &err), 0);
        insert_port(s, uuid, "default", mac, "eth1");
        assert_int_equal(store_commit_deferred(s, &err), 0);
        assert_true(store_deferred(s));
        assert_false(store_in_transaction(s));
}

static void test_deferred_commit(void **state) {
        fixture *f = *state;
        vport_error err = {};

        define_net(f->s, "default", NET_UUID);
        assert_int_equal(store_commit_deferred(f->s, &err), -EINVAL);
        /* the next single write commits both */
        begin_deferred_port(f->s, P1, "52:54:00:00:00:01");
        put_entry(f->s, P1, "tap:1", 0);
        assert_false(store_deferred(f->s));
        reopen(f, BOOT_A);
        assert_int_equal(n_ports(f->s), 1);

        /* a failing write rolls both back (here: no such port) */
        begin_deferred_port(f->s, P2, "52:54:00:00:00:02");
        put_entry(f->s, "0000000f-0000-4000-8000-00000000000f", "tap:2", -ENOENT);
        assert_false(store_deferred(f->s));
        assert_int_equal(n_ports(f->s), 1);

        /* a rollback drops it; so does a close */
        begin_deferred_port(f->s, P2, "52:54:00:00:00:02");
        assert_int_equal(store_rollback(f->s), 0);
        assert_false(store_deferred(f->s));
        assert_int_equal(n_ports(f->s), 1);
        begin_deferred_port(f->s, P2, "52:54:00:00:00:02");
        reopen(f, BOOT_A);
        assert_int_equal(n_ports(f->s), 1);

        /* store_begin() takes it over: its commit commits both */
        begin_deferred_port(f->s, P2, "52:54:00:00:00:02");
        assert_int_equal(store_begin(f->s, &err), 0);
        assert_true(store_in_transaction(f->s));
        put_entry(f->s, P2, "tap:2", 0);
        assert_int_equal(store_commit(f->s, &err), 0);
        reopen(f, BOOT_A);
        assert_int_equal(n_ports(f->s), 2);

        /* nothing waits: committing what is pending does nothing */
        assert_int_equal(store_commit_pending(f->s, &err), 0);
}

/* ---- concurrency ---- */

#define CHILDREN        8
#define PORTS_PER_CHILD 6
static const char *const pool[] = { "eth1", "eth2", "eth3" };
#define PER_DEVICE (CHILDREN * PORTS_PER_CHILD / (int) ELEMENTSOF(pool))

/* Read usage, choose the least-used device, insert: the core's allocation. */
static int allocate_one(vport_store *s, int child, int i, vport_error *err) {
        store_device_count *u = NULL;
        unsigned counts[ELEMENTSOF(pool)] = {};
        char mac[VPORT_MAC_STRLEN], runtime[32];
        size_t n = 0, best = 0;
        store_port p;
        int r;

        r = store_device_usage(s, "pool", &u, &n, err);
        if (r < 0)
                return r;
        for (size_t k = 0; k < n; k++)
                for (size_t d = 0; d < ELEMENTSOF(pool); d++)
                        if (streq(u[k].device, pool[d]))
                                counts[d] = u[k].count;
        store_device_count_array_free(u, n);
        for (size_t d = 1; d < ELEMENTSOF(pool); d++)
                if (counts[d] < counts[best])
                        best = d;
        usleep(2000); /* widen the window a lost update would need */
        snprintf(mac, sizeof(mac), "52:54:00:00:%02x:%02x", child, i);
        p = make_port("00000000-0000-4000-8000-000000000000", "pool", mac, pool[best]);
        /* The count this allocation saw: a lost update shows as two ports
         * of one device that saw the same count. */
        snprintf(runtime, sizeof(runtime), "%u", counts[best]);
        p.runtime = runtime;
        r = uuid_generate(&p.uuid);
        return r < 0 ? r : store_port_insert(s, &p, err);
}

static int child_main(const char *dir, int child) {
        vport_store *s = NULL;
        vport_error err = {};
        int r;

        r = store_open(dir, &s, &err);
        for (int i = 0; r >= 0 && i < PORTS_PER_CHILD; i++) {
                r = store_begin(s, &err);
                if (r < 0)
                        break;
                r = allocate_one(s, child, i, &err);
                r = r < 0 ? (store_rollback(s), r) : store_commit(s, &err);
        }
        if (r < 0)
                fprintf(stderr, "child %d: %s\n", child, vport_error_message(&err, r));
        store_close(s);
        return r < 0 ? 1 : 0;
}

static void test_concurrent_allocation(void **state) {
        fixture *f = *state;
        bool seen[ELEMENTSOF(pool)][PER_DEVICE] = {};
        store_port *ports = NULL;
        pid_t pids[CHILDREN];
        vport_error err = {};
        size_t n = 0;

        define_net(f->s, "pool", NET_UUID);
        for (int c = 0; c < CHILDREN; c++) {
                pids[c] = fork();
                assert_true(pids[c] >= 0);
                if (pids[c] == 0)
                        _exit(child_main(f->dir, c));
        }
        for (int c = 0; c < CHILDREN; c++) {
                int status;

                assert_int_equal(waitpid(pids[c], &status, 0), pids[c]);
                assert_true(WIFEXITED(status));
                assert_int_equal(WEXITSTATUS(status), 0);
        }
        for (size_t d = 0; d < ELEMENTSOF(pool); d++)
                assert_int_equal(usage_of(f->s, "pool", pool[d]), PER_DEVICE);
        assert_int_equal(store_port_list(f->s, "pool", NULL, &ports, &n, &err), 0);
        assert_int_equal(n, CHILDREN * PORTS_PER_CHILD);
        for (size_t i = 0; i < n; i++) {
                size_t d = 0;
                int k = atoi(ports[i].runtime);

                while (d < ELEMENTSOF(pool) && !streq(ports[i].device, pool[d]))
                        d++;
                assert_true(d < ELEMENTSOF(pool));
                assert_in_range(k, 0, PER_DEVICE - 1);
                assert_false(seen[d][k]);
                seen[d][k] = true;
        }
        store_port_array_free(ports, n);
}

/* First use by several processes at once: creating the file, switching it
 * to WAL and migrating must not fail any of them with "database is locked". */
static int child_open_fresh(const char *dir, int child) {
        vport_store *s = NULL;
        vport_error err = {};
        char name[16], uuid[VPORT_UUID_STRLEN];
        vport_uuid u;
        int r;

        snprintf(name, sizeof(name), "net%d", child);
        snprintf(uuid, sizeof(uuid), "00000000-0000-4000-8000-0000000000%02x", child);
        r = store_open(dir, &s, &err);
        if (r >= 0)
                r = uuid_parse(uuid, &u);
        if (r >= 0)
                r = store_network_define(s, name, &u, "<network/>", &err);
        if (r < 0)
                fprintf(stderr, "child %d: %s\n", child, vport_error_message(&err, r));
        store_close(s);
        return r < 0 ? 1 : 0;
}

static void test_concurrent_first_open(void **state) {
        fixture *f = *state;
        store_network *list = NULL;
        vport_store *s = NULL;
        pid_t pids[CHILDREN];
        vport_error err = {};
        char fresh[128];
        size_t n = 0;

        snprintf(fresh, sizeof(fresh), "%s/fresh", f->dir);
        for (int c = 0; c < CHILDREN; c++) {
                pids[c] = fork();
                assert_true(pids[c] >= 0);
                if (pids[c] == 0)
                        _exit(child_open_fresh(fresh, c));
        }
        for (int c = 0; c < CHILDREN; c++) {
                int status;

                assert_int_equal(waitpid(pids[c], &status, 0), pids[c]);
                assert_true(WIFEXITED(status));
                assert_int_equal(WEXITSTATUS(status), 0);
        }
        assert_int_equal(store_open(fresh, &s, &err), 0);
        assert_int_equal(store_network_list(s, &list, &n, &err), 0);
        assert_int_equal(n, CHILDREN);
        store_network_array_free(list, n);
        store_close(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_schema_created, setup, teardown),
                cmocka_unit_test_setup_teardown(test_newer_version_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reopen_idempotent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_state_dir_checks, setup, teardown),
                cmocka_unit_test_setup_teardown(test_network_crud, setup, teardown),
                cmocka_unit_test_setup_teardown(test_port_crud, setup, teardown),
                cmocka_unit_test_setup_teardown(test_port_generation_cas, setup, teardown),
                cmocka_unit_test_setup_teardown(test_port_update_pages, setup, teardown),
                cmocka_unit_test_setup_teardown(test_owner_pair, setup, teardown),
                cmocka_unit_test_setup_teardown(test_creator_uid, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mac_in_use, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prepare_reads_use_indexes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_port_set_state, setup, teardown),
                cmocka_unit_test_setup_teardown(test_journal_owner_ports, setup, teardown),
                cmocka_unit_test_setup_teardown(test_journal_key_holder, setup, teardown),
                cmocka_unit_test_setup_teardown(test_device_usage, setup, teardown),
                cmocka_unit_test_setup_teardown(test_journal, setup, teardown),
                cmocka_unit_test_setup_teardown(test_boot_change, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_deferred_commit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_concurrent_allocation, setup, teardown),
                cmocka_unit_test_setup_teardown(test_concurrent_first_open, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
