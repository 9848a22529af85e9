/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port allocation (libvirt's networkAllocatePort) and queries. */
#include <stdio.h>
#include <unistd.h>

#include "base/names.h"
#include "core/container.h"
#include "core/internal.h"
#include "core/pool.h"

/* Every string of a request is checked before it is used or stored: a
 * control byte or invalid UTF-8 would make the stored <networkport>
 * unreadable (and a listing print a fake row). */
static int request_check_names(const vport_port_request *req, vport_error *err) {
        const struct {
                vport_name_kind kind;
                const char *value;
        } names[] = {
                { NAME_NETWORK, req->network },
                { NAME_OWNER, req->owner_name },
                { NAME_PORTGROUP, req->portgroup },
                { NAME_DEVICE, req->device },
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (names[i].value && (r = name_check(names[i].kind, names[i].value, err)) < 0)
                        return r;
        return 0;
}

static int port_def_from_request(const vport_port_request *req, vport_port_def **ret, vport_error *err) {
        _cleanup_(port_def_freep) vport_port_def *def = NULL;
        int r;

        if (req->xml) {
                r = port_def_parse_string(req->xml, strlen(req->xml), &def, err);
                if (r < 0)
                        return r;
                /* as libvirt's net-port-create: a port document names its port */
                if (def->uuid_generated)
                        return vport_error_set(
                                err, -EINVAL,
                                "networkport: missing <uuid> (without --xml, vport makes one)");
        } else if (!(def = port_def_new()))
                return -ENOMEM;
        if (req->mac) {
                r = mac_check_guest(req->mac, err);
                if (r < 0)
                        return r;
                def->mac = *req->mac;
        }
        /* A name given here replaces the XML's owner, UUID included; what
         * is missing, owner_resolve() fills in at allocation. */
        if (req->owner_name && !(free(def->owner_name), def->owner_name = strdup(req->owner_name)))
                return -ENOMEM;
        if (req->owner_name)
                def->owner_uuid = (vport_uuid){ { 0 } };
        if (req->owner_uuid)
                def->owner_uuid = *req->owner_uuid;
        if (req->portgroup && !(free(def->group), def->group = strdup(req->portgroup)))
                return -ENOMEM;
        if (req->vlan >= 0) {
                if (req->vlan > VPORT_VLAN_TAG_MAX)
                        return vport_error_set(err, -EINVAL, "--vlan %d: out of range 0-%d", req->vlan,
                                               VPORT_VLAN_TAG_MAX);
                vlan_clear(&def->vlan);
                r = vlan_add_tag(&def->vlan, (uint16_t) req->vlan);
                if (r < 0)
                        return r;
        }
        if (uuid_is_null(&def->uuid) && (r = uuid_generate(&def->uuid)) < 0)
                return r;
        *ret = TAKE_PTR(def);
        return 0;
}

/* A generated MAC is unique among live ports (checked under the store's
 * write lock). A given one is taken as it is: libvirt lets two ports share a
 * MAC (a failover pair of a paravirtual NIC and a VF does). */
static int port_pick_mac(vport_ctx *ctx, vport_port_def *def, vport_error *err) {
        int r;

        if (!mac_is_zero(&def->mac))
                return 0;
        for (int tries = 0; tries < 64; tries++) {
                mac_generate(&def->mac);
                r = store_mac_in_use(ctx->store, &def->mac, NULL, NULL, err);
                if (r <= 0)
                        return r;
        }
        return vport_error_set(err, -EADDRINUSE, "could not generate an unused MAC address");
}

/* Fill def->plug from the network and the chosen pool device. */
static int port_plug_fill(vport_port_def *def, const vport_network_def *net, const pool_device *dev) {
        vport_plug *plug = &def->plug;
        vport_direct_mode mode = DIRECT_VEPA;

        plug_def_clear(plug);
        plug->type = network_def_plug_type(net, &mode);
        switch (plug->type) {
        case PLUG_NETWORK:
        case PLUG_BRIDGE:
                plug->mac_table_manager = net->mac_table_manager;
                plug->bridge = strdup(net->bridge_name);
                return plug->bridge ? 0 : -ENOMEM;
        case PLUG_DIRECT:
                plug->mode = mode;
                plug->dev = strdup(dev->netdev);
                return plug->dev ? 0 : -ENOMEM;
        case PLUG_HOSTDEV_PCI:
                plug->managed = net->managed;
                plug->managed_set = true; /* libvirt's port says managed='no' too */
                plug->driver = net->driver;
                memcpy(plug->driver_model, net->driver_model, sizeof(plug->driver_model));
                plug->addr = dev->pci;
                return 0;
        default:
                return -EINVAL;
        }
}

/* A reclaimed <plug> must be what this network hands out: the same plug
 * type, macvtap mode and bridge (libvirt trusts the caller here; vport would
 * plug the port as its <plug> says, so a contradiction is refused). The pool
 * device it names is checked by pool_find like --device. */
static int port_reclaim_check(const vport_plug *plug, const vport_network_def *net, vport_error *err) {
        vport_direct_mode mode = DIRECT_VEPA;
        vport_plug_type t = network_def_plug_type(net, &mode);

        if (plug->type != t)
                return vport_error_set(
                        err, -EINVAL, "<plug type='%s'>: network '%s' plugs its ports as type '%s'",
                        plug_def_type_to_string(plug->type), net->name, plug_def_type_to_string(t));
        if (t == PLUG_DIRECT && plug->mode != mode)
                return vport_error_set(err, -EINVAL, "<plug mode='%s'>: network '%s' uses mode '%s'",
                                       direct_mode_to_string(plug->mode), net->name,
                                       direct_mode_to_string(mode));
        if ((t == PLUG_NETWORK || t == PLUG_BRIDGE) && !streq_ptr(plug->bridge, net->bridge_name))
                return vport_error_set(err, -EINVAL, "<plug bridge='%s'>: network '%s' uses bridge '%s'",
                                       plug->bridge, net->name, strempty(net->bridge_name));
        return 0;
}

/* The pool key a reclaimed <plug> names (buf holds a PCI address). */
static const char *port_reclaim_device(const vport_plug *plug, char buf[static VPORT_PCI_STRLEN]) {
        if (plug->type == PLUG_DIRECT)
                return plug->dev;
        if (plug->type == PLUG_HOSTDEV_PCI)
                return pci_addr_format(&plug->addr, buf);
        return NULL;
}

/* Choose a device and record the port, inside vport_port_create()'s write
 * transaction, so that concurrent vport processes never hand out the same
 * device twice, nor a port on a network a net-destroy has begun on (the
 * network was read and checked under the same lock: net_load_open()). A
 * reclaimed port keeps its <plug>. */
static int port_allocate(vport_ctx *ctx, const vport_network_def *net, const char *device, bool reclaim,
                         vport_port *port, vport_error *err) {
        vport_plug_type t = network_def_plug_type(net, NULL);
        bool needs_pool = t == PLUG_DIRECT || t == PLUG_HOSTDEV_PCI;
        bool exclusive = pool_is_exclusive(net, port->def->virtualport);
        pool p = { 0 };
        store_port row;
        int r, i = -1;

        r = owner_resolve(ctx, port->def, err);
        if (r >= 0)
                r = port_pick_mac(ctx, port->def, err);
        if (r >= 0 && needs_pool)
                r = pool_load_devices(ctx, net, t, &p, err);
        if (r >= 0 && needs_pool && pool_counts_matter(&p, exclusive))
                r = pool_count(ctx, net, &p, err);
        if (r >= 0 && needs_pool)
                r = i = device ? pool_find(ctx, &p, net->name, device, exclusive, err)
                               : pool_choose(&p, net->name, exclusive, err);
        if (r >= 0 && device && !needs_pool)
                r = vport_error_set(err, -EINVAL,
                                    "network '%s' has no device pool: a device cannot be chosen", net->name);
        /* Asked for a VF by netdev name: prepare checks the name still leads there. */
        if (r >= 0 && device && t == PLUG_HOSTDEV_PCI && !streq(device, p.devices[i].key))
                snprintf(port->rt.vf_netdev, sizeof(port->rt.vf_netdev), "%s", device);
        if (r >= 0 && !reclaim)
                r = port_plug_fill(port->def, net, i >= 0 ? &p.devices[i] : NULL);
        if (r >= 0)
                r = teaming_check(ctx, port->def, err);
        if (r >= 0 && i >= 0 && !(port->device = strdup(p.devices[i].key)))
                r = -ENOMEM;
        pool_clear(&p);
        if (r >= 0)
                r = port_to_store(port, &row);
        if (r >= 0) {
                r = store_port_insert(ctx->store, &row, err);
                port->generation = row.generation;
                if (r >= 0)
                        port_def_stored(port, &row);
                store_port_clear(&row);
        }
        return r;
}

/* A port created to be prepared is inserted in a deferred transaction:
 * the prepare's first write, the journal entry of the first device it
 * changes, commits the insert with it, before the kernel is changed (one
 * commit fewer: its stamp, its locks, a page of the log). What still
 * waits when the prepare returns is committed if it succeeded, and
 * dropped if it failed: nothing reached the kernel then (every change is
 * journaled first, which would have committed it), so the port never
 * existed and its failure changed nothing. A prepare that failed after
 * that commit has undone its changes and leaves the port, deleted here as
 * before. No path leaves the transaction open: vportd's connection serves
 * the next request. */
static int port_create_prepare(vport_ctx *ctx, vport_port *port, const vport_network_def *net,
                               unsigned flags, vport_error *err) {
        int r;

        r = port_prepare_loaded(ctx, port, net, flags | STEP_FRESH, err);
        if (r >= 0)
                return store_commit_pending(ctx->store, err);
        if (store_deferred(ctx->store))
                (void) store_rollback(ctx->store);
        else
                (void) vport_port_delete(ctx, &port->def->uuid, NULL);
        return r;
}

/* libvirt's networkPortCreateXML: a <plug> only with reclaim, reclaim only
 * with a <plug>. *ret_device is the device to take (req->device otherwise). */
static int port_reclaim_request(const vport_port_request *req, const vport_port_def *def,
                                const vport_network_def *net, const char **ret_device,
                                char pci_buf[static VPORT_PCI_STRLEN], vport_error *err) {
        bool reclaim = req->flags & VPORT_PORT_RECLAIM;
        int r;

        *ret_device = req->device;
        if (!reclaim && def->plug.type != PLUG_NONE)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <plug>: a port that already names its device is only "
                                       "taken with --reclaim",
                                       net->name);
        if (!reclaim)
                return 0;
        if (def->plug.type == PLUG_NONE)
                return vport_error_set(err, -EINVAL, "network '%s': --reclaim: the port has no <plug>",
                                       net->name);
        if (req->device)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': --reclaim and --device: the <plug> names the device",
                                       net->name);
        if ((r = port_reclaim_check(&def->plug, net, err)) < 0)
                return vport_error_prefix(err, r, "network '%s'", net->name);
        *ret_device = port_reclaim_device(&def->plug, pci_buf);
        return 0;
}

