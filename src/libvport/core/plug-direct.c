/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* direct plug: a macvtap on a host interface (libvirt's <interface
 * type='direct'>), in vepa, bridge, private or passthrough mode.
 *
 * prepare makes the macvtap down, so the guest MAC is not on the wire
 * before the guest CPUs run (during an incoming migration the source still
 * owns it). activate brings the lower device and the macvtap up;
 * deactivate takes them down again, the lower device only in passthrough
 * mode (seed 002): there it carries the guest MAC itself and is exclusive
 * to this guest, in the other modes other guests or the host may use it. */
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>

#include "core/container.h"
#include "core/netdev-name.h"
#include "core/plug-common.h"
#include "core/sriov.h"
#include "core/vsi.h"

/* udev usually makes /dev/tapN within a few ms; a loaded host may take longer. */
#define DIRECT_TAPDEV_TIMEOUT_MS 5000

static const uint32_t macvlan_mode_table[_DIRECT_MAX] = {
        [DIRECT_VEPA] = MACVLAN_MODE_VEPA,
        [DIRECT_PRIVATE] = MACVLAN_MODE_PRIVATE,
        [DIRECT_BRIDGE] = MACVLAN_MODE_BRIDGE,
        [DIRECT_PASSTHROUGH] = MACVLAN_MODE_PASSTHRU,
};

static bool is_passthrough(const vport_port *port) {
        return port->def->plug.mode == DIRECT_PASSTHROUGH;
}

static const char *port_id(const vport_port *port, char buf[static VPORT_UUID_STRLEN]) {
        return uuid_format(&port->def->uuid, buf);
}

static void macvtap_key(const vport_port *port, char buf[static PLUG_KEY_MAX]) {
        char uuid[VPORT_UUID_STRLEN];

        snprintf(buf, PLUG_KEY_MAX, "macvtap:%s", port_id(port, uuid));
}

static void physdev_key(const vport_port *port, char buf[static PLUG_KEY_MAX]) {
        snprintf(buf, PLUG_KEY_MAX, "physdev:%s", strempty(port->def->plug.dev));
}

static int lower_get(vport_ctx *ctx, const vport_port *port, vport_link *ret, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN];
        int r;

        r = ctx->ops->link_get(ctx->kernel, 0, port->def->plug.dev, ret, err);
        if (r == -ENODEV)
                return vport_error_set(err, r, "port %s: direct device '%s' does not exist",
                                       port_id(port, uuid), port->def->plug.dev);
        return r;
}

/* The up macvtap or macvlan on lower holding mac: 1 and *ret, 0 if there
 * is none in this namespace. The kernel filters a dump by kind, not by
 * lower device: this reads every macvtap and macvlan, so it is only asked
 * once something says the MAC is held. */
static int find_holder(vport_ctx *ctx, const vport_link *lower, const vport_mac *mac, vport_link *ret,
                       vport_error *err) {
        static const char *const kinds[] = { "macvtap", "macvlan" };
        int r;

        for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                _cleanup_free_ vport_link *links = NULL;
                size_t n = 0;

                r = ctx->ops->link_list_kind(ctx->kernel, kinds[k], &links, &n, err);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++)
                        if (links[i].link_ifindex == lower->ifindex && (links[i].flags & IFF_UP) &&
                            mac_equal(&links[i].mac, mac)) {
                                *ret = links[i];
                                return 1;
                        }
        }
        return 0;
}

/* Seed 003: an up macvtap with the guest MAC on the same lower device is
 * another guest (or a stale one someone still uses) owning that MAC on
 * the wire; a second one would steal or duplicate its traffic. The lower
 * device's own MAC is refused likewise (macvlan_open() would refuse it
 * at activate): except in passthrough mode, where the macvtap takes the
 * lower device's MAC. */
static int own_mac_error(const vport_port *port, const vport_link *lower, vport_error *err) {
        char mac[VPORT_MAC_STRLEN];

        return vport_error_set(err, -EADDRINUSE,
                               "%s is the MAC of %s itself: refusing to create a %s with it",
                               mac_format(&port->def->mac, mac), lower->name,
                               port_is_container(port) ? "macvlan" : "macvtap");
}

