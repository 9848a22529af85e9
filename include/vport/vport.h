/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvport: the host side of virtual machine NICs. This header (with
 * <vport/types.h>, which it includes) is the whole contract of the installed
 * library: link with `pkg-config --cflags --libs libvport`. Nothing from the
 * library's layers below (XML, store, kernel) is part of it.
 *
 * A port goes through: create (a device is allocated from the network's
 * pool and recorded) -> prepare (host-side device made, original device
 * state journaled first; nothing that puts the guest MAC on the wire) ->
 * activate (right before the guest CPUs run: links up, FDB entries) ->
 * deactivate (CPUs stopped: the reverse of activate) -> delete (device
 * released and its original state restored from the journal). Repeating a
 * step that is already done is a no-op.
 *
 * Every fallible function returns 0 (or a count) or a negative errno, and
 * fills err (may be NULL) with one line naming the network, port, device or
 * value. Nothing here prints or exits. Objects a function hands out are the
 * caller's, freed with the matching *_free(); strings with free(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vport/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- values ---- */

/* "aa:bb:cc:dd:ee:ff" (case-insensitive). Returns 0 or -EINVAL. */
int vport_mac_parse(const char *s, vport_mac *ret);
/* Lower-case "aa:bb:cc:dd:ee:ff" into buf; returns buf. */
char *vport_mac_format(const vport_mac *mac, char buf[VPORT_MAC_STRLEN]);
/* 32 hex digits, dashed (8-4-4-4-12) or not. Returns 0 or -EINVAL. */
int vport_uuid_parse(const char *s, vport_uuid *ret);
/* Lower-case 8-4-4-4-12 into buf; returns buf. */
char *vport_uuid_format(const vport_uuid *uuid, char buf[VPORT_UUID_STRLEN]);

/* err's message, or strerror(-code) if it holds none. Never NULL. */
const char *vport_error_message(const vport_error *err, int code);
/* Returns true if err holds a message. */
bool vport_error_isset(const vport_error *err);
void vport_error_clear(vport_error *err);

/* ---- the context ---- */

typedef struct vport_ctx vport_ctx;
/* The kernel operations table: only the project's own tests pass one. */
typedef struct vport_kernel_ops vport_kernel_ops;

typedef struct vport_ctx_options {
        const char *state_dir;       /* used as given; NULL: $VPORT_STATE_DIR, else the built-in default */
        const vport_kernel_ops *ops; /* NULL: the real kernel */
        /* Only reads: never creates the state directory or database (a store
         * that does not exist reads as empty), and every write fails with
         * -EROFS. */
        bool read_only;
        /* 802.1Qbg: lldpad's pid file (NULL: $VPORT_LLDPAD_PIDFILE, else
         * /var/run/lldpad.pid); how long to wait for the switch's answer and
         * how often to ask lldpad for it, in ms (0: $VPORT_VSI_TIMEOUT_MS /
         * $VPORT_VSI_INTERVAL_MS, else 10000 / 125). */
        const char *lldpad_pidfile;
        int vsi_timeout_ms, vsi_interval_ms;
        /* Ignored: every open now leaves the state file's log at close and
         * checkpoints it by size (what this asked for, for short-lived
         * callers such as a CNI plugin). Kept so callers still build. */
        bool defer_checkpoint;
} vport_ctx_options;

/* Open the store (creating the state directory and database if needed,
 * unless read_only) and the kernel context. opts may be NULL. A state file
 * that is damaged, empty, truncated or from a newer vport is refused
 * (-EUCLEAN, -EPROTO) with a message naming it and how to recover. Returns
 * 0 or -errno. A context is used by one thread at a time (its netlink
 * sockets and its state file connection are not locked): a program with
 * threads opens one per thread. The library sets none of SQLite's
 * process-wide settings. */
int vport_ctx_open(const vport_ctx_options *opts, vport_ctx **ret, vport_error *err);
void vport_ctx_close(vport_ctx *ctx); /* NULL-safe */

/* Things the last calls did that a human should hear about although they
 * succeeded: a substitute value used (an admin MAC the PF would not clear),
 * a device left alone because vport did not create it. The library never
 * prints; front ends show these. Returns the count and the messages in
 * *ret (owned by ctx, valid until vport_ctx_clear_notices()). */
