/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ADD, DEL, CHECK, GC, STATUS on vport's library: one attachment is one
 * port whose owner is the container ID and whose interface is named
 * CNI_IFNAME in CNI_NETNS. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni.h"

/* The variables a verb needs, named when missing (code 4). */
static int env_require(const cni_env *env, bool netns, cni_error *e) {
        char missing[128] = "";

        if (!env->containerid)
                strcat(missing, " CNI_CONTAINERID");
        if (netns && !env->netns)
                strcat(missing, " CNI_NETNS");
        if (!env->ifname)
                strcat(missing, " CNI_IFNAME");
        if (missing[0])
                return cni_fail(e, CNI_ERR_ENV, "%s: missing environment variables:%s", env->command,
                                missing);
        return 0;
}

int cni_ctx_open(const cni_conf *c, bool read_only, vport_ctx **ret, cni_error *e) {
        vport_ctx_options opts = { .state_dir = c->state_dir, .read_only = read_only };
        vport_error err = { 0 };
        int r;

        r = vport_ctx_open(&opts, ret, &err);
        return r < 0 ? cni_fail_vport(e, r, &err, "opening vport's state") : 0;
}

static bool port_is_attachment(const vport_port *p, const char *containerid, const char *ifname) {
        const char *owner = vport_port_get_owner_name(p), *cif = vport_port_get_container_ifname(p);

        return cif && owner && streq_cmd(owner, containerid) && streq_cmd(cif, ifname);
}

int cni_find_port(vport_ctx *ctx, const cni_conf *c, const char *containerid, const char *ifname,
                  vport_port **ret, cni_error *e) {
        vport_error err = { 0 };
        vport_port **ports = NULL;
        size_t n = 0;
        int r;

        *ret = NULL;
        /* An ID vport cannot keep as an owner name (ADD refuses it) has no
         * attachment; DEL and GC of it are done. */
        if (strlen(containerid) > CNI_OWNER_NAME_MAX)
                return 0;
        /* The container's own ports only: listing the network's would read
         * every port (5 M instructions of each ADD and DEL at 150 ports). */
        r = vport_port_list_owner(ctx, c->network, containerid, &ports, &n, &err);
        if (r == -ENOENT)
                return 0; /* no such network: no such attachment */
        if (r < 0)
                return cni_fail_vport(e, r, &err, "listing ports");
        for (size_t i = 0; i < n && !*ret; i++)
                if (port_is_attachment(ports[i], containerid, ifname)) {
                        *ret = ports[i];
                        ports[i] = NULL;
                }
        vport_port_array_free(ports, n);
        return 0;
}

/* ---- ADD ---- */

/* runtimeConfig.mac, then podman's MAC= in CNI_ARGS, then the config's. */
static int add_mac(const cni_conf *c, const cni_env *env, vport_mac *mac, bool *ret_set, cni_error *e) {
        const char *s = c->runtime_mac ? c->runtime_mac : env->arg_mac ? env->arg_mac : c->mac;

        *ret_set = s != NULL;
        if (s && vport_mac_parse(s, mac) < 0)
                return cni_fail(e, CNI_ERR_ENV, "CNI_ARGS: MAC '%s' is not a MAC address", s);
        return 0;
}

static int add_network_ready(vport_ctx *ctx, const cni_conf *c, cni_error *e) {
        vport_network *net = NULL;
        vport_error err = { 0 };
        bool active;
        int r;

        r = vport_network_get(ctx, c->network, &net, &err);
        if (r == -ENOENT)
                return cni_fail(e, CNI_ERR_CONFIG,
                                "invalid network config: \"network\": vport has no network '%s'",
                                c->network);
        if (r < 0)
                return cni_fail_vport(e, r, &err, "reading the network");
        active = vport_network_get_active(net);
        vport_network_free(net);
        if (!active)
                return cni_fail(e, CNI_ERR_AGAIN, "vport network '%s' is not active", c->network);
        return 0;
}

/* A route without a gateway takes the first gateway of its family among
 * the IPs, as the reference plugins' ipam.ConfigureIface does. */
static const char *route_gw(json_object *ipam, json_object *route, const char *dst) {
        json_object *v, *ips;
        bool v6 = strchr(dst, ':') != NULL;

        if (json_object_object_get_ex(route, "gw", &v) && json_object_is_type(v, json_type_string))
                return json_object_get_string(v);
        if (!json_object_object_get_ex(ipam, "ips", &ips))
                return NULL;
        for (size_t i = 0; i < json_object_array_length(ips); i++)
                if (json_object_object_get_ex(json_object_array_get_idx(ips, i), "gateway", &v) &&
                    (strchr(json_object_get_string(v), ':') != NULL) == v6)
                        return json_object_get_string(v);
        return NULL;
}

