/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Core internals shared by the core's files (not part of the public API). */
#pragma once

#include "core/vport.h"

#define VPORT_NOTICES_MAX 32
/* Parsed network definitions a context keeps (net-cache.c): a host has a
 * few networks; one with more parses the least recently used again. */
#define NET_CACHE_MAX 32

/* A network's definition as parsed from the stored text xml: shared
 * between the context's cache and its users (read only), freed with the
 * last share. */
typedef struct net_parsed {
        unsigned n_ref;
        char *xml; /* the stored text def was parsed from: what the cache compares */
        vport_network_def *def;
} net_parsed;

struct vport_ctx {
        vport_store *store;
        vport_kernel *kernel;             /* the real kernel context (NULL if ops are fake and need none) */
        const vport_kernel_ops *ops;      /* every kernel access goes through this table */
        char *notices[VPORT_NOTICES_MAX]; /* see vport_ctx_notices() */
        size_t n_notices;
        /* Lower devices found up during one owner step (owner_run()): a
         * VM's direct ports mostly share their uplink, which is then looked
         * at once, not once per port. Empty outside an owner step. */
        bool owner_step;
        int lowers_up[8];
        size_t n_lowers_up;
        /* Parsed network definitions, most recently used first (net-cache.c). */
        net_parsed *net_cache[NET_CACHE_MAX];
        size_t n_net_cache;
};

/* Whether ifindex was found (or brought) up earlier in this owner step. */
bool ctx_lower_known_up(const vport_ctx *ctx, int ifindex);
/* A store transaction unless the caller has one open (*ret_owned says
 * whose); ctx_txn_end() commits it if r >= 0 and it is ours, rolls it back
 * if r < 0 and it is ours, and leaves the caller's alone. Both return r or
 * -errno. */
int ctx_txn_begin(vport_ctx *ctx, bool *ret_owned, vport_error *err);
int ctx_txn_end(vport_ctx *ctx, bool owned, int r, vport_error *err);
/* Note that ifindex is up; does nothing outside an owner step. */
void ctx_lower_seen_up(vport_ctx *ctx, int ifindex);

/* Record something the caller should hear about although the call
 * succeeded (a substitute value used, a device left alone). */
void ctx_notice(vport_ctx *ctx, const char *fmt, ...) _printf_(2, 3);

/* One plug type's host-side work. Each step gets the port as stored and may
 * change port->rt; the caller persists the port (state + runtime) after a
 * step succeeds. A step must leave the host as it found it when it fails.
 * release must be idempotent: it is what delete and reconcile run, possibly
 * after a crash half-way through prepare or release. */
typedef struct plug_driver {
        int (*prepare)(vport_ctx *ctx, vport_port *port, unsigned flags, vport_error *err);
        /* activate and deactivate change the kernel and the journal, never
         * the port: its state alone is saved after them (port_save_state). */
        int (*activate)(vport_ctx *ctx, const vport_port *port, vport_error *err);
        int (*deactivate)(vport_ctx *ctx, const vport_port *port, vport_error *err);
        int (*release)(vport_ctx *ctx, vport_port *port, vport_error *err);
        /* Optional: release many ports of this type at once (bulk teardown),
         * with the same effect as release on each. Returns the first error;
         * every port is still attempted. */
        int (*release_many)(vport_ctx *ctx, vport_port **ports, size_t n, vport_error *err);
} plug_driver;

/* Driver for a plug type, or NULL if vport has none for it yet. */
const plug_driver *plug_driver_get(vport_plug_type type);

/* Strong references: the core is a static library, and a weak undefined
 * reference does not make the linker pull a driver's object out of it (the
 * drivers were silently missing from the vport binary). plug-direct.c is
 * only built with WITH_MACVTAP; plug_driver_get() then returns NULL. */
extern const plug_driver plug_driver_hostdev;
extern const plug_driver plug_driver_direct;
extern const plug_driver plug_driver_bridge; /* PLUG_BRIDGE and PLUG_NETWORK */

/* Forget what prepare made (the devices), keeping what the port was
 * created with: a container's namespace and interface name. */
