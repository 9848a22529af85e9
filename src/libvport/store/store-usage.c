/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What live ports hold: MAC addresses and pool devices. Both are derived
 * from the ports of the current boot; a stale port holds nothing. */
#include <stdio.h>

#include "store-internal.h"
#include "store-port.h"

int store_port_exists(vport_store *s, const vport_uuid *uuid, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char buf[VPORT_UUID_STRLEN];
        int r, rc;

        r = store_prepare(s, "SELECT 1 FROM ports WHERE uuid = ?1", &st, err);
        if (r < 0)
                return r;
        store_bind_uuid(st, 1, uuid);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                return 1;
        if (rc == SQLITE_DONE)
                return 0;
        return store_sql_error(s, rc, err, "looking up port %s", uuid_format(uuid, buf));
}

int store_device_holder(vport_store *s, const char *device, const char *plug_type, const vport_uuid *except,
                        vport_uuid *ret_port, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        assert_return(s && device && plug_type, -EINVAL);
        /* "network IN networks": the index leads with the network, and
         * every port's network is a defined one (foreign key); a probe a
         * network, where "device = ?1" alone read every port row. */
        r = store_prepare(s,
                          "SELECT uuid FROM ports WHERE network IN (SELECT name FROM networks) AND "
                          "device = ?1 AND boot_id = ?2 AND plug_type = ?3 AND uuid IS NOT ?4 LIMIT 1",
                          &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, device);
        store_bind_text(st, 2, s->boot_id);
        store_bind_text(st, 3, plug_type);
        store_bind_uuid(st, 4, except);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return store_sql_error(s, rc, err, "looking up the port holding %s", device);
        if (ret_port && store_column_uuid(st, 0, ret_port) < 0)
                return vport_error_set(err, -EIO, "the port holding %s: malformed uuid", device);
        return 1;
}

/* Returns 1 with the holder in *ret_port (may be NULL) if a port of boot_id
 * other than except holds mac, 0 if none does, or -errno. */
static int mac_holder(vport_store *s, const vport_mac *mac, const char *boot_id, const vport_uuid *except,
                      vport_uuid *ret_port, vport_error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char buf[VPORT_MAC_STRLEN];
        int r, rc;

        r = store_prepare(s, "SELECT uuid FROM ports WHERE mac = ?1 AND boot_id = ?2 AND uuid IS NOT ?3",
                          &st, err);
        if (r < 0)
                return r;
        store_bind_mac(st, 1, mac);
        store_bind_text(st, 2, boot_id);
        store_bind_uuid(st, 3, except);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return store_sql_error(s, rc, err, "looking up MAC %s", mac_format(mac, buf));
        if (ret_port && store_column_uuid(st, 0, ret_port) < 0)
                return vport_error_set(err, -EIO, "MAC %s: damaged port uuid in %s", mac_format(mac, buf),
                                       s->path);
        return 1;
}

int store_mac_in_use(vport_store *s, const vport_mac *mac, const vport_uuid *except, vport_uuid *ret_port,
                     vport_error *err) {
        assert_return(s && mac, -EINVAL);
        return mac_holder(s, mac, s->boot_id, except, ret_port, err);
}

static void device_count_clear(void *elem) {
        store_device_count *u = elem;

        free(u->device);
        u->device = NULL;
}

void store_device_count_array_free(store_device_count *u, size_t count) {
        for (size_t i = 0; u && i < count; i++)
                device_count_clear(&u[i]);
        free(u);
}

static int device_count_from_row(sqlite3_stmt *st, void *elem) {
        store_device_count *u = elem;

        u->count = (unsigned) sqlite3_column_int64(st, 1);
        return store_column_strdup(st, 0, &u->device);
}

int store_device_usage(vport_store *s, const char *network, store_device_count **ret, size_t *ret_n,
                       vport_error *err) {
        static const store_row_type rows = { sizeof(store_device_count), device_count_from_row,
                                             device_count_clear, "the device usage" };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        assert_return(s && ret && ret_n, -EINVAL);
        /* Two statements: SQLite plans '?2 IS NULL OR network = ?2' before
         * the value is bound, as a scan. */
        r = store_prepare(s,
                          network ? "SELECT device, COUNT(*) FROM ports WHERE network = ?2 AND "
                                    "device IS NOT NULL AND boot_id = ?1 GROUP BY device ORDER BY device"
                                  : "SELECT device, SUM(count) FROM device_usage WHERE boot_id = ?1 "
                                    "GROUP BY device ORDER BY device",
                          &st, err);
        if (r < 0)
                return r;
        store_bind_text(st, 1, s->boot_id);
        if (network)
                store_bind_text(st, 2, network);
        return store_rows_collect(s, st, &rows, (void **) ret, ret_n, err);
}
