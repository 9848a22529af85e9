/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Networks: definitions in the store, started and destroyed. */
#include <stdio.h>

#include "config.h"
#include "base/names.h"
#include "core/internal.h"
#include "core/network-bridge.h"
#include "core/pool.h"

static void net_define_note(void *userdata, const char *msg) {
        ctx_notice(userdata, "%s", msg);
}

int vport_net_define(vport_ctx *ctx, const char *xml, char **ret_name, vport_error *err) {
        _cleanup_(network_def_freep) vport_network_def *def = NULL;
        _cleanup_(store_network_freep) store_network *old = NULL;
        _cleanup_free_ char *formatted = NULL;
        int r;

        assert_return(ctx && xml, -EINVAL);
        r = network_def_parse_string(xml, strlen(xml), &def, err);
        if (r < 0)
                return r;
        if (!WITH_MACVTAP && network_def_plug_type(def, NULL) == PLUG_DIRECT)
                return vport_error_set(err, -EOPNOTSUPP,
                                       "network '%s': <forward> of a macvtap (direct) mode, but this vport "
                                       "was built without macvtap support (-Dmacvtap=disabled)",
                                       def->name);
        r = store_network_get(ctx->store, def->name, &old, NULL);
        if (r >= 0 && old->active)
                return vport_error_set(err, -EBUSY,
                                       "network '%s' is active; destroy it before redefining it", def->name);
        /* A redefinition without <uuid> keeps the network's uuid, as libvirt does. */
        if (r >= 0 && def->uuid_generated)
                def->uuid = old->uuid;
        r = net_bridge_define(ctx, def, err);
        if (r < 0)
                return r;
        r = network_def_format(def, &formatted);
        if (r < 0)
                return r;
        r = store_network_define(ctx->store, def->name, &def->uuid, formatted, err);
        if (r < 0)
                return r;
        network_def_notices(def, net_define_note, ctx);
        if (ret_name)
                *ret_name = TAKE_PTR(def->name);
        return 0;
}

int vport_net_undefine(vport_ctx *ctx, const char *name, vport_error *err) {
        int r;

        assert_return(ctx && name, -EINVAL);
        name_check_return(NAME_NETWORK, name, err);
        /* what an earlier boot or a crashed start left of its bridge goes
         * first: the record would otherwise pin the definition */
        r = net_bridge_forget_abandoned(ctx, name, err);
        if (r < 0)
                return r;
        net_destroy_forget_left(ctx, name);
        net_cache_forget(ctx, name);
        return store_network_undefine(ctx->store, name, err);
}

static int check_link(vport_ctx *ctx, const vport_network_def *net, const char *what, const char *dev,
                      vport_error *err) {
        vport_link link;
        int r;

        r = ctx->ops->link_get(ctx->kernel, 0, dev, &link, err);
        if (r == -ENODEV)
                return vport_error_set(err, r, "network '%s': %s '%s' does not exist", net->name, what, dev);
        if (r < 0)
                return vport_error_prefix(err, r, "network '%s': %s '%s'", net->name, what, dev);
        return 0;
}

/* Devices a network refers to must exist when it starts: a typo in <bridge
 * name> or <pf dev> is reported now, not at the first guest start. Direct
 * pool members are not required to exist yet (as in libvirt: an uplink may
 * come and go; allocation skips nothing, prepare reports a missing one). */
static int check_devices(vport_ctx *ctx, const vport_network_def *net, vport_error *err) {
        vport_plug_type t = network_def_plug_type(net, NULL);
        pool p = { 0 };
        int r;

        if (forward_mode_makes_bridge(net->forward_mode))
                return 0; /* made at start */
        if ((t == PLUG_BRIDGE || t == PLUG_NETWORK) && net->bridge_name)
                return check_link(ctx, net, "bridge", net->bridge_name, err);
        if (t != PLUG_DIRECT && t != PLUG_HOSTDEV_PCI)
                return 0;
        /* A macvtap or hostdev network that names no device starts, as in
         * libvirt; its ports are refused (pool_choose: no devices in its pool). */
        if (!net->forward_dev && net->n_interfaces == 0 && !net->pf && net->n_addresses == 0)
                return 0;
        r = pool_load_devices(ctx, net, t, &p, err);
        if (r >= 0 && p.n == 0)
                r = vport_error_set(err, -ENODEV, "network '%s': the device pool is empty", net->name);
        pool_clear(&p);
        return r;
}

int vport_net_start(vport_ctx *ctx, const char *name, vport_error *err) {
        _cleanup_(net_parsed_unrefp) net_parsed *net = NULL;
        const vport_network_def *def;
        bool active;
        int r;

        assert_return(ctx && name, -EINVAL);
        name_check_return(NAME_NETWORK, name, err);
        r = net_load(ctx, name, &net, &active, err);
        if (r < 0)
                return r;
        def = net->def;
        if (active)
                return vport_error_set(err, -EALREADY, "network '%s' is already active", name);
        net_destroy_forget_left(ctx, name);
        r = check_devices(ctx, def, err);
        if (r < 0)
                return r;
        if (forward_mode_makes_bridge(def->forward_mode))
                return net_bridge_start(ctx, def, net->xml, err);
        return store_network_activate(ctx->store, name, net->xml, err);
}

int vport_net_destroy_ex(vport_ctx *ctx, const char *name, unsigned flags, vport_port ***ret_ports,
                         size_t *ret_n, vport_error *err) {
        _cleanup_(net_parsed_unrefp) net_parsed *net = NULL;
        vport_port **ports = NULL;
        size_t n = 0;
        bool active;
        int r;

        assert_return(ctx && name, -EINVAL);
        assert_return((flags & ~(unsigned) VPORT_NET_DESTROY_FORCE) == 0, -EINVAL);
        name_check_return(NAME_NETWORK, name, err);
        if (ret_ports)
                *ret_ports = NULL;
        if (ret_n)
                *ret_n = 0;
        r = net_load(ctx, name, &net, &active, err);
        if (r < 0)
                return r;
        if (!active)
                return vport_error_set(err, -EHOSTDOWN, "network '%s' is not active", name);
        r = net_destroy_ports(ctx, name, flags, &ports, &n, err);
        if (ret_ports && ret_n) {
                *ret_ports = ports;
                *ret_n = n;
        } else
                vport_port_array_free(ports, n);
        if (r < 0)
                return r;
        return net_destroy_finish(ctx, net->def, err);
}

int vport_net_destroy(vport_ctx *ctx, const char *name, vport_error *err) {
        return vport_net_destroy_ex(ctx, name, 0, NULL, NULL, err);
}

int vport_net_set_autostart(vport_ctx *ctx, const char *name, bool autostart, vport_error *err) {
        assert_return(ctx && name, -EINVAL);
        name_check_return(NAME_NETWORK, name, err);
        return store_network_set_autostart(ctx->store, name, autostart, err);
}

int vport_net_dumpxml(vport_ctx *ctx, const char *name, char **ret_xml, vport_error *err) {
        _cleanup_(store_network_freep) store_network *n = NULL;
        int r;

        assert_return(ctx && name && ret_xml, -EINVAL);
        name_check_return(NAME_NETWORK, name, err);
        r = store_network_get(ctx->store, name, &n, err);
        if (r < 0)
                return r;
        *ret_xml = TAKE_PTR(n->xml);
        return 0;
}
