/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's rules for a <network> definition (network_conf.c and the network
 * driver's networkValidate), plus what vport itself needs. Every message
 * starts with "network 'NAME': " and names the element and attribute. */
#include <stdio.h>

#include "base/names.h"
#include "conf/network.h"

#define MODE(def) forward_mode_to_string((def)->forward_mode)

vport_plug_type network_def_plug_type(const vport_network_def *def, vport_direct_mode *ret_mode) {
        static const vport_direct_mode direct[_FORWARD_MAX] = {
                [FORWARD_BRIDGE] = DIRECT_BRIDGE,
                [FORWARD_PRIVATE] = DIRECT_PRIVATE,
                [FORWARD_VEPA] = DIRECT_VEPA,
                [FORWARD_PASSTHROUGH] = DIRECT_PASSTHROUGH,
        };

        if (forward_mode_is_l3(def->forward_mode))
                return PLUG_NETWORK;
        if (def->forward_mode == FORWARD_HOSTDEV)
                return PLUG_HOSTDEV_PCI;
        if (def->forward_mode == FORWARD_BRIDGE && def->bridge_name)
                return PLUG_BRIDGE;
        if (def->forward_mode >= _FORWARD_MAX)
                return PLUG_NONE;
        if (ret_mode)
                *ret_mode = direct[def->forward_mode];
        return PLUG_DIRECT;
}

static bool vp_is_ovs(const vport_virtualport *vp) {
        return vp && vp->type == VIRTUALPORT_OPENVSWITCH;
}

bool network_def_vlan_allowed(const vport_network_def *def, const vport_portgroup *pg) {
        if (def->forward_mode == FORWARD_HOSTDEV || def->forward_mode == FORWARD_PASSTHROUGH)
                return true;
        return def->forward_mode == FORWARD_BRIDGE && def->bridge_name &&
               (vp_is_ovs(def->virtualport) || (pg && vp_is_ovs(pg->virtualport)));
}

/* libvirt's networkAllocatePort checks this when a port is made (a
 * definition with any type is accepted). midonet is never allowed for a
 * network port; on hostdev, 802.1Qbg is allocated and refused when the guest
 * starts (vport: port_def_check_mode at prepare): it needs a macvtap. */
bool network_def_virtualport_allowed(const vport_network_def *def, vport_virtualport_type t) {
        if (t == VIRTUALPORT_NONE)
                return !forward_mode_is_l3(def->forward_mode);
        if (forward_mode_is_l3(def->forward_mode) || t == VIRTUALPORT_MIDONET)
                return false;
        if (def->forward_mode == FORWARD_HOSTDEV)
                return t == VIRTUALPORT_8021QBH || t == VIRTUALPORT_8021QBG;
        if (def->forward_mode == FORWARD_BRIDGE && def->bridge_name)
                return t == VIRTUALPORT_OPENVSWITCH;
        return t == VIRTUALPORT_8021QBG || t == VIRTUALPORT_8021QBH;
}

const vport_portgroup *network_def_find_portgroup(const vport_network_def *def, const char *name) {
        for (size_t i = 0; i < def->n_portgroups; i++)
                if (name ? streq(def->portgroups[i].name, name) : def->portgroups[i].is_default)
                        return &def->portgroups[i];
        return NULL;
}

/* The first element (in document order) equal to an earlier one, or -1:
 * sorting indices by value makes it O(n log n) where comparing every pair
 * took minutes at the document size cap. Returns -ENOMEM too. */
typedef int (*elem_cmp)(const void *a, const void *b);

typedef struct dup_ctx {
        const char *base;
        size_t size;
        elem_cmp cmp;
} dup_ctx;

static int index_cmp(const void *a, const void *b, void *userdata) {
        const dup_ctx *c = userdata;
        size_t i = *(const size_t *) a, j = *(const size_t *) b;
        int r = c->cmp(c->base + i * c->size, c->base + j * c->size);

        return r != 0 ? r : (i > j) - (i < j);
}

