/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Owners (VMs) as the live ports record them: a name and a UUID. */
#include <stdio.h>

#include "store-internal.h"

void store_owner_clear(store_owner *o) {
        free(o->name);
        *o = (store_owner){ 0 };
}

/* The owner of the row st is on. */
static int owner_from_row(vport_store *s, sqlite3_stmt *st, store_owner *ret, vport_error *err) {
        *ret = (store_owner){ 0 };
        if (store_column_strdup(st, 0, &ret->name) < 0 || store_column_uuid(st, 1, &ret->uuid) < 0 ||
            store_column_uuid(st, 2, &ret->port) < 0) {
                store_owner_clear(ret);
                return vport_error_set(err, -EIO, "looking up an owner: damaged port row in %s", s->path);
        }
        return 0;
}

/* The rows of either owner, by creation, until the first of each kind.
 * Both terms of the OR are indexed (ports_owner, ports_owner_uuid), so
 * SQLite reads the owners' rows, not the table
 * (test_prepare_reads_use_indexes). */
int store_owner_pair(vport_store *s, const char *name, const vport_uuid *uuid, store_owner *ret_by_name,
                     store_owner *ret_by_uuid, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int found = 0, r = 0, rc = SQLITE_DONE;

        assert_return(s && name && uuid && ret_by_name && ret_by_uuid, -EINVAL);
        r = store_prepare(
                s,
                "SELECT owner_name, owner_uuid, uuid, owner_name = ?2, owner_uuid = ?3 FROM ports "
                "WHERE boot_id = ?1 AND (owner_name = ?2 OR owner_uuid = ?3) ORDER BY created, rowid",
                &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, s->boot_id);
        store_bind_text(st, 2, name);
        store_bind_uuid(st, 3, uuid);
        while (r >= 0 && found != (STORE_OWNER_BY_NAME | STORE_OWNER_BY_UUID) &&
               (rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (!(found & STORE_OWNER_BY_NAME) && sqlite3_column_int(st, 3)) {
                        r = owner_from_row(s, st, ret_by_name, err);
                        found |= r >= 0 ? STORE_OWNER_BY_NAME : 0;
                }
                if (r >= 0 && !(found & STORE_OWNER_BY_UUID) && sqlite3_column_int(st, 4)) {
                        r = owner_from_row(s, st, ret_by_uuid, err);
                        found |= r >= 0 ? STORE_OWNER_BY_UUID : 0;
                }
        }
        if (r >= 0 && found != (STORE_OWNER_BY_NAME | STORE_OWNER_BY_UUID) && rc != SQLITE_DONE)
                r = store_sql_error(s, rc, err, "looking up an owner");
        if (r < 0) {
                if (found & STORE_OWNER_BY_NAME)
                        store_owner_clear(ret_by_name);
                if (found & STORE_OWNER_BY_UUID)
                        store_owner_clear(ret_by_uuid);
                return r;
        }
        return found;
}

int store_owner_by_uuid(vport_store *s, const vport_uuid *uuid, store_owner *ret, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        assert_return(s && uuid && ret, -EINVAL);
        r = store_prepare(
                s,
                "SELECT owner_name, owner_uuid, uuid FROM ports WHERE boot_id = ?1 AND owner_uuid = ?2 "
                "ORDER BY created, rowid LIMIT 1",
                &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, s->boot_id);
        store_bind_uuid(st, 2, uuid);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return store_sql_error(s, rc, err, "looking up an owner");
        r = owner_from_row(s, st, ret, err);
        return r < 0 ? r : 1;
}
