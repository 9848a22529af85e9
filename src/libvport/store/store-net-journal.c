/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal of devices a network makes: recorded before they are made,
 * deleted once they are gone (see the port journal, store-journal.c). */
#include <stdio.h>

#include "store-internal.h"

/* ?1 is the current boot id, so each row says whether it is stale. */
#define NET_JOURNAL_COLUMNS "network, key, step, data, boot_id, boot_id IS NOT ?1, created"

static void net_journal_clear(void *elem) {
        store_net_journal *j = elem;

        free(j->network);
        free(j->key);
        free(j->step);
        free(j->data);
        *j = (store_net_journal){};
}

void store_net_journal_array_free(store_net_journal *j, size_t count) {
        for (size_t i = 0; j && i < count; i++)
                net_journal_clear(&j[i]);
        free(j);
}

static int net_journal_from_row(sqlite3_stmt *st, void *elem) {
        store_net_journal *j = elem;
        int r = store_column_strdup(st, 0, &j->network);

        if (r >= 0)
                r = store_column_strdup(st, 1, &j->key);
        if (r >= 0)
                r = store_column_strdup(st, 2, &j->step);
        if (r >= 0)
                r = store_column_strdup(st, 3, &j->data);
        if (r < 0) {
                net_journal_clear(j);
                return r;
        }
        store_column_boot_id(st, 4, j->boot_id);
        j->stale = sqlite3_column_int(st, 5) != 0;
        j->created = sqlite3_column_int64(st, 6);
        return 0;
}

static int net_journal_put_row(vport_store *s, const store_net_journal *j, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = store_prepare(s,
                          "INSERT INTO network_journal (network, key, step, data, boot_id, created) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (network, key) DO UPDATE SET "
                          "step = excluded.step, data = excluded.data, boot_id = excluded.boot_id",
                          &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, j->network);
        store_bind_text(st, 2, j->key);
        store_bind_text(st, 3, j->step);
        store_bind_text(st, 4, j->data);
        store_bind_text(st, 5, s->boot_id);
        sqlite3_bind_int64(st, 6, store_now());
        rc = sqlite3_step(st);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
                return vport_error_set(err, -ENOENT, "recording the %s of network '%s': no such network",
                                       j->key, j->network);
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, err, "recording the %s of network '%s'", j->key, j->network);
        return 0;
}

int store_net_journal_put(vport_store *s, const store_net_journal *j, vport_error *err) {
        bool owned;

        assert_return(s && j && j->network && j->key && j->step, -EINVAL);
        owned = store_txn_take_deferred(s);
        return store_txn_leave(s, owned, net_journal_put_row(s, j, err), err);
}

int store_net_journal_list(vport_store *s, const char *network, store_net_journal **ret, size_t *ret_n,
                           vport_error *err) {
        static const store_row_type rows = { sizeof(store_net_journal), net_journal_from_row,
                                             net_journal_clear, "the network journal" };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        assert_return(s && ret && ret_n, -EINVAL);
        /* Two statements, as store_journal_list(): SQLite plans
         * "?2 IS NULL OR network = ?2" as a scan of every network's
         * entries. */
        r = store_prepare(s,
                          network ? "SELECT " NET_JOURNAL_COLUMNS " FROM network_journal "
                                    "WHERE network = ?2 ORDER BY created, rowid"
                                  : "SELECT " NET_JOURNAL_COLUMNS " FROM network_journal "
                                    "ORDER BY created, rowid",
                          &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, s->boot_id);
        store_bind_text(st, 2, network);
        return store_rows_collect(s, st, &rows, (void **) ret, ret_n, err);
}

static int net_journal_delete_row(vport_store *s, const char *network, const char *key, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = store_prepare(s, "DELETE FROM network_journal WHERE network = ?1 AND key = ?2", &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, network);
        store_bind_text(st, 2, key);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, err, "forgetting the %s of network '%s'", key, network);
        if (sqlite3_changes(s->db) == 0)
                return vport_error_set(err, -ENOENT, "network '%s' has no recorded %s", network, key);
        return 0;
}

int store_net_journal_delete(vport_store *s, const char *network, const char *key, vport_error *err) {
        bool owned;

        assert_return(s && network && key, -EINVAL);
        owned = store_txn_take_deferred(s);
        return store_txn_leave(s, owned, net_journal_delete_row(s, network, key, err), err);
}