size_t vport_ctx_notices(const vport_ctx *ctx, const char *const **ret);
void vport_ctx_clear_notices(vport_ctx *ctx);

/* ---- networks (libvirt <network> XML) ---- */

/* Parse, validate and store a <network> definition (new, or a redefinition
 * of an inactive one with the same name and uuid). Returns 0 and the name in
 * *ret_name (caller frees; may be NULL), or -errno. */
int vport_net_define(vport_ctx *ctx, const char *xml, char **ret_name, vport_error *err);
/* -EBUSY if active or ports remain. */
int vport_net_undefine(vport_ctx *ctx, const char *name, vport_error *err);
/* Mark the network active after checking its devices exist. Returns 0,
 * -EALREADY if active, or -errno. */
int vport_net_start(vport_ctx *ctx, const char *name, vport_error *err);
/* Delete every port of the network (batched), then mark it inactive.
 * Checks first: while a port is active (its guest runs) it refuses with
 * -EBUSY naming the ports, and changes nothing. A port that cannot be torn
 * down keeps the network active (repeat to finish). */
int vport_net_destroy(vport_ctx *ctx, const char *name, vport_error *err);
int vport_net_set_autostart(vport_ctx *ctx, const char *name, bool autostart, vport_error *err);
/* The stored definition, formatted (caller frees). */
int vport_net_dumpxml(vport_ctx *ctx, const char *name, char **ret_xml, vport_error *err);

/* What a caller reads about a network. */
typedef struct vport_network vport_network;

/* Every defined network (no devices loaded): an array of *ret_n networks,
 * freed with vport_network_array_free(). Returns 0 or -errno. */
int vport_network_list(vport_ctx *ctx, vport_network ***ret, size_t *ret_n, vport_error *err);
/* One network with its device pool and usage; -ENOENT if not defined. */
int vport_network_get(vport_ctx *ctx, const char *name, vport_network **ret, vport_error *err);
void vport_network_free(vport_network *n); /* NULL-safe */
void vport_network_array_free(vport_network **n, size_t count);

const char *vport_network_get_name(const vport_network *n);
const vport_uuid *vport_network_get_uuid(const vport_network *n);
bool vport_network_get_active(const vport_network *n); /* in this boot */
bool vport_network_get_autostart(const vport_network *n);
/* "none", "open", "bridge", "private", "vepa", "passthrough", "hostdev";
 * NULL if the stored definition cannot be read. */
const char *vport_network_get_forward(const vport_network *n);
/* The plug type its ports get (as vport_port_get_plug_type()); NULL as above. */
const char *vport_network_get_plug_type(const vport_network *n);
const char *vport_network_get_bridge(const vport_network *n); /* <bridge name>; NULL if none */
unsigned vport_network_get_ports(const vport_network *n);     /* live ports */
/* The pool's devices (direct and hostdev networks, from vport_network_get()),
 * or -1 when the network has none. For i below that count: */
int vport_network_get_n_devices(const vport_network *n);
const char *vport_network_device_key(const vport_network *n, size_t i); /* interface name or PCI address */
const char *vport_network_device_netdev(const vport_network *n, size_t i); /* NULL: none */
/* The PCI address into buf, or NULL if the device has none. */
char *vport_network_device_pci(const vport_network *n, size_t i, char buf[VPORT_PCI_STRLEN]);
unsigned vport_network_device_connections(const vport_network *n, size_t i); /* live ports on it */

/* ---- ports ---- */

typedef enum vport_port_state {
        VPORT_PORT_STATE_ALLOCATED, /* device chosen and recorded, nothing touched */
        VPORT_PORT_STATE_PREPARED,  /* host-side device made, down, MAC not on the wire */
        VPORT_PORT_STATE_ACTIVE,    /* up; FDB entries in place */
        _VPORT_PORT_STATE_MAX,
} vport_port_state;

/* "allocated", "prepared", "active"; NULL if out of range. */
const char *vport_port_state_to_string(vport_port_state s);
/* The state, or -EINVAL. */
int vport_port_state_from_string(const char *s);