static int holder_error(const vport_port *port, const vport_link *lower, const vport_link *holder,
                        vport_error *err) {
        char mac[VPORT_MAC_STRLEN];

        return vport_error_set(err, -EADDRINUSE, "%s %s on %s is up with MAC %s: refusing to create another",
                               holder->kind, holder->name, lower->name, mac_format(&port->def->mac, mac));
}

/* The kernel said the guest MAC is held on lower (EADDRINUSE): say by
 * whom. A holder this namespace does not show (a container's macvlan on
 * this lower device: the kernel filters a dump by kind, not by lower
 * device, and a namespace shows only its own) is not named. */
static int refuse_held(vport_ctx *ctx, const vport_port *port, const vport_link *lower, vport_error *err) {
        char mac[VPORT_MAC_STRLEN];
        vport_link holder;
        int r;

        if (mac_equal(&lower->mac, &port->def->mac))
                return own_mac_error(port, lower, err);
        r = find_holder(ctx, lower, &port->def->mac, &holder, err);
        if (r < 0)
                return r;
        if (r > 0)
                return holder_error(port, lower, &holder, err);
        return vport_error_set(err, -EADDRINUSE,
                               "MAC %s is in use on %s (by no macvtap or macvlan of this namespace): "
                               "refusing to create another",
                               mac_format(&port->def->mac, mac), lower->name);
}

/* Whether the lower device may carry an up macvlan with mac: its own MAC
 * (a passthrough macvtap), or mac in its unicast list (macvlan_open()
 * adds it there). Reads only that device; a device whose list cannot be
 * read (not Ethernet) answers "maybe". */
static int lower_may_hold(vport_ctx *ctx, const vport_link *lower, const vport_mac *mac) {
        _cleanup_free_ vport_mac *uc = NULL;
        size_t n = 0;

        if (mac_equal(&lower->mac, mac))
                return 1;
        if (!ctx->ops->link_uc_list ||
            ctx->ops->link_uc_list(ctx->kernel, lower->ifindex, &uc, &n, NULL) < 0)
                return 1;
        for (size_t i = 0; i < n; i++)
                if (mac_equal(&uc[i], mac))
                        return 1;
        return 0;
}

/* The check before anything is made, for a passthrough port, which the
 * kernel's own check (take_guest_mac()) does not serve: its macvtap's MAC
 * is its lower device's (setting it sets the lower's, where
 * macvlan_addr_busy() never runs), and the lower device takes the guest
 * MAC before the macvtap exists. A lower device holds a passthrough
 * macvtap only alone (the kernel refuses either next to any other), so
 * the list read here is short whenever the port can be made. The lower
 * device's unicast list answers "surely not" for the common case, reading
 * that device alone; only a hit reads the macvtaps and macvlans to name
 * the one. */
static int refuse_duplicate(vport_ctx *ctx, const vport_port *port, const vport_link *lower,
                            vport_error *err) {
        vport_link holder;
        int r;

        if (!lower_may_hold(ctx, lower, &port->def->mac))
                return 0;
        r = find_holder(ctx, lower, &port->def->mac, &holder, err);
        return r <= 0 ? r : holder_error(port, lower, &holder, err);
}

/* The MAC a macvtap or a container's macvlan is made with before it
 * takes the guest's: never the guest MAC (the kernel takes setting a
 * device's own MAC as a no-op and would skip its check), unicast, locally
 * administered. Given in the RTM_NEWLINK rather than left to the kernel:
 * a random MAC (addr_assign_type NET_ADDR_RANDOM) is one udev's
 * MACAddressPolicy=persistent replaces, racing the guest MAC set just
 * after. */
static vport_mac standin_mac(const vport_mac *guest) {
        vport_mac m = *guest;

        m.addr[0] = (uint8_t) ((((guest->addr[0] ^ 0x04) & ~0x01) | 0x02) & 0xff);
        return m;
}