static ssize_t first_duplicate(const void *base, size_t n, size_t size, elem_cmp cmp) {
        _cleanup_free_ size_t *idx = NULL;
        dup_ctx c = { .base = base, .size = size, .cmp = cmp };
        ssize_t first = -1;

        if (n < 2)
                return -1;
        if (!(idx = reallocarray(NULL, n, sizeof(*idx))))
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                idx[i] = i;
        qsort_r(idx, n, sizeof(*idx), index_cmp, &c);
        /* in a run of equal values the indices ascend: idx[k] repeats an earlier one */
        for (size_t k = 1; k < n; k++)
                if (cmp(c.base + idx[k - 1] * size, c.base + idx[k] * size) == 0 &&
                    (first < 0 || idx[k] < (size_t) first))
                        first = (ssize_t) idx[k];
        return first;
}

static int strp_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int pci_cmp(const void *a, const void *b) {
        const vport_pci_addr *x = a, *y = b;
        uint64_t kx = (uint64_t) x->domain << 24 | (uint64_t) x->bus << 16 | x->slot << 8 | x->function,
                 ky = (uint64_t) y->domain << 24 | (uint64_t) y->bus << 16 | y->slot << 8 | y->function;

        return (kx > ky) - (kx < ky);
}

static int portgroup_name_cmp(const void *a, const void *b) {
        return strcmp(((const vport_portgroup *) a)->name, ((const vport_portgroup *) b)->name);
}

static int validate_pool(const vport_network_def *def, vport_error *err) {
        int kinds = (def->n_interfaces > 0) + (def->pf != NULL) + (def->n_addresses > 0);
        char buf[VPORT_PCI_STRLEN];
        ssize_t d;

        if (kinds > 1)
                return vport_error_set(
                        err, -EINVAL,
                        "network '%s': <forward>: <interface>, <pf> and <address> are mutually exclusive",
                        def->name);
        d = first_duplicate(def->interfaces, def->n_interfaces, sizeof(char *), strp_cmp);
        if (d < -1)
                return (int) d;
        if (d >= 0)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward><interface dev='%s'>: listed twice",
                                       def->name, def->interfaces[d]);
        d = first_duplicate(def->addresses, def->n_addresses, sizeof(vport_pci_addr), pci_cmp);
        if (d < -1)
                return (int) d;
        if (d >= 0)
                return vport_error_set(err, -EINVAL, "network '%s': <forward><address>: %s listed twice",
                                       def->name, pci_addr_format(&def->addresses[d], buf));
        /* libvirt: <forward dev> names the first pool member when both are given */
        if (def->forward_dev && def->n_interfaces > 0 && !streq(def->forward_dev, def->interfaces[0]))
                return vport_error_set(
                        err, -EINVAL,
                        "network '%s': <forward dev='%s'>: must match the first <interface dev='%s'>",
                        def->name, def->forward_dev, def->interfaces[0]);
        return 0;
}

/* First element name in a verbatim fragment, for messages. */
static void raw_first_element(const char *raw, char buf[static 32]) {
        size_t n = raw[0] == '<' ? strcspn(raw + 1, " />") : 0;

        snprintf(buf, 32, "%.*s", (int) (n < 31 ? n : 31), raw + 1);
}

static int validate_l3_mode(const vport_network_def *def, vport_error *err) {
        if (def->pf || def->n_addresses > 0)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: <%s> is not supported", def->name,
                                       MODE(def), def->pf ? "pf" : "address");
        if (def->forward_mode == FORWARD_NONE && (def->forward_dev || def->n_interfaces > 0))
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward dev>: an isolated network forwards nowhere",
                                       def->name);
        /* libvirt: "forward dev not allowed ... with forward mode='open'" */
        if (def->forward_mode == FORWARD_OPEN && (def->forward_dev || def->n_interfaces > 0))
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='open'>: <forward dev> and <interface> "
                                       "are not allowed (an open network forwards nothing itself)",
                                       def->name);
        if (def->n_interfaces > 1)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: at most one <interface>",
                                       def->name, MODE(def));
        /* isolated and open: vport makes the bridge (a name or template, or
         * none: chosen at define); libvirt 11.3 starts an open network
         * without an <ip> too */
        if (forward_mode_makes_bridge(def->forward_mode))
                return 0;
        if (!def->bridge_name || network_def_bridge_is_template(def))
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: <bridge name> is required "
                                       "(vport plugs ports into an existing bridge, it does not create one)",
                                       def->name, MODE(def));
        return 0;
}

