/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port rows: insert, compare-and-swap update, delete, get and list. */
#include <stdio.h>

#include "store-internal.h"
#include "store-port.h"

/* ?1 is always the current boot id, so the row says whether it is stale. */
#define PORT_COLUMNS                                                                                      \
        "uuid, network, owner_name, owner_uuid, mac, portgroup, device, plug_type, state, xml, runtime, " \
        "generation, boot_id, boot_id IS NOT ?1, created, updated, creator_uid, summary"

void store_port_clear(store_port *p) {
        if (!p)
                return;
        free(p->network);
        free(p->owner_name);
        free(p->portgroup);
        free(p->device);
        free(p->plug_type);
        free(p->state);
        free(p->xml);
        free(p->runtime);
        free(p->summary);
        *p = (store_port){};
}

void store_port_free(store_port *p) {
        store_port_clear(p);
        free(p);
}

void store_port_array_free(store_port *p, size_t count) {
        for (size_t i = 0; p && i < count; i++)
                store_port_clear(&p[i]);
        free(p);
}

/* The row's text columns, borrowed from the statement: valid until its
 * next step. A NULL that is not SQL NULL is SQLite out of memory. */
static int port_strings_view(sqlite3_stmt *st, store_port *p) {
        struct {
                int column;
                char **field;
        } strings[] = {
                { 1, &p->network }, { 2, &p->owner_name }, { 5, &p->portgroup },
                { 6, &p->device },  { 7, &p->plug_type },  { 8, &p->state },
                { 9, &p->xml },     { 10, &p->runtime },   { 17, &p->summary },
        };

        for (size_t i = 0; i < ELEMENTSOF(strings); i++) {
                *strings[i].field = (char *) sqlite3_column_text(st, strings[i].column);
                if (!*strings[i].field && sqlite3_column_type(st, strings[i].column) != SQLITE_NULL)
                        return -ENOMEM;
        }
        return 0;
}

/* The row as a store_port whose strings are the statement's (see
 * store_port_foreach()). */
static int port_view_row(sqlite3_stmt *st, store_port *p) {
        int r;

        *p = (store_port){};
        r = store_column_uuid(st, 0, &p->uuid);
        if (r >= 0)
                r = store_column_uuid(st, 3, &p->owner_uuid);
        if (r >= 0)
                r = store_column_mac(st, 4, &p->mac);
        if (r >= 0)
                r = port_strings_view(st, p);
        if (r < 0)
                return r;
        p->generation = (uint64_t) sqlite3_column_int64(st, 11);
        store_column_boot_id(st, 12, p->boot_id);
        p->stale = sqlite3_column_int(st, 13) != 0;
        p->created = sqlite3_column_int64(st, 14);
        p->updated = sqlite3_column_int64(st, 15);
        p->creator_uid = sqlite3_column_type(st, 16) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 16);
        return 0;
}

/* The borrowed strings of a view, copied: the row is the caller's. */
static int port_own_strings(store_port *p) {
        char **fields[] = { &p->network, &p->owner_name, &p->portgroup, &p->device, &p->plug_type,
                            &p->state,   &p->xml,        &p->runtime,   &p->summary };
        size_t i;

        for (i = 0; i < ELEMENTSOF(fields); i++)
                if (*fields[i] && !(*fields[i] = strdup(*fields[i])))
                        break;
        if (i == ELEMENTSOF(fields))
                return 0;
        for (size_t j = i + 1; j < ELEMENTSOF(fields); j++)
                *fields[j] = NULL; /* still borrowed: not ours to free */
        store_port_clear(p);
        return -ENOMEM;
}

/* Prepare "SELECT PORT_COLUMNS FROM ports <where>" with ?1 = boot id and
 * the text parameters ?2 and ?3. */
static int port_select_prepare(vport_store *s, const char *where, const char *a2, const char *a3,
                               sqlite3_stmt **ret, vport_error *err) {
        _cleanup_free_ char *sql = NULL;
        int r;

        if (asprintf(&sql, "SELECT " PORT_COLUMNS " FROM ports %s", where) < 0)
                return vport_error_set(err, -ENOMEM, "out of memory");
        r = store_prepare(s, sql, ret, err);
        if (r < 0)
                return r;
        store_bind_text(*ret, 1, s->boot_id);
        store_bind_text(*ret, 2, a2);
        store_bind_text(*ret, 3, a3);
        return 0;
}

