/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/mman.h>

#include "core/netdev-name.h"
#include "fake-netdev.h"

fake_net *fnet;

static fake_net_link *slot_free(void) {
        for (int i = 0; i < FAKE_NET_MAX_LINKS; i++)
                if (fnet->links[i].link.ifindex == 0)
                        return &fnet->links[i];
        return NULL;
}

fake_net_link *fake_net_find(int ifindex, const char *name) {
        for (int i = 0; i < FAKE_NET_MAX_LINKS; i++) {
                fake_net_link *l = &fnet->links[i];
                if (l->link.ifindex == 0)
                        continue;
                if (ifindex > 0 ? l->link.ifindex == ifindex : streq_ptr(l->link.name, name))
                        return l;
        }
        return NULL;
}

static bool is_kind(const fake_net_link *l, const char *kind) {
        return l && streq(l->link.kind, kind);
}

static bool is_macvlan(const fake_net_link *l) {
        return is_kind(l, "macvtap") || is_kind(l, "macvlan");
}

/* A new link: the kernel's checks on the name, then the next ifindex. */
static int link_new(const char *name, const char *kind, const vport_mac *mac, fake_net_link **ret,
                    vport_error *err) {
        char made[VPORT_IFNAMSIZ];
        fake_net_link *l;

        /* A template: the first free number, as dev_alloc_name(). */
        if (name && netdev_name_is_template(name)) {
                for (int i = 0;; i++) {
                        snprintf(made, sizeof(made), "%.*s%d", (int) strlen(name) - 2, name, i);
                        if (!fake_net_find(0, made))
                                break;
                }
                name = made;
        }
        if (!name || ifname_check(name, NULL) < 0)
                return vport_error_set(err, -EINVAL, "fake: bad name '%s'", strempty(name));
        if (fake_net_find(0, name))
                return vport_error_set(err, -EEXIST, "fake: %s: File exists", name);
        if (mac && (mac_is_zero(mac) || (mac->addr[0] & 1)))
                return vport_error_set(err, -EADDRNOTAVAIL, "fake: %s: invalid MAC", name);
        if (!(l = slot_free()))
                return vport_error_set(err, -ENOSPC, "fake: link table full");
        while (fake_net_find(fnet->next_ifindex, NULL)) /* a test may rewind it */
                fnet->next_ifindex++;
        *l = (fake_net_link){ .link = { .ifindex = fnet->next_ifindex++, .mtu = 1500 } };
        snprintf(l->link.name, sizeof(l->link.name), "%s", name);
        snprintf(l->link.kind, sizeof(l->link.kind), "%s", kind);
        if (mac)
                l->link.mac = *mac;
        *ret = l;
        return 0;
}

int fake_net_add(const char *name, const char *kind, const vport_mac *mac, bool up) {
        fake_net_link *l = NULL;

        if (link_new(name, kind, mac, &l, NULL) < 0)
                abort();
        l->link.flags = up ? IFF_UP : 0;
        return l->link.ifindex;
}

