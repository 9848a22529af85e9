/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vportd's methods: a table of (name, parameters, handler). The server
 * parses a call, finds the method, checks every parameter against the
 * method's table (type, required, and the value's own validator: UUID, MAC,
 * network / interface / owner name), then runs the handler. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/vport.h"

typedef struct vd_server vd_server;
typedef struct vd_client vd_client;

typedef enum vd_ptype {
        P_STRING, /* any string (XML documents, PCI-or-netdev device names) */
        P_BOOL,
        P_INT,        /* a JSON integer */
        P_UUID,       /* a UUID string */
        P_MAC,        /* a MAC string */
        P_NETWORK,    /* a network name (name_check) */
        P_IFNAME,     /* an interface name */
        P_OWNER,      /* an owner (VM) name */
        P_GROUP,      /* a portgroup name */
        P_DEVICE,     /* a pool device: PCI address or interface name */
        P_GENERATION, /* a port generation: an integer >= 1 */
} vd_ptype;

typedef struct vd_param {
        const char *name;
        vd_ptype type;
        bool required;
} vd_param;

#define VD_PARAMS_MAX 12

/* One call in progress: what the handler reads and what it answers. */
typedef struct vd_call {
        vd_server *server;
        vd_client *client; /* NULL when run without a connection (fuzzer) */
        json_object *params;
        uid_t uid; /* SO_PEERCRED of the caller */
        bool more;
        vport_error err;
        /* the answer: reply, or error (+ error_params) */
        json_object *reply;
        const char *error;
        json_object *error_params;
        const char *obj_kind, *obj_name; /* what a failure is about */
        bool keep;                       /* a Monitor call: the client stays subscribed */
} vd_call;

typedef struct vd_method {
        const char *name; /* full: interface.Method */
        int (*run)(vd_call *c);
        unsigned flags; /* VD_* */
        vd_param params[VD_PARAMS_MAX];
} vd_method;

enum {
        VD_ROOT = 1u << 0, /* changes host-wide state: the caller must be root */
};

/* The method called name, or NULL. */
const vd_method *vd_method_find(const char *name);

/* Check c->params against m's table: every member known, of its type and
 * valid, the required ones present. On failure sets the
 * org.varlink.service.InvalidParameter error naming the parameter and
 * returns -EINVAL. */
int vd_params_check(const vd_method *m, vd_call *c);

/* Typed reads of checked parameters; absent: the default / NULL / false. */
const char *vd_str(const vd_call *c, const char *name);
bool vd_bool(const vd_call *c, const char *name);
bool vd_has(const vd_call *c, const char *name);
int64_t vd_int(const vd_call *c, const char *name, int64_t def);
int vd_uuid(const vd_call *c, const char *name, vport_uuid *ret); /* 0, or -ENOENT if absent */
int vd_mac(const vd_call *c, const char *name, vport_mac *ret);

/* Answer with an error: the library's failure r (mapped to an io.vport
 * error name from its errno, message from c->err) or a named one. Return r
 * / -EINVAL so handlers can `return vd_fail(c, r);`. */
int vd_fail(vd_call *c, int r);
int vd_error(vd_call *c, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Record what the call is about, for the error's object. */
void vd_object(vd_call *c, const char *kind, const char *name);
/* The varlink error name for a library errno (io.vport.*). */
const char *vd_error_name(int r);

/* The handler's reply: {key: value} (takes value). Returns 0. */
int vd_reply(vd_call *c, const char *key, json_object *value);

/* Refuse a caller that is neither root nor the creator of port p. */
int vd_check_port_owner(vd_call *c, const vport_port *p);

/* The library context of the server. */
vport_ctx *vd_ctx(vd_call *c);

/* Events for Monitor subscribers: {seq, kind, object}. Takes object. */
void vd_emit(vd_server *s, const char *kind, json_object *object);

/* The methods, by group. */
extern const vd_method vd_methods_service[], vd_methods_network[], vd_methods_port[], vd_methods_misc[];
extern const size_t vd_n_methods_service, vd_n_methods_network, vd_n_methods_port, vd_n_methods_misc;

/* The io.vport interface description (io.vport.varlink, embedded). */
extern const char vd_interface_description[];