static int add_ip(vport_ctx *ctx, const vport_port *p, json_object *ipam, cni_error *e) {
        const char **addrs = NULL;
        vport_route *routes = NULL;
        vport_error err = { 0 };
        json_object *a;
        size_t n_addrs = 0, n_routes = 0;
        int r;

        if (!ipam)
                return 0;
        cni_result_addresses(ipam, -1, &addrs, &n_addrs);
        if (json_object_object_get_ex(ipam, "routes", &a) && json_object_is_type(a, json_type_array)) {
                routes = calloc(json_object_array_length(a) + 1, sizeof(*routes));
                for (size_t i = 0; routes && i < json_object_array_length(a); i++) {
                        json_object *rt = json_object_array_get_idx(a, i), *d;
                        if (!json_object_object_get_ex(rt, "dst", &d))
                                continue;
                        routes[n_routes].dst = json_object_get_string(d);
                        routes[n_routes].gw = route_gw(ipam, rt, routes[n_routes].dst);
                        n_routes++;
                }
        }
        r = vport_port_set_ip(ctx, vport_port_get_uuid(p), addrs, n_addrs, routes, n_routes, &err);
        free(addrs);
        free(routes);
        return r < 0 ? cni_fail_vport(e, r, &err, "configuring the container's addresses") : 0;
}

static json_object *iface_json(const char *name, const vport_mac *mac, const char *sandbox) {
        json_object *o = json_object_new_object();
        char buf[VPORT_MAC_STRLEN];

        json_object_object_add(o, "name", json_object_new_string(name));
        json_object_object_add(o, "mac", json_object_new_string(vport_mac_format(mac, buf)));
        if (sandbox)
                json_object_object_add(o, "sandbox", json_object_new_string(sandbox));
        return o;
}

/* The port's interfaces appended to res; returns the container one's index. */
static int add_interfaces(json_object *res, const cni_conf *c, const cni_env *env, const vport_port *p) {
        json_object *ifaces = NULL, *o;
        const char *plug = vport_port_get_plug_type(p), *host = vport_port_get_ifname(p);
        vport_mac mac = *vport_port_get_mac(p);

        json_object_object_get_ex(res, "interfaces", &ifaces);
        if (streq_cmd(plug, "bridge") || streq_cmd(plug, "network")) {
                vport_mac hmac = mac;
                hmac.addr[0] = 0xFE; /* the host end's, as a VM's tap */
                json_object_array_add(ifaces, iface_json(host, &hmac, NULL));
        }
        o = iface_json(env->ifname, &mac, env->netns);
        /* A VF left on the host for vfio-pci: the runtime finds it by PCI address. */
        if (streq_cmd(plug, "hostdev-pci") && !host && cni_version_at_least(c->cni_version, "1.1.0"))
                json_object_object_add(o, "pciID", json_object_new_string(vport_port_get_device(p)));
        json_object_array_add(ifaces, o);
        return (int) json_object_array_length(ifaces) - 1;
}

static json_object *add_result(const cni_conf *c, const cni_env *env, const vport_port *p, json_object *ipam,
                               cni_error *e) {
        json_object *res, *ips;
        int iface;

        /* Chained: what the earlier plugins reported comes first. */
        if (c->prev_result) {
                res = NULL;
                json_object_deep_copy(c->prev_result, &res, NULL);
                json_object_object_add(res, "cniVersion", json_object_new_string(c->cni_version));
                if (!json_object_object_get_ex(res, "interfaces", &ips))
                        json_object_object_add(res, "interfaces", json_object_new_array());
        } else
                res = cni_result_new(c->cni_version);
        iface = add_interfaces(res, c, env, p);
        if (ipam && cni_result_add_ipam(res, c->cni_version, ipam, iface, e) < 0) {
                json_object_put(res);
                return NULL;
        }
        return res;
}

static void add_undo(vport_ctx *ctx, const cni_conf *c, const cni_env *env, const vport_port *p,
                     bool ipam_done) {
        cni_error ignored;

        if (p)
                (void) vport_port_delete(ctx, vport_port_get_uuid(p), NULL);
        if (ipam_done)
                (void) cni_ipam_exec(c, env, "DEL", NULL, NULL, NULL, &ignored);
}