/* The guest MAC (and group 0) in one RTM_SETLINK on the device ifindex of
 * k (the host's namespace or a container's), made down on lower. Seed
 * 003's check is the kernel's own there: macvlan_set_mac_address()
 * refuses a MAC the lower device has or an up macvlan on it holds
 * (macvlan_addr_busy(), a hash lookup: constant whatever the lower device
 * carries, and it sees the macvlans of every namespace), with EADDRINUSE,
 * and then leaves the group as it was. Only then are the macvtaps and
 * macvlans read, to name the holder. Not in passthrough mode: there the
 * MAC is the lower device's, and setting it would set the lower's,
 * unchecked. */
static int take_guest_mac(vport_ctx *ctx, const vport_port *port, const vport_link *lower, vport_kernel *k,
                          int ifindex, vport_error *err) {
        int r;

        r = ctx->ops->link_set_mac_group(k, ifindex, &port->def->mac, 0, err);
        if (r != -EADDRINUSE)
                return r;
        vport_error_clear(err);
        return refuse_held(ctx, port, lower, err);
}

/* ---- passthrough: the physdev itself carries the guest MAC ---- */

/* The VF behind the physdev, if it is one: 1 and ret, 0 if not, -errno. */
static int physdev_vf(vport_ctx *ctx, const vport_link *lower, vport_vf_ref *ret, vport_error *err) {
        vport_pci_addr addr;
        vport_pci_info info;
        int r;

        r = ctx->ops->netdev_pci(ctx->kernel, lower->name, &addr, NULL);
        if (r < 0)
                return 0; /* veth, bond, ...: no PCI device, no admin MAC */
        r = ctx->ops->pci_info(ctx->kernel, &addr, &info, err);
        if (r < 0 || !info.is_vf)
                return r < 0 ? r : 0;
        r = vport_vf_resolve(ctx, lower->name, NULL, ret, err);
        return r < 0 ? r : 1;
}

static json_object *physdev_snapshot(const vport_link *lower, const vport_vf_ref *vf,
                                     const vport_vf_info *vi) {
        json_object *o = json_object_new_object();
        char mac[VPORT_MAC_STRLEN];

        json_object_object_add(o, "ifname", json_object_new_string(lower->name));
        json_object_object_add(o, "ifindex", json_object_new_int(lower->ifindex));
        json_object_object_add(o, "mac", json_object_new_string(mac_format(&lower->mac, mac)));
        json_object_object_add(o, "up", json_object_new_boolean(lower->flags & IFF_UP));
        if (vf) {
                json_object *v = json_object_new_object();
                json_object_object_add(v, "pf_ifindex", json_object_new_int(vf->pf_ifindex));
                json_object_object_add(v, "index", json_object_new_int(vf->index));
                json_object_object_add(v, "mac", json_object_new_string(mac_format(&vi->mac, mac)));
                json_object_object_add(v, "vlan", json_object_new_int(vi->vlan));
                json_object_object_add(v, "qos", json_object_new_int(vi->qos));
                json_object_object_add(o, "vf", v);
        }
        return o;
}

static int vf_current(vport_ctx *ctx, const vport_vf_ref *vf, vport_vf_info *ret, vport_error *err) {
        _cleanup_free_ vport_vf_info *vfs = NULL;
        size_t n = 0;
        int r;

        r = ctx->ops->vf_list(ctx->kernel, vf->pf_ifindex, &vfs, &n, err);
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (vfs[i].vf == vf->index) {
                        *ret = vfs[i];
                        return 0;
                }
        return r < 0 ? r : vport_error_set(err, -ENODEV, "%s: VF %d not reported", vf->pf_ifname, vf->index);
}

/* A VF gets the guest MAC as its admin MAC (so the PF's anti-spoofing lets
 * it through) and the port's VLAN tag, 0 for none. */
static int vf_take(vport_ctx *ctx, const vport_port *port, const vport_vf_ref *vf, vport_error *err) {
        const vport_vlan *vlan = &port->def->vlan;
        vport_vf_info cfg = { .vf = vf->index, .vlan = vlan_is_set(vlan) ? vlan->tags[0] : 0 };
        int r;

        r = vport_vf_set_mac(ctx, vf, &port->def->mac, NULL, err);
        if (r < 0)
                return r;
        return ctx->ops->vf_set(ctx->kernel, vf->pf_ifindex, &cfg, VF_SET_VLAN, err);
}

