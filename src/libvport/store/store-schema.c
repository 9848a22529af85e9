/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Schema and migrations. PRAGMA user_version counts the migrations applied;
 * migration i takes the schema from version i to i + 1. Append new steps to
 * the array, never edit one that has shipped. */
#include <stdio.h>

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
};

int store_schema_version(void) {
        return (int) ELEMENTSOF(store_migrations);
}

static int store_user_version(vport_store *s, int *ret, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = store_prepare(s, "PRAGMA user_version", &st, err);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_sql_error(s, rc, err, "reading schema version");
        *ret = sqlite3_column_int(st, 0);
        return 0;
}

static int store_check_version(vport_store *s, int version, vport_error *err) {
        if (version < 0 || version > store_schema_version())
                return vport_error_set(err, -EPROTO,
                                       "%s has schema version %d, newer than this vport knows (%d); "
                                       "refusing to use it",
                                       s->path, version, store_schema_version());
        return 0;
}

static int store_apply_migrations(vport_store *s, vport_error *err) {
        char sql[64];
        int version, r;

        /* Re-read under the write lock: another process may have migrated
         * between our first look and BEGIN IMMEDIATE. */
        r = store_user_version(s, &version, err);
        if (r < 0)
                return r;
        r = store_check_version(s, version, err);
        if (r < 0)
                return r;
        for (int i = version; i < store_schema_version(); i++) {
                r = store_exec(s, store_migrations[i], err);
                if (r < 0)
                        return vport_error_prefix(err, r, "schema migration %d", i + 1);
        }
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", store_schema_version());
        return store_exec(s, sql, err);
}

int store_migrate(vport_store *s, vport_error *err) {
        bool owned;
        int version, r;

        r = store_user_version(s, &version, err);
        if (r < 0)
                return r;
        r = store_check_version(s, version, err);
        if (r < 0 || version == store_schema_version())
                return r;
        r = store_txn_enter(s, &owned, err);
        if (r < 0)
                return r;
        r = store_apply_migrations(s, err);
        return store_txn_leave(s, owned, r, err);
}