static int add_port(vport_ctx *ctx, const cni_conf *c, const cni_env *env, vport_port **ret, cni_error *e) {
        vport_port_request req = {
                .network = c->network,
                .owner_name = env->containerid,
                .portgroup = c->portgroup,
                .vlan = c->vlan,
                .device = c->device_id,
                .flags = VPORT_PORT_PREPARE,
                .netns = env->netns,
                .container_ifname = env->ifname,
        };
        vport_error err = { 0 };
        vport_mac mac;
        bool mac_set;
        int r;

        if (add_mac(c, env, &mac, &mac_set, e) < 0)
                return -1;
        req.mac = mac_set ? &mac : NULL;
        r = vport_port_create(ctx, &req, ret, &err);
        if (r < 0)
                return cni_fail_vport(e, r, &err, "creating the port");
        r = vport_port_activate(ctx, vport_port_get_uuid(*ret), NULL, &err);
        if (r < 0)
                return cni_fail_vport(e, r, &err, "activating the port");
        return 0;
}

/* No such attachment yet (*ret_exists says whether one was found), the
 * network defined and active. */
static int add_check(vport_ctx *ctx, const cni_conf *c, const cni_env *env, bool *ret_exists, cni_error *e) {
        vport_port *p = NULL;
        int r;

        r = cni_find_port(ctx, c, env->containerid, env->ifname, &p, e);
        *ret_exists = r >= 0 && p;
        if (*ret_exists) {
                char uuid[VPORT_UUID_STRLEN];
                r = cni_fail(e, CNI_ERR_INTERNAL, "attachment %s/%s already exists (port %s): DEL it first",
                             env->containerid, env->ifname, vport_uuid_format(vport_port_get_uuid(p), uuid));
        }
        vport_port_free(p);
        return r < 0 ? r : add_network_ready(ctx, c, e);
}

/* The port and the address are independent until the address goes on the
 * interface: the IPAM plugin (another process; host-local takes ~10 ms)
 * runs while this one opens vport's state, checks and makes the port.
 * Whatever fails, the rest is undone, and the first failure in the old
 * order is reported: the checks', the IPAM plugin's, the port's. An
 * attachment that already exists keeps its address: host-local refuses a
 * second lease for the same container and interface, and one that an IPAM
 * plugin gave anyway goes with that attachment's DEL (leases are released
 * by container and interface), so the failed ADD releases nothing. */
int cni_add(const cni_conf *c, const cni_env *env, json_object **ret, cni_error *e) {
        vport_ctx *ctx = NULL;
        vport_port *p = NULL;
        json_object *ipam = NULL;
        cni_ipam_call call;
        cni_error ipam_err = { 0 }, port_err = { 0 };
        bool ipam_done = false, exists = false;
        int r, q = 0, ri = 0;

        if (env_require(env, true, e) < 0)
                return -1;
        if (access(env->netns, F_OK) < 0)
                return cni_fail(e, CNI_ERR_NO_CONTAINER, "CNI_NETNS %s: %s", env->netns, strerror(errno));
        if (c->ipam && cni_ipam_start(c, env, "ADD", NULL, NULL, &call, e) < 0)
                return -1;
        r = cni_ctx_open(c, false, &ctx, e);
        if (r >= 0)
                r = add_check(ctx, c, env, &exists, e);
        if (r >= 0)
                q = add_port(ctx, c, env, &p, &port_err);
        if (c->ipam)
                ipam_done = (ri = cni_ipam_finish(c, &call, &ipam, &ipam_err)) >= 0;
        if (r >= 0 && ri < 0) {
                *e = ipam_err;
                r = ri;
        }
        if (r >= 0 && q < 0) {
                *e = port_err;
                r = q;
        }
        if (r < 0)
                add_undo(ctx, c, env, p, ipam_done && !exists);
        if (r >= 0 && (r = add_ip(ctx, p, ipam, e)) < 0)
                add_undo(ctx, c, env, p, c->ipam);
        if (r >= 0 && !(*ret = add_result(c, env, p, ipam, e))) {
                add_undo(ctx, c, env, p, c->ipam);
                r = -1;
        }
        json_object_put(ipam);
        vport_port_free(p);
        vport_ctx_close(ctx);
        return r;
}

/* ---- DEL ---- */