void fake_net_setup(void) {
        vport_mac m = { { 0x02, 0, 0, 0, 0, 0 } };

        if (!fnet) {
                fnet = mmap(NULL, sizeof(*fnet), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
                if (fnet == MAP_FAILED)
                        abort();
        }
        *fnet = (fake_net){ .next_ifindex = 2 };
        m.addr[5] = 1;
        fake_net_add("eth0", "", &m, true);
        m.addr[5] = 2;
        fake_net_add("eth1", "", &m, true);
        m.addr[5] = 4;
        fake_net_add("br0", "bridge", &m, true);
        m.addr[5] = 3;
        fake_net_add("eth2", "", &m, true);
        fake_net_find(0, "eth2")->link.master_ifindex = fake_net_find(0, "br0")->link.ifindex;
        fake_net_find(0, "eth2")->learning = fake_net_find(0, "eth2")->flood = true;
}

static void fdb_flush(int ifindex) {
        for (int i = 0; i < FAKE_NET_MAX_FDB; i++)
                if (fnet->fdb[i].port_ifindex == ifindex || fnet->fdb[i].bridge_ifindex == ifindex)
                        fnet->fdb[i] = (fake_net_fdb){ 0 };
}

/* What unregister_netdevice does around a link: its macvlans go with it,
 * a bridge's ports are released, its FDB entries are flushed. */
void fake_net_remove(int ifindex) {
        fake_net_link *l = fake_net_find(ifindex, NULL);

        if (!l)
                return;
        l->link.ifindex = 0;
        fdb_flush(ifindex);
        for (int i = 0; i < FAKE_NET_MAX_LINKS; i++) {
                fake_net_link *o = &fnet->links[i];
                if (o->link.ifindex && is_macvlan(o) && o->link.link_ifindex == ifindex)
                        fake_net_remove(o->link.ifindex);
                else if (o->link.ifindex && o->link.master_ifindex == ifindex)
                        o->link.master_ifindex = 0;
        }
}

unsigned fake_net_fdb_count(const vport_mac *mac) {
        unsigned n = 0;

        for (int i = 0; i < FAKE_NET_MAX_FDB; i++)
                n += fnet->fdb[i].port_ifindex && mac_equal(&fnet->fdb[i].mac, mac);
        return n;
}

unsigned fake_net_count(const char *kind) {
        unsigned n = 0;

        for (int i = 0; i < FAKE_NET_MAX_LINKS; i++)
                n += fnet->links[i].link.ifindex && (!kind || streq(fnet->links[i].link.kind, kind));
        return n;
}

/* The link with ifindex: 0 and *ret, or -ENODEV as rtnetlink says it. */
static int get(int ifindex, const char *op, fake_net_link **ret, vport_error *err) {
        *ret = ifindex > 0 ? fake_net_find(ifindex, NULL) : NULL;
        if (!*ret)
                return vport_error_set(err, -ENODEV, "fake: %s: no device with ifindex %d", op, ifindex);
        return 0;
}

#define COUNT(op) (fnet->calls.op++, fnet->calls.total++)

static int fake_link_get(vport_kernel *k, int ifindex, const char *name, vport_link *ret, vport_error *err) {
        fake_net_link *l = fake_net_find(ifindex, name);

        COUNT(link_get);
        if (!l || (ifindex <= 0 && !name))
                return vport_error_set(err, -ENODEV, "fake: no link %d/%s", ifindex, strempty(name));
        *ret = l->link;
        return 0;
}

static int fake_link_list(vport_kernel *k, vport_link **ret, size_t *ret_n, vport_error *err) {
        size_t n = 0;

        COUNT(link_list);
        *ret = calloc(FAKE_NET_MAX_LINKS, sizeof(**ret));
        if (!*ret)
                return -ENOMEM;
        for (int i = 0; i < FAKE_NET_MAX_LINKS; i++)
                if (fnet->links[i].link.ifindex)
                        (*ret)[n++] = fnet->links[i].link;
        *ret_n = n;
        return 0;
}

static int fake_link_list_kind(vport_kernel *k, const char *kind, vport_link **ret, size_t *ret_n,
                               vport_error *err) {
        size_t n = 0;

        COUNT(link_list_kind);
        *ret = calloc(FAKE_NET_MAX_LINKS, sizeof(**ret));
        if (!*ret)
                return -ENOMEM;
        for (int i = 0; i < FAKE_NET_MAX_LINKS; i++)
                if (fnet->links[i].link.ifindex && streq(fnet->links[i].link.kind, kind))
                        (*ret)[n++] = fnet->links[i].link;
        *ret_n = n;
        return 0;
}

/* macvlan_open() puts an up macvlan's MAC on its lower device's unicast
 * list (not in passthrough mode, nor a MAC equal to the lower's own). */
static int fake_link_uc_list(vport_kernel *k, int ifindex, vport_mac **ret, size_t *ret_n,
                             vport_error *err) {
        fake_net_link *lower = fake_net_find(ifindex, NULL);
        size_t n = 0;

        COUNT(link_uc_list);
        if (!lower)
                return vport_error_set(err, -ENODEV, "fake: no link %d", ifindex);
        *ret = calloc(FAKE_NET_MAX_LINKS, sizeof(**ret));
        if (!*ret)
                return -ENOMEM;
        for (int i = 0; i < FAKE_NET_MAX_LINKS; i++) {
                const fake_net_link *l = &fnet->links[i];
                if (l->link.ifindex && is_macvlan(l) && l->link.link_ifindex == ifindex &&
                    (l->link.flags & IFF_UP) && l->link.macvlan_mode != MACVLAN_MODE_PASSTHRU &&
                    !mac_equal(&l->link.mac, &lower->link.mac))
                        (*ret)[n++] = l->link.mac;
        }
        *ret_n = n;
        return 0;
}

/* macvlan_addr_busy(): the lower device's own MAC, or one an up macvlan
 * on that lower device holds (not in passthrough mode). */
static bool macvlan_mac_busy(const fake_net_link *l, const vport_mac *mac) {
        const fake_net_link *lower = fake_net_find(l->link.link_ifindex, NULL);

        if (lower && mac_equal(&lower->link.mac, mac))
                return true;
        for (int i = 0; i < FAKE_NET_MAX_LINKS; i++) {
                const fake_net_link *o = &fnet->links[i];
                if (o != l && o->link.ifindex && is_macvlan(o) &&
                    o->link.link_ifindex == l->link.link_ifindex && (o->link.flags & IFF_UP) &&
                    mac_equal(&o->link.mac, mac))
                        return true;
        }
        return false;
}

/* A NIC without IFF_LIVE_ADDR_CHANGE refuses a new MAC while running
 * (eth_prepare_mac_addr_change): physical devices here; taps, macvtaps
 * and bridges take it live. A macvlan refuses a MAC that is busy on its
 * lower device (macvlan_set_mac_address(); its own MAC again is a no-op,
 * unchecked); in passthrough mode the lower device takes it. */
static int set_mac(fake_net_link *l, const vport_mac *mac, vport_error *err) {
        fake_net_link *lower;

        if (mac_is_zero(mac) || (mac->addr[0] & 1))
                return vport_error_set(err, -EADDRNOTAVAIL, "fake: %s: invalid MAC", l->link.name);
        if (is_kind(l, "") && (l->link.flags & IFF_UP))
                return vport_error_set(err, -EBUSY, "fake: %s: Device or resource busy", l->link.name);
        if (is_macvlan(l) && !mac_equal(&l->link.mac, mac)) {
                lower = fake_net_find(l->link.link_ifindex, NULL);
                if (l->link.macvlan_mode == MACVLAN_MODE_PASSTHRU && lower)
                        return set_mac(lower, mac, err);
                if (macvlan_mac_busy(l, mac))
                        return vport_error_set(err, -EADDRINUSE, "fake: %s: Address already in use",
                                               l->link.name);
        }
        l->link.mac = *mac;
        return 0;
}

static int fake_link_set_mac(vport_kernel *k, int ifindex, const vport_mac *mac, vport_error *err) {
        fake_net_link *l;
        int r;

        COUNT(link_set_mac);
        if ((r = get(ifindex, "link_set_mac", &l, err)) < 0)
                return r;
        return set_mac(l, mac, err);
}

/* do_setlink(): the address first; refused, the group stays. */
static int fake_link_set_mac_group(vport_kernel *k, int ifindex, const vport_mac *mac, uint32_t group,
                                   vport_error *err) {
        fake_net_link *l;
        int r;

        COUNT(link_set_mac_group);
        if ((r = get(ifindex, "link_set_mac_group", &l, err)) < 0)
                return r;
        r = set_mac(l, mac, err);
        if (r >= 0)
                l->link.group = group;
        return r;
}

static int fake_link_set_up(vport_kernel *k, int ifindex, bool up, vport_error *err) {
        fake_net_link *l;
        int r;

        COUNT(link_set_up);
        if ((r = get(ifindex, "link_set_up", &l, err)) < 0)
                return r;
        l->link.flags = up ? l->link.flags | IFF_UP : l->link.flags & ~(unsigned) IFF_UP;
        return 0;
}

/* do_set_master: a master without ndo_add_slave (anything but a bridge
 * here) is -EOPNOTSUPP; leaving a bridge flushes the port's FDB entries. */
static int fake_link_set_master(vport_kernel *k, int ifindex, int master, vport_error *err) {
        fake_net_link *l, *m = NULL;
        int r;

        COUNT(link_set_master);
        if ((r = get(ifindex, "link_set_master", &l, err)) < 0)
                return r;
        if (master && !(m = fake_net_find(master, NULL)))
                return vport_error_set(err, -EINVAL, "fake: master ifindex %d does not exist", master);
        if (m && (!is_kind(m, "bridge") || m == l))
                return vport_error_set(err, -EOPNOTSUPP, "fake: %s cannot enslave %s", m->link.name,
                                       l->link.name);
        if (l->link.master_ifindex == master)
                return 0;
        fdb_flush(ifindex);
        l->link.master_ifindex = master;
        l->learning = l->flood = master != 0; /* br_add_if: BR_LEARNING | BR_FLOOD */
        return 0;
}

static int fake_link_set_group(vport_kernel *k, int ifindex, uint32_t group, vport_error *err) {
        fake_net_link *l;
        int r;

        COUNT(link_set_group);
        if ((r = get(ifindex, "link_set_group", &l, err)) < 0)
                return r;
        l->link.group = group;
        return 0;
}

static int fake_link_delete(vport_kernel *k, int ifindex, vport_error *err) {
        fake_net_link *l;
        int r;

        COUNT(link_delete);
        if ((r = get(ifindex, "link_delete", &l, err)) < 0)
                return r;
        if (is_kind(l, ""))
                return vport_error_set(err, -EOPNOTSUPP, "fake: %s: Operation not supported", l->link.name);
        fake_net_remove(ifindex);
        return 0;
}

/* rtnl_group_dellink: group 0 is -EPERM, an empty group -ENODEV, and a
 * group holding any device without dellink deletes nothing. */
static int fake_link_delete_group(vport_kernel *k, uint32_t group, vport_error *err) {
        bool found = false;

        COUNT(link_delete_group);
        if (group == 0)
                return vport_error_set(err, -EPERM, "fake: group 0");
        for (int i = 0; i < FAKE_NET_MAX_LINKS; i++) {
                fake_net_link *l = &fnet->links[i];
                if (!l->link.ifindex || l->link.group != group)
                        continue;
                found = true;
                if (is_kind(l, ""))
                        return vport_error_set(err, -EOPNOTSUPP, "fake: group %u holds %s", group,
                                               l->link.name);
        }
        if (!found)
                return vport_error_set(err, -ENODEV, "fake: group %u is empty", group);
        for (int i = 0; i < FAKE_NET_MAX_LINKS; i++)
                if (fnet->links[i].link.ifindex && fnet->links[i].link.group == group)
                        fake_net_remove(fnet->links[i].link.ifindex);
        return 0;
}

static bool has_macvlans(int lower, bool passthru_only) {
        for (int i = 0; i < FAKE_NET_MAX_LINKS; i++) {
                const fake_net_link *l = &fnet->links[i];
                if (l->link.ifindex && is_macvlan(l) && l->link.link_ifindex == lower &&
                    (!passthru_only || l->link.macvlan_mode == MACVLAN_MODE_PASSTHRU))
                        return true;
        }
        return false;
}

/* macvlan_common_newlink: passthrough only as the lower device's single
 * macvlan (nothing else next to it), and then with the lower's MAC. */
static int fake_macvlan_create(vport_kernel *k, const vport_macvlan_request *req, vport_link *ret,
                               vport_error *err) {
        fake_net_link *lower = fake_net_find(req->lower_ifindex, NULL), *l = NULL;
        bool passthru = req->mode == MACVLAN_MODE_PASSTHRU;
        int r;

        COUNT(macvlan_create);
        if (req->lower_ifindex <= 0 || !lower)
                return vport_error_set(err, -ENODEV, "fake: lower ifindex %d", req->lower_ifindex);
        if (has_macvlans(lower->link.ifindex, !passthru))
                return vport_error_set(err, -EINVAL, "fake: %s: passthrough macvlan conflicts",
                                       lower->link.name);
        r = link_new(req->name, req->tap ? "macvtap" : "macvlan", passthru ? &lower->link.mac : &req->mac,
                     &l, err);
        if (r < 0)
                return r;
        l->made_by_create = true;
        l->link.link_ifindex = lower->link.ifindex;
        l->link.macvlan_mode = req->mode;
        l->link.group = req->group;
        *ret = l->link;
        return 0;
}

static int fake_tap_create(vport_kernel *k, const char *name, const vport_mac *mac, uint32_t group,
                           vport_link *ret, vport_error *err) {
        fake_net_link *l = NULL;
        int r;

        COUNT(tap_create);
        r = link_new(name, "tun", mac, &l, err);
        if (r < 0)
                return r;
        l->made_by_create = true;
        l->link.group = group;
        *ret = l->link;
        return 0;
}

static int fake_macvtap_wait_dev(vport_kernel *k, int ifindex, int timeout_ms, char **ret_path,
                                 vport_error *err) {
        fake_net_link *l;
        int r;

        COUNT(macvtap_wait_dev);
        if ((r = get(ifindex, "macvtap_wait_dev", &l, err)) < 0)
                return r;
        if (!is_kind(l, "macvtap"))
                return vport_error_set(err, -ETIMEDOUT, "fake: %s has no /dev/tap", l->link.name);
        return asprintf(ret_path, "/dev/tap%d", ifindex) < 0 ? -ENOMEM : 0;
}

/* A bridge port: 0 and *ret; a device outside any bridge has no
 * br_port_info to set flags or FDB entries on (-EOPNOTSUPP). */
static int brport(int ifindex, const char *op, fake_net_link **ret, vport_error *err) {
        int r = get(ifindex, op, ret, err);

        if (r >= 0 && !(*ret)->link.master_ifindex)
                return vport_error_set(err, -EOPNOTSUPP, "fake: %s: %s is not a bridge port", op,
                                       (*ret)->link.name);
        return r;
}

static int fake_brport_set_flags(vport_kernel *k, int ifindex, bool learning, bool flood, vport_error *err) {
        fake_net_link *l;
        int r;

        COUNT(brport_set_flags);
        if ((r = brport(ifindex, "brport_set_flags", &l, err)) < 0)
                return r;
        l->learning = learning;
        l->flood = flood;
        return 0;
}

static int fake_brport_set_isolated(vport_kernel *k, int ifindex, bool isolated, vport_error *err) {
        fake_net_link *l;
        int r;

        COUNT(brport_set_isolated);
        if ((r = brport(ifindex, "brport_set_isolated", &l, err)) < 0)
                return r;
        l->isolated = isolated;
        return 0;
}

static int fake_bridge_create(vport_kernel *k, const vport_bridge_request *req, vport_link *ret,
                              vport_error *err) {
        fake_net_link *l = NULL;
        int r;

        COUNT(bridge_create);
        r = link_new(req->name, "bridge", &req->mac, &l, err);
        if (r < 0)
                return r;
        l->made_by_create = true;
        l->link.group = req->group;
        l->stp = req->stp;
        l->forward_delay_cs = req->forward_delay_cs;
        *ret = l->link;
        return 0;
}

static int fake_addr_add(vport_kernel *k, int ifindex, const vport_ipaddr *a, vport_error *err) {
        fake_net_link *l;
        int r;

        COUNT(addr_add);
        if ((r = get(ifindex, "addr_add", &l, err)) < 0)
                return r;
        for (size_t i = 0; i < l->n_addrs; i++)
                if (l->addrs[i].family == a->family && !memcmp(l->addrs[i].addr, a->addr, 16))
                        return vport_error_set(err, -EEXIST, "fake: addr_add: address exists");
        if (l->n_addrs == FAKE_NET_MAX_ADDRS)
                return vport_error_set(err, -ENOSPC, "fake: addr_add: too many addresses");
        l->addrs[l->n_addrs++] = *a;
        return 0;
}

static int fake_ipv6_conf_set(vport_kernel *k, const char *ifname, const char *key, int value,
                              vport_error *err) {
        fake_net_link *l = fake_net_find(0, ifname);

        COUNT(other);
        if (!l)
                return vport_error_set(err, -ENOENT, "fake: no /proc/sys/net/ipv6/conf/%s", ifname);
        if (streq(key, "disable_ipv6"))
                l->ipv6_disabled = value;
        return 0;
}

static fake_net_fdb *fdb_find(int bridge, const vport_mac *mac) {
        for (int i = 0; i < FAKE_NET_MAX_FDB; i++)
                if (fnet->fdb[i].port_ifindex && fnet->fdb[i].bridge_ifindex == bridge &&
                    mac_equal(&fnet->fdb[i].mac, mac))
                        return &fnet->fdb[i];
        return NULL;
}

/* One entry per MAC and bridge: NLM_F_REPLACE moves it to the new port. */
static int fake_fdb_add(vport_kernel *k, int ifindex, const vport_mac *mac, vport_error *err) {
        fake_net_link *l;
        fake_net_fdb *e;
        int r;

        COUNT(fdb_add);
        if ((r = brport(ifindex, "fdb_add", &l, err)) < 0)
                return r;
        e = fdb_find(l->link.master_ifindex, mac);
        for (int i = 0; !e && i < FAKE_NET_MAX_FDB; i++)
                if (!fnet->fdb[i].port_ifindex)
                        e = &fnet->fdb[i];
        if (!e)
                return vport_error_set(err, -ENOSPC, "fake: FDB full");
        *e = (fake_net_fdb){ .bridge_ifindex = l->link.master_ifindex,
                             .port_ifindex = ifindex,
                             .mac = *mac };
        return 0;
}

static int fake_fdb_del(vport_kernel *k, int ifindex, const vport_mac *mac, vport_error *err) {
        fake_net_link *l;
        fake_net_fdb *e;
        int r;

        COUNT(fdb_del);
        if ((r = brport(ifindex, "fdb_del", &l, err)) < 0)
                return r;
        e = fdb_find(l->link.master_ifindex, mac);
        if (!e || e->port_ifindex != ifindex)
                return vport_error_set(err, -ENOENT, "fake: no FDB entry on %s", l->link.name);
        *e = (fake_net_fdb){ 0 };
        return 0;
}

static int fake_fdb_get(vport_kernel *k, int ifindex, const vport_mac *mac, vport_error *err) {
        fake_net_link *l;
        fake_net_fdb *e;
        int r;

        COUNT(other);
        if ((r = get(ifindex, "fdb_get", &l, err)) < 0)
                return r;
        if (!l->link.master_ifindex) /* rtnl_fdb_get */
                return vport_error_set(err, -EINVAL, "fake: %s is not a bridge port", l->link.name);
        e = fdb_find(l->link.master_ifindex, mac);
        if (!e || e->port_ifindex != ifindex)
                return vport_error_set(err, -ENOENT, "fake: no FDB entry on %s", l->link.name);
        return 0;
}

static int fake_link_set_mtu(vport_kernel *k, int ifindex, unsigned mtu, vport_error *err) {
        fake_net_link *l;
        int r;

        COUNT(other);
        if ((r = get(ifindex, "link_set_mtu", &l, err)) < 0)
                return r;
        l->link.mtu = mtu;
        return 0;
}

/* None of these devices sits on a PCI bus, nor has VFs. */
static int fake_netdev_pci(vport_kernel *k, const char *ifname, vport_pci_addr *ret, vport_error *err) {
        COUNT(netdev_pci);
        return vport_error_set(err, -ENODEV, "fake: %s is not a PCI device", ifname);
}

static int not_pci(vport_error *err) {
        COUNT(other);
        return vport_error_set(err, -ENODEV, "fake: not a PCI device");
}

static int fake_vf_list(vport_kernel *k, int pf, vport_vf_info **ret, size_t *ret_n, vport_error *err) {
        COUNT(other);
        return vport_error_set(err, -EOPNOTSUPP, "fake: ifindex %d has no VFs", pf);
}

static int fake_vf_set(vport_kernel *k, int pf, const vport_vf_info *cfg, unsigned mask, vport_error *err) {
        COUNT(other);
        return vport_error_set(err, -EOPNOTSUPP, "fake: ifindex %d has no VFs", pf);
}

static int fake_pci_info(vport_kernel *k, const vport_pci_addr *a, vport_pci_info *ret, vport_error *err) {
        return not_pci(err);
}

static int fake_pci_netdevs(vport_kernel *k, const vport_pci_addr *a, char ***ret, size_t *ret_n,
                            vport_error *err) {
        return not_pci(err);
}

static int fake_pci_vfs(vport_kernel *k, const vport_pci_addr *a, vport_pci_addr **ret, size_t *ret_n,
                        vport_error *err) {
        return not_pci(err);
}

static int fake_sriov_numvfs(vport_kernel *k, const vport_pci_addr *a, int *num, int *total,
                             vport_error *err) {
        return not_pci(err);
}

static int fake_pci_unbind(vport_kernel *k, const vport_pci_addr *a, vport_error *err) {
        return not_pci(err);
}

static int fake_pci_bind(vport_kernel *k, const vport_pci_addr *a, const char *driver, vport_error *err) {
        return not_pci(err);
}

static int fake_pci_wait_netdev(vport_kernel *k, const vport_pci_addr *a, int timeout_ms, char **ret,
                                vport_error *err) {
        return not_pci(err);
}

const vport_kernel_ops fake_net_ops = {
        .link_get = fake_link_get,
        .link_list = fake_link_list,
        .link_list_kind = fake_link_list_kind,
        .link_set_mac = fake_link_set_mac,
        .link_set_up = fake_link_set_up,
        .link_set_master = fake_link_set_master,
        .link_set_group = fake_link_set_group,
        .link_set_mac_group = fake_link_set_mac_group,
        .link_delete = fake_link_delete,
        .link_delete_group = fake_link_delete_group,
        .macvlan_create = fake_macvlan_create,
        .tap_create = fake_tap_create,
        .macvtap_wait_dev = fake_macvtap_wait_dev,
        .brport_set_flags = fake_brport_set_flags,
        .brport_set_isolated = fake_brport_set_isolated,
        .bridge_create = fake_bridge_create,
        .addr_add = fake_addr_add,
        .ipv6_conf_set = fake_ipv6_conf_set,
        .fdb_add = fake_fdb_add,
        .fdb_del = fake_fdb_del,
        .fdb_get = fake_fdb_get,
        .link_uc_list = fake_link_uc_list,
        .link_set_mtu = fake_link_set_mtu,
        .netdev_pci = fake_netdev_pci,
        .vf_list = fake_vf_list,
        .vf_set = fake_vf_set,
        .pci_info = fake_pci_info,
        .pci_netdevs = fake_pci_netdevs,
        .pci_vfs = fake_pci_vfs,
        .sriov_numvfs = fake_sriov_numvfs,
        .pci_unbind = fake_pci_unbind,
        .pci_bind = fake_pci_bind,
        .pci_wait_netdev = fake_pci_wait_netdev,
};
