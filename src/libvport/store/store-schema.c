/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Schema and migrations. PRAGMA user_version counts the migrations applied;
 * migration i takes the schema from version i to i + 1. Append new steps to
 * the array, never edit one that has shipped. */
#include <stdio.h>
#include <unistd.h>

#include "store-schema.h"

static const char *const store_migrations[] = {
        /* 1: initial schema. Runtime rows carry the boot id they were
         * written under; see store.h for why. */
        "CREATE TABLE networks ("
        "  name TEXT PRIMARY KEY NOT NULL,"
        "  uuid TEXT NOT NULL UNIQUE,"
        "  xml TEXT NOT NULL,"
        "  autostart INTEGER NOT NULL DEFAULT 0 CHECK (autostart IN (0, 1)),"
        "  active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),"
        "  active_boot_id TEXT,"
        "  created INTEGER NOT NULL,"
        "  updated INTEGER NOT NULL"
        ") STRICT;"
        "CREATE TABLE ports ("
        "  uuid TEXT PRIMARY KEY NOT NULL,"
        "  network TEXT NOT NULL REFERENCES networks(name),"
        "  owner_name TEXT NOT NULL,"
        "  owner_uuid TEXT NOT NULL,"
        "  mac TEXT NOT NULL,"
        "  portgroup TEXT,"
        "  device TEXT,"
        "  plug_type TEXT,"
        "  state TEXT NOT NULL,"
        "  xml TEXT NOT NULL,"
        "  runtime TEXT,"
        "  generation INTEGER NOT NULL CHECK (generation > 0),"
        "  boot_id TEXT NOT NULL,"
        "  created INTEGER NOT NULL,"
        "  updated INTEGER NOT NULL"
        ") STRICT;"
        /* Not unique: libvirt lets two ports share a MAC (a failover pair
         * of a paravirtual NIC and a VF does); generated MACs are checked. */
        "CREATE INDEX ports_mac_boot ON ports (mac, boot_id);"
        "CREATE INDEX ports_network_device ON ports (network, device);"
        "CREATE INDEX ports_owner ON ports (owner_name);"
        /* Usage is derived from the ports that hold a device, so it can
         * never drift from them. Readers filter on the current boot_id. */
        "CREATE VIEW device_usage AS"
        "  SELECT network, device, boot_id, COUNT(*) AS count FROM ports"
        "  WHERE device IS NOT NULL GROUP BY network, device, boot_id;"
        /* No ON DELETE CASCADE: a port cannot be forgotten while the
         * original state of a device it changed is still recorded. */
        "CREATE TABLE journal ("
        "  port_uuid TEXT NOT NULL REFERENCES ports(uuid),"
        "  key TEXT NOT NULL,"
        "  step TEXT NOT NULL,"
        "  data TEXT,"
        "  boot_id TEXT NOT NULL,"
        "  created INTEGER NOT NULL,"
        "  PRIMARY KEY (port_uuid, key)"
        ") STRICT;",
        /* 2: what a network itself makes (the bridge of an isolated or open
         * network), recorded before it is made, as the port journal. */
        "CREATE TABLE network_journal ("
        "  network TEXT NOT NULL REFERENCES networks(name),"
        "  key TEXT NOT NULL,"
        "  step TEXT NOT NULL,"
        "  data TEXT,"
        "  boot_id TEXT NOT NULL,"
        "  created INTEGER NOT NULL,"
        "  PRIMARY KEY (network, key)"
        ") STRICT;",
        /* 3: the uid of the process that created a port (vportd lets a
         * caller change only its own ports unless it is root); NULL for
         * ports created before the column existed. */
        "ALTER TABLE ports ADD COLUMN creator_uid INTEGER CHECK (creator_uid >= 0);",
        /* 4: what a listing needs of the <networkport> XML (plug, VLAN) and
         * a digest of that XML, written with it, so listing parses no XML;
         * NULL for older rows, which are parsed as before. The index on
         * created gives the list its order without sorting every row (the
         * XML with it) at each list. */
        "ALTER TABLE ports ADD COLUMN summary TEXT;"
        "CREATE INDEX ports_created ON ports (created);",
        /* 5: port-create looks the owner up by its uuid (one owner, one
         * name); without an index that read every port row, so every
         * create cost O(ports on the host). */
        "CREATE INDEX ports_owner_uuid ON ports (owner_uuid);",
        /* 6: a pool's device usage (every direct or hostdev create) and a
         * network's live count read the boot id of each of the network's
         * ports: from the row, that read every port's pages (XML
         * included: 537 page reads a create at 3000 ports); from the
         * index, a few. */
        "DROP INDEX ports_network_device;"
        "CREATE INDEX ports_network_device_boot ON ports (network, device, boot_id);",
        /* 7: a hostdev prepare asks which other port holds a journal entry
         * for its VF (key "vf:<bdf>"); the primary key leads with the
         * port, so that read every entry on the host. Covering: the
         * answer is the port_uuid, read from the index alone. */
        "CREATE INDEX journal_key ON journal (key, port_uuid);",
};