/* The selected rows, each handed to fn as a view. */
static int port_select_each(vport_store *s, const char *where, const char *a2, const char *a3,
                            store_port_fn fn, void *userdata, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        store_port row;
        int r, rc;

        r = port_select_prepare(s, where, a2, a3, &st, err);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                r = port_view_row(st, &row);
                if (r < 0)
                        return vport_error_set(err, r, "reading ports in %s", s->path);
                r = fn(&row, userdata, err);
                if (r < 0)
                        return r;
        }
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, err, "reading ports");
        return 0;
}

/* A row the caller keeps: the view, its strings copied. */
static int port_from_row(sqlite3_stmt *st, void *elem) {
        store_port *p = elem;
        int r = port_view_row(st, p);

        if (r < 0) {
                *p = (store_port){}; /* nothing of it is ours */
                return r;
        }
        return port_own_strings(p);
}

static void port_clear(void *elem) {
        store_port_clear(elem);
}

/* The selected rows, collected into an array the caller owns. */
static int port_select(vport_store *s, const char *where, const char *a2, const char *a3, store_port **ret,
                       size_t *ret_n, vport_error *err) {
        static const store_row_type rows = { sizeof(store_port), port_from_row, port_clear, "ports" };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = port_select_prepare(s, where, a2, a3, &st, err);
        if (r < 0)
                return r;
        return store_rows_collect(s, st, &rows, (void **) ret, ret_n, err);
}

int store_port_get(vport_store *s, const vport_uuid *uuid, store_port **ret, vport_error *err) {
        char buf[VPORT_UUID_STRLEN];
        store_port *list = NULL;
        size_t n = 0;
        int r;

        assert_return(s && uuid && ret, -EINVAL);
        r = port_select(s, "WHERE uuid = ?2", uuid_format(uuid, buf), NULL, &list, &n, err);
        if (r < 0)
                return r;
        if (n == 0)
                return vport_error_set(err, -ENOENT, "port %s does not exist", buf);
        *ret = list; /* an array of one is a heap-allocated port */
        return 0;
}

/* One statement per combination of filters: "(?3 IS NULL OR owner_name =
 * ?3)" cannot use the ports_owner index (SQLite plans it before the value
 * is bound), so one owner's 4 ports were found by reading every row (1409
 * page reads at 8172 ports, for every port-delete --owner). */
static const char *port_list_where(const char *network, const char *owner_name) {
        if (network && owner_name)
                return "WHERE network = ?2 AND owner_name = ?3 ORDER BY created, rowid";
        if (network)
                return "WHERE network = ?2 ORDER BY created, rowid";
        if (owner_name)
                return "WHERE owner_name = ?3 ORDER BY created, rowid";
        return "ORDER BY created, rowid";
}

int store_port_list(vport_store *s, const char *network, const char *owner_name, store_port **ret,
                    size_t *ret_n, vport_error *err) {
        assert_return(s && ret && ret_n, -EINVAL);
        return port_select(s, port_list_where(network, owner_name), network, owner_name, ret, ret_n, err);
}

int store_port_foreach(vport_store *s, const char *network, const char *owner_name, store_port_fn fn,
                       void *userdata, vport_error *err) {
        assert_return(s && fn, -EINVAL);
        return port_select_each(s, port_list_where(network, owner_name), network, owner_name, fn, userdata,
                                err);
}

int store_port_count_live(vport_store *s, const char *network, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        assert_return(s && network, -EINVAL);
        /* the ports_network_device index: no row is read */
        r = store_prepare(s, "SELECT count(*) FROM ports WHERE network = ?2 AND boot_id = ?1", &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, s->boot_id);
        store_bind_text(st, 2, network);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_sql_error(s, rc, err, "counting the ports of network '%s'", network);
        return sqlite3_column_int(st, 0);
}

int store_stale_ports_list(vport_store *s, store_port **ret, size_t *ret_n, vport_error *err) {
        assert_return(s && ret && ret_n, -EINVAL);
        return port_select(s, "WHERE boot_id IS NOT ?1 ORDER BY created, rowid", NULL, NULL, ret, ret_n,
                           err);
}

/* Bind ?1..?11 in the column order of INSERT: uuid, network, owner_name,
 * owner_uuid, mac, portgroup, device, plug_type, state, xml, runtime. */
static void port_bind_fields(sqlite3_stmt *st, const store_port *p) {
        store_bind_uuid(st, 1, &p->uuid);
        store_bind_text(st, 2, p->network);
        store_bind_text(st, 3, p->owner_name);
        store_bind_uuid(st, 4, &p->owner_uuid);
        store_bind_mac(st, 5, &p->mac);
        store_bind_text(st, 6, p->portgroup);
        store_bind_text(st, 7, p->device);
        store_bind_text(st, 8, p->plug_type);
        store_bind_text(st, 9, p->state);
        store_bind_text(st, 10, p->xml);
        store_bind_text(st, 11, p->runtime);
        store_bind_text(st, 15, p->summary);
}