typedef struct vport_port vport_port;

void vport_port_free(vport_port *p); /* NULL-safe */
/* Frees every port of an array from vport_port_list() and the array. */
void vport_port_array_free(vport_port **p, size_t n);

enum {
        VPORT_PORT_PREPARE = 1u << 0,  /* vport_port_create: also prepare */
        VPORT_PORT_INCOMING = 1u << 1, /* prepare for an incoming migration */
        /* vport_port_create: the XML's <plug> names the device the port holds
         * (libvirt's VIR_NETWORK_PORT_CREATE_RECLAIM, as a dumped port is fed
         * back): that device is taken if it is in the pool and free for this
         * mode, and the <plug> is kept as given. Without it a <plug> is refused. */
        VPORT_PORT_RECLAIM = 1u << 2,
};

typedef struct vport_port_request {
        const char *network;
        const char *xml;      /* optional <networkport> to start from */
        const vport_mac *mac; /* NULL: from xml, else generated */
        /* The owner (VM). One name always means one UUID: NULL uuid takes
         * the one live ports record for the name, else one derived from
         * the name; NULL name takes the one recorded for the uuid; both
         * NULL: from xml, else "unknown". A name recorded with another
         * uuid, or a uuid with another name, is refused (-EEXIST). */
        const char *owner_name;
        const vport_uuid *owner_uuid;
        const char *portgroup;
        int vlan;           /* -1: none */
        const char *device; /* a specific pool device: PCI address or netdev name; NULL: any */
        unsigned flags;     /* VPORT_PORT_* */
        /* Recorded as the port's creator (a daemon passes its caller's
         * uid); NULL: the calling process's real uid. */
        const uid_t *creator_uid;
        /* A container's port (CNI): netns is the path of its network
         * namespace (/run/netns/NAME, /proc/PID/ns/net) and container_ifname
         * the name its interface gets there. A bridge network then gives a
         * veth pair (host end on the bridge), a direct one a macvlan made
         * in the namespace, a hostdev one a VF whose netdev is moved there
         * and renamed (a VF bound to vfio-pci stays on the host). Both or
         * neither; NULL: a VM's port. */
        const char *netns;
        const char *container_ifname;
} vport_port_request;

/* Allocate a port on an active network, with libvirt's rules for which
 * requests succeed. Returns 0 and *ret, -ENOENT, -EINVAL (bad request),
 * -EHOSTDOWN (network inactive), -ENOSPC (pool exhausted). With
 * VPORT_PORT_PREPARE, a failed prepare releases the port again. */
int vport_port_create(vport_ctx *ctx, const vport_port_request *req, vport_port **ret, vport_error *err);
/* The lifecycle steps on one port; *ret (may be NULL) is the port after the step. */
int vport_port_prepare(vport_ctx *ctx, const vport_uuid *uuid, unsigned flags, vport_port **ret,
                       vport_error *err);
int vport_port_activate(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err);
int vport_port_deactivate(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err);
/* Activate / deactivate every live port of one owner (a VM) in one store
 * transaction. Returns the number of ports handled, or the first error (the
 * other ports are still handled). */
int vport_port_activate_owner(vport_ctx *ctx, const char *owner, vport_error *err);
int vport_port_deactivate_owner(vport_ctx *ctx, const char *owner, vport_error *err);
/* Deactivates first if needed, restores every journaled device state, then
 * forgets the port. Running it again after a crash finishes the job. */
int vport_port_delete(vport_ctx *ctx, const vport_uuid *uuid, vport_error *err);
/* vport_port_deactivate() / vport_port_delete() only while the port is at
 * generation (vport_port_get_generation()): a late release from a VM that
 * is gone cannot clobber the port's newer state. 0 checks nothing. -ESTALE
 * naming both generations when the port moved on (nothing is changed). */
int vport_port_deactivate_gen(vport_ctx *ctx, const vport_uuid *uuid, uint64_t generation, vport_port **ret,
                              vport_error *err);
