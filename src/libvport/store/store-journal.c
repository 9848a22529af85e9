/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal of saved device state: what the core is about to change,
 * recorded before it changes it, deleted once restored. */
#include <stdio.h>

#include "store-internal.h"

/* ?1 is the current boot id, so each row says whether it is stale. */
#define JOURNAL_COLUMNS "port_uuid, key, step, data, boot_id, boot_id IS NOT ?1, created"

static void journal_clear(void *elem) {
        store_journal *j = elem;

        free(j->key);
        free(j->step);
        free(j->data);
        *j = (store_journal){};
}

void store_journal_free(store_journal *j) {
        if (!j)
                return;
        journal_clear(j);
        free(j);
}

void store_journal_array_free(store_journal *j, size_t count) {
        for (size_t i = 0; j && i < count; i++)
                journal_clear(&j[i]);
        free(j);
}

static int journal_from_row(sqlite3_stmt *st, void *elem) {
        store_journal *j = elem;
        int r;

        r = store_column_uuid(st, 0, &j->port_uuid);
        if (r >= 0)
                r = store_column_strdup(st, 1, &j->key);
        if (r >= 0)
                r = store_column_strdup(st, 2, &j->step);
        if (r >= 0)
                r = store_column_strdup(st, 3, &j->data);
        if (r < 0) {
                journal_clear(j);
                return r;
        }
        store_column_boot_id(st, 4, j->boot_id);
        j->stale = sqlite3_column_int(st, 5) != 0;
        j->created = sqlite3_column_int64(st, 6);
        return 0;
}

/* Run "SELECT JOURNAL_COLUMNS FROM journal <where>" with ?1 = boot id,
 * ?2 = port uuid (may be NULL), ?3 and ?4 = keys (may be NULL); collect the
 * rows. */
static int journal_select(vport_store *s, const char *where, const vport_uuid *port_uuid, const char *key,
                          const char *key_end, store_journal **ret, size_t *ret_n, vport_error *err) {
        static const store_row_type rows = { sizeof(store_journal), journal_from_row, journal_clear,
                                             "the journal" };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *sql = NULL;
        int r;

        if (asprintf(&sql, "SELECT " JOURNAL_COLUMNS " FROM journal %s", where) < 0)
                return vport_error_set(err, -ENOMEM, "out of memory");
        r = store_prepare(s, sql, &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, s->boot_id);
        store_bind_uuid(st, 2, port_uuid);
        store_bind_text(st, 3, key);
        store_bind_text(st, 4, key_end);
        return store_rows_collect(s, st, &rows, (void **) ret, ret_n, err);
}

static int journal_put_row(vport_store *s, const store_journal *j, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char buf[VPORT_UUID_STRLEN];
        int r, rc;

        r = store_prepare(s,
                          "INSERT INTO journal (port_uuid, key, step, data, boot_id, created) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (port_uuid, key) DO UPDATE SET "
                          "step = excluded.step, data = excluded.data, boot_id = excluded.boot_id",
                          &st, err);
        if (r < 0)
                return r;
        store_bind_uuid(st, 1, &j->port_uuid);
        store_bind_text(st, 2, j->key);
        store_bind_text(st, 3, j->step);
        store_bind_text(st, 4, j->data);
        store_bind_text(st, 5, s->boot_id);
        sqlite3_bind_int64(st, 6, store_now());
        rc = sqlite3_step(st);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
                return vport_error_set(err, -ENOENT, "saving state of %s: port %s does not exist", j->key,
                                       uuid_format(&j->port_uuid, buf));
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, err, "saving journal entry %s of port %s", j->key,
                                       uuid_format(&j->port_uuid, buf));
        return 0;
}

/* The first entry of a port created to be prepared commits the port's
 * insert with it (store_commit_deferred()). */
int store_journal_put(vport_store *s, const store_journal *j, vport_error *err) {
        bool owned;

        assert_return(s && j && j->key && j->step, -EINVAL);
        owned = store_txn_take_deferred(s);
        return store_txn_leave(s, owned, journal_put_row(s, j, err), err);
}

int store_journal_get(vport_store *s, const vport_uuid *port_uuid, const char *key, store_journal **ret,
                      vport_error *err) {
        char buf[VPORT_UUID_STRLEN];
        store_journal *list = NULL;
        size_t n = 0;
        int r;

        assert_return(s && port_uuid && key && ret, -EINVAL);
        /* Through the statement of store_journal_list(), which a prepare
         * runs too, not one of its own: a port has a few entries, and
         * compiling a statement (once per process) costs more than reading
         * them. */
        r = store_journal_list(s, port_uuid, &list, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                store_journal found = list[i];

                if (!streq(found.key, key))
                        continue;
                list[i] = list[0];
                list[0] = found;
                for (size_t k = 1; k < n; k++)
                        journal_clear(&list[k]);
                *ret = list; /* list[0], the rest cleared: freed as one entry */
                return 0;
        }
        store_journal_array_free(list, n);
        return vport_error_set(err, -ENOENT, "port %s has no saved state of %s", uuid_format(port_uuid, buf),
                               key);
}