/* Journal the physdev (and VF) state, take the physdev down, then give it
 * the guest MAC: up, it would put that MAC on the wire before activate. */
static int physdev_take(vport_ctx *ctx, const vport_port *port, const vport_link *lower, vport_error *err) {
        char key[PLUG_KEY_MAX];
        vport_vf_info vi = { 0 };
        vport_vf_ref vf;
        json_object *snap;
        int r, is_vf;

        is_vf = physdev_vf(ctx, lower, &vf, err);
        if (is_vf < 0)
                return is_vf;
        if (is_vf && (r = vf_current(ctx, &vf, &vi, err)) < 0)
                return r;
        physdev_key(port, key);
        snap = physdev_snapshot(lower, is_vf ? &vf : NULL, &vi);
        r = journal_put(ctx, port, key, JOURNAL_STEP_PREPARING, snap, err);
        json_object_put(snap);
        if (r < 0)
                return r;
        if (lower->flags & IFF_UP)
                r = ctx->ops->link_set_up(ctx->kernel, lower->ifindex, false, err);
        /* The step to prepared is committed with the macvtap's first entry
         * (macvtap_journal_first). */
        if (r >= 0)
                r = is_vf ? vf_take(ctx, port, &vf, err)
                          : ctx->ops->link_set_mac(ctx->kernel, lower->ifindex, &port->def->mac, err);
        return r;
}

static int vf_restore(vport_ctx *ctx, json_object *v, vport_error *err) {
        json_object *f;
        vport_vf_info cfg = { 0 };
        int pf = 0;

        if (json_object_object_get_ex(v, "pf_ifindex", &f))
                pf = json_object_get_int(f);
        if (json_object_object_get_ex(v, "index", &f))
                cfg.vf = json_object_get_int(f);
        if (json_object_object_get_ex(v, "mac", &f))
                (void) mac_parse(json_object_get_string(f), &cfg.mac);
        if (json_object_object_get_ex(v, "vlan", &f))
                cfg.vlan = (uint16_t) json_object_get_int(f);
        if (json_object_object_get_ex(v, "qos", &f))
                cfg.qos = (uint16_t) json_object_get_int(f);
        return ctx->ops->vf_set(ctx->kernel, pf, &cfg, VF_SET_MAC | VF_SET_VLAN, err);
}

/* Back to the journaled MAC (VF admin MAC and VLAN too) and up/down state.
 * The physdev is found by its recorded ifindex; if it is gone there is
 * nothing left to restore. */
static int physdev_restore(vport_ctx *ctx, vport_port *port, vport_error *err) {
        char key[PLUG_KEY_MAX];
        json_object *snap = NULL, *f;
        vport_link link;
        vport_mac mac = { 0 };
        int r, ifindex = 0;

        physdev_key(port, key);
        r = journal_get(ctx, port, key, &snap, NULL, err);
        if (r == -ENOENT) {
                vport_error_clear(err);
                return 0;
        }
        if (r < 0 || !snap)
                return r;
        if (json_object_object_get_ex(snap, "ifindex", &f))
                ifindex = json_object_get_int(f);
        if (json_object_object_get_ex(snap, "mac", &f))
                (void) mac_parse(json_object_get_string(f), &mac);
        r = ctx->ops->link_get(ctx->kernel, ifindex, NULL, &link, err);
        if (r == -ENODEV) {
                vport_error_clear(err);
                ctx_notice(ctx, "physdev %s (ifindex %d) was already gone: its MAC and state not restored",
                           strempty(port->def->plug.dev), ifindex);
                r = 0;
        } else if (r >= 0) {
                if (json_object_object_get_ex(snap, "vf", &f))
                        r = vf_restore(ctx, f, err);
                if (r == -ENODEV) {
                        /* The physdev is a VF whose PF lost its netdev: the
                         * PF's table went with the PF driver. */
                        ctx_notice(ctx,
                                   "physdev %s: its PF was already gone: the VF's admin MAC and VLAN not "
                                   "restored",
                                   link.name);
                        vport_error_clear(err);
                        r = 0;
                }
                if (r >= 0 && !mac_equal(&link.mac, &mac))
                        r = ctx->ops->link_set_mac(ctx->kernel, ifindex, &mac, err);
                if (r >= 0 && json_object_object_get_ex(snap, "up", &f) && json_object_get_boolean(f))
                        r = ctx->ops->link_set_up(ctx->kernel, ifindex, true, err);
        }
        json_object_put(snap);
        return r;
}