static int del_port(vport_ctx *ctx, const cni_conf *c, const char *containerid, const char *ifname,
                    cni_error *e) {
        vport_error err = { 0 };
        vport_port *p = NULL;
        int r;

        r = cni_find_port(ctx, c, containerid, ifname, &p, e);
        if (r < 0 || !p)
                return r;
        r = vport_port_delete(ctx, vport_port_get_uuid(p), &err);
        vport_port_free(p);
        if (r == -ENOENT) /* another DEL was faster */
                r = 0;
        return r < 0 ? cni_fail_vport(e, r, &err, "deleting the port") : 0;
}

/* Idempotent: what is already gone (the port, the namespace with the
 * container's interface) is not an error. The IPAM plugin releases the
 * address while the port is deleted (the reference plugins release it
 * first; a veth's deletion waits for an RCU grace period meanwhile); the
 * port's error, if any, is the one reported. */
int cni_del(const cni_conf *c, const cni_env *env, cni_error *e) {
        vport_ctx *ctx = NULL;
        cni_ipam_call call;
        cni_error ipam_err = { 0 };
        int r, q = 0;

        if (env_require(env, false, e) < 0)
                return -1;
        if (c->ipam)
                q = cni_ipam_start(c, env, "DEL", NULL, NULL, &call, &ipam_err);
        r = cni_ctx_open(c, false, &ctx, e);
        if (r >= 0)
                r = del_port(ctx, c, env->containerid, env->ifname, e);
        vport_ctx_close(ctx);
        if (c->ipam && q >= 0)
                q = cni_ipam_finish(c, &call, NULL, &ipam_err);
        if (r >= 0 && q < 0) {
                *e = ipam_err;
                r = q;
        }
        return r;
}

/* ---- CHECK ---- */

/* The prevResult interface that is this attachment's: its index, and its MAC checked. */
static int check_prev_iface(const cni_conf *c, const cni_env *env, const vport_port *p, cni_error *e) {
        json_object *ifaces, *v;
        char mac[VPORT_MAC_STRLEN];

        if (!json_object_object_get_ex(c->prev_result, "interfaces", &ifaces) ||
            !json_object_is_type(ifaces, json_type_array))
                return cni_fail(e, CNI_ERR_CONFIG,
                                "invalid network config: \"prevResult.interfaces\" is missing");
        vport_mac_format(vport_port_get_mac(p), mac);
        for (size_t i = 0; i < json_object_array_length(ifaces); i++) {
                json_object *o = json_object_array_get_idx(ifaces, i);
                if (!json_object_object_get_ex(o, "name", &v) ||
                    !streq_cmd(json_object_get_string(v), env->ifname))
                        continue;
                if (json_object_object_get_ex(o, "sandbox", &v) &&
                    !streq_cmd(json_object_get_string(v), env->netns))
                        continue;
                if (json_object_object_get_ex(o, "mac", &v) &&
                    strcasecmp(json_object_get_string(v), mac) != 0)
                        return cni_fail(e, CNI_ERR_INTERNAL, "CHECK: %s has MAC %s, prevResult says %s",
                                        env->ifname, mac, json_object_get_string(v));
                return (int) i;
        }
        return cni_fail(e, CNI_ERR_CONFIG,
                        "invalid network config: \"prevResult.interfaces\" has no %s in %s", env->ifname,
                        env->netns);
}

static int check_port(vport_ctx *ctx, const cni_conf *c, const cni_env *env, const vport_port *p,
                      cni_error *e) {
        const char **addrs = NULL;
        vport_error err = { 0 };
        size_t n = 0;
        int iface, r;

        if (!streq_cmd(vport_port_get_netns(p), env->netns))
                return cni_fail(e, CNI_ERR_INTERNAL, "CHECK: attachment %s/%s is in namespace %s, not %s",
                                env->containerid, env->ifname, vport_port_get_netns(p), env->netns);
        iface = check_prev_iface(c, env, p, e);
        if (iface < 0)
                return -1;
        cni_result_addresses(c->prev_result, iface, &addrs, &n);
        r = vport_port_check(ctx, vport_port_get_uuid(p), addrs, n, &err);
        free(addrs);
        if (r < 0)
                return cni_fail(e, CNI_ERR_INTERNAL, "CHECK: %s", vport_error_message(&err, r));
        return 0;
}

