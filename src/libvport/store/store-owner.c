/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Owners (VMs) as the live ports record them: a name and a UUID. */
#include <stdio.h>

#include "store-internal.h"

void store_owner_clear(store_owner *o) {
        free(o->name);
        *o = (store_owner){ 0 };
}

/* The first live port (this boot) matching where (?2 text, ?3 uuid). */
static int owner_select(vport_store *s, const char *where, const char *name, const vport_uuid *uuid,
                        store_owner *ret, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char sql[256];
        int r, rc;

        snprintf(sql, sizeof(sql),
                 "SELECT owner_name, owner_uuid, uuid FROM ports WHERE boot_id = ?1 AND %s "
                 "ORDER BY created, rowid LIMIT 1",
                 where);
        r = store_prepare(s, sql, &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, s->boot_id);
        store_bind_text(st, 2, name);
        store_bind_uuid(st, 3, uuid);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return store_sql_error(s, rc, err, "looking up an owner");
        *ret = (store_owner){ 0 };
        if (store_column_strdup(st, 0, &ret->name) < 0 || store_column_uuid(st, 1, &ret->uuid) < 0 ||
            store_column_uuid(st, 2, &ret->port) < 0) {
                store_owner_clear(ret);
                return vport_error_set(err, -EIO, "looking up an owner: damaged port row in %s", s->path);
        }
        return 1;
}

int store_owner_by_name(vport_store *s, const char *name, store_owner *ret, vport_error *err) {
        assert_return(s && name && ret, -EINVAL);
        return owner_select(s, "owner_name = ?2 AND ?3 IS NULL", name, NULL, ret, err);
}

int store_owner_by_uuid(vport_store *s, const vport_uuid *uuid, store_owner *ret, vport_error *err) {
        assert_return(s && uuid && ret, -EINVAL);
        return owner_select(s, "owner_uuid = ?3 AND ?2 IS NULL", NULL, uuid, ret, err);
}