int store_journal_list(vport_store *s, const vport_uuid *port_uuid, store_journal **ret, size_t *ret_n,
                       vport_error *err) {
        assert_return(s && ret && ret_n, -EINVAL);
        /* Two statements, not "?2 IS NULL OR port_uuid = ?2": SQLite plans
         * that OR as a scan of the whole journal, which made every prepare
         * (it reads its own port's entries) cost O(ports on the host). */
        if (port_uuid)
                return journal_select(s, "WHERE port_uuid = ?2 ORDER BY created, rowid", port_uuid, NULL,
                                      NULL, ret, ret_n, err);
        return journal_select(s, "ORDER BY created, rowid", NULL, NULL, NULL, ret, ret_n, err);
}

int store_journal_list_prefix(vport_store *s, const char *prefix, store_journal **ret, size_t *ret_n,
                              vport_error *err) {
        _cleanup_free_ char *end = NULL;
        size_t n;

        assert_return(s && prefix && prefix[0] && ret && ret_n, -EINVAL);
        /* [prefix, prefix with its last byte one up): a range of the index
         * on key (LIKE or GLOB with a bound pattern is not planned on it) */
        end = strdup(prefix);
        if (!end)
                return vport_error_set(err, -ENOMEM, "out of memory");
        n = strlen(end);
        assert_return((unsigned char) end[n - 1] < 0x7f, -EINVAL);
        end[n - 1]++;
        return journal_select(s, "WHERE key >= ?3 AND key < ?4 ORDER BY created, rowid", NULL, prefix, end,
                              ret, ret_n, err);
}

static int owner_port_from_row(sqlite3_stmt *st, void *elem) {
        return store_column_uuid(st, 0, elem);
}

static void owner_port_clear(void *elem) {
}

int store_journal_owner_ports(vport_store *s, const char *owner_name, const char *key, vport_uuid **ret,
                              vport_error *err) {
        static const store_row_type rows = {
                .size = sizeof(vport_uuid),
                .from_row = owner_port_from_row,
                .clear = owner_port_clear,
                .what = "the journal",
        };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        size_t n = 0;
        int r;

        assert_return(s && owner_name && key && ret, -EINVAL);
        r = store_prepare(
                s,
                "SELECT j.port_uuid FROM ports p JOIN journal j ON j.port_uuid = p.uuid AND j.key = ?2 "
                "WHERE p.owner_name = ?1",
                &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, owner_name);
        store_bind_text(st, 2, key);
        r = store_rows_collect(s, st, &rows, (void **) ret, &n, err);
        return r < 0 ? r : (int) n;
}

int store_journal_key_holder(vport_store *s, const char *key, const vport_uuid *except, vport_uuid *ret_port,
                             vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        assert_return(s && key, -EINVAL);
        r = store_prepare(s, "SELECT port_uuid FROM journal WHERE key = ?1 AND port_uuid IS NOT ?2 LIMIT 1",
                          &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, key);
        store_bind_uuid(st, 2, except);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return store_sql_error(s, rc, err, "looking up journal entries %s", key);
        if (ret_port) {
                r = store_column_uuid(st, 0, ret_port);
                if (r < 0)
                        return vport_error_set(err, r, "journal entry %s: malformed port uuid", key);
        }
        return 1;
}

static int journal_delete_row(vport_store *s, const vport_uuid *port_uuid, const char *key,
                              vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char buf[VPORT_UUID_STRLEN];
        int r, rc;

        r = store_prepare(s, "DELETE FROM journal WHERE port_uuid = ?1 AND key = ?2", &st, err);
        if (r < 0)
                return r;
        store_bind_uuid(st, 1, port_uuid);
        store_bind_text(st, 2, key);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, err, "deleting journal entry %s of port %s", key,
                                       uuid_format(port_uuid, buf));
        if (sqlite3_changes(s->db) == 0)
                return vport_error_set(err, -ENOENT, "port %s has no saved state of %s",
                                       uuid_format(port_uuid, buf), key);
        return 0;
}

int store_journal_delete(vport_store *s, const vport_uuid *port_uuid, const char *key, vport_error *err) {
        bool owned;

        assert_return(s && port_uuid && key, -EINVAL);
        owned = store_txn_take_deferred(s);
        return store_txn_leave(s, owned, journal_delete_row(s, port_uuid, key, err), err);
}
