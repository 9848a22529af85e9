/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* io.vport.Port*: by UUID or by owner (VM). A caller may change only the
 * ports it created unless it is root; reads are open to every caller the
 * socket lets in. */
#include "degraded.h"
#include "method.h"

/* The port's JSON is written once: the reply and the event share it. */
static int port_done(vd_call *c, const char *event, const vport_port *p) {
        json_object *o = vd_port_json(p);

        if (!o)
                return vd_fail(c, -ENOMEM);
        vd_emit(c->server, event, json_object_get(o));
        return vd_reply(c, "port", o);
}

/* Load the port named by "uuid" and check the caller may change it. */
static int port_for_change(vd_call *c, vport_uuid *uuid) {
        _cleanup_(vport_port_freep) vport_port *p = NULL;
        int r;

        vd_object(c, "port", vd_str(c, "uuid"));
        (void) vd_uuid(c, "uuid", uuid); /* checked by the parameter table */
        if ((r = vport_port_get(vd_ctx(c), uuid, &p, &c->err)) < 0)
                return vd_fail(c, r);
        return vd_check_port_owner(c, p);
}

/* Every port of the owner must be the caller's before any is changed. Only
 * the owner's ports are read (a non-root VM manager's activate read every
 * port on the host). */
static int owner_for_change(vd_call *c, const char *owner) {
        vport_port **ports = NULL;
        size_t n = 0;
        int r;

        vd_object(c, "owner", owner);
        if (c->uid == 0)
                return 0;
        if ((r = vport_port_list_owner(vd_ctx(c), NULL, owner, &ports, &n, &c->err)) < 0)
                return vd_fail(c, r);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = vd_check_port_owner(c, ports[i]);
        vport_port_array_free(ports, n);
        return r;
}

/* Exactly one of "uuid" and "owner"; a generation only with a uuid (an
 * owner's ports each have their own). Returns 1 for owner, 0 for uuid. */
static int uuid_or_owner(vd_call *c) {
        if (vd_has(c, "uuid") == vd_has(c, "owner"))
                return vd_error(c, "io.vport.InvalidArgument", "give exactly one of 'uuid' and 'owner'");
        if (vd_has(c, "owner") && vd_has(c, "generation"))
                return vd_error(c, "io.vport.InvalidArgument", "'generation' only with 'uuid'");
        return vd_has(c, "owner");
}

static int port_create(vd_call *c) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        vport_port_request req = { .network = vd_str(c, "network"),
                                   .xml = vd_str(c, "xml"),
                                   .owner_name = vd_str(c, "owner"),
                                   .portgroup = vd_str(c, "portgroup"),
                                   .device = vd_str(c, "device"),
                                   .vlan = (int) vd_int(c, "vlan", -1),
                                   .creator_uid = &c->uid };
        vport_uuid owner_uuid;
        vport_mac mac;
        int r;

        vd_object(c, "network", req.network);
        if (vd_has(c, "vlan") && (req.vlan < 0 || req.vlan > 4095))
                return vd_error(c, "io.vport.InvalidArgument", "vlan %d: not a tag in 0-4095", req.vlan);
        if (vd_bool(c, "incoming") && !vd_bool(c, "prepare"))
                return vd_error(c, "io.vport.InvalidArgument", "incoming only with prepare");
        if (vd_mac(c, "mac", &mac) >= 0)
                req.mac = &mac;
        if (vd_uuid(c, "owner_uuid", &owner_uuid) >= 0)
                req.owner_uuid = &owner_uuid;
        req.flags = (vd_bool(c, "prepare") ? VPORT_PORT_PREPARE : 0) |
                    (vd_bool(c, "incoming") ? VPORT_PORT_INCOMING : 0) |
                    (vd_bool(c, "reclaim") ? VPORT_PORT_RECLAIM : 0);
        if ((r = vport_port_create(vd_ctx(c), &req, &port, &c->err)) < 0)
                return vd_fail(c, r);
        return port_done(c, "port-created", port);
}

static int port_prepare(vd_call *c) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        vport_uuid uuid;
        int r;

        if ((r = port_for_change(c, &uuid)) < 0)
                return r;
        r = vport_port_prepare(vd_ctx(c), &uuid, vd_bool(c, "incoming") ? VPORT_PORT_INCOMING : 0, &port,
                               &c->err);
        return r < 0 ? vd_fail(c, r) : port_done(c, "port-prepared", port);
}

typedef int (*owner_fn)(vport_ctx *ctx, const char *owner, vport_error *err);

/* {owner, KEY: count}: the CLI's shape for --owner. */
static int owner_step(vd_call *c, owner_fn fn, const char *key, const char *event) {
        const char *owner = vd_str(c, "owner");
        json_object *o;
        int r;

        if ((r = owner_for_change(c, owner)) < 0)
                return r;
        if ((r = fn(vd_ctx(c), owner, &c->err)) < 0)
                return vd_fail(c, r);
        o = vport_count_result_json("owner", owner, key, r);
        vd_emit(c->server, event, json_object_get(o));
        return vd_reply(c, "owner", o);
}

static int port_activate(vd_call *c) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        vport_uuid uuid;
        int r = uuid_or_owner(c);

        if (r != 0)
                return r < 0 ? r : owner_step(c, vport_port_activate_owner, "activated", "owner-activated");
        if ((r = port_for_change(c, &uuid)) < 0)
                return r;
        r = vport_port_activate(vd_ctx(c), &uuid, &port, &c->err);
        return r < 0 ? vd_fail(c, r) : port_done(c, "port-activated", port);
}

