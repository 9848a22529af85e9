/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network definitions and their autostart / active flags. */
#include "store-internal.h"

/* "active" only counts if it was set under this boot: after a reboot the
 * bridge or tap devices behind it are gone. ?1 is the current boot id. */
/* The last column: whether this boot's net-destroy of the network left
 * its entry (core/net-destroy.c), read through the journal's primary key,
 * so a port-create's check under the write lock needs no query of its own. */
#define NETWORK_COLUMNS                                                                         \
        "name, uuid, xml, autostart, active AND active_boot_id IS ?1, EXISTS (SELECT 1 FROM "   \
        "network_journal j WHERE j.network = networks.name AND j.key = '" STORE_NET_KEY_DESTROY \
        "' AND j.boot_id = ?1)"

static void network_clear(void *elem) {
        store_network *n = elem;

        free(n->name);
        free(n->xml);
        *n = (store_network){};
}

void store_network_free(store_network *n) {
        if (!n)
                return;
        network_clear(n);
        free(n);
}

void store_network_array_free(store_network *n, size_t count) {
        for (size_t i = 0; n && i < count; i++)
                network_clear(&n[i]);
        free(n);
}

static int network_from_row(sqlite3_stmt *st, void *elem) {
        store_network *ret = elem;
        int r;

        r = store_column_strdup(st, 0, &ret->name);
        if (r < 0)
                return r;
        r = store_column_uuid(st, 1, &ret->uuid);
        if (r < 0)
                return r;
        r = store_column_strdup(st, 2, &ret->xml);
        if (r < 0)
                return r;
        ret->autostart = sqlite3_column_int(st, 3) != 0;
        ret->active = sqlite3_column_int(st, 4) != 0;
        ret->destroying = sqlite3_column_int(st, 5) != 0;
        return 0;
}

/* Run a one-row network query whose ?2 is the text key. */
static int network_get_one(vport_store *s, const char *sql, const char *key, store_network **ret,
                           vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_(store_network_freep) store_network *n = NULL;
        int r, rc;

        r = store_prepare(s, sql, &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, s->boot_id);
        store_bind_text(st, 2, key);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_sql_error(s, rc, err, "reading network %s", key);
        n = calloc(1, sizeof(*n));
        if (!n)
                return vport_error_set(err, -ENOMEM, "out of memory");
        r = network_from_row(st, n);
        if (r < 0)
                return vport_error_set(err, r, "network %s: cannot read its row in %s", key, s->path);
        *ret = TAKE_PTR(n);
        return 0;
}

int store_network_get(vport_store *s, const char *name, store_network **ret, vport_error *err) {
        int r;

        assert_return(s && name && ret, -EINVAL);
        r = network_get_one(s, "SELECT " NETWORK_COLUMNS " FROM networks WHERE name = ?2", name, ret, err);
        if (r == -ENOENT)
                return vport_error_set(err, r, "network '%s' is not defined", name);
        return r;
}

int store_network_get_by_uuid(vport_store *s, const vport_uuid *uuid, store_network **ret,
                              vport_error *err) {
        char buf[VPORT_UUID_STRLEN];
        int r;

        assert_return(s && uuid && ret, -EINVAL);
        uuid_format(uuid, buf);
        r = network_get_one(s, "SELECT " NETWORK_COLUMNS " FROM networks WHERE uuid = ?2", buf, ret, err);
        if (r == -ENOENT)
                return vport_error_set(err, r, "no network with uuid %s is defined", buf);
        return r;
}

int store_network_list(vport_store *s, store_network **ret, size_t *ret_n, vport_error *err) {
        static const store_row_type rows = { sizeof(store_network), network_from_row, network_clear,
                                             "networks" };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        assert_return(s && ret && ret_n, -EINVAL);
        r = store_prepare(s, "SELECT " NETWORK_COLUMNS " FROM networks ORDER BY name", &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, s->boot_id);
        return store_rows_collect(s, st, &rows, (void **) ret, ret_n, err);
}