static int validate_non_l3_mode(const vport_network_def *def, vport_error *err) {
        char el[32];

        if (def->l3_xml) {
                raw_first_element(def->l3_xml, el);
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: <%s> is not supported", def->name,
                                       MODE(def), el);
        }
        /* libvirt: a network-wide limit needs a bridge the network owns */
        if (bandwidth_is_set(&def->bandwidth))
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: <bandwidth> is not supported",
                                       def->name, MODE(def));
        if (def->forward_extra_xml)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: <nat> is not supported",
                                       def->name, MODE(def));
        if (def->mac_specified)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: <mac> is not supported (it sets "
                                       "the MAC of a bridge the network creates)",
                                       def->name, MODE(def));
        if (network_def_bridge_is_template(def))
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: <bridge name='%s'>: a name "
                                       "template is only for a bridge the network creates",
                                       def->name, MODE(def), def->bridge_name);
        if (def->bridge_zone)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: <bridge zone> only applies to a "
                                       "bridge the network creates",
                                       def->name, MODE(def));
        /* libvirt: "mtu size only allowed in open, route, nat, and isolated mode" */
        if (def->mtu)
                return vport_error_set(
                        err, -EINVAL,
                        "network '%s': <forward mode='%s'>: <mtu size='%u'>: only applies to a "
                        "bridge the network creates (isolated, open)",
                        def->name, MODE(def), def->mtu);
        /* libvirt refuses any stp, and a non-zero delay (delay='0' is its
         * default and is dropped, as libvirt drops it), with the same words
         * for every mode that does not make its bridge. */
        if (def->bridge_stp >= 0)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: <bridge stp='%s'>: stp only "
                                       "applies to a bridge the network creates (isolated, open)",
                                       def->name, MODE(def), def->bridge_stp ? "on" : "off");
        if (def->bridge_delay > 0)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: <bridge delay='%ld'>: delay only "
                                       "applies to a bridge the network creates (isolated, open)",
                                       def->name, MODE(def), def->bridge_delay);
        return 0;
}

static int validate_bridge_mode(const vport_network_def *def, vport_error *err) {
        if (def->bridge_name && (def->forward_dev || def->n_interfaces > 0 || def->pf))
                return vport_error_set(
                        err, -EINVAL,
                        "network '%s': <forward mode='bridge'>: a <bridge name> and a <forward dev>, "
                        "<interface> or <pf> cannot be combined",
                        def->name);
        return 0;
}

static int validate_direct_mode(const vport_network_def *def, vport_error *err) {
        if (def->n_addresses > 0)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: <address> pools are for "
                                       "mode='hostdev'; use <interface> or <pf>",
                                       def->name, MODE(def));
        if (def->forward_mode == FORWARD_BRIDGE)
                return validate_bridge_mode(def, err);
        /* no device at all is accepted and started, as by libvirt; its ports
         * are refused (the pool is empty) */
        if (def->bridge_name)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: <bridge name> is not allowed",
                                       def->name, MODE(def));
        return 0;
}

static int validate_hostdev_mode(const vport_network_def *def, vport_error *err) {
        if (def->n_interfaces > 0 || def->forward_dev)
                return vport_error_set(
                        err, -EINVAL,
                        "network '%s': <forward mode='hostdev'>: <%s dev='%s'>: a hostdev pool takes "
                        "<address type='pci'> or <pf>",
                        def->name, def->forward_dev ? "forward" : "interface",
                        def->forward_dev ? def->forward_dev : def->interfaces[0]);
        if (def->bridge_name)
                return vport_error_set(
                        err, -EINVAL, "network '%s': <forward mode='hostdev'>: <bridge name> is not allowed",
                        def->name);
        return 0;
}