static int port_insert_row(vport_store *s, store_port *p, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char buf[VPORT_UUID_STRLEN];
        int64_t now = store_now();
        int r, rc;

        r = store_prepare(
                s,
                "INSERT INTO ports (uuid, network, owner_name, owner_uuid, mac, portgroup, device, "
                "plug_type, state, xml, runtime, generation, boot_id, created, updated, creator_uid, "
                "summary) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1, ?12, ?13, ?13, ?14, ?15)",
                &st, err);
        if (r < 0)
                return r;
        port_bind_fields(st, p);
        store_bind_text(st, 12, s->boot_id);
        sqlite3_bind_int64(st, 13, now);
        if (p->creator_uid >= 0)
                sqlite3_bind_int64(st, 14, p->creator_uid);
        /* An undefined network and a port that exists already are the
         * INSERT's own constraints (its foreign key, its primary key), not
         * queries of their own: reading the network's row again cost a
         * port-create ~13 k instructions, its caller has just read it. */
        rc = sqlite3_step(st);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
                return vport_error_set(err, -ENOENT, "network '%s' is not defined", p->network);
        if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
                return vport_error_set(err, -EEXIST, "port %s already exists", uuid_format(&p->uuid, buf));
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, err, "inserting port %s", uuid_format(&p->uuid, buf));
        p->generation = 1;
        snprintf(p->boot_id, sizeof(p->boot_id), "%s", s->boot_id);
        p->stale = false;
        p->created = p->updated = now;
        return 0;
}

int store_port_insert(vport_store *s, store_port *p, vport_error *err) {
        bool owned;
        int r;

        assert_return(s && p && p->network && p->owner_name && p->state && p->xml, -EINVAL);
        r = store_txn_enter(s, &owned, err);
        if (r < 0)
                return r;
        return store_txn_leave(s, owned, port_insert_row(s, p, err), err);
}

/* Why an UPDATE guarded by the generation changed nothing: the row is gone
 * (-ENOENT) or another writer got there first (-ESTALE). */
static int port_update_failed(vport_store *s, const vport_uuid *uuid, uint64_t generation,
                              vport_error *err) {
        _cleanup_(store_port_freep) store_port *old = NULL;
        char buf[VPORT_UUID_STRLEN];
        int r;

        r = store_port_get(s, uuid, &old, err);
        if (r < 0)
                return r;
        return vport_error_set(err, -ESTALE, "port %s changed since it was read (generation %llu, now %llu)",
                               uuid_format(uuid, buf), (unsigned long long) generation,
                               (unsigned long long) old->generation);
}

/* The UPDATE of a whole port row, guarded by its generation. keep_keys:
 * only if the columns an index holds (owner_name, owner_uuid, mac, device)
 * still have the row's values, and without setting them. SQLite rewrites
 * every index whose column an UPDATE sets, changed or not: setting all of
 * them put four index pages besides the row's into the log at each save of
 * a whole port (a prepare's last commit), which changes none of them.
 * Returns the rows changed (0 or 1) or -errno. */
static int port_update_step(vport_store *s, const store_port *p, bool keep_keys, vport_error *err) {
        static const char *const sql[] = {
                [false] = "UPDATE ports SET owner_name = ?3, owner_uuid = ?4, mac = ?5, portgroup = ?6, "
                          "device = ?7, plug_type = ?8, state = ?9, xml = ?10, runtime = ?11, "
                          "summary = ?15, generation = generation + 1, updated = ?13 "
                          "WHERE uuid = ?1 AND generation = ?12",
                [true] = "UPDATE ports SET portgroup = ?6, plug_type = ?8, state = ?9, xml = ?10, "
                         "runtime = ?11, summary = ?15, generation = generation + 1, updated = ?13 "
                         "WHERE uuid = ?1 AND generation = ?12 AND owner_name = ?3 AND "
                         "owner_uuid = ?4 AND mac = ?5 AND device IS ?7",
        };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char buf[VPORT_UUID_STRLEN];
        int r, rc;

        r = store_prepare(s, sql[keep_keys], &st, err);
        if (r < 0)
                return r;
        port_bind_fields(st, p);
        sqlite3_bind_int64(st, 12, (sqlite3_int64) p->generation);
        sqlite3_bind_int64(st, 13, (sqlite3_int64) p->updated);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, err, "updating port %s", uuid_format(&p->uuid, buf));
        return sqlite3_changes(s->db);
}