int vport_port_delete_gen(vport_ctx *ctx, const vport_uuid *uuid, uint64_t generation, vport_error *err);
/* Every port of one owner (VM), batched. Returns the number deleted or -errno. */
int vport_port_delete_owner(vport_ctx *ctx, const char *owner, vport_error *err);
int vport_port_get(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err);
/* Ports of network, or of all networks if NULL: an array of *ret_n ports
 * (free with vport_port_array_free()). -ENOENT if network is not defined. */
int vport_port_list(vport_ctx *ctx, const char *network, vport_port ***ret, size_t *ret_n, vport_error *err);
/* As vport_port_list(), for showing: the ports carry what the JSON of a port
 * and the getters show, read from the store's columns without parsing each
 * port's XML; a port's virtualport and bandwidth are not in them. */
int vport_port_list_brief(vport_ctx *ctx, const char *network, vport_port ***ret, size_t *ret_n,
                          vport_error *err);
/* The ports of one owner (a VM, a container), on network or on every
 * network if NULL, as vport_port_list(): what a caller that knows its
 * owner reads instead of listing every port. -ENOENT if network is not
 * defined; an owner without ports has none. */
int vport_port_list_owner(vport_ctx *ctx, const char *network, const char *owner, vport_port ***ret,
                          size_t *ret_n, vport_error *err);
/* The stored <networkport> (caller frees). */
int vport_port_dumpxml(vport_ctx *ctx, const vport_uuid *uuid, char **ret_xml, vport_error *err);

/* What a caller reads from a port. Strings belong to the port; NULL where the
 * port has none. */
const vport_uuid *vport_port_get_uuid(const vport_port *p);
const char *vport_port_get_network(const vport_port *p);
vport_port_state vport_port_get_state(const vport_port *p);
/* true: recorded in an earlier boot, holds nothing now (reconcile drops it). */
bool vport_port_get_stale(const vport_port *p);
const vport_mac *vport_port_get_mac(const vport_port *p);
const char *vport_port_get_owner_name(const vport_port *p);
const vport_uuid *vport_port_get_owner_uuid(const vport_port *p);
const char *vport_port_get_portgroup(const vport_port *p);
/* The access VLAN tag, or -1 if the port has none or is a trunk. */
int vport_port_get_vlan(const vport_port *p);
/* "none", "network", "bridge", "direct", "hostdev-pci". */
const char *vport_port_get_plug_type(const vport_port *p);
/* The pool device held: an interface name or a PCI address. */
const char *vport_port_get_device(const vport_port *p);
/* The tap / macvtap prepare made (or the VF's netdev), and its ifindex (0: none). */
const char *vport_port_get_ifname(const vport_port *p);
int vport_port_get_ifindex(const vport_port *p);
/* "/dev/tapN" of a macvtap, for the VM manager to open. */
const char *vport_port_get_tapdev(const vport_port *p);
/* Why the port's stored definition cannot be read (a row written before
 * names were checked, or damaged), or NULL for a sound port. Such a port is
 * still listed, and deactivate, delete, net-destroy and reconcile release it
 * from what the store's columns and the journal record; prepare, activate
 * and dumpxml refuse it. */
const char *vport_port_get_damage(const vport_port *p);
/* Bumped by every change of the port in the store (starts at 1). */
uint64_t vport_port_get_generation(const vport_port *p);
/* The uid of the process that created the port, or -1 if unknown (created
 * by a vport that did not record it). */
int64_t vport_port_get_creator_uid(const vport_port *p);

/* A container port's namespace path and interface name there; NULL for a
 * VM's port. */
const char *vport_port_get_netns(const vport_port *p);
const char *vport_port_get_container_ifname(const vport_port *p);

/* A route for vport_port_set_ip(): dst "10.0.0.0/8" or "::/0", gw an
 * address or NULL (on link). */
typedef struct vport_route {
        const char *dst;
        const char *gw;
} vport_route;

/* Give a prepared or active container port's interface (in its namespace)
 * its addresses ("192.0.2.5/24", "2001:db8::5/64") and routes; an address
 * or route already there is kept. Returns 0, -EINVAL (a value named in
 * err), -ENOENT (namespace or interface gone), -EMEDIUMTYPE (not a
 * container port), -errno. */
int vport_port_set_ip(vport_ctx *ctx, const vport_uuid *uuid, const char *const *addrs, size_t n_addrs,
                      const vport_route *routes, size_t n_routes, vport_error *err);