/* What a create decides, in one write transaction (the caller's): the
 * network's row read once (under the lock, for its destroy mark: a
 * net-destroy may have begun since the request was made), the port
 * resolved against exactly that definition, a device chosen, the row
 * inserted. The lock thus also covers the resolution, the network's parse
 * when the context has not kept it (a CLI process: ~46 k instructions)
 * and a --xml request's parse. */
static int port_create_txn(vport_ctx *ctx, const vport_port_request *req, net_parsed **ret_net,
                           vport_port **ret, vport_error *err) {
        _cleanup_(net_parsed_unrefp) net_parsed *parsed = NULL;
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        const vport_network_def *net;
        char pci_buf[VPORT_PCI_STRLEN];
        const char *device;
        int r;

        r = net_load_open(ctx, req->network, &parsed, err);
        if (r < 0)
                return r;
        net = parsed->def;
        if (!(port = calloc(1, sizeof(*port))) || !(port->network = strdup(net->name)))
                return -ENOMEM;
        port->creator_uid = req->creator_uid ? *req->creator_uid : getuid();
        r = port_def_from_request(req, &port->def, err);
        if (r < 0)
                return r;
        r = port_def_resolve(port->def, net, err);
        if (r < 0)
                return vport_error_prefix(err, r, "network '%s'", net->name);
        r = container_request(req, net, port, err);
        if (r < 0)
                return r;
        r = port_reclaim_request(req, port->def, net, &device, pci_buf, err);
        if (r < 0)
                return r;
        r = port_allocate(ctx, net, device, req->flags & VPORT_PORT_RECLAIM, port, err);
        if (r < 0)
                return r;
        *ret_net = TAKE_PTR(parsed);
        *ret = TAKE_PTR(port);
        return 0;
}