static int port_update_row(vport_store *s, store_port *p, vport_error *err) {
        int64_t updated = p->updated;
        int r;

        p->updated = store_now();
        r = port_update_step(s, p, true, err);
        /* The compare-and-swap is the WHERE clause: no read before the write.
         * Nothing changed: an indexed column did, or the generation. */
        if (r == 0)
                r = port_update_step(s, p, false, err);
        if (r == 0)
                r = port_update_failed(s, &p->uuid, p->generation, err);
        if (r < 0) {
                p->updated = updated;
                return r;
        }
        p->generation++;
        return 0;
}

int store_port_update(vport_store *s, store_port *p, vport_error *err) {
        bool owned;
        int r;

        assert_return(s && p && p->owner_name && p->state && p->xml, -EINVAL);
        r = store_txn_enter(s, &owned, err);
        if (r < 0)
                return r;
        r = port_update_row(s, p, err);
        return store_txn_leave(s, owned, r, err);
}

static int port_state_row(vport_store *s, const vport_uuid *uuid, const char *state, uint64_t *generation,
                          vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char buf[VPORT_UUID_STRLEN];
        int r, rc;

        r = store_prepare(s,
                          "UPDATE ports SET state = ?2, generation = generation + 1, updated = ?4 "
                          "WHERE uuid = ?1 AND generation = ?3",
                          &st, err);
        if (r < 0)
                return r;
        store_bind_uuid(st, 1, uuid);
        store_bind_text(st, 2, state);
        sqlite3_bind_int64(st, 3, (sqlite3_int64) *generation);
        sqlite3_bind_int64(st, 4, store_now());
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, err, "updating port %s", uuid_format(uuid, buf));
        if (sqlite3_changes(s->db) != 1)
                return port_update_failed(s, uuid, *generation, err);
        ++*generation;
        return 0;
}

int store_port_set_state(vport_store *s, const vport_uuid *uuid, const char *state, uint64_t *generation,
                         vport_error *err) {
        bool owned;
        int r;

        assert_return(s && uuid && state && generation, -EINVAL);
        r = store_txn_enter(s, &owned, err);
        if (r < 0)
                return r;
        r = port_state_row(s, uuid, state, generation, err);
        return store_txn_leave(s, owned, r, err);
}

/* A port with recorded device state must not be forgotten before the
 * state is restored: reconcile would lose track of the change. */
static int port_check_delete(vport_store *s, const vport_uuid *uuid, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char buf[VPORT_UUID_STRLEN];
        int r, rc;

        r = store_port_exists(s, uuid, err);
        if (r < 0)
                return r;
        if (r == 0)
                return vport_error_set(err, -ENOENT, "port %s does not exist", uuid_format(uuid, buf));
        r = store_prepare(s, "SELECT key FROM journal WHERE port_uuid = ?1 ORDER BY created LIMIT 1", &st,
                          err);
        if (r < 0)
                return r;
        store_bind_uuid(st, 1, uuid);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                return vport_error_set(err, -EBUSY, "port %s still has saved state of %s to restore",
                                       uuid_format(uuid, buf), (const char *) sqlite3_column_text(st, 0));
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, err, "reading the journal of port %s", uuid_format(uuid, buf));
        return 0;
}

int store_port_delete(vport_store *s, const vport_uuid *uuid, vport_error *err) {
        char buf[VPORT_UUID_STRLEN];
        bool owned;
        int r;

        assert_return(s && uuid, -EINVAL);
        r = store_txn_enter(s, &owned, err);
        if (r < 0)
                return r;
        r = port_check_delete(s, uuid, err);
        if (r >= 0)
                r = store_exec_text(s, "DELETE FROM ports WHERE uuid = ?1", uuid_format(uuid, buf), err,
                                    "deleting port %s", buf);
        return store_txn_leave(s, owned, r, err);
}

int store_stale_ports_purge(vport_store *s, vport_error *err) {
        bool owned;
        int r, n = 0;

        assert_return(s, -EINVAL);
        r = store_txn_enter(s, &owned, err);
        if (r < 0)
                return r;
        r = store_exec_text(s,
                            "DELETE FROM journal WHERE port_uuid IN "
                            "(SELECT uuid FROM ports WHERE boot_id IS NOT ?1)",
                            s->boot_id, err, "deleting the journal entries of ports from an earlier boot");
        if (r >= 0)
                r = store_exec_text(s, "DELETE FROM ports WHERE boot_id IS NOT ?1", s->boot_id, err,
                                    "deleting ports from an earlier boot");
        if (r >= 0)
                n = sqlite3_changes(s->db);
        r = store_txn_leave(s, owned, r, err);
        return r < 0 ? r : n;
}