static int port_deactivate(vd_call *c) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        vport_uuid uuid;
        int r = uuid_or_owner(c);

        if (r != 0)
                return r < 0 ? r
                             : owner_step(c, vport_port_deactivate_owner, "deactivated",
                                          "owner-deactivated");
        if ((r = port_for_change(c, &uuid)) < 0)
                return r;
        r = vport_port_deactivate_gen(vd_ctx(c), &uuid, (uint64_t) vd_int(c, "generation", 0), &port,
                                      &c->err);
        return r < 0 ? vd_fail(c, r) : port_done(c, "port-deactivated", port);
}

static int port_delete(vd_call *c) {
        char u[VPORT_UUID_STRLEN];
        vport_uuid uuid;
        json_object *o;
        int r = uuid_or_owner(c);

        if (r != 0)
                return r < 0 ? r : owner_step(c, vport_port_delete_owner, "deleted", "owner-deleted");
        if ((r = port_for_change(c, &uuid)) < 0)
                return r;
        if ((r = vport_port_delete_gen(vd_ctx(c), &uuid, (uint64_t) vd_int(c, "generation", 0), &c->err)) <
            0)
                return vd_fail(c, r);
        o = vport_count_result_json("uuid", vport_uuid_format(&uuid, u), "deleted", 1);
        vd_emit(c->server, "port-deleted", json_object_get(o));
        return vd_reply(c, "port", o);
}

/* The list is written as JSON text (core/json.c, the bytes `vport --json
 * port-list` prints) and put into the reply as it is: no json-c tree of
 * thousands of ports. */
static int port_list(vd_call *c) {
        const char *owner = vd_str(c, "owner");
        _cleanup_free_ char *text = NULL;
        vport_port **ports = NULL;
        size_t n = 0, kept = 0, len = 0;
        json_object *arr;
        int r;

        vd_object(c, "network", vd_str(c, "network"));
        if ((r = vport_port_list_brief(vd_ctx(c), vd_str(c, "network"), &ports, &n, &c->err)) < 0)
                return vd_fail(c, r);
        for (size_t i = 0; i < n; i++) /* the owner's ports, in order, to the front */
                if (!owner || streq_ptr(owner, vport_port_get_owner_name(ports[i]))) {
                        vport_port *p = ports[kept];
                        ports[kept++] = ports[i];
                        ports[i] = p;
                }
        r = vport_ports_json_text(ports, kept, vd_degraded_reason, &text, &len);
        vport_port_array_free(ports, n);
        if (r < 0 || !(arr = vport_json_verbatim(TAKE_PTR(text), len)))
                return vd_fail(c, -ENOMEM);
        return vd_reply(c, "ports", arr);
}

static int port_get(vd_call *c) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        vport_uuid uuid;
        int r;

        vd_object(c, "port", vd_str(c, "uuid"));
        (void) vd_uuid(c, "uuid", &uuid);
        if ((r = vport_port_get(vd_ctx(c), &uuid, &port, &c->err)) < 0)
                return vd_fail(c, r);
        return vd_reply(c, "port", vd_port_json(port));
}

static int port_get_xml(vd_call *c) {
        _cleanup_free_ char *xml = NULL;
        char u[VPORT_UUID_STRLEN];
        vport_uuid uuid;
        int r;

        vd_object(c, "port", vd_str(c, "uuid"));
        (void) vd_uuid(c, "uuid", &uuid);
        if ((r = vport_port_dumpxml(vd_ctx(c), &uuid, &xml, &c->err)) < 0)
                return vd_fail(c, r);
        c->reply = vport_xml_result_json("uuid", vport_uuid_format(&uuid, u), xml); /* the reply itself */
        return 0;
}

#define UUID \
        { "uuid", P_UUID, true }
#define OPT_UUID \
        { "uuid", P_UUID, false }
#define OWNER \
        { "owner", P_OWNER, false }

const vd_method vd_methods_port[] = {
        { "io.vport.PortCreate",
          port_create,
          0,
          { { "network", P_NETWORK, true },
            { "xml", P_STRING, false },
            { "mac", P_MAC, false },
            OWNER,
            { "owner_uuid", P_UUID, false },
            { "portgroup", P_GROUP, false },
            { "vlan", P_INT, false },
            { "device", P_DEVICE, false },
            { "reclaim", P_BOOL, false },
            { "prepare", P_BOOL, false },
            { "incoming", P_BOOL, false } } },
        { "io.vport.PortPrepare", port_prepare, 0, { UUID, { "incoming", P_BOOL, false } } },
        { "io.vport.PortActivate", port_activate, 0, { OPT_UUID, OWNER } },
        { "io.vport.PortDeactivate",
          port_deactivate,
          0,
          { OPT_UUID, OWNER, { "generation", P_GENERATION, false } } },
        { "io.vport.PortDelete",
          port_delete,
          0,
          { OPT_UUID, OWNER, { "generation", P_GENERATION, false } } },
        { "io.vport.PortList", port_list, 0, { { "network", P_NETWORK, false }, OWNER } },
        { "io.vport.PortGet", port_get, 0, { UUID } },
        { "io.vport.PortGetXML", port_get_xml, 0, { UUID } },
};
const size_t vd_n_methods_port = ELEMENTSOF(vd_methods_port);