static inline void port_runtime_clear(vport_port_runtime *rt) {
        vport_port_runtime keep = { 0 };

        memcpy(keep.netns, rt->netns, sizeof(keep.netns));
        memcpy(keep.cifname, rt->cifname, sizeof(keep.cifname));
        *rt = keep;
}

/* ---- ports <-> store ---- */

/* Load a port; -ENOENT with err naming the uuid. */
int port_load(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err);

/* A port's <teaming> against its plug type and, for a transient port, the
 * persistent port it names (same owner, same MAC). Returns 0 or -EINVAL. */
int teaming_check(vport_ctx *ctx, const vport_port_def *def, vport_error *err);
/* Build a port from a store row. A row whose XML (or state) cannot be read
 * still gives a port: damaged (port->damage says why), its def rebuilt
 * from the row's columns. Returns 0, or -errno only for lack of memory. */
int port_from_store(const store_port *row, vport_port **ret, vport_error *err);
/* As port_from_store(), from the row's columns and summary where they stand
 * for the XML (no XML parse; port-summary.c): the def holds what a listing
 * shows (no virtualport, no bandwidth), all in one allocation, read only.
 * A row without a usable summary is parsed. tok (may be NULL) is reused
 * for the runtime JSON. Returns 0, or -errno only for lack of memory. */
int port_brief_from_store(const store_port *row, json_tokener *tok, vport_port **ret, vport_error *err);
/* The summary column of a port whose stored XML is xml; *ret NULL when
 * the plug's names cannot be carried (the row is then parsed when listed).
 * Returns 0 or -ENOMEM. */
int port_summary_format(const vport_port_def *def, const char *xml, char **ret);
/* The runtime column into rt (zeroed; what cannot be read is left out). */
void port_runtime_from_json(json_tokener *tok, const char *text, vport_port_runtime *rt);
/* For a step on a loaded port that the drivers take from the plug, MAC,
 * VLAN and runtime (activate, deactivate): port_brief_from_store(), unless
 * the XML may hold a <virtualport> (802.1Qbg/Qbh: the switch is asked),
 * which the summary does not carry; then the XML is parsed. */
int port_step_from_store(const store_port *row, json_tokener *tok, vport_port **ret, vport_error *err);
/* For a damaged port, complete its def from its journal entries (direct
 * passthrough physdev, hostdev VF) before deactivating or releasing it.
 * A no-op for a sound port. Returns 0 or -errno. */
int port_damaged_refine(vport_ctx *ctx, vport_port *p, vport_error *err);
/* -EBADMSG with err naming the port and the damage, for the steps a damaged
 * port cannot take (prepare, activate, dumpxml); 0 for a sound port. */
int port_refuse_damaged(const vport_port *p, vport_error *err);
/* Fill a store row from a port (row owns copies). */
int port_to_store(const vport_port *p, store_port *row);
/* Keep the XML and summary of row (a port just stored) in p: its def is
 * fixed, so the saves of its later steps write them without formatting
 * them again. Takes them from row. */
void port_def_stored(vport_port *p, store_port *row);
/* Persist state, device, runtime and definition (compare-and-swap on the
 * generation). Returns 0, -ESTALE if another process changed it meanwhile. */
int port_save(vport_ctx *ctx, vport_port *p, vport_error *err);
/* As port_save() for a port whose state alone changed: writes the state
 * column (same generation check), not the definition, runtime or summary.
 * Returns 0 or -errno (-ESTALE: the row changed since it was read). */
int port_save_state(vport_ctx *ctx, vport_port *p, vport_error *err);

/* The parsed definition of a network's stored row: the context's own
 * while row->xml is still the text it parsed (the whole text compared: a
 * definition changed by anyone is parsed again), else parsed now and kept
 * (at most NET_CACHE_MAX). *ret is the caller's share (net_parsed_unref()).
 * Returns 0 or -errno (err names the network's stored definition). */