int cni_check(const cni_conf *c, const cni_env *env, cni_error *e) {
        vport_ctx *ctx = NULL;
        vport_port *p = NULL;
        int r;

        if (env_require(env, true, e) < 0)
                return -1;
        if (!c->prev_result)
                return cni_fail(e, CNI_ERR_CONFIG,
                                "invalid network config: \"prevResult\" is missing (CHECK needs it)");
        if (cni_ctx_open(c, true, &ctx, e) < 0)
                return -1;
        r = cni_find_port(ctx, c, env->containerid, env->ifname, &p, e);
        if (r >= 0 && !p)
                r = cni_fail(e, CNI_ERR_INTERNAL, "CHECK: no attachment %s/%s on vport network '%s'",
                             env->containerid, env->ifname, c->network);
        if (r >= 0)
                r = check_port(ctx, c, env, p, e);
        vport_port_free(p);
        vport_ctx_close(ctx);
        if (r >= 0 && c->ipam)
                r = cni_ipam_exec(c, env, "CHECK", NULL, NULL, NULL, e);
        return r;
}

/* ---- GC ---- */

static bool gc_valid(const cni_conf *c, const vport_port *p) {
        for (size_t i = 0; i < json_object_array_length(c->valid_attachments); i++) {
                json_object *a = json_object_array_get_idx(c->valid_attachments, i), *id, *ifn;
                if (json_object_object_get_ex(a, "containerID", &id) &&
                    json_object_object_get_ex(a, "ifname", &ifn) &&
                    port_is_attachment(p, json_object_get_string(id), json_object_get_string(ifn)))
                        return true;
        }
        return false;
}

static int gc_one(vport_ctx *ctx, const cni_conf *c, const cni_env *env, const vport_port *p, cni_error *e) {
        const char *cid = vport_port_get_owner_name(p), *ifname = vport_port_get_container_ifname(p);
        vport_error err = { 0 };
        int r;

        r = vport_port_delete(ctx, vport_port_get_uuid(p), &err);
        if (r < 0 && r != -ENOENT)
                return cni_fail_vport(e, r, &err, "GC: deleting a port");
        /* The IPAM plugin releases by container ID and interface, as on DEL. */
        return c->ipam ? cni_ipam_exec(c, env, "DEL", cid, ifname, NULL, e) : 0;
}

/* Ports of this network that belong to containers (not VMs) and to no
 * valid attachment go; every one is tried, the first failure is reported. */
int cni_gc(const cni_conf *c, const cni_env *env, cni_error *e) {
        vport_ctx *ctx = NULL;
        vport_port **ports = NULL;
        vport_error err = { 0 };
        cni_error first = { 0 };
        size_t n = 0;
        int r;

        if (!c->valid_attachments)
                return cni_fail(
                        e, CNI_ERR_CONFIG,
                        "invalid network config: \"cni.dev/valid-attachments\" is missing (GC needs it)");
        if (cni_ctx_open(c, false, &ctx, e) < 0)
                return -1;
        r = vport_port_list(ctx, c->network, &ports, &n, &err);
        if (r == -ENOENT)
                r = 0;
        else if (r < 0)
                r = cni_fail_vport(e, r, &err, "GC: listing ports");
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (vport_port_get_container_ifname(ports[i]) && !gc_valid(c, ports[i]) &&
                    gc_one(ctx, c, env, ports[i], first.code ? e : &first) < 0 && !first.code)
                        first = *e;
        vport_port_array_free(ports, n);
        vport_ctx_close(ctx);
        if (r >= 0 && first.code) {
                *e = first;
                return -1;
        }
        return r;
}

/* ---- STATUS ---- */

int cni_status(const cni_conf *c, const cni_env *env, cni_error *e) {
        vport_ctx *ctx = NULL;
        vport_network *net = NULL;
        vport_error err = { 0 };
        int r;

        if (cni_ctx_open(c, true, &ctx, e) < 0) {
                e->code = CNI_ERR_UNAVAILABLE;
                return -1;
        }
        r = vport_network_get(ctx, c->network, &net, &err);
        if (r == -ENOENT)
                r = cni_fail(e, CNI_ERR_UNAVAILABLE, "vport has no network '%s'", c->network);
        else if (r < 0)
                r = cni_fail_vport(e, r, &err, "reading the network");
        else if (!vport_network_get_active(net))
                r = cni_fail(e, CNI_ERR_UNAVAILABLE, "vport network '%s' is not active", c->network);
        vport_network_free(net);
        vport_ctx_close(ctx);
        return r;
}