/* Whether a container port is still as prepare/activate and
 * vport_port_set_ip() left it: its interface in its namespace with its
 * MAC, up, holding every address of addrs; the host end on its bridge;
 * a VF's admin MAC and VLAN. Returns 0, or -ENOENT / -EMEDIUMTYPE /
 * -ENODEV / -EADDRNOTAVAIL / -EREMCHG (MAC) / -EBADSLT (VLAN) with err
 * naming what differs. Reads only. */
int vport_port_check(vport_ctx *ctx, const vport_uuid *uuid, const char *const *addrs, size_t n_addrs,
                     vport_error *err);

/* ---- SR-IOV virtual functions ---- */

/* One VF of a PF, as its PF's VF table, sysfs and the store see it. */
typedef struct vport_vf vport_vf;

/* Every VF of the PF named pf (an interface name): an array of *ret_n VFs,
 * freed with vport_vf_array_free(). Returns 0, -ENODEV (not a PF), -errno. */
int vport_pf_list_vfs(vport_ctx *ctx, const char *pf, vport_vf ***ret, size_t *ret_n, vport_error *err);
void vport_vf_free(vport_vf *vf); /* NULL-safe */
void vport_vf_array_free(vport_vf **vfs, size_t n);

/* How vport_vf_set_mac_named() got the MAC on the VF. */
typedef enum vport_vf_mac_method {
        VPORT_VF_MAC_DIRECT,       /* the VF's netdev took the MAC, and the PF agrees */
        VPORT_VF_MAC_ADMIN_BOUNCE, /* admin MAC through the PF, then a VF driver rebind */
        VPORT_VF_MAC_ADMIN_ONLY,   /* no netdev (e.g. bound to vfio-pci): admin MAC only */
        _VPORT_VF_MAC_METHOD_MAX,
} vport_vf_mac_method;

/* "direct", "admin-bounce", "admin-only"; NULL if out of range. */
const char *vport_vf_mac_method_to_string(vport_vf_mac_method m);

/* Set the MAC of the VF named a ("DDDD:BB:SS.F" or its netdev), or (b
 * non-NULL) VF number b of PF a, trying really hard: when the VF refuses it
 * or the PF disagrees, through the PF's admin MAC and a VF driver rebind,
 * verified both ways. -EBUSY naming the port if a live port holds the VF;
 * -ENETDOWN if the PF is down (vport never brings it up). *ret_method and
 * *ret (the VF afterwards) may be NULL. */
int vport_vf_set_mac_named(vport_ctx *ctx, const char *a, const char *b, const vport_mac *mac,
                           vport_vf_mac_method *ret_method, vport_vf **ret, vport_error *err);

int vport_vf_get_index(const vport_vf *vf);      /* VF number on its PF */
const char *vport_vf_get_pf(const vport_vf *vf); /* the PF's interface name */
char *vport_vf_get_pci(const vport_vf *vf, char buf[VPORT_PCI_STRLEN]);
const char *vport_vf_get_netdev(const vport_vf *vf); /* NULL: none (e.g. bound to vfio-pci) */
const char *vport_vf_get_driver(const vport_vf *vf); /* NULL: unbound */
/* The PF-side settings; NULL / -1 where unset or not reported by the driver. */
const vport_mac *vport_vf_get_mac(const vport_vf *vf); /* the admin MAC */
int vport_vf_get_vlan(const vport_vf *vf);
int vport_vf_get_qos(const vport_vf *vf);
int vport_vf_get_spoofchk(const vport_vf *vf);           /* 0, 1, or -1 */
int vport_vf_get_trust(const vport_vf *vf);              /* 0, 1, or -1 */
const char *vport_vf_get_link_state(const vport_vf *vf); /* "auto", "enable", "disable" */
int64_t vport_vf_get_min_tx_rate(const vport_vf *vf);    /* Mbit/s */
int64_t vport_vf_get_max_tx_rate(const vport_vf *vf);
/* The live port holding the VF, or NULL. */
const vport_uuid *vport_vf_get_port(const vport_vf *vf);

/* ---- what net-destroy tore down ---- */