/* Checks of store_network_define(), inside its transaction. Returns 1 if
 * name is new, 0 if it exists with this uuid, or -EEXIST. */
static int network_define_check(vport_store *s, const char *name, const vport_uuid *uuid, vport_error *err) {
        _cleanup_(store_network_freep) store_network *by_name = NULL, *by_uuid = NULL;
        char want[VPORT_UUID_STRLEN], have[VPORT_UUID_STRLEN];
        int r;

        r = network_get_one(s, "SELECT " NETWORK_COLUMNS " FROM networks WHERE name = ?2", name, &by_name,
                            err);
        if (r < 0 && r != -ENOENT)
                return r;
        if (by_name && !uuid_equal(&by_name->uuid, uuid))
                return vport_error_set(err, -EEXIST, "network '%s' already exists with uuid %s", name,
                                       uuid_format(&by_name->uuid, have));
        /* Checked again here, under the write lock: another process may
         * have started the network since the caller looked (a running
         * network keeps the definition it was started from). */
        if (by_name && by_name->active)
                return vport_error_set(err, -EBUSY,
                                       "network '%s' is active; destroy it before redefining it", name);
        if (by_name)
                return 0;
        uuid_format(uuid, want);
        r = network_get_one(s, "SELECT " NETWORK_COLUMNS " FROM networks WHERE uuid = ?2", want, &by_uuid,
                            err);
        if (r < 0 && r != -ENOENT)
                return r;
        if (by_uuid)
                return vport_error_set(err, -EEXIST, "network uuid %s is already defined as '%s'", want,
                                       by_uuid->name);
        return 1;
}

static int network_write(vport_store *s, bool create, const char *name, const vport_uuid *uuid,
                         const char *xml, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = store_prepare(
                s,
                create ? "INSERT INTO networks (name, uuid, xml, created, updated) "
                         "VALUES (?1, ?2, ?3, ?4, ?4)"
                       : "UPDATE networks SET xml = ?3, updated = ?4 WHERE name = ?1 AND uuid = ?2",
                &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, name);
        store_bind_uuid(st, 2, uuid);
        store_bind_text(st, 3, xml);
        sqlite3_bind_int64(st, 4, store_now());
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, err, "writing network '%s'", name);
        return 0;
}

int store_network_define(vport_store *s, const char *name, const vport_uuid *uuid, const char *xml,
                         vport_error *err) {
        bool owned;
        int r, created;

        assert_return(s && name && uuid && xml, -EINVAL);
        /* Definitions outlive reboots: this commit goes to the disk. */
        r = store_sync_full(s, true, err);
        if (r >= 0)
                r = store_txn_enter(s, &owned, err);
        if (r < 0)
                return r;
        r = created = network_define_check(s, name, uuid, err);
        if (r >= 0)
                r = network_write(s, created, name, uuid, xml, err);
        if (r >= 0)
                store_defs_changed(s);
        r = store_txn_leave(s, owned, r, err);
        (void) store_sync_full(s, false, NULL);
        return r < 0 ? r : created;
}

/* Checks of store_network_undefine(), inside its transaction. */
static int network_undefine_check(vport_store *s, const char *name, vport_error *err) {
        _cleanup_(store_network_freep) store_network *n = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc, ports;

        r = store_network_get(s, name, &n, err);
        if (r < 0)
                return r;
        if (n->active)
                return vport_error_set(err, -EBUSY, "network '%s' is active", name);
        r = store_prepare(s, "SELECT COUNT(*), SUM(boot_id IS NOT ?2) FROM ports WHERE network = ?1", &st,
                          err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, name);
        store_bind_text(st, 2, s->boot_id);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_sql_error(s, rc, err, "counting the ports of network '%s'", name);
        ports = sqlite3_column_int(st, 0);
        if (ports > 0)
                return vport_error_set(err, -EBUSY, "network '%s' still has %d port(s), %d of them stale",
                                       name, ports, sqlite3_column_int(st, 1));
        return 0;
}

