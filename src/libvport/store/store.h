/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state store: one SQLite file (vport.db) under the state directory that
 * holds network definitions, ports, and the journal of original device state
 * the core saves before it changes a device.
 *
 * Boot identity: every runtime row (an active network, a port, a journal
 * entry) carries the kernel boot id it was written under. After a reboot the
 * kernel has forgotten every tap, macvtap and VF setting, so rows from an
 * earlier boot are never taken for live ones: such a network reads as
 * inactive, such a port is flagged stale and counts neither in device usage
 * nor in MAC-in-use checks.
 *
 * Transactions: each function below that makes more than one step runs in
 * its own transaction, unless the caller already holds one from store_begin(),
 * in which case it joins it. store_begin() takes the write lock at once
 * (BEGIN IMMEDIATE), so "read usage, choose a device, insert the port" in one
 * such transaction cannot race another vport process. Concurrent processes
 * wait for the lock (busy timeout) instead of failing.
 *
 * Errors are negative errno, with err filled: -ENOENT (not defined / no such
 * port), -EEXIST (already exists), -EBUSY (active, still in use, or the lock
 * could not be had in time), -EADDRINUSE (MAC used by a live port), -ESTALE
 * (generation moved under a compare-and-swap update), -EUCLEAN (the file is
 * damaged: see store_open()), -EROFS (a write on a read-only handle), -EIO
 * (other SQLite failures). Messages name the state file and the operation,
 * never SQL text. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/mac.h"
#include "base/uuid.h"

typedef struct vport_store vport_store;

#define STORE_DB_NAME     "vport.db"
#define STORE_BOOT_ID_MAX 64 /* the kernel's boot_id is 36 chars */

/* Environment: VPORT_STATE_DIR overrides the state directory; VPORT_BOOT_ID_FILE
 * names a file to read the boot id from instead of
 * /proc/sys/kernel/random/boot_id (for tests that simulate a reboot). */
#define STORE_ENV_STATE_DIR    "VPORT_STATE_DIR"
#define STORE_ENV_BOOT_ID_FILE "VPORT_BOOT_ID_FILE"

/* ---- opening and transactions ---- */

/* Returns $VPORT_STATE_DIR if set and non-empty, else default_dir. */
const char *store_state_dir(const char *default_dir);

/* Open modes, the flags of store_open_with(). */
enum {
        /* Never create the directory or the file and never write: a store
         * that does not exist yet reads as an empty one, a write fails with
         * -EROFS. For commands that only read. (An older schema is still
         * migrated: this code can only read the current one.) */
        STORE_OPEN_READ_ONLY = 1 << 0,
        /* Skip the integrity check at open. Only bench/ sets it, to measure
         * what the check costs. */
        STORE_OPEN_UNCHECKED = 1 << 1,
};

/* The copy of the database saved after the last committed change of a
 * network definition (<path>.last-good), and before each schema migration
 * (<path>.v<N>.bak, N the version it holds). */
#define STORE_LAST_GOOD_SUFFIX ".last-good"

/* Open (creating if needed) the store in dir, exactly (callers that honour
 * $VPORT_STATE_DIR resolve it with store_state_dir() first).
 *
 * The directory is created 0700 if missing; an existing one must be a
 * directory owned by us and not group/world writable (-EPERM otherwise);
 * one readable by others is tightened to 0700. The same holds for the
 * database file and its -wal and -shm (0600): the file decides which
 * devices guests get, so nobody else may have been able to change it, and
 * it names the VMs, so nobody else needs to read it.
 *
 * A new database is created only where no file exists. A file that is
 * empty, truncated, damaged (SQLite's quick_check at every open), not a
 * vport store, or written by a newer vport (-EPROTO, naming both versions)
 * is refused, and nothing is written to it. SQLITE_CORRUPT or
 * SQLITE_NOTADB from any later statement makes every further call on the
 * handle fail the same way. Damage is -EUCLEAN, with a message naming the
 * file and how to recover.
 *
 * Older schemas are migrated, after a full integrity check and a copy of
 * the file (<path>.v<N>.bak). An open that may write also removes the
 * temporary files a killed vport left (store_notice() names them).
 * A handle is used by one thread at a time (its connection has no mutex
 * of its own); the first open turns SQLite's memory statistics off for
 * the process (store.c). Returns 0 and *ret, or -errno. */
