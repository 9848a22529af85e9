/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* io.vport.Network*: each checks its parameters (done by the table), calls
 * one library function and answers with the CLI's --json shapes. */
#include "degraded.h"
#include "method.h"

/* {name} plus one boolean: what the CLI prints for a net-* verb that changes state. */
static json_object *net_json(const char *name, const char *key, bool value) {
        return vport_name_result_json("name", name, key, value);
}

/* Answer {network: net_json()} and tell Monitor subscribers. */
static int net_done(vd_call *c, const char *event, const char *name, const char *key, bool value) {
        vd_emit(c->server, event, net_json(name, key, value));
        return vd_reply(c, "network", net_json(name, key, value));
}

static int net_define(vd_call *c) {
        _cleanup_free_ char *name = NULL;
        int r;

        vd_object(c, "xml", "");
        if ((r = vport_net_define(vd_ctx(c), vd_str(c, "xml"), &name, &c->err)) < 0)
                return vd_fail(c, r);
        return net_done(c, "network-defined", name, NULL, false);
}

typedef int (*net_fn)(vport_ctx *ctx, const char *name, vport_error *err);

static int net_simple(vd_call *c, net_fn fn, const char *event, const char *key, bool value) {
        const char *name = vd_str(c, "name");
        int r;

        vd_object(c, "network", name);
        if ((r = fn(vd_ctx(c), name, &c->err)) < 0)
                return vd_fail(c, r);
        return net_done(c, event, name, key, value);
}

static int net_undefine(vd_call *c) {
        return net_simple(c, vport_net_undefine, "network-undefined", "defined", false);
}

static int net_start(vd_call *c) {
        int r = net_simple(c, vport_net_start, "network-started", "active", true);

        if (r >= 0) /* its pool is followed from now on (events.c) */
                vd_network_started(vd_server_of(c), vd_str(c, "name"));
        return r;
}

/* {name, destroyed, ports: [port...]}: also when it failed half-way (the
 * ports already torn down are in the error's parameters). */
static int net_destroy(vd_call *c) {
        const char *name = vd_str(c, "name");
        vport_port **ports = NULL;
        json_object *o;
        size_t n = 0;
        int r;

        vd_object(c, "network", name);
        r = vport_net_destroy_ex(vd_ctx(c), name, vd_bool(c, "force") ? VPORT_NET_DESTROY_FORCE : 0, &ports,
                                 &n, &c->err);
        o = vport_net_destroy_result_json(name, r >= 0, ports, n);
        vport_port_array_free(ports, n);
        if (r < 0) {
                vd_fail(c, r);
                json_object_object_add(c->error_params, "result", o);
                return r;
        }
        vd_emit(c->server, "network-destroyed", json_object_get(o));
        return vd_reply(c, "network", o);
}

static int net_set_autostart(vd_call *c) {
        const char *name = vd_str(c, "name");
        bool on = vd_bool(c, "autostart");
        int r;

        vd_object(c, "network", name);
        if ((r = vport_net_set_autostart(vd_ctx(c), name, on, &c->err)) < 0)
                return vd_fail(c, r);
        return net_done(c, "network-autostart", name, "autostart", on);
}

static int net_list(vd_call *c) {
        vport_network **nets = NULL;
        json_object *list;
        size_t n = 0;
        int r;

        if ((r = vport_network_list(vd_ctx(c), &nets, &n, &c->err)) < 0)
                return vd_fail(c, r);
        list = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(list, vport_network_to_json(nets[i]));
        vport_network_array_free(nets, n);
        return vd_reply(c, "networks", list);
}

static int net_get(vd_call *c) {
        _cleanup_(vport_network_freep) vport_network *net = NULL;
        const char *name = vd_str(c, "name");
        int r;

        vd_object(c, "network", name);
        if ((r = vport_network_get(vd_ctx(c), name, &net, &c->err)) < 0)
                return vd_fail(c, r);
        return vd_reply(c, "network", vport_network_to_json(net));
}

static int net_get_xml(vd_call *c) {
        _cleanup_free_ char *xml = NULL;
        const char *name = vd_str(c, "name");
        int r;

        vd_object(c, "network", name);
        if ((r = vport_net_dumpxml(vd_ctx(c), name, &xml, &c->err)) < 0)
                return vd_fail(c, r);
        c->reply = vport_xml_result_json("name", name, xml); /* {name, xml}: the reply itself */
        return 0;
}

#define NAME \
        { "name", P_NETWORK, true }

const vd_method vd_methods_network[] = {
        { "io.vport.NetworkDefine", net_define, VD_ROOT, { { "xml", P_STRING, true } } },
        { "io.vport.NetworkUndefine", net_undefine, VD_ROOT, { NAME } },
        { "io.vport.NetworkStart", net_start, VD_ROOT, { NAME } },
        { "io.vport.NetworkDestroy", net_destroy, VD_ROOT, { NAME, { "force", P_BOOL, false } } },
        { "io.vport.NetworkSetAutostart",
          net_set_autostart,
          VD_ROOT,
          { NAME, { "autostart", P_BOOL, true } } },
        { "io.vport.NetworkList", net_list, 0, {} },
        { "io.vport.NetworkGet", net_get, 0, { NAME } },
        { "io.vport.NetworkGetXML", net_get_xml, 0, { NAME } },
};
const size_t vd_n_methods_network = ELEMENTSOF(vd_methods_network);