/* ---- the macvtap ---- */

/* The template and the creation group are journaled before the create:
 * a process killed right after the kernel made it leaves a macvtap that
 * release finds in that group (plug-common.c); the name the kernel chose
 * and the ifindex are journaled right after. */
/* The macvtap's first entry and, for a passthrough port whose lower device
 * physdev_take() just changed, that entry's step to prepared: consecutive
 * entries, one commit, both on disk before the macvtap is made. */
static int macvtap_journal_first(vport_ctx *ctx, vport_port *port, const char *key,
                                 const plug_dev_record *rec, vport_error *err) {
        char pkey[PLUG_KEY_MAX];
        bool owned;
        int r;

        r = ctx_txn_begin(ctx, &owned, err);
        if (r < 0)
                return r;
        if (is_passthrough(port)) {
                physdev_key(port, pkey);
                r = journal_set_step(ctx, port, pkey, JOURNAL_STEP_PREPARED, err);
        }
        if (r >= 0)
                r = plug_dev_journal(ctx, port, key, JOURNAL_STEP_PREPARING, rec, err);
        return ctx_txn_end(ctx, owned, r, err);
}

static int macvtap_make(vport_ctx *ctx, vport_port *port, const vport_link *lower, vport_error *err) {
        plug_dev_record rec = { .ifname = NETDEV_MACVTAP_TEMPLATE,
                                .lower_ifindex = lower->ifindex,
                                .group = netdev_create_group() };
        vport_macvlan_request req = {
                .lower_ifindex = lower->ifindex,
                .name = NETDEV_MACVTAP_TEMPLATE,
                .mac = is_passthrough(port) ? port->def->mac : standin_mac(&port->def->mac),
                .mode = macvlan_mode_table[port->def->plug.mode],
                .tap = true,
                .group = rec.group,
        };
        _cleanup_free_ char *tapdev = NULL;
        char key[PLUG_KEY_MAX];
        vport_link link;
        int r;

        macvtap_key(port, key);
        r = macvtap_journal_first(ctx, port, key, &rec, err);
        if (r >= 0)
                r = ctx->ops->macvlan_create(ctx->kernel, &req, &link, err);
        if (r < 0)
                return r;
        snprintf(rec.ifname, sizeof(rec.ifname), "%s", link.name);
        rec.ifindex = link.ifindex;
        r = plug_dev_journal(ctx, port, key, JOURNAL_STEP_PREPARED, &rec, err);
        /* Known by its ifindex now: a refusal below leaves a macvtap that
         * release deletes (direct_prepare()). */
        if (r >= 0)
                r = is_passthrough(port) ? ctx->ops->link_set_group(ctx->kernel, link.ifindex, 0, err)
                                         : take_guest_mac(ctx, port, lower, ctx->kernel, link.ifindex, err);
        if (r >= 0)
                r = ctx->ops->macvtap_wait_dev(ctx->kernel, link.ifindex, DIRECT_TAPDEV_TIMEOUT_MS, &tapdev,
                                               err);
        if (r < 0)
                return r;
        snprintf(port->rt.ifname, sizeof(port->rt.ifname), "%s", link.name);
        port->rt.ifindex = link.ifindex;
        snprintf(port->rt.tapdev, sizeof(port->rt.tapdev), "%s", tapdev);
        snprintf(port->rt.lower, sizeof(port->rt.lower), "%s", lower->name);
        port->rt.lower_ifindex = lower->ifindex;
        return 0;
}