int vport_port_create(vport_ctx *ctx, const vport_port_request *req, vport_port **ret, vport_error *err) {
        _cleanup_(net_parsed_unrefp) net_parsed *net = NULL;
        _cleanup_(vport_port_freep) vport_port *port = NULL;
        bool prepare;
        int r;

        assert_return(ctx && req && req->network, -EINVAL);
        prepare = req->flags & VPORT_PORT_PREPARE;
        r = request_check_names(req, err);
        if (r >= 0)
                r = store_begin(ctx->store, err);
        if (r < 0)
                return r;
        r = port_create_txn(ctx, req, &net, &port, err);
        if (r < 0) {
                (void) store_rollback(ctx->store);
                return r;
        }
        r = prepare ? store_commit_deferred(ctx->store, err) : store_commit(ctx->store, err);
        if (r < 0)
                return r;
        if (bandwidth_is_set(&port->def->bandwidth)) {
                char uuid[VPORT_UUID_STRLEN];

                ctx_notice(ctx,
                           "port %s: <bandwidth>: kept, but vport gives it no effect (it sets no tc limits)",
                           uuid_format(&port->def->uuid, uuid));
        }
        /* The port and its network are in hand: prepare them without
         * reloading. The insert waits for the prepare's first write
         * (store_commit_deferred(): port_create_prepare()). */
        if (prepare) {
                r = port_create_prepare(ctx, port, net->def, req->flags, err);
                if (r < 0)
                        return r;
        }
        if (ret)
                *ret = TAKE_PTR(port);
        return 0;
}