enum {
        VPORT_NET_DESTROY_FORCE = 1u << 0, /* also tear down active ports (running guests) */
};

/* vport_net_destroy() with flags, and the ports it tore down, as they were
 * before (state, owner, device): *ret_ports / *ret_n (NULL both, or both set;
 * free with vport_port_array_free()). They are set also when a port could
 * not be torn down (the network then stays active, a repeated destroy
 * finishes); on a refusal (-EBUSY: active ports without the force flag)
 * they are NULL / 0. Returns 0 or -errno. */
int vport_net_destroy_ex(vport_ctx *ctx, const char *name, unsigned flags, vport_port ***ret_ports,
                         size_t *ret_n, vport_error *err);

/* ---- reconcile: what it repaired ---- */

typedef enum vport_repair_kind {
        VPORT_REPAIR_UNDO_PREPARE,  /* a prepare that died: devices restored, port back to allocated */
        VPORT_REPAIR_FINISH_DELETE, /* a delete that died: devices restored, port forgotten */
        VPORT_REPAIR_DROP_STALE,    /* ports of an earlier boot dropped */
        /* a net-destroy that died: its ports torn down, the bridge it would
         * delete deleted, the network inactive */
        VPORT_REPAIR_FINISH_NET_DESTROY,
        VPORT_REPAIR_UNDO_NET_START, /* a net-start that died: the bridge it made deleted */
        _VPORT_REPAIR_KIND_MAX,
} vport_repair_kind;

/* "undo-prepare", "finish-delete", "drop-stale", "finish-net-destroy",
 * "undo-net-start"; NULL out of range. */
const char *vport_repair_kind_to_string(vport_repair_kind k);

typedef struct vport_repair vport_repair;
vport_repair_kind vport_repair_get_kind(const vport_repair *r);
/* The port repaired; NULL for VPORT_REPAIR_DROP_STALE and the network
 * repairs. */
const vport_uuid *vport_repair_get_port(const vport_repair *r);
/* The network repaired (VPORT_REPAIR_FINISH_NET_DESTROY,
 * VPORT_REPAIR_UNDO_NET_START); NULL for the others. */
const char *vport_repair_get_network(const vport_repair *r);
/* Ports the repair covers: 1, or how many stale ports were dropped; 1 for
 * a network repair (its ports' own repairs are listed apart). */
unsigned vport_repair_get_count(const vport_repair *r);
/* What was done, as one sentence for a human. Never NULL. */
const char *vport_repair_get_action(const vport_repair *r);
void vport_repair_array_free(vport_repair **r, size_t n); /* NULL-safe */

/* vport_reconcile(), and what it did: *ret / *ret_n (both may be NULL; free
 * with vport_repair_array_free()) list every port whose half-done change it
 * finished, the stale ports it dropped, and every network whose half-done
 * start it undid or destroy it finished. Returns what vport_reconcile()
 * returns. */
int vport_reconcile_ex(vport_ctx *ctx, vport_repair ***ret, size_t *ret_n, vport_error *err);

/* ---- drift: where the host no longer matches the ports ---- */

typedef enum vport_drift_kind {
        VPORT_DRIFT_DEVICE_MISSING,  /* the port's tap / macvtap / VF, or the bridge, lower device or
                                      * PF it sits on, is gone */
        VPORT_DRIFT_DEVICE_DETACHED, /* the tap left its bridge */
        VPORT_DRIFT_FDB_MISSING,     /* an active macTableManager='libvirt' port's FDB entry is gone */
        VPORT_DRIFT_MAC_CHANGED,     /* a tap, macvtap or passthrough lower device lost the port's MAC */
        VPORT_DRIFT_VF_MAC_CHANGED,  /* the VF's admin MAC is not what the port set */
        VPORT_DRIFT_VF_VLAN_CHANGED, /* the VF's VLAN is not what the port set */
        VPORT_DRIFT_ORPHAN_DEVICE,   /* a device vport's own marks say it made (a group marker, or
                                      * still in a creation group) that no port or journal entry
                                      * holds (reported, never deleted) */
        VPORT_DRIFT_DAMAGED,         /* the port's stored definition cannot be read: it can only be
                                      * deleted */
        VPORT_DRIFT_CHECK_FAILED,    /* reading the port's devices failed: the detail says why */
        VPORT_DRIFT_NETWORK_DEVICE_MISSING, /* an active network's bridge is gone (the one net-start
                                             * made, or the existing one it plugs into); no port */
        VPORT_DRIFT_VSI_ENDED,              /* the switch ended the port's 802.1Qbg association and
                                             * associating again failed (known where lldpad's message
                                             * arrives: associations vportd made) */
        _VPORT_DRIFT_KIND_MAX,
} vport_drift_kind;

