/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvport's API as the library's own code and the CLI see it: the public
 * contract (include/vport/vport.h, installed) plus what is not public: the
 * port struct behind the opaque vport_port and the JSON builders (core/json.c)
 * over the typed values. Only symbols declared in vport/vport.h are exported
 * from libvport.so. */
#pragma once

#include <json-c/json.h>

#include "conf/network.h"
#include "conf/networkport.h"
#include "kernel/kernel.h"
#include "store/store.h"
#include "vport/vport.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(vport_ctx *, vport_ctx_close);

/* ---- networks ---- */

DEFINE_TRIVIAL_CLEANUP_FUNC(vport_network *, vport_network_free);

/* A network as JSON: {name, uuid, active, autostart, forward, plug, ports,
 * bridge?, devices?: [{device, netdev, pci, connections}]}, for --json. */
json_object *vport_network_to_json(const vport_network *n);

/* ---- ports ---- */

/* The core's short names for the public states. */
#define PORT_STATE_ALLOCATED VPORT_PORT_STATE_ALLOCATED
#define PORT_STATE_PREPARED  VPORT_PORT_STATE_PREPARED
#define PORT_STATE_ACTIVE    VPORT_PORT_STATE_ACTIVE
#define _PORT_STATE_MAX      _VPORT_PORT_STATE_MAX

const char *port_state_to_string(vport_port_state s);
int port_state_from_string(const char *s);

#define VPORT_NETNS_PATH_MAX 128

/* What prepare made on the host, kept in the store as JSON. */
typedef struct vport_port_runtime {
        char ifname[VPORT_IFNAMSIZ]; /* tap/macvtap vport created, or the VF's netdev */
        int ifindex;                 /* of ifname; 0 = none */
        char tapdev[32];             /* "/dev/tapN" for macvtap */
        char lower[VPORT_IFNAMSIZ];  /* direct: the physdev */
        int lower_ifindex;
        char vf_netdev[VPORT_IFNAMSIZ]; /* hostdev asked for by netdev name: checked again at prepare */
        /* A container's port: its namespace and interface name there (set at
         * create, so release finds them after a crash); "" for a VM's. */
        char netns[VPORT_NETNS_PATH_MAX];
        char cifname[VPORT_IFNAMSIZ];
} vport_port_runtime;

struct vport_port {
        vport_port_def *def; /* uuid, owner, group, mac, vlan, virtualport, bandwidth, plug;
                              * fixed once the port is created */
        char *def_xml;       /* def as stored, so saving a step does not format it again */
        char *def_summary;   /* its summary, as this process stored it with def_xml; NULL: made at save */
        char *network;
        char *device; /* pool device key held (ifname or PCI address); NULL if none */
        vport_port_state state;
        bool stale;   /* from an earlier boot */
        char *damage; /* why the stored XML cannot be read; def is rebuilt from the row's columns
                       * (port_from_store) and the journal (port_damaged_refine); NULL if sound */
        bool packed;  /* one allocation with its def and strings (port_brief_from_store()): the
                       * def is read only; state and generation may move (port_save_state()) */
        uint64_t generation;
        int64_t creator_uid; /* uid of the creating process; -1: unknown (created before it was kept) */
        vport_port_runtime rt;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(vport_port *, vport_port_free);

/* The ports as a JSON array of vport_port_to_json() objects. */
json_object *vport_ports_to_json(vport_port **p, size_t n);
/* The same array as text (what json-c prints of it with
 * JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), written without
 * building a tree: what a listing prints or sends. degraded (may be NULL)
 * gives a port's "degraded" reason, vportd's (NULL: none). Returns 0 with
 * *ret (malloc'ed) and *ret_len (may be NULL), or -ENOMEM. */
int vport_ports_json_text(vport_port **p, size_t n, const char *(*degraded)(const vport_port *p), char **ret,
                          size_t *ret_len);
/* One port's object as text, what vport_port_to_json() prints, with
 * "degraded": REASON last if degraded is not NULL: what vportd puts into a
 * reply (vport_json_verbatim()) without a tree. Returns 0 with *ret
 * (malloc'ed) and *ret_len (may be NULL), or -ENOMEM. */
int vport_port_json_text(const vport_port *p, const char *degraded, char **ret, size_t *ret_len);
/* A json-c value that prints as the JSON text given (len bytes, taken:
 * freed with the value, or at once on failure), to put a written text
 * (vport_ports_json_text()) into a reply without a tree: it is only for
 * printing (to json-c it is an empty object). NULL for lack of memory. */
json_object *vport_json_verbatim(char *text, size_t len);

/* The results of the verbs that change state, for --json and the daemon:
 * {KEY: name, FLAG: value} (no FLAG if NULL), e.g. {"name": "n1", "active": true}; */
json_object *vport_name_result_json(const char *key, const char *name, const char *flag, bool value);
/* {KEY: name, COUNTER: n}, e.g. {"owner": "vm1", "deleted": 2}, {"uuid": U, "deleted": 1}; */
json_object *vport_count_result_json(const char *key, const char *name, const char *counter, int n);
/* {KEY: name, "xml": xml}; */
json_object *vport_xml_result_json(const char *key, const char *name, const char *xml);
/* {name, destroyed, ports: [port]}. */
json_object *vport_net_destroy_result_json(const char *name, bool destroyed, vport_port **ports, size_t n);
/* What `vport reconcile --json` prints and vportd's Reconcile replies:
 * {handled, repaired: [repair...], drift: [drift item...]}; a repair is
 * {kind, port, action} or {kind, stale_ports: N, action}, a drift item
 * {kind, port, owner, network, device, detail} (port, owner and network
 * only for a port's). */
json_object *vport_reconcile_report_to_json(int handled, vport_repair **r, size_t n_r, vport_drift_item **d,
                                            size_t n_d);

/* The port as JSON, for --json and the daemon (one shape everywhere). */
json_object *vport_port_to_json(const vport_port *p);

/* QEMU's command line for ports (the domxml-to-native analogue, seed 003):
 * for each port in the order given, a tap or macvtap gives
 * "-netdev tap,id=hostnetI,fd=N[,vhost=on]" and "-device
 * virtio-net-pci,netdev=hostnetI,id=netI,mac=M[,failover=on]", a hostdev
 * port "-device vfio-pci,host=BDF,id=hostdevI[,failover_pair_id=netJ]"
 * (failover from the ports' <teaming>). The fds are numbered from 3 in
 * order: with VPORT_QEMU_OPEN_FDS they are opened (through the kernel ops)
 * into fds[], for the caller to move to those numbers before it execs. */
enum {
        VPORT_QEMU_OPEN_FDS = 1u << 0,
        VPORT_QEMU_VHOST = 1u << 1,
};
typedef struct vport_qemu_cmd {
        char **args; /* malloc'ed strings */
        size_t n_args;
        int *fds; /* n_fds open descriptors (OPEN_FDS), else all -1 */
        size_t n_fds;
} vport_qemu_cmd;
#define VPORT_QEMU_FIRST_FD 3
int vport_port_qemu_args(vport_ctx *ctx, const vport_uuid *uuids, size_t n, unsigned flags,
                         vport_qemu_cmd *ret, vport_error *err);
/* Frees the strings and closes the fds still open. */
void vport_qemu_cmd_done(vport_qemu_cmd *c);