static int network_delete(vport_store *s, const char *name, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = store_prepare(s, "DELETE FROM networks WHERE name = ?1", &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, name);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, err, "undefining network '%s'", name);
        return 0;
}

int store_network_undefine(vport_store *s, const char *name, vport_error *err) {
        bool owned;
        int r;

        assert_return(s && name, -EINVAL);
        r = store_sync_full(s, true, err);
        if (r >= 0)
                r = store_txn_enter(s, &owned, err);
        if (r < 0)
                return r;
        r = network_undefine_check(s, name, err);
        if (r >= 0)
                r = network_delete(s, name, err);
        if (r >= 0)
                store_defs_changed(s);
        r = store_txn_leave(s, owned, r, err);
        (void) store_sync_full(s, false, NULL);
        return r;
}

static int network_update_row(vport_store *s, const char *sql, const char *name, int value, const char *text,
                              vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = store_prepare(s, sql, &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, name);
        sqlite3_bind_int(st, 2, value);
        store_bind_text(st, 3, text);
        sqlite3_bind_int64(st, 4, store_now());
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, err, "updating network '%s'", name);
        if (sqlite3_changes(s->db) == 0)
                return vport_error_set(err, -ENOENT, "network '%s' is not defined", name);
        return 0;
}

/* Run a one-row UPDATE on networks with ?1 = name, ?2 = int, ?3 = text. */
static int network_update_flag(vport_store *s, const char *sql, const char *name, int value,
                               const char *text, vport_error *err) {
        bool owned;

        assert_return(s && name, -EINVAL);
        owned = store_txn_take_deferred(s);
        return store_txn_leave(s, owned, network_update_row(s, sql, name, value, text, err), err);
}

int store_network_set_active(vport_store *s, const char *name, bool active, vport_error *err) {
        return network_update_flag(s,
                                   "UPDATE networks SET active = ?2, active_boot_id = ?3, updated = ?4 "
                                   "WHERE name = ?1",
                                   name, active, active && s ? s->boot_id : NULL, err);
}

int store_network_activate(vport_store *s, const char *name, const char *xml, vport_error *err) {
        _cleanup_(store_network_freep) store_network *n = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        bool owned;
        int r, rc;

        assert_return(s && name && xml, -EINVAL);
        owned = store_txn_take_deferred(s);
        r = store_prepare(s,
                          "UPDATE networks SET active = 1, active_boot_id = ?3, updated = ?4 "
                          "WHERE name = ?1 AND xml = ?2",
                          &st, err);
        if (r >= 0) {
                store_bind_text(st, 1, name);
                store_bind_text(st, 2, xml);
                store_bind_text(st, 3, s->boot_id);
                sqlite3_bind_int64(st, 4, store_now());
                rc = sqlite3_step(st);
                if (rc != SQLITE_DONE)
                        r = store_sql_error(s, rc, err, "updating network '%s'", name);
        }
        if (r >= 0 && sqlite3_changes(s->db) == 0) {
                r = store_network_get(s, name, &n, err);
                if (r >= 0)
                        r = vport_error_set(err, -ESTALE,
                                            "network '%s' was redefined while it was being started: "
                                            "nothing of this start is kept; start it again",
                                            name);
        }
        return store_txn_leave(s, owned, r, err);
}

int store_network_set_autostart(vport_store *s, const char *name, bool autostart, vport_error *err) {
        int r;

        assert_return(s, -EINVAL);
        r = store_sync_full(s, true, err);
        if (r < 0)
                return r;
        r = network_update_flag(s, "UPDATE networks SET autostart = ?2, updated = ?4 WHERE name = ?1", name,
                                autostart, NULL, err);
        if (r >= 0)
                store_defs_changed(s);
        (void) store_sync_full(s, false, NULL);
        return r;
}