int store_schema_version(void) {
        return (int) ELEMENTSOF(store_migrations);
}

const char *const *store_schema_steps(int *ret_n) {
        *ret_n = store_schema_version();
        return store_migrations;
}

static int store_user_version(vport_store *s, int *ret, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = store_prepare(s, "PRAGMA user_version", &st, err);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_sql_error(s, rc, err, "reading the schema version");
        *ret = sqlite3_column_int(st, 0);
        return 0;
}

/* After a downgrade: the copy the newer vport saved before migrating is
 * one this vport can use. */
static int store_refuse_newer(vport_store *s, int version, int known, vport_error *err) {
        _cleanup_free_ char *bak = NULL;
        bool have_bak = asprintf(&bak, "%s.v%d.bak", s->path, known) >= 0 && access(bak, F_OK) == 0;

        return vport_error_set(err, -EPROTO,
                               "state file %s has schema version %d, written by a newer vport; this vport "
                               "knows schema version %d and will not use it%s%s%s",
                               s->path, version, known, have_bak ? " (" : "", have_bak ? bak : "",
                               have_bak ? " is the copy saved before its migration: with no vport running, "
                                          "move the state file and its -wal and -shm files away and copy "
                                          "it in its place)"
                                        : "");
}

static int store_check_version(vport_store *s, int version, int known, vport_error *err) {
        if (version < 0 || version > known)
                return store_refuse_newer(s, version, known, err);
        /* Version 0 is only ever seen while vport builds a new file: a
         * database vport linked into place has its schema. */
        if (version == 0 && !s->creating)
                return vport_error_set(err, -EUCLEAN,
                                       "state file %s is not a vport store (schema version 0); vport will "
                                       "not use it. To recover: move it and its -wal and -shm files away to "
                                       "start with an empty store",
                                       s->path);
        return 0;
}

int store_schema_check(vport_store *s, vport_error *err) {
        int version, r;

        r = store_user_version(s, &version, err);
        if (r < 0)
                return r;
        r = store_check_version(s, version, store_schema_version(), err);
        return r < 0 ? r : version;
}

/* Before a migration: a full check, then a copy named by the version it
 * holds, both in one read snapshot (the copy cannot be of a file another
 * process migrated meanwhile). A backup cannot run while this connection
 * holds the write lock, hence before BEGIN IMMEDIATE. */
static int store_backup_before(vport_store *s, int known, vport_error *err) {
        _cleanup_free_ char *dest = NULL;
        int version, r;

        r = store_exec(s, "BEGIN", "starting a read transaction", err);
        if (r < 0)
                return r;
        r = store_user_version(s, &version, err);
        if (r >= 0 && version < known) {
                r = store_check_integrity(s, true, err);
                if (r >= 0 && asprintf(&dest, "%s.v%d.bak", s->path, version) < 0)
                        r = vport_error_set(err, -ENOMEM, "out of memory");
                if (r >= 0)
                        r = store_backup(s, dest, err);
                if (r < 0)
                        r = vport_error_prefix(err, r, "before migrating to schema version %d", known);
        }
        (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
}

static int store_apply_migrations(vport_store *s, const char *const *steps, int n, vport_error *err) {
        char sql[64];
        int version, r;

        /* Re-read under the write lock: another process may have migrated
         * between our first look and BEGIN IMMEDIATE. */
        r = store_user_version(s, &version, err);
        if (r < 0)
                return r;
        r = store_check_version(s, version, n, err);
        if (r < 0)
                return r;
        for (int i = version; i < n; i++) {
                r = store_exec(s, steps[i], "migrating the schema", err);
                if (r < 0)
                        return vport_error_prefix(err, r, "schema migration %d", i + 1);
        }
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", n);
        return store_exec(s, sql, "setting the schema version", err);
}

int store_migrate_steps(vport_store *s, const char *const *steps, int n, vport_error *err) {
        bool owned;
        int version, r;

        r = store_user_version(s, &version, err);
        if (r < 0)
                return r;
        r = store_check_version(s, version, n, err);
        if (r < 0 || version == n)
                return r;
        if (!s->creating) {
                r = store_backup_before(s, n, err);
                if (r < 0)
                        return r;
        }
        r = store_txn_enter(s, &owned, err);
        if (r < 0)
                return r;
        r = store_apply_migrations(s, steps, n, err);
        return store_txn_leave(s, owned, r, err);
}

int store_migrate(vport_store *s, vport_error *err) {
        return store_migrate_steps(s, store_migrations, store_schema_version(), err);
}