int vport_port_get(vport_ctx *ctx, const vport_uuid *uuid, vport_port **ret, vport_error *err) {
        assert_return(ctx && uuid && ret, -EINVAL);
        return port_load(ctx, uuid, ret, err);
}

/* An undefined network is an error, not an empty list (as in virsh). */
static int port_list_check_network(vport_ctx *ctx, const char *network, vport_error *err) {
        _cleanup_(store_network_freep) store_network *net = NULL;

        if (!network)
                return 0;
        name_check_return(NAME_NETWORK, network, err);
        return store_network_get(ctx->store, network, &net, err);
}

/* Every port of network and/or owner (NULL: any), each parsed in full. */
static int port_list_parsed(vport_ctx *ctx, const char *network, const char *owner, vport_port ***ret,
                            size_t *ret_n, vport_error *err) {
        store_port *rows = NULL;
        vport_port **ports;
        size_t n = 0;
        int r;

        r = port_list_check_network(ctx, network, err);
        if (r >= 0)
                r = store_port_list(ctx->store, network, owner, &rows, &n, err);
        if (r < 0)
                return r;
        ports = calloc(n ? n : 1, sizeof(*ports));
        for (size_t i = 0; ports && r >= 0 && i < n; i++)
                r = port_from_store(&rows[i], &ports[i], err);
        store_port_array_free(rows, n);
        if (!ports || r < 0) {
                vport_port_array_free(ports, n);
                return ports ? r : -ENOMEM;
        }
        *ret = ports;
        *ret_n = n;
        return 0;
}

int vport_port_list(vport_ctx *ctx, const char *network, vport_port ***ret, size_t *ret_n,
                    vport_error *err) {
        assert_return(ctx && ret && ret_n, -EINVAL);
        return port_list_parsed(ctx, network, NULL, ret, ret_n, err);
}