/* "device-missing", "device-detached", "fdb-missing", "mac-changed",
 * "vf-mac-changed", "vf-vlan-changed", "orphan-device", "damaged",
 * "check-failed", "network-device-missing", "vsi-ended"; NULL out of range. */
const char *vport_drift_kind_to_string(vport_drift_kind k);

typedef struct vport_drift_item vport_drift_item;
vport_drift_kind vport_drift_item_get_kind(const vport_drift_item *d);
/* The port, its owner's name and network; all NULL for an orphan device
 * (the owner also when the port has no owner name); only the network for
 * a network's own device (network-device-missing, a network's
 * check-failed). */
const vport_uuid *vport_drift_item_get_port(const vport_drift_item *d);
const char *vport_drift_item_get_owner(const vport_drift_item *d);
const char *vport_drift_item_get_network(const vport_drift_item *d);
/* The device concerned (interface name or PCI address; "" if none). */
const char *vport_drift_item_get_device(const vport_drift_item *d);
/* What differs, as one sentence naming the device and both values. */
const char *vport_drift_item_get_detail(const vport_drift_item *d);
void vport_drift_item_array_free(vport_drift_item **d, size_t n); /* NULL-safe */

/* Compare the host with what the live ports set up. Reads only: nothing is
 * changed (deleting the port or putting the value back is the owner's
 * decision). *ret / *ret_n: the differences found (free with
 * vport_drift_item_array_free()). Returns their number or -errno. */
int vport_drift(vport_ctx *ctx, vport_drift_item ***ret, size_t *ret_n, vport_error *err);

/* Finish every half-done change recorded in the journal (restore devices of
 * ports that were being deleted or whose process died; finish a net-destroy,
 * undo a net-start, whose process died), and drop ports of an earlier boot.
 * Returns the number of entries handled or -errno. */
int vport_reconcile(vport_ctx *ctx, vport_error *err);

/* ---- 802.1Qbg: the switch ending an association ----
 * Ports with <virtualport type='802.1Qbg'> are associated through lldpad,
 * which reports on the netlink socket the request came from when the
 * switch (or lldpad) later ends a VSI. A long-running process (vportd)
 * keeps the context, polls this descriptor for POLLIN and then calls
 * vport_vsi_events_process(). Associations made by other processes (the
 * CLI) report to theirs, which are gone. */

/* The descriptor lldpad's messages arrive on (opened on first use; the
 * context's later requests name it). Returns it (owned by ctx) or -errno. */
int vport_vsi_event_fd(vport_ctx *ctx, vport_error *err);

/* Called once per port whose VSI the switch ended: result 0 if it is
 * associated again (pre-associated if it was), else -errno and message. */
typedef void (*vport_vsi_event_fn)(const vport_uuid *port, int result, const char *message, void *userdata);

/* Read lldpad's pending messages without blocking; every port of ours
 * named in one is (pre-)associated again as it was. fn may be NULL.
 * Returns the number of ports handled, or -errno (reading the socket). */
int vport_vsi_events_process(vport_ctx *ctx, vport_vsi_event_fn fn, void *userdata, vport_error *err);

/* Associate a port's 802.1Qbg/Qbh VSI again as its journal has it
 * (pre-associated or associated): a retry after vport_vsi_events_process()
 * reported a failure (the switch still refusing). Returns 1 (requested and
 * answered with success), 0 (the port holds no association: nothing to
 * do), or -errno. */
int vport_port_reassociate(vport_ctx *ctx, const vport_uuid *port, vport_error *err);

#ifdef __cplusplus
}
#endif