static int validate_mode(const vport_network_def *def, vport_error *err) {
        int r;

        if (def->forward_mode >= _FORWARD_MAX)
                return vport_error_set(err, -EINVAL, "network '%s': <forward mode>: invalid", def->name);
        if (def->forward_mode == FORWARD_NAT || def->forward_mode == FORWARD_ROUTE)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <forward mode='%s'>: vport does not manage %s "
                                       "(forwarding and firewall "
                                       "rules); vport manages isolated and open networks (a bridge and its "
                                       "addresses), bridge, "
                                       "private, vepa, passthrough and hostdev networks",
                                       def->name, MODE(def),
                                       def->forward_mode == FORWARD_NAT ? "NAT" : "routed networks");
        if (def->mac_table_manager != MAC_TABLE_MANAGER_DEFAULT && !forward_mode_is_l3(def->forward_mode) &&
            def->forward_mode != FORWARD_BRIDGE)
                return vport_error_set(
                        err, -EINVAL,
                        "network '%s': <forward mode='%s'>: <bridge macTableManager> is not supported",
                        def->name, MODE(def));
        if (forward_mode_is_l3(def->forward_mode))
                return validate_l3_mode(def, err);
        if ((r = validate_non_l3_mode(def, err)) < 0)
                return r;
        if (def->forward_mode == FORWARD_HOSTDEV)
                return validate_hostdev_mode(def, err);
        return validate_direct_mode(def, err);
}

static int validate_vlan(const vport_network_def *def, const vport_vlan *vlan, const char *where,
                         vport_error *err) {
        int r;

        if (vlan_is_set(vlan) && (r = vlan_validate(vlan, err)) < 0)
                return vport_error_prefix(err, r, "network '%s': %s", def->name, where);
        return 0;
}

static int vlan_refuse(const vport_network_def *def, const char *where, vport_error *err) {
        return vport_error_set(
                err, -EINVAL,
                "network '%s': %s<vlan>: not supported with <forward mode='%s'> (only hostdev, "
                "passthrough, or bridge with an openvswitch <virtualport>)",
                def->name, where, MODE(def));
}

/* libvirt's networkValidate: a tag needs hostdev, passthrough, or bridge mode
 * with an openvswitch virtualport. A portgroup that hands out a tag (its own
 * or the network's) and has a virtualport of its own needs that one to be
 * openvswitch on a bridge network (a virtualport without type fails, as in
 * libvirt). The network's own tag, with a default portgroup, is checked only
 * through the portgroups (every port gets one). */
static int validate_vlan_use(const vport_network_def *def, vport_error *err) {
        bool allowed = def->forward_mode == FORWARD_HOSTDEV || def->forward_mode == FORWARD_PASSTHROUGH ||
                       (def->forward_mode == FORWARD_BRIDGE && vp_is_ovs(def->virtualport));
        bool has_default = false;
        char where[128];

        for (size_t i = 0; i < def->n_portgroups; i++) {
                const vport_portgroup *pg = &def->portgroups[i];

                has_default |= pg->is_default;
                if (!vlan_is_set(&def->vlan) && !vlan_is_set(&pg->vlan))
                        continue;
                if (pg->virtualport ? def->forward_mode == FORWARD_BRIDGE && vp_is_ovs(pg->virtualport)
                                    : allowed)
                        continue;
                snprintf(where, sizeof(where), "<portgroup name='%.64s'>%s", pg->name,
                         vlan_is_set(&pg->vlan) ? "" : ": the network's ");
                return vlan_refuse(def, where, err);
        }
        if (vlan_is_set(&def->vlan) && !allowed && !has_default)
                return vlan_refuse(def, "", err);
        return 0;
}

