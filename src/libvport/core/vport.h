/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvport's public API: networks, ports and their lifecycle, SR-IOV VFs.
 *
 * A port goes through: create (a device is allocated from the network's
 * pool and recorded) -> prepare (host-side device made, original device
 * state journaled first; nothing that puts the guest MAC on the wire) ->
 * activate (right before the guest CPUs run: links up, FDB entries) ->
 * deactivate (CPUs stopped: the reverse of activate) -> delete (device
 * released and its original state restored from the journal). Repeating a
 * step that is already done is a no-op.
 *
 * Every function returns 0 or a negative errno, and fills err with one line
 * naming the network, port, device or value. Nothing here prints or exits. */
#pragma once

#include <json-c/json.h>

#include "conf/network.h"
#include "conf/port.h"
#include "kernel/kernel.h"
#include "store/store.h"

typedef struct vport_ctx vport_ctx;

typedef struct vport_ctx_options {
        const char *state_dir;       /* used as given; NULL: $VPORT_STATE_DIR, else the default */
        const vport_kernel_ops *ops; /* NULL: the real kernel */
} vport_ctx_options;

/* Open the store and the kernel context. Returns 0 or -errno. */
int vport_ctx_open(const vport_ctx_options *opts, vport_ctx **ret, vport_error *err);
void vport_ctx_close(vport_ctx *ctx); /* NULL-safe */
DEFINE_TRIVIAL_CLEANUP_FUNC(vport_ctx *, vport_ctx_close);

/* Things the last calls did that a human should hear about although they
 * succeeded: a substitute value used (an admin MAC the PF would not clear),
 * a device left alone because vport did not create it. The library never
 * prints; front ends show these. Returns the count and the messages in
 * *ret (owned by ctx, valid until vport_ctx_clear_notices()). */
size_t vport_ctx_notices(const vport_ctx *ctx, const char *const **ret);
void vport_ctx_clear_notices(vport_ctx *ctx);

/* ---- networks ---- */

/* Parse, validate and store a <network> definition (new, or a redefinition
 * of an inactive one with the same name and uuid). Returns 0 and the name in
 * *ret_name (caller frees; may be NULL), or -errno. */
int vport_net_define(vport_ctx *ctx, const char *xml, char **ret_name, vport_error *err);
/* -EBUSY if active or ports remain. */
int vport_net_undefine(vport_ctx *ctx, const char *name, vport_error *err);
/* Mark the network active after checking its devices exist. Returns 0,
 * -EALREADY if active, or -errno. */
int vport_net_start(vport_ctx *ctx, const char *name, vport_error *err);
/* Delete every port of the network (batched), then mark it inactive. */
int vport_net_destroy(vport_ctx *ctx, const char *name, vport_error *err);
int vport_net_set_autostart(vport_ctx *ctx, const char *name, bool autostart, vport_error *err);
/* All networks: a JSON array of {name, uuid, active, autostart, forward, ports}. */
int vport_net_list(vport_ctx *ctx, json_object **ret, vport_error *err);
/* The stored definition, formatted. */
int vport_net_dumpxml(vport_ctx *ctx, const char *name, char **ret_xml, vport_error *err);
/* {name, active, forward, plug, ports, devices: [{device, netdev, pci, connections}]} */
int vport_net_info(vport_ctx *ctx, const char *name, json_object **ret, vport_error *err);

/* ---- ports ---- */

typedef enum vport_port_state {
        PORT_STATE_ALLOCATED, /* device chosen and recorded, nothing touched */
        PORT_STATE_PREPARED,  /* host-side device made, down, MAC not on the wire */
        PORT_STATE_ACTIVE,    /* up; FDB entries in place */
        _PORT_STATE_MAX,
} vport_port_state;

const char *port_state_to_string(vport_port_state s);
int port_state_from_string(const char *s);