/* ---- a container's macvlan ----
 * Made in the container's namespace under the port's name there (no name
 * to pick: the namespace is the container's own), journaled before the
 * create with that name and the lower device, so release finds it after a
 * crash by name, kind and MAC. A namespace that went away took it along.
 *
 * Never in passthrough mode: container_mode_check() refuses a container
 * port on a passthrough network, so release never looks for a passthru
 * macvlan. The kernel (6.18; test_macvlan_passthru_netns in
 * tests/netns/test-kernel-netns.c) gives one the lower device's MAC
 * whatever IFLA_ADDRESS says, and setting its MAC, from inside the
 * container, sets the lower's unchecked (no macvlan_addr_busy()); deleting
 * it or its namespace puts the lower's MAC back. The passthrough branches
 * this create once had (the guest MAC at create, no take_guest_mac())
 * would leave one carrying the lower's MAC, which release, matching the
 * guest or stand-in MAC, never deletes (checked with the refusal lifted).
 * tests/cni's test_direct_passthrough_refused: the refusal leaves the host
 * as it was. */

static void macvlan_key(const vport_port *port, char buf[static PLUG_KEY_MAX]) {
        char uuid[VPORT_UUID_STRLEN];

        snprintf(buf, PLUG_KEY_MAX, "macvlan:%s", port_id(port, uuid));
}

static int cmacvlan_create(vport_ctx *ctx, vport_port *port, const vport_link *lower, vport_kernel *netns,
                           vport_error *err) {
        vport_macvlan_request req = {
                .lower_ifindex = lower->ifindex,
                .name = port->rt.cifname,
                .mac = standin_mac(&port->def->mac),
                .mode = macvlan_mode_table[port->def->plug.mode],
                .netns = netns,
        };
        plug_dev_record rec = { .lower_ifindex = lower->ifindex };
        char key[PLUG_KEY_MAX];
        vport_link link;
        int r;

        snprintf(rec.ifname, sizeof(rec.ifname), "%s", port->rt.cifname);
        macvlan_key(port, key);
        r = plug_dev_journal(ctx, port, key, JOURNAL_STEP_PREPARING, &rec, err);
        if (r >= 0)
                r = ctx->ops->macvlan_create(ctx->kernel, &req, &link, err);
        if (r == -EEXIST)
                r = vport_error_set(err, r, "namespace %s already has an interface %s", port->rt.netns,
                                    port->rt.cifname);
        if (r < 0)
                return r;
        rec.ifindex = link.ifindex;
        r = plug_dev_journal(ctx, port, key, JOURNAL_STEP_PREPARED, &rec, err);
        /* Journaled: a refusal leaves a macvlan that release deletes. */
        if (r >= 0)
                r = take_guest_mac(ctx, port, lower, netns, link.ifindex, err);
        if (r < 0)
                return r;
        /* ifindex stays 0: the interface is not in the host's namespace. */
        snprintf(port->rt.ifname, sizeof(port->rt.ifname), "%s", port->rt.cifname);
        snprintf(port->rt.lower, sizeof(port->rt.lower), "%s", lower->name);
        port->rt.lower_ifindex = lower->ifindex;
        return 0;
}

static int cmacvlan_make(vport_ctx *ctx, vport_port *port, const vport_link *lower, vport_error *err) {
        vport_kernel *netns = NULL;
        int r;

        assert_return(!is_passthrough(port), -EINVAL); /* refused at create, see above */
        r = container_open(ctx, port, &netns, err);
        if (r < 0)
                return r;
        r = cmacvlan_create(ctx, port, lower, netns, err);
        ctx->ops->netns_close(netns);
        return r;
}

/* Delete the recorded macvlan if it is still ours (name, kind, and the
 * guest MAC or, if it never took that, the stand-in it was made with). */
static int cmacvlan_delete(vport_ctx *ctx, const vport_port *port, const plug_dev_record *rec,
                           vport_error *err) {
        vport_mac standin = standin_mac(&port->def->mac);
        vport_kernel *netns = NULL;
        vport_link link;
        int r;

        r = container_open_present(ctx, port, &netns, err);
        if (r <= 0)
                return r;
        r = ctx->ops->link_get(netns, 0, rec->ifname, &link, err);
        if (r >= 0 && streq(link.kind, "macvlan") &&
            (mac_equal(&link.mac, &port->def->mac) || mac_equal(&link.mac, &standin)))
                r = ctx->ops->link_delete(netns, link.ifindex, err);
        ctx->ops->netns_close(netns);
        if (r == -ENODEV) {
                vport_error_clear(err);
                return 0;
        }
        return r;
}

