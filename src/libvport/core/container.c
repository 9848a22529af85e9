/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Container ports: the namespace and interface a CNI attachment names,
 * their addresses and routes, and the check that they are still as made. */
#include <net/if.h>
#include <stdio.h>

#include "core/container.h"
#include "core/sriov.h"

int container_netns_check(const char *path, vport_error *err) {
        size_t len = path ? strlen(path) : 0;

        if (len == 0 || path[0] != '/' || len >= VPORT_NETNS_PATH_MAX || strstr(path, "/../") ||
            (len >= 3 && streq(path + len - 3, "/..")))
                return vport_error_set(err, -EINVAL,
                                       "netns '%s': not an absolute path of at most %d characters",
                                       strempty(path), VPORT_NETNS_PATH_MAX - 1);
        if (strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._:-") != len)
                return vport_error_set(err, -EINVAL,
                                       "netns '%s': only letters, digits and /._:- are allowed", path);
        return 0;
}

/* A passthru macvlan is the lower device itself: the kernel gives it the
 * lower's MAC, and root in the container would set the host device's MAC by
 * setting its own (plug-direct.c, a container's macvlan). */
static int container_mode_check(const vport_port_request *req, const vport_network_def *net,
                                const vport_port *port, vport_error *err) {
        vport_direct_mode mode = DIRECT_BRIDGE;
        vport_plug_type t = network_def_plug_type(net, &mode);

        if (t == PLUG_DIRECT && mode == DIRECT_PASSTHROUGH)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': a container port cannot take a passthrough device "
                                       "(the macvlan would own the lower device's MAC)",
                                       net->name);
        if (t != PLUG_BRIDGE && t != PLUG_NETWORK && t != PLUG_DIRECT && t != PLUG_HOSTDEV_PCI)
                return vport_error_set(err, -EINVAL, "network '%s': no container ports on a %s network",
                                       net->name, forward_mode_to_string(net->forward_mode));
        if (port->def->virtualport)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <virtualport>: not supported for container ports",
                                       net->name);
        return 0;
}

int container_request(const vport_port_request *req, const vport_network_def *net, vport_port *port,
                      vport_error *err) {
        int r;

        if (!req->netns && !req->container_ifname)
                return 0;
        if (!req->netns || !req->container_ifname)
                return vport_error_set(err, -EINVAL,
                                       "container port: %s is missing (netns and "
                                       "container_ifname go together)",
                                       req->netns ? "container_ifname" : "netns");
        if ((r = container_netns_check(req->netns, err)) < 0)
                return r;
        if (ifname_check(req->container_ifname, err) < 0)
                return vport_error_prefix(err, -EINVAL, "container_ifname");
        if ((r = container_mode_check(req, net, port, err)) < 0)
                return r;
        snprintf(port->rt.netns, sizeof(port->rt.netns), "%s", req->netns);
        snprintf(port->rt.cifname, sizeof(port->rt.cifname), "%s", req->container_ifname);
        return 0;
}

int container_open(vport_ctx *ctx, const vport_port *port, vport_kernel **ret, vport_error *err) {
        return ctx->ops->netns_open(ctx->kernel, port->rt.netns, ret, err);
}

int container_open_present(vport_ctx *ctx, const vport_port *port, vport_kernel **ret, vport_error *err) {
        int r = container_open(ctx, port, ret, err);

        if (r == -ENOENT) {
                vport_error_clear(err);
                return 0;
        }
        return r < 0 ? r : 1;
}

/* The port's interface in the namespace k, found by its name and checked
 * to carry the port's MAC. -ENODEV if absent or another device. */
static int container_link(vport_ctx *ctx, vport_kernel *k, const vport_port *port, vport_link *ret,
                          vport_error *err) {
        char mac[VPORT_MAC_STRLEN];
        int r;

        r = ctx->ops->link_get(k, 0, port->rt.cifname, ret, err);
        if (r == -ENODEV)
                return vport_error_set(err, r, "interface %s is not in namespace %s", port->rt.cifname,
                                       port->rt.netns);
        if (r >= 0 && !mac_equal(&ret->mac, &port->def->mac))
                return vport_error_set(err, -ENODEV, "%s in namespace %s has MAC %s, not the port's",
                                       port->rt.cifname, port->rt.netns, mac_format(&ret->mac, mac));
        return r;
}