static int validate_virtualport(const vport_network_def *def, const vport_virtualport *vp, const char *where,
                                vport_error *err) {
        int r;

        /* the type against the mode is checked per port, where libvirt checks it */
        if (!vp)
                return 0;
        if ((r = virtualport_def_check_no_extras(vp, err)) < 0)
                return vport_error_prefix(err, r, "network '%s': %s", def->name, where);
        return 0;
}

static int validate_portgroup(const vport_network_def *def, const vport_portgroup *pg, vport_error *err) {
        char where[128];
        int r;

        snprintf(where, sizeof(where), "<portgroup name='%.64s'>", pg->name);
        if ((r = validate_vlan(def, &pg->vlan, where, err)) < 0 ||
            (r = validate_virtualport(def, pg->virtualport, where, err)) < 0)
                return r;
        /* A virtualport that conflicts with the network's is not refused here:
         * libvirt accepts the definition and refuses each port of the group
         * (port_def_resolve's merge names both values). */
        /* libvirt: a portgroup's limits need a tap (macvtap and hostdev have none to shape here) */
        if (bandwidth_is_set(&pg->bandwidth) &&
            (network_def_plug_type(def, NULL) == PLUG_DIRECT || def->forward_mode == FORWARD_HOSTDEV))
                return vport_error_set(err, -EINVAL,
                                       "network '%s': %s<bandwidth>: not supported with <forward mode='%s'>",
                                       def->name, where, MODE(def));
        if (pg->bandwidth.in.floor && !forward_mode_is_l3(def->forward_mode))
                return vport_error_set(err, -EINVAL,
                                       "network '%s': %s<bandwidth><inbound floor>: only supported on nat, "
                                       "route, open and isolated networks",
                                       def->name, where);
        return 0;
}

static int validate_portgroups(const vport_network_def *def, vport_error *err) {
        const char *dflt = NULL;
        int r;

        ssize_t d = first_duplicate(def->portgroups, def->n_portgroups, sizeof(vport_portgroup),
                                    portgroup_name_cmp);

        if (d < -1)
                return (int) d;
        if (d >= 0)
                return vport_error_set(err, -EINVAL,
                                       "network '%s': <portgroup name='%.64s'>: duplicate name", def->name,
                                       def->portgroups[d].name);
        for (size_t i = 0; i < def->n_portgroups; i++) {
                const vport_portgroup *pg = &def->portgroups[i];

                if (pg->is_default && dflt)
                        return vport_error_set(err, -EINVAL,
                                               "network '%s': <portgroup name='%.64s' default='yes'>: "
                                               "'%.64s' is already the default",
                                               def->name, pg->name, dflt);
                if (pg->is_default)
                        dflt = pg->name;
                if ((r = validate_portgroup(def, pg, err)) < 0)
                        return r;
        }
        return 0;
}

static int validate_names(const vport_network_def *def, vport_error *err) {
        int r;

        if ((r = netname_check(def->name, err)) < 0)
                return r;
        if (def->bridge_name && !network_def_bridge_is_template(def) &&
            (r = ifname_check(def->bridge_name, err)) < 0)
                return vport_error_prefix(err, r, "network '%s': <bridge name>", def->name);
        if (def->forward_dev && (r = ifname_check(def->forward_dev, err)) < 0)
                return vport_error_prefix(err, r, "network '%s': <forward dev>", def->name);
        if (def->pf && (r = ifname_check(def->pf, err)) < 0)
                return vport_error_prefix(err, r, "network '%s': <forward><pf dev>", def->name);
        for (size_t i = 0; i < def->n_interfaces; i++)
                if ((r = ifname_check(def->interfaces[i], err)) < 0)
                        return vport_error_prefix(err, r, "network '%s': <forward><interface dev>",
                                                  def->name);
        for (size_t i = 0; i < def->n_portgroups; i++)
                if ((r = name_check(NAME_PORTGROUP, def->portgroups[i].name, err)) < 0)
                        return vport_error_prefix(err, r, "network '%s': <portgroup name>", def->name);
        return 0;
}