int net_parsed_get(vport_ctx *ctx, const store_network *row, net_parsed **ret, vport_error *err);
/* Drop a share; the last one frees the definition. NULL-safe. */
void net_parsed_unref(net_parsed *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(net_parsed *, net_parsed_unref);
/* The cache's entries of network name dropped (an undefine), or all of
 * them (the context closes). Shares held elsewhere stay valid. */
void net_cache_forget(vport_ctx *ctx, const char *name);
void net_cache_clear(vport_ctx *ctx);

/* Load a network definition (net_parsed_get()); -ENOENT if undefined.
 * ret and ret_active may be NULL. One read of the network's row. */
int net_load(vport_ctx *ctx, const char *name, net_parsed **ret, bool *ret_active, vport_error *err);
/* port-create's load, inside its write transaction (store_begin()): the
 * network's row read once, its definition (net_parsed_get()), and the
 * checks of net_check_open() on that row, made under the lock. Returns 0,
 * -ENOENT, -EHOSTDOWN, -EBUSY or -errno. */
int net_load_open(vport_ctx *ctx, const char *name, net_parsed **ret, vport_error *err);

/* Flags of the steps on a loaded port beside the public VPORT_PORT_* ones:
 * STEP_NOT_DELETING, the caller found that the port has no delete entry
 * (owner_run() asks once for all of an owner's ports); STEP_FRESH, the
 * port's insert waits in this process's deferred transaction
 * (port_create_prepare()): nobody else can have journaled anything for
 * it (so no delete entry either), and a driver's prepare looks for no
 * leftovers of a crashed one. */
#define STEP_NOT_DELETING (1u << 31)
#define STEP_FRESH        (1u << 30)

/* Prepare a port already in hand (a no-op unless it is "allocated"); net is
 * its network's definition, or NULL to load it. Moves the port to
 * "prepared" in the store. Returns 0 or -errno. */
int port_prepare_loaded(vport_ctx *ctx, vport_port *port, const vport_network_def *net, unsigned flags,
                        vport_error *err);

/* Delete many ports at once (net-destroy, port-delete --owner): every port
 * is deactivated and released as a single delete would, but plug drivers
 * may batch the kernel work. Two halves, so a caller can check the ports in
 * the transaction that marks them as being deleted (from then on prepare
 * and activate refuse them): _begin joins the caller's open transaction
 * (or runs one of its own) and changes nothing else; _finish, with no
 * transaction open, deactivates, releases and forgets them. _finish
 * returns the number deleted or -errno (the first failure; the others are
 * still attempted). */
int port_delete_many_begin(vport_ctx *ctx, vport_port **ports, size_t n, vport_error *err);
int port_delete_many_finish(vport_ctx *ctx, vport_port **ports, size_t n, vport_error *err);

/* Fill in the owner of a new port (call inside the allocation's store
 * transaction): a name without a UUID gets the UUID the live ports record
 * for it, else owner_uuid_of_name(); a UUID without a name gets the name
 * recorded for it (none: -EINVAL); neither is the owner "unknown". A name
 * recorded with another UUID, or a UUID recorded under another name, is
 * refused with -EEXIST naming both. Returns 0 or -errno. */
int owner_resolve(vport_ctx *ctx, vport_port_def *def, vport_error *err);
/* The stable UUID of an owner name that no live port records yet. */
void owner_uuid_of_name(const char *name, vport_uuid *ret);

/* net-destroy's part on the ports: refuse (-EBUSY, naming them, nothing
 * changed) while a port is active unless VPORT_NET_DESTROY_FORCE, then
 * tear every port down. *ret_ports / *ret_n get the ports torn down as they
 * were before, also on failure (NULL / 0 on a refusal). With
 * NET_DESTROY_RESUME (reconcile), -EALREADY and nothing done unless, under
 * the write lock, the network's destroy entry is still there, its writer
 * gone, and no port of the network is being changed by a live process.
 * Returns 0 once no port is left, or -errno. */
int net_destroy_ports(vport_ctx *ctx, const char *name, unsigned flags, vport_port ***ret_ports,
                      size_t *ret_n, vport_error *err);
#define NET_DESTROY_RESUME (1u << 16) /* internal: beside the public VPORT_NET_DESTROY_* */

/* What net-destroy does once no port is left: the bridge vport made for an
 * isolated or open network deleted, the network inactive and its destroy
 * entry gone. Returns 0 or -errno. */
int net_destroy_finish(vport_ctx *ctx, const vport_network_def *def, vport_error *err);

/* The network journal entry net-destroy puts in the transaction that marks
 * the ports (step "releasing", data {"pid": its writer, "flags": the
 * VPORT_NET_DESTROY_* it was given}): from then on port-create refuses the
 * network. It goes with the network's active flag. One whose writer died
 * (killed, or a port not torn down) is finished by reconcile
 * (net_destroy_reconcile()) or by net-destroy run again; net-start and
 * net-undefine drop one on an inactive network. */
#define NET_JOURNAL_KEY_DESTROY STORE_NET_KEY_DESTROY

/* Mark the network inactive and drop its destroy entry, in one
 * transaction (joining an open one). Returns 0 or -errno. */
int net_destroy_done(vport_ctx *ctx, const char *name, vport_error *err);

/* Drop the destroy entry of an inactive network (one a destroy killed
 * after marking it inactive, or an earlier boot's, left): nothing is
 * destroying an inactive network, and the entry would pin its definition. */
void net_destroy_forget_left(vport_ctx *ctx, const char *name);

/* Inside the allocation's transaction, on the network's row read in it
 * (net_load_open()): the network is active in the store and no destroy has
 * begun on it. -EHOSTDOWN or -EBUSY otherwise. */
int net_check_open(vport_ctx *ctx, const store_network *net, vport_error *err);

/* Told of each network reconcile repaired (kind: a VPORT_REPAIR_*_NET_*). */
typedef void (*net_repaired_fn)(void *userdata, vport_repair_kind kind, const char *network);

/* Finish every net-destroy whose writer died, as it would have finished
 * (after reconcile's port pass: the ports it marked are gone by then), and
 * drop destroy entries of an earlier boot; a live net-destroy is left
 * alone. fn (may be NULL) hears of each destroy finished. Returns the
 * number of entries handled or -errno. */
int net_destroy_reconcile(vport_ctx *ctx, net_repaired_fn fn, void *userdata, vport_error *err);

/* ---- journal helpers for plug drivers ----
 * An entry holds the original state of one device (key "vf:BDF",
 * "physdev:IFNAME", ...) from before vport touched it, and a step telling how
 * far the change got. The entry lives as long as the port holds the device;
 * release restores from it and deletes it. Entries whose step is "preparing"
 * or "releasing" and whose writer process is gone are what a crash left
 * behind: reconcile finishes them. */

#define JOURNAL_STEP_PREPARING "preparing" /* snapshot taken, device being changed */
#define JOURNAL_STEP_PREPARED  "prepared"  /* change complete */
#define JOURNAL_STEP_RELEASING "releasing" /* being restored by delete */

/* The entry a delete puts first, before it changes anything (step
 * "releasing", no data): while it is there the port is being deleted, and
 * a delete killed at any point after it is finished by reconcile. It goes
 * in the same transaction as the port row. */
#define JOURNAL_KEY_DELETE "delete"

/* Forget the port and its delete entry in one transaction (joining an open
 * one). -EBUSY if device entries remain. Returns 0 or -errno. */
int port_forget(vport_ctx *ctx, const vport_uuid *uuid, vport_error *err);

/* Whether the process that wrote a journal entry is gone (a crash if the
 * entry was not finished). */
bool journal_writer_gone(int pid);

/* Whether an entry with this step and writer pid was left by a process
 * that died half-way. */
bool journal_is_abandoned(const char *step, int pid);

/* The integer member key of a journal record's JSON object (its top level
 * only, as json_object_object_get_ex() finds it), or 0 if there is none or
 * the data is no JSON object. tok: a tokener for the records the fast path
 * does not read. */
int64_t journal_data_int(json_tokener *tok, const char *data, const char *key);

/* Record (or update) what is about to be changed, before changing it. */
int journal_put(vport_ctx *ctx, const vport_port *port, const char *key, const char *step, json_object *data,
                vport_error *err);
/* The entry's JSON (caller puts it), or -ENOENT. */
int journal_get(vport_ctx *ctx, const vport_port *port, const char *key, json_object **ret_data,
                char **ret_step, vport_error *err);
/* Change only the step of an existing entry. */
int journal_set_step(vport_ctx *ctx, const vport_port *port, const char *key, const char *step,
                     vport_error *err);
int journal_delete(vport_ctx *ctx, const vport_port *port, const char *key, vport_error *err);