int vport_port_list_owner(vport_ctx *ctx, const char *network, const char *owner, vport_port ***ret,
                          size_t *ret_n, vport_error *err) {
        assert_return(ctx && owner && ret && ret_n, -EINVAL);
        name_check_return(NAME_OWNER, owner, err);
        return port_list_parsed(ctx, network, owner, ret, ret_n, err);
}

typedef struct brief_list {
        vport_port **ports;
        size_t n, alloc;
        json_tokener *tok; /* for the rows' runtime JSON */
} brief_list;

static int brief_list_add(const store_port *row, void *userdata, vport_error *err) {
        brief_list *l = userdata;
        int r;

        if (l->n == l->alloc) {
                size_t want = l->alloc ? l->alloc * 2 : 64;
                vport_port **p = reallocarray(l->ports, want, sizeof(*p));
                if (!p)
                        return vport_error_set(err, -ENOMEM, "listing ports: out of memory");
                l->ports = p, l->alloc = want;
        }
        r = port_brief_from_store(row, l->tok, &l->ports[l->n], err);
        if (r < 0)
                return vport_error_set(err, r, "listing ports: out of memory");
        l->n++;
        return 0;
}

/* Each row is read in place (store_port_foreach(): no copy) and becomes
 * one allocation (port_brief_from_store()). */
int vport_port_list_brief(vport_ctx *ctx, const char *network, vport_port ***ret, size_t *ret_n,
                          vport_error *err) {
        brief_list l = { 0 };
        int r;

        assert_return(ctx && ret && ret_n, -EINVAL);
        r = port_list_check_network(ctx, network, err);
        if (r < 0)
                return r;
        if (!(l.tok = json_tokener_new()))
                return -ENOMEM;
        r = store_port_foreach(ctx->store, network, NULL, brief_list_add, &l, err);
        json_tokener_free(l.tok);
        if (r < 0) {
                vport_port_array_free(l.ports, l.n);
                return r;
        }
        *ret = l.ports ? l.ports : calloc(1, sizeof(*l.ports));
        *ret_n = l.n;
        return *ret ? 0 : -ENOMEM;
}

/* The live state, as an element in vport's own namespace so libvirt-style
 * readers skip it: <runtime xmlns='urn:vport:runtime:1' state=... ifname=...
 * ifindex=... tapdev=.../>. Inserted before the closing tag. */
static int append_runtime(const vport_port *p, char **xml) {
        char extra[256], *end, *out;
        int n;

        n = snprintf(extra, sizeof(extra), "  <runtime xmlns='urn:vport:runtime:1' state='%s'%s%s%s",
                     p->stale ? "stale" : port_state_to_string(p->state), p->rt.ifname[0] ? " ifname='" : "",
                     p->rt.ifname, p->rt.ifname[0] ? "'" : "");
        if (p->rt.ifindex > 0)
                n += snprintf(extra + n, sizeof(extra) - (size_t) n, " ifindex='%d'", p->rt.ifindex);
        if (p->rt.tapdev[0])
                n += snprintf(extra + n, sizeof(extra) - (size_t) n, " tapdev='%s'", p->rt.tapdev);
        snprintf(extra + n, sizeof(extra) - (size_t) n, "/>\n");
        end = strstr(*xml, "</networkport>");
        if (!end)
                return -EINVAL;
        if (asprintf(&out, "%.*s%s%s", (int) (end - *xml), *xml, extra, end) < 0)
                return -ENOMEM;
        free(*xml);
        *xml = out;
        return 0;
}

int vport_port_dumpxml(vport_ctx *ctx, const vport_uuid *uuid, char **ret_xml, vport_error *err) {
        _cleanup_(vport_port_freep) vport_port *p = NULL;
        _cleanup_free_ char *xml = NULL;
        int r;

        assert_return(ctx && uuid && ret_xml, -EINVAL);
        r = port_load(ctx, uuid, &p, err);
        if (r < 0)
                return r;
        r = port_refuse_damaged(p, err);
        if (r < 0)
                return r;
        r = port_def_format(p->def, &xml);
        if (r >= 0)
                r = append_runtime(p, &xml);
        if (r < 0)
                return r;
        *ret_xml = TAKE_PTR(xml);
        return 0;
}