static int cmacvlan_release(vport_ctx *ctx, vport_port *port, vport_error *err) {
        char key[PLUG_KEY_MAX];
        plug_dev_record rec;
        int r;

        macvlan_key(port, key);
        r = plug_dev_journal_read(ctx, port, key, &rec, err);
        if (r == -ENOENT) {
                vport_error_clear(err);
                return 0;
        }
        if (r >= 0)
                r = journal_set_step(ctx, port, key, JOURNAL_STEP_RELEASING, err);
        if (r >= 0)
                r = cmacvlan_delete(ctx, port, &rec, err);
        if (r >= 0)
                r = journal_delete(ctx, port, key, err);
        return r;
}

static const plug_release_ops direct_release_ops;

/* 802.1Qbg names the uplink the macvtap sits on (its IFLA_LINK) and no VF;
 * 802.1Qbh the physdev's PF and VF index if the physdev is a VF, else the
 * physdev itself (libvirt's virNetDevVPortProfileOp8021Qbh). */
static int direct_vsi_target(vport_ctx *ctx, const vport_port *port, vsi_target *ret, vport_error *err) {
        vport_link tap, lower;
        vport_vf_ref vf;
        int r, is_vf;

        r = ctx->ops->link_get(ctx->kernel, port->rt.ifindex, NULL, &tap, err);
        if (r >= 0)
                r = ctx->ops->link_get(ctx->kernel, tap.link_ifindex, NULL, &lower, err);
        if (r < 0)
                return r;
        *ret = (vsi_target){ .ifindex = lower.ifindex, .vf = -1 };
        snprintf(ret->ifname, sizeof(ret->ifname), "%s", lower.name);
        if (port->def->virtualport->type != VIRTUALPORT_8021QBH)
                return 0;
        is_vf = physdev_vf(ctx, &lower, &vf, err);
        if (is_vf <= 0)
                return is_vf;
        *ret = (vsi_target){ .ifindex = vf.pf_ifindex, .vf = vf.index };
        snprintf(ret->ifname, sizeof(ret->ifname), "%s", vf.pf_ifname);
        return 0;
}

static int direct_associate(vport_ctx *ctx, vport_port *port, unsigned flags, vport_error *err) {
        vsi_target t;
        int r;

        if (!port_has_vsi(port))
                return 0;
        r = direct_vsi_target(ctx, port, &t, err);
        return r < 0 ? r : port_vsi_associate(ctx, port, &t, flags, err);
}

static int direct_release_many(vport_ctx *ctx, vport_port **ports, size_t n, vport_error *err) {
        bool any = false;
        int r = 0;

        for (size_t i = 0; i < n; i++)
                any |= port_is_container(ports[i]);
        if (!any)
                return plug_release(ctx, ports, n, &direct_release_ops, err);
        /* Each container's macvlan lives in its own namespace: one by one. */
        for (size_t i = 0; i < n; i++) {
                int q = port_is_container(ports[i])
                                ? cmacvlan_release(ctx, ports[i], r < 0 ? NULL : err)
                                : plug_release(ctx, &ports[i], 1, &direct_release_ops, r < 0 ? NULL : err);
                if (q < 0 && r >= 0)
                        r = q;
        }
        return r;
}

static int direct_release(vport_ctx *ctx, vport_port *port, vport_error *err) {
        return direct_release_many(ctx, &port, 1, err);
}

static int direct_prepare(vport_ctx *ctx, vport_port *port, unsigned flags, vport_error *err) {
        vport_link lower;
        int r;

        /* Leftovers of a prepare that crashed (journal entries): undo first. */
        r = flags & STEP_FRESH ? 0 : direct_release(ctx, port, err);
        if (r >= 0)
                r = lower_get(ctx, port, &lower, err);
        if (r >= 0 && is_passthrough(port))
                r = refuse_duplicate(ctx, port, &lower, err);
        if (r < 0)
                return r;
        if (port_is_container(port))
                r = cmacvlan_make(ctx, port, &lower, err);
        else if (is_passthrough(port))
                r = physdev_take(ctx, port, &lower, err);
        if (r >= 0 && !port_is_container(port))
                r = macvtap_make(ctx, port, &lower, err);
        /* libvirt's order: the macvtap first, then the switch is asked;
         * a refusal removes the macvtap again. */
        if (r >= 0)
                r = direct_associate(ctx, port, flags, err);
        if (r < 0)
                (void) direct_release(ctx, port, NULL);
        return r;
}