int network_def_validate(const vport_network_def *def, vport_error *err) {
        int r;

        assert_return(def, -EINVAL);
        if ((r = validate_names(def, err)) < 0 || (r = validate_pool(def, err)) < 0 ||
            (r = validate_mode(def, err)) < 0)
                return r;
        if (def->virtualport && def->virtualport->type == VIRTUALPORT_NONE)
                return vport_error_set(err, -EINVAL, "network '%s': <virtualport>: missing attribute 'type'",
                                       def->name);
        if ((r = validate_virtualport(def, def->virtualport, "", err)) < 0 ||
            (r = validate_vlan(def, &def->vlan, "", err)) < 0 || (r = validate_vlan_use(def, err)) < 0)
                return r;
        return validate_portgroups(def, err);
}

static void note_tristate(const vport_network_def *def, const char *attr, vport_tristate t, const char *why,
                          void (*note)(void *, const char *), void *userdata) {
        char msg[512];

        if (t == TRISTATE_ABSENT)
                return;
        snprintf(msg, sizeof(msg),
                 "network '%s': <network %s='%s'>: kept, but vport gives it no effect (%s)", def->name, attr,
                 tristate_to_string(t), why);
        note(userdata, msg);
}

/* vport sets no tc limits: a network's or portgroup's <bandwidth> is kept
 * for the ports (their XML carries it) but not applied. */
static void note_bandwidth(const vport_network_def *def, const char *pg, void (*note)(void *, const char *),
                           void *userdata) {
        char msg[512];

        snprintf(
                msg, sizeof(msg),
                "network '%s': %s%s%s<bandwidth>: kept, but vport gives it no effect (it sets no tc limits)",
                def->name, *pg ? "<portgroup name='" : "", pg, *pg ? "'>" : "");
        note(userdata, msg);
}

void network_def_notices(const vport_network_def *def, void (*note)(void *userdata, const char *msg),
                         void *userdata) {
        char msg[512];

        if (!def || !note)
                return;
        note_tristate(def, "ipv6", def->ipv6,
                      "libvirt's IPv6 firewall rules use it; vport makes none, so it blocks no guest IPv6",
                      note, userdata);
        /* libvirt answers DNS (dnsmasq) on a network's addresses unless told not to */
        if (forward_mode_is_l3(def->forward_mode) && def->has_ip && !def->dns_disabled) {
                snprintf(msg, sizeof(msg),
                         "network '%s': <ip>: libvirt would answer DNS on these addresses (dnsmasq); vport "
                         "runs "
                         "no DNS server (<dns enable='no'/> says so and silences this)",
                         def->name);
                note(userdata, msg);
        }
        if (bandwidth_is_set(&def->bandwidth))
                note_bandwidth(def, "", note, userdata);
        for (size_t i = 0; i < def->n_portgroups; i++)
                if (bandwidth_is_set(&def->portgroups[i].bandwidth))
                        note_bandwidth(def, def->portgroups[i].name, note, userdata);
        /* libvirt keeps a <driver> (and ignores managed) outside hostdev mode */
        if (def->forward_mode != FORWARD_HOSTDEV &&
            (def->managed || def->driver != HOSTDEV_DRIVER_DEFAULT || def->driver_model[0])) {
                snprintf(msg, sizeof(msg),
                         "network '%s': <forward mode='%s'>: <forward %s>: kept, but vport gives it no "
                         "effect "
                         "(it is for mode='hostdev')",
                         def->name, MODE(def), def->managed ? "managed" : "<driver>");
                note(userdata, msg);
        }
        if (def->bridge_zone) {
                snprintf(msg, sizeof(msg),
                         "network '%s': <bridge zone='%s'>: kept, but vport gives it no effect (it does not "
                         "talk to firewalld)",
                         def->name, def->bridge_zone);
                note(userdata, msg);
        }
}