/* What prepare made on the host, kept in the store as JSON. */
typedef struct vport_port_runtime {
        char ifname[VPORT_IFNAMSIZ]; /* tap/macvtap vport created, or the VF's netdev */
        int ifindex;                 /* of ifname; 0 = none */
        char tapdev[32];             /* "/dev/tapN" for macvtap */
        char lower[VPORT_IFNAMSIZ];  /* direct: the physdev */
        int lower_ifindex;
        char vf_netdev[VPORT_IFNAMSIZ]; /* hostdev asked for by netdev name: checked again at prepare */
} vport_port_runtime;

typedef struct vport_port {
        vport_port_def *def; /* uuid, owner, group, mac, vlan, virtualport, bandwidth, plug;
                              * fixed once the port is created */
        char *def_xml;       /* def as stored, so saving a step does not format it again */
        char *network;
        char *device; /* pool device key held (ifname or PCI address); NULL if none */
        vport_port_state state;
        bool stale; /* from an earlier boot */
        uint64_t generation;
        vport_port_runtime rt;
} vport_port;

void vport_port_free(vport_port *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(vport_port *, vport_port_free);
void vport_port_array_free(vport_port **p, size_t n);

enum {
        VPORT_PORT_PREPARE = 1u << 0,  /* port-create: also prepare */
        VPORT_PORT_INCOMING = 1u << 1, /* prepare for an incoming migration */
};

typedef struct vport_port_request {
        const char *network;
        const char *xml;        /* optional <networkport> to start from */
        const vport_mac *mac;   /* NULL: from xml, else generated */
        const char *owner_name; /* NULL: from xml, else "unknown" */
        const vport_uuid *owner_uuid;
        const char *portgroup;
        int vlan;           /* -1: none */
        const char *device; /* a specific pool device: PCI address or netdev name; NULL: any */
        unsigned flags;     /* VPORT_PORT_* */
} vport_port_request;

/* Allocate a port on an active network, with libvirt's rules for which
 * requests succeed (networkAllocatePort; what libvirt checks only when a
 * guest starts, vport checks at prepare). Returns 0 and *ret, -ENOENT,
 * -EINVAL (bad request), -EHOSTDOWN (network inactive), -ENOSPC (pool
 * exhausted). With VPORT_PORT_PREPARE, a failed prepare releases the port
 * again. */
int vport_port_create(vport_ctx *ctx, const vport_port_request *req, vport_port **ret, vport_error *err);
int vport_port_prepare(vport_ctx *ctx, const vport_uuid *uuid, unsigned flags, vport_port **ret,
                       vport_error *err);
int vport_port_activate(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err);
int vport_port_deactivate(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err);
/* Activate / deactivate every live port of one owner (a VM) in one store
 * transaction: one commit for all its NICs, on the live-migration downtime
 * path. Returns the number of ports handled, or the first error (the other
 * ports are still handled). */
int vport_port_activate_owner(vport_ctx *ctx, const char *owner, vport_error *err);
int vport_port_deactivate_owner(vport_ctx *ctx, const char *owner, vport_error *err);
/* Deactivates first if needed, restores every journaled device state, then
 * forgets the port. Running it again after a crash finishes the job. */
int vport_port_delete(vport_ctx *ctx, const vport_uuid *uuid, vport_error *err);
/* Every port of one owner (VM), batched. Returns the number deleted or -errno. */
int vport_port_delete_owner(vport_ctx *ctx, const char *owner, vport_error *err);
int vport_port_get(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err);
/* network may be NULL (all). *ret is an array of pointers. */
int vport_port_list(vport_ctx *ctx, const char *network, vport_port ***ret, size_t *ret_n, vport_error *err);
int vport_port_dumpxml(vport_ctx *ctx, const vport_uuid *uuid, char **ret_xml, vport_error *err);
json_object *vport_port_to_json(const vport_port *p);

/* Finish every half-done change recorded in the journal (restore devices of
 * ports that were being deleted or whose process died), and drop ports of an
 * earlier boot. Returns the number of entries handled or -errno. */
int vport_reconcile(vport_ctx *ctx, vport_error *err);