static int port_gone(const vport_port *port, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN];

        return vport_error_set(
                err, -ENODEV,
                "port %s: macvtap %s (ifindex %d) is gone; delete the port ('vport port-delete')",
                port_id(port, uuid), port->rt.ifname, port->rt.ifindex);
}

/* Seed 002: no macvtap works over a lower device that is down, so it comes
 * up first; *ret_raised says whether this brought it up. A lower device
 * found up earlier in the same owner step (a VM's ports on one uplink) is
 * not looked at again. */
static int lower_up(vport_ctx *ctx, int ifindex, bool *ret_raised, vport_error *err) {
        vport_link lower;
        int r;

        *ret_raised = false;
        if (ctx_lower_known_up(ctx, ifindex))
                return 0;
        r = ctx->ops->link_get(ctx->kernel, ifindex, NULL, &lower, err);
        if (r >= 0 && !(lower.flags & IFF_UP)) {
                r = ctx->ops->link_set_up(ctx->kernel, ifindex, true, err);
                *ret_raised = r >= 0;
        }
        return r;
}

/* If the macvtap then fails to come up, a lower device that was down goes
 * down again: a failed step leaves the host as it found it. */
static int direct_activate(vport_ctx *ctx, const vport_port *port, vport_error *err) {
        bool raised = false;
        int r, q;

        if (port->rt.ifindex <= 0 && !port_is_container(port))
                return port_gone(port, err);
        /* the migration target associates when the guest CPUs start there */
        r = port_vsi_activate(ctx, port, err);
        if (r < 0)
                return r;
        r = lower_up(ctx, port->rt.lower_ifindex, &raised, err);
        if (r < 0)
                return r == -ENODEV ? port_gone(port, err) : r;
        q = port_is_container(port) ? container_set_up(ctx, port, true, err)
                                    : ctx->ops->link_set_up(ctx->kernel, port->rt.ifindex, true, err);
        if (q < 0 && raised)
                (void) ctx->ops->link_set_up(ctx->kernel, port->rt.lower_ifindex, false, NULL);
        else
                ctx_lower_seen_up(ctx, port->rt.lower_ifindex);
        return q == -ENODEV ? port_gone(port, err) : q;
}

/* What went away behind vport's back (the macvtap, its lower device)
 * counts as undone. */
static int direct_deactivate(vport_ctx *ctx, const vport_port *port, vport_error *err) {
        int r;

        if (port_is_container(port))
                return container_set_up(ctx, port, false, err);
        if (port->rt.ifindex <= 0)
                return 0;
        r = ctx->ops->link_set_up(ctx->kernel, port->rt.ifindex, false, err);
        r = plug_undo_error(ctx, port, PLUG_UNDO_DOWN, port->rt.ifindex, port->rt.ifname, r, err);
        if (r < 0 || !is_passthrough(port))
                return r < 0 ? r : 0;
        r = ctx->ops->link_set_up(ctx->kernel, port->rt.lower_ifindex, false, err);
        r = plug_undo_error(ctx, port, PLUG_UNDO_LOWER_DOWN, port->rt.lower_ifindex, port->rt.lower, r, err);
        return r < 0 ? r : 0;
}

/* The switch lets go of the VSI first (libvirt disassociates before it
 * deletes the macvtap; here the macvtap is already gone, which the
 * request, naming the uplink, does not need). */
static int direct_restore(vport_ctx *ctx, vport_port *port, vport_error *err) {
        int r = port_vsi_release(ctx, port, err);

        return r < 0 ? r : physdev_restore(ctx, port, err);
}

static const plug_release_ops direct_release_ops = {
        .dev_key = macvtap_key,
        .dev_kind = "macvtap",
        .restore = direct_restore,
};

const plug_driver plug_driver_direct = {
        .prepare = direct_prepare,
        .activate = direct_activate,
        .deactivate = direct_deactivate,
        .release = direct_release,
        .release_many = direct_release_many,
};