int container_set_up(vport_ctx *ctx, const vport_port *port, bool up, vport_error *err) {
        vport_kernel *k = NULL;
        vport_link link;
        int r;

        r = container_open(ctx, port, &k, err);
        if (r >= 0)
                r = container_link(ctx, k, port, &link, err);
        if (r >= 0)
                r = ctx->ops->link_set_up(k, link.ifindex, up, err);
        if (k)
                ctx->ops->netns_close(k);
        if (!up && (r == -ENOENT || r == -ENODEV)) {
                vport_error_clear(err);
                return 0;
        }
        return r;
}

/* ---- the public calls ---- */

static int container_port_load(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err) {
        char id[VPORT_UUID_STRLEN];
        int r;

        r = port_load(ctx, uuid, ret, err);
        if (r < 0)
                return r;
        if (!port_is_container(*ret)) {
                vport_port_free(TAKE_PTR(*ret));
                return vport_error_set(err, -EMEDIUMTYPE, "port %s is not a container port",
                                       uuid_format(uuid, id));
        }
        return 0;
}

/* "192.0.2.5/24" -> addr with prefix (no prefix: a host route's full length). */
static int cidr_parse(const char *s, const char *what, vport_ipaddr *ret, vport_error *err) {
        char buf[VPORT_IPADDR_STRLEN + 8], *slash, *end;
        unsigned long prefix;

        if (!s || strlen(s) >= sizeof(buf))
                return vport_error_set(err, -EINVAL, "%s '%s': not an address", what, strempty(s));
        snprintf(buf, sizeof(buf), "%s", s);
        slash = strchr(buf, '/');
        if (slash)
                *slash = '\0';
        if (ipaddr_parse(buf, AF_UNSPEC, ret) < 0)
                return vport_error_set(err, -EINVAL, "%s '%s': not an IP address", what, s);
        ret->prefix = ret->family == AF_INET ? 32 : 128;
        if (!slash)
                return 0;
        errno = 0;
        prefix = strtoul(slash + 1, &end, 10);
        if (errno || end == slash + 1 || *end || prefix > ret->prefix)
                return vport_error_set(err, -EINVAL, "%s '%s': bad prefix length", what, s);
        ret->prefix = (unsigned) prefix;
        return 0;
}

static int set_addrs(vport_ctx *ctx, vport_kernel *k, int ifindex, const char *const *addrs, size_t n,
                     vport_error *err) {
        for (size_t i = 0; i < n; i++) {
                vport_ipaddr a;
                int r = cidr_parse(addrs[i], "address", &a, err);

                if (r >= 0)
                        r = ctx->ops->addr_add(k, ifindex, &a, err);
                if (r == -EEXIST)
                        vport_error_clear(err);
                else if (r < 0)
                        return r;
        }
        return 0;
}

static int set_routes(vport_ctx *ctx, vport_kernel *k, int ifindex, const vport_route *routes, size_t n,
                      vport_error *err) {
        for (size_t i = 0; i < n; i++) {
                vport_ipaddr dst, gw;
                int r = cidr_parse(routes[i].dst, "route dst", &dst, err);

                if (r >= 0 && routes[i].gw)
                        r = cidr_parse(routes[i].gw, "route gw", &gw, err);
                if (r >= 0)
                        r = ctx->ops->route_add(k, ifindex, &dst, routes[i].gw ? &gw : NULL, err);
                if (r == -EEXIST)
                        vport_error_clear(err);
                else if (r < 0)
                        return r;
        }
        return 0;
}

int vport_port_set_ip(vport_ctx *ctx, const vport_uuid *uuid, const char *const *addrs, size_t n_addrs,
                      const vport_route *routes, size_t n_routes, vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        vport_kernel *k = NULL;
        vport_link link;
        int r;

        assert_return(ctx && uuid && (addrs || !n_addrs) && (routes || !n_routes), -EINVAL);
        r = container_port_load(ctx, uuid, &port, err);
        if (r >= 0)
                r = container_open(ctx, port, &k, err);
        if (r >= 0)
                r = container_link(ctx, k, port, &link, err);
        if (r >= 0)
                r = set_addrs(ctx, k, link.ifindex, addrs, n_addrs, err);
        if (r >= 0)
                r = set_routes(ctx, k, link.ifindex, routes, n_routes, err);
        if (k)
                ctx->ops->netns_close(k);
        return r;
}