int store_open(const char *dir, vport_store **ret, vport_error *err);

/* For a program of vport's own that uses SQLite only through the store and
 * has no threads (the CLI): SQLite's process-wide settings for a short-lived
 * process, before anything else runs. Never called by the library. */
void store_sqlite_tune_process(void);

/* store_open() with STORE_OPEN_* flags. */
int store_open_with(const char *dir, unsigned flags, vport_store **ret, vport_error *err);

/* What opening did that a human should hear about although it worked
 * (permissions tightened), one item per line, or NULL. */
const char *store_notice(const vport_store *s);

/* Closes the database; rolls back an open transaction. Accepts NULL. */
void store_close(vport_store *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(vport_store *, store_close);

/* Full path of the database file. Never NULL. */
const char *store_path(const vport_store *s);

/* The boot id read at open. Never NULL. */
const char *store_boot_id(const vport_store *s);

/* Start a write transaction (BEGIN IMMEDIATE), waiting for other writers,
 * or take over a deferred one (store_commit_deferred()). Returns 0,
 * -EALREADY if one is already open (nesting is a bug), -EBUSY if the lock
 * could not be had within the busy timeout. */
int store_begin(vport_store *s, vport_error *err);

/* Commit the open transaction. Returns 0, -EINVAL if none is open, or -EIO /
 * -EBUSY (the transaction is then rolled back). */
int store_commit(vport_store *s, vport_error *err);

/* End the open store_begin() transaction without committing it: it stays
 * open (and the write lock held) until the next write on the handle, whose
 * commit commits it too: a write outside a transaction (its own commit),
 * or the next store_begin() transaction, which takes it over. That write
 * failing rolls both back; store_rollback() drops it, and so does closing.
 * Until then nothing of it is on disk: for a write worth a commit only
 * together with what soon follows it (a port created to be prepared: the
 * insert with the prepare's first journal entry, which must be on disk
 * before the kernel is changed anyway). Hold it across nothing slow: every
 * other writer waits for the lock. Returns 0, -EINVAL if no transaction is
 * open. */
int store_commit_deferred(vport_store *s, vport_error *err);

/* Whether a deferred transaction still waits for a write. */
bool store_deferred(const vport_store *s);

/* Commit a deferred transaction now. Returns 0 (also if there is none), or
 * -errno (it is then rolled back). */
int store_commit_pending(vport_store *s, vport_error *err);

/* Roll back the open transaction, deferred or not; does nothing if none is
 * open, so it is safe on every error path. Returns 0 or -EIO. */
int store_rollback(vport_store *s);

/* Returns true while a store_begin() transaction is open (a deferred one
 * is not: the next store_begin() takes it over). */
bool store_in_transaction(const vport_store *s);

/* Call fn(userdata) right after every commit that wrote to the database,
 * explicit or a single statement's own, once it is on disk (for fault
 * injection: a test ends the process there). NULL fn removes it. */
void store_set_commit_hook(vport_store *s, void (*fn)(void *userdata), void *userdata);

/* The commit that leaves this many pages or more in the state file's log
 * checkpoints it into the file, and the next commit writes the log again
 * from its start (store-wal.c; how it was chosen: bench/README.md, "The
 * store's per-process cost, again"). */
#define STORE_WAL_CHECKPOINT_PAGES 160

/* While held, a commit that fills the log past its checkpoint threshold
 * leaves the checkpoint (three fdatasyncs) to a later commit, unless the
 * log has grown to four times the threshold. For the steps on a guest's
 * downtime path (activate, deactivate). NULL-safe. */
void store_hold_checkpoint(vport_store *s, bool hold);

/* ---- networks ---- */

typedef struct store_network {
        char *name;
        vport_uuid uuid;
        char *xml; /* the <network> definition */
        bool autostart;
        bool active;     /* active in THIS boot; an earlier boot's flag reads false */
        bool destroying; /* THIS boot's network journal holds a STORE_NET_KEY_DESTROY entry */
} store_network;

/* The network journal's key of a net-destroy under way (core/net-destroy.c). */
#define STORE_NET_KEY_DESTROY "destroy"

void store_network_free(store_network *n);
DEFINE_TRIVIAL_CLEANUP_FUNC(store_network *, store_network_free);
/* Frees the members of n[0..count) and the array. Accepts NULL. */
void store_network_array_free(store_network *n, size_t count);

/* Define a new network or replace the XML of an existing one (same name and
 * same uuid; autostart and active are kept). A name defined with another
 * uuid, or a uuid defined under another name, fails with -EEXIST. Returns 1
 * if created, 0 if updated, or -errno. */
int store_network_define(vport_store *s, const char *name, const vport_uuid *uuid, const char *xml,
                         vport_error *err);

/* Remove a network. Returns 0, -ENOENT, -EBUSY if it is active (this boot) or
 * still has ports (live or stale). */
int store_network_undefine(vport_store *s, const char *name, vport_error *err);

/* Returns 0 and a caller-owned *ret, or -ENOENT. */
int store_network_get(vport_store *s, const char *name, store_network **ret, vport_error *err);

/* Returns 0 and a caller-owned *ret, or -ENOENT. */
int store_network_get_by_uuid(vport_store *s, const vport_uuid *uuid, store_network **ret, vport_error *err);

/* All networks sorted by name. Returns 0 with *ret (free with
 * store_network_array_free; NULL when *ret_n is 0) or -errno. */
int store_network_list(vport_store *s, store_network **ret, size_t *ret_n, vport_error *err);

/* Mark active (under the current boot id) or inactive. Returns 0 or -ENOENT. */
int store_network_set_active(vport_store *s, const char *name, bool active, vport_error *err);

/* Mark active under the current boot id if its stored definition is
 * still xml, the text the start read; -ESTALE if it was redefined since
 * (another process), -ENOENT if it is gone. A running network thus always
 * carries the definition it was started from. */
int store_network_activate(vport_store *s, const char *name, const char *xml, vport_error *err);

/* Returns 0 or -ENOENT. */
int store_network_set_autostart(vport_store *s, const char *name, bool autostart, vport_error *err);

/* ---- ports ---- */

typedef struct store_port {
        vport_uuid uuid;
        char *network;
        char *owner_name;
        vport_uuid owner_uuid;
        vport_mac mac;
        char *portgroup;     /* NULL if none */
        char *device;        /* pool device key held (ifname or PCI address), NULL if none */
        char *plug_type;     /* text; the core defines the values. NULL if not yet known */
        char *state;         /* text; the core defines the values ("allocated", ...) */
        char *xml;           /* the <networkport> definition */
        char *runtime;       /* JSON owned by the core (ifname, ifindex, tap...), NULL if none */
        char *summary;       /* what listing reads of xml, owned by the core; NULL: parse xml */
        int64_t creator_uid; /* the creating process's uid; -1: unknown. Written by insert only */
        /* Filled by the store: */
        uint64_t generation; /* bumped by every update; store_port_update() compares it */
        char boot_id[STORE_BOOT_ID_MAX];
        bool stale;               /* written under an earlier boot: not live, holds nothing */
        int64_t created, updated; /* seconds since the epoch */
} store_port;

/* Frees the members of p (not p itself) and zeroes it. */
void store_port_clear(store_port *p);
void store_port_free(store_port *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(store_port *, store_port_free);
/* Frees the members of p[0..count) and the array. Accepts NULL. */
void store_port_array_free(store_port *p, size_t count);

/* Insert a new port under the current boot. network, owner_name, state and
 * xml are required. Fills p's generation (1), boot_id, stale (false) and
 * timestamps. Two ports may share a MAC (as in libvirt: a failover pair
 * does); store_mac_in_use() is there for callers that want a fresh one.
 * Returns 0, -ENOENT (network not defined), -EEXIST (uuid exists). */
int store_port_insert(vport_store *s, store_port *p, vport_error *err);

/* Compare-and-swap update of every field but uuid, network, boot_id and
 * created, provided the row's generation still equals p->generation. On
 * success p->generation and p->updated are advanced. Returns 0, -ENOENT,
 * -ESTALE (changed since read: re-read and retry). */
int store_port_update(vport_store *s, store_port *p, vport_error *err);

/* The same compare-and-swap for the state column alone (a lifecycle step
 * that changes nothing else): the row's XML, runtime and summary are not
 * rewritten. On success *generation is advanced. Returns 0, -ENOENT,
 * -ESTALE. */
int store_port_set_state(vport_store *s, const vport_uuid *uuid, const char *state, uint64_t *generation,
                         vport_error *err);

/* Delete a port (live or stale). Returns 0, -ENOENT, or -EBUSY if journal
 * entries for it remain (restore the device state and delete them first). */
int store_port_delete(vport_store *s, const vport_uuid *uuid, vport_error *err);

/* Returns 0 and a caller-owned *ret, or -ENOENT. */
int store_port_get(vport_store *s, const vport_uuid *uuid, store_port **ret, vport_error *err);

/* Ports (live and stale, each with its stale flag), filtered by network
 * and/or owner name (NULL: any), ordered by creation. Returns 0 with *ret
 * (free with store_port_array_free; NULL when *ret_n is 0) or -errno. */
int store_port_list(vport_store *s, const char *network, const char *owner_name, store_port **ret,
                    size_t *ret_n, vport_error *err);

/* As store_port_list(), without copying: fn gets each row in turn, its
 * strings the statement's own (valid until fn returns: copy what is kept,
 * free nothing). fn returns 0 to go on or -errno to stop (with err set);
 * that is then the result. A listing of every port uses this, so it makes
 * no copy of a row it only reads. Returns 0 or -errno. */
typedef int (*store_port_fn)(const store_port *row, void *userdata, vport_error *err);
int store_port_foreach(vport_store *s, const char *network, const char *owner_name, store_port_fn fn,
                       void *userdata, vport_error *err);

/* The live ports (of this boot) of a network. Returns the count or -errno. */
int store_port_count_live(vport_store *s, const char *network, vport_error *err);

/* Ports written under an earlier boot, for the core to clean up. Same return
 * convention as store_port_list(). */
int store_stale_ports_list(vport_store *s, store_port **ret, size_t *ret_n, vport_error *err);

/* Delete every stale port and its journal entries in one transaction (once
 * the core has dealt with them). Returns the number of ports removed or -errno. */
int store_stale_ports_purge(vport_store *s, vport_error *err);

/* Is device held, as plug_type ("hostdev-pci": a VF's PCI address;
 * "direct": a netdev), by a live port (this boot) other than except (may
 * be NULL)? 1 with *ret_port (may be NULL) set to one such port, 0 if
 * none, or -errno. Read through the (network, device, boot_id) index, one
 * probe a network: not the host's ports. */
int store_device_holder(vport_store *s, const char *device, const char *plug_type, const vport_uuid *except,
                        vport_uuid *ret_port, vport_error *err);

/* Is mac held by a live port (this boot) other than except (may be NULL)?
 * Returns 1 and the holder's uuid in *ret_port (may be NULL), 0 if free,
 * or -errno. */
int store_mac_in_use(vport_store *s, const vport_mac *mac, const vport_uuid *except, vport_uuid *ret_port,
                     vport_error *err);

/* ---- owners (derived from live ports) ---- */

typedef struct store_owner {
        char *name;
        vport_uuid uuid;
        vport_uuid port; /* a live port that records this owner */
} store_owner;

void store_owner_clear(store_owner *o);

/* The owner the first live port (this boot, by creation) records under
 * uuid. Returns 1 and *ret (clear it with store_owner_clear()), 0 if no
 * live port records one, or -errno. */
int store_owner_by_uuid(vport_store *s, const vport_uuid *uuid, store_owner *ret, vport_error *err);

/* The owners the first live ports record under name (*ret_by_name) and
 * under uuid (*ret_by_uuid), in one statement: a new port's owner checks
 * both, and compiling a statement costs more than reading an owner's
 * rows. Returns STORE_OWNER_BY_NAME | STORE_OWNER_BY_UUID for those found
 * (clear them with store_owner_clear()), or -errno. */
#define STORE_OWNER_BY_NAME 1
#define STORE_OWNER_BY_UUID 2
int store_owner_pair(vport_store *s, const char *name, const vport_uuid *uuid, store_owner *ret_by_name,
                     store_owner *ret_by_uuid, vport_error *err);

/* ---- device usage (derived from live ports, never stored twice) ---- */

typedef struct store_device_count {
        char *device;
        unsigned count;
} store_device_count;

void store_device_count_array_free(store_device_count *u, size_t count);

/* Per-device count of live ports holding a device, in network (NULL: summed
 * over all networks), sorted by device. Devices no live port holds are
 * absent (count 0). Returns 0 with *ret (NULL when *ret_n is 0) or -errno. */
int store_device_usage(vport_store *s, const char *network, store_device_count **ret, size_t *ret_n,
                       vport_error *err);

/* ---- journal of saved device state ----
 * The core records the original state of a device BEFORE changing it and
 * deletes the entry once it has restored it, so a crash in between leaves a
 * record for `vport reconcile`. */

typedef struct store_journal {
        vport_uuid port_uuid;
        char *key;  /* "vf:0000:06:10.1", "physdev:eth1", ... */
        char *step; /* how far the change got; the core defines the values */
        char *data; /* JSON snapshot of the original state; may be NULL */
        /* Filled by the store: */
        char boot_id[STORE_BOOT_ID_MAX];
        bool stale;      /* written under an earlier boot */
        int64_t created; /* seconds since the epoch, of the first put */
} store_journal;

void store_journal_free(store_journal *j);
DEFINE_TRIVIAL_CLEANUP_FUNC(store_journal *, store_journal_free);
void store_journal_array_free(store_journal *j, size_t count);

/* Insert, or replace step and data of, the entry (port_uuid, key); the port
 * must exist. boot_id is set to the current boot; created is kept on
 * replace. Returns 0, -ENOENT (no such port) or -errno. */
int store_journal_put(vport_store *s, const store_journal *j, vport_error *err);

/* Returns 0 and a caller-owned *ret, or -ENOENT. */
int store_journal_get(vport_store *s, const vport_uuid *port_uuid, const char *key, store_journal **ret,
                      vport_error *err);

/* Entries of one port (port_uuid non-NULL) or all entries (NULL, for
 * reconcile), ordered by creation. Returns 0 with *ret (NULL when *ret_n is 0)
 * or -errno. */
int store_journal_list(vport_store *s, const vport_uuid *port_uuid, store_journal **ret, size_t *ret_n,
                       vport_error *err);

/* Every port's entries whose key starts with prefix (ASCII), any boot,
 * ordered by creation: read through the index on key, only those
 * entries. Returns as store_journal_list(). */
int store_journal_list_prefix(vport_store *s, const char *prefix, store_journal **ret, size_t *ret_n,
                              vport_error *err);

/* The ports of owner_name that have an entry `key`, in one query (a step
 * on a whole VM asks once, not once per port); the join reads the owner's
 * ports and their entries by index, nothing else. Returns the count (0..)
 * with a caller-owned *ret (NULL when none), or -errno. */
int store_journal_owner_ports(vport_store *s, const char *owner_name, const char *key, vport_uuid **ret,
                              vport_error *err);

/* Whether a port other than `except` (may be NULL) has an entry `key`,
 * whatever its boot: 1 with *ret_port (may be NULL) set to one such port,
 * 0 if none, or -errno. Read through the index on key: only that key's
 * entries, none of the rest of the host. */
int store_journal_key_holder(vport_store *s, const char *key, const vport_uuid *except, vport_uuid *ret_port,
                             vport_error *err);

/* Returns 0 or -ENOENT. */
int store_journal_delete(vport_store *s, const vport_uuid *port_uuid, const char *key, vport_error *err);

/* ---- journal of what a network makes ----
 * The bridge of an isolated or open network: recorded (name, then ifindex)
 * before it is made, deleted once the bridge is gone. A network cannot be
 * undefined while it has entries. */

typedef struct store_net_journal {
        char *network;
        char *key;  /* "bridge" */
        char *step; /* the core defines the values */
        char *data; /* JSON; may be NULL */
        /* Filled by the store: */
        char boot_id[STORE_BOOT_ID_MAX];
        bool stale; /* written under an earlier boot: the device died with it */
        int64_t created;
} store_net_journal;

void store_net_journal_array_free(store_net_journal *j, size_t count);

/* Insert, or replace step and data of, (network, key). Returns 0, -ENOENT
 * (no such network) or -errno. */
int store_net_journal_put(vport_store *s, const store_net_journal *j, vport_error *err);

/* Entries of one network (non-NULL) or of all networks, by creation.
 * Returns 0 with *ret (NULL when *ret_n is 0) or -errno. */
int store_net_journal_list(vport_store *s, const char *network, store_net_journal **ret, size_t *ret_n,
                           vport_error *err);

/* Returns 0 or -ENOENT. */
int store_net_journal_delete(vport_store *s, const char *network, const char *key, vport_error *err);