static bool addr_in(const vport_ipaddr *a, const vport_ipaddr *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (list[i].family == a->family && list[i].prefix == a->prefix &&
                    memcmp(list[i].addr, a->addr, ipaddr_len(a)) == 0)
                        return true;
        return false;
}

static int check_addrs(vport_ctx *ctx, vport_kernel *k, const vport_port *port, int ifindex,
                       const char *const *addrs, size_t n, vport_error *err) {
        _cleanup_free_ vport_ipaddr *have = NULL;
        size_t n_have = 0;
        int r;

        r = ctx->ops->addr_list(k, ifindex, &have, &n_have, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                vport_ipaddr a;

                r = cidr_parse(addrs[i], "address", &a, err);
                if (r >= 0 && !addr_in(&a, have, n_have))
                        r = vport_error_set(err, -EADDRNOTAVAIL, "%s in namespace %s does not hold %s",
                                            port->rt.cifname, port->rt.netns, addrs[i]);
        }
        return r;
}

/* The host side: a veth's host end still on its bridge, a VF's admin MAC
 * and VLAN still what the port set. */
static int check_host(vport_ctx *ctx, const vport_port *port, vport_error *err) {
        vport_link l;
        int r;

        if (port->def->plug.type == PLUG_BRIDGE || port->def->plug.type == PLUG_NETWORK) {
                r = ctx->ops->link_get(ctx->kernel, port->rt.ifindex, NULL, &l, err);
                if (r >= 0 && l.master_ifindex != port->rt.lower_ifindex)
                        r = vport_error_set(err, -ENODEV, "host end %s is no longer on bridge %s",
                                            port->rt.ifname, port->rt.lower);
                return r;
        }
        if (port->def->plug.type == PLUG_HOSTDEV_PCI)
                return sriov_port_check_vf(ctx, port, err);
        return 0;
}

static int check_container(vport_ctx *ctx, const vport_port *port, const char *const *addrs, size_t n,
                           vport_error *err) {
        vport_kernel *k = NULL;
        vport_link link;
        int r;

        r = container_open(ctx, port, &k, err);
        if (r >= 0)
                r = container_link(ctx, k, port, &link, err);
        if (r >= 0 && !(link.flags & IFF_UP))
                r = vport_error_set(err, -ENETDOWN, "%s in namespace %s is down", port->rt.cifname,
                                    port->rt.netns);
        if (r >= 0)
                r = check_addrs(ctx, k, port, link.ifindex, addrs, n, err);
        if (k)
                ctx->ops->netns_close(k);
        return r;
}

int vport_port_check(vport_ctx *ctx, const vport_uuid *uuid, const char *const *addrs, size_t n_addrs,
                     vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        char id[VPORT_UUID_STRLEN];
        int r;

        assert_return(ctx && uuid && (addrs || !n_addrs), -EINVAL);
        r = container_port_load(ctx, uuid, &port, err);
        if (r < 0)
                return r;
        if (port->state != PORT_STATE_ACTIVE)
                return vport_error_set(err, -ENODEV, "port %s is %s, not active", uuid_format(uuid, id),
                                       port_state_to_string(port->state));
        /* A VF left on the host (vfio-pci) has no interface in the namespace. */
        if (!(port->def->plug.type == PLUG_HOSTDEV_PCI && !port->rt.ifname[0]) &&
            (r = check_container(ctx, port, addrs, n_addrs, err)) < 0)
                return r;
        return check_host(ctx, port, err);
}

const char *vport_port_get_netns(const vport_port *p) {
        return p->rt.netns[0] ? p->rt.netns : NULL;
}

const char *vport_port_get_container_ifname(const vport_port *p) {
        return p->rt.cifname[0] ? p->rt.cifname : NULL;
}
