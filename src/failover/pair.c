/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One pair's state, level-triggered: every netlink event leads to one
 * comparison of what the links are with what the pair has installed, so a
 * missed or merged event (ENOBUFS, a restart) is never a missed switch.
 *
 * The data path (the note failover-tc.md, checked on these machines):
 * the VF's ingress is redirected to the synthetic's ingress as soon as the
 * VF joins (whatever arrives on it reaches the synthetic device, where the
 * addresses and firewall rules are), and the synthetic's egress is
 * redirected to the VF's egress while the VF can carry frames (up, with
 * carrier). Switching back always removes that egress redirect first. */
#include <linux/if.h>
#include <linux/if_arp.h>
#include <stdio.h>

#include "failover.h"

/* IN6_ADDR_GEN_MODE_NONE from linux/if_link.h, without dragging it in. */
#define FO_ADDR_GEN_MODE_NONE 1

static const vport_link *link_find(const vport_link *links, size_t n, int ifindex) {
        for (size_t i = 0; i < n; i++)
                if (links[i].ifindex == ifindex)
                        return &links[i];
        return NULL;
}

static const vport_link *link_find_name(const vport_link *links, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(links[i].name, name))
                        return &links[i];
        return NULL;
}

/* Up, with carrier, and operationally up: the operational state is set by
 * the kernel's link watch once the device's queues are running and its
 * carrier change has been handed on (to a bridge, a bond) - the carrier bit
 * alone comes earlier. A driver that reports no operational state
 * (IF_OPER_UNKNOWN) is taken at its carrier. */
static bool link_carries(const vport_link *l) {
        return (l->flags & IFF_UP) && (l->flags & IFF_LOWER_UP) &&
               (l->operstate == IF_OPER_UP || l->operstate == IF_OPER_UNKNOWN);
}

static void pair_error(fo_pair *p, int r, const vport_error *e) {
        snprintf(p->error, sizeof(p->error), "%s", vport_error_message(e, r));
        fo_log("%s: %s", p->synth, p->error);
}

/* A device with the synthetic's identity that must never join, and why:
 * a VLAN or macvlan on the synthetic inherits its MAC, a bridge or bond
 * takes its first port's. Hardware VF drivers register no link kind; veth
 * stands in for them in tests and on hosts. NULL: it may join. */
static const char *candidate_refusal(const fo_pair *p, const vport_link *l) {
        if (l->type != ARPHRD_ETHER)
                return "not an Ethernet device";
        if (l->kind[0] && !streq(l->kind, "veth"))
                return l->kind;
        if (l->master_ifindex > 0)
                return "enslaved to another device";
        return NULL;
}

static bool candidate_matches(fo_agent *a, const fo_pair *p, const vport_link *l) {
        vport_pci_addr addr;

        if (p->has_vf_pci)
                return a->ops->netdev_pci(a->k, l->name, &addr, NULL) >= 0 &&
                       pci_addr_equal(&addr, &p->vf_pci);
        return mac_equal(&l->mac, &p->synth_mac);
}

static bool ignored(fo_pair *p, int ifindex, bool add) {
        for (size_t i = 0; i < p->n_ignored; i++)
                if (p->ignored[i] == ifindex)
                        return true;
        if (add && p->n_ignored < FO_MAX_IGNORED)
                p->ignored[p->n_ignored++] = ifindex;
        return false;
}

static const vport_link *candidate_find(fo_agent *a, fo_pair *p, const vport_link *links, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const vport_link *l = &links[i];
                const char *why;

                if (l->ifindex == p->synth_ifindex || l->ifindex == p->detached_vf ||
                    !candidate_matches(a, p, l))
                        continue;
                why = candidate_refusal(p, l);
                if (!why)
                        return l;
                if (!ignored(p, l->ifindex, true))
                        fo_log("%s: %s (ifindex %d) has its %s but never joins: %s", p->synth, l->name,
                               l->ifindex, p->has_vf_pci ? "VF PCI address" : "MAC", why);
        }
        return NULL;
}

/* The VF must not be a host of its own: no addresses, no IPv6 (it would
 * answer neighbour solicitations for itself). disable_ipv6 may be missing
 * (no IPv6 in the kernel): not an error. */
static int vf_quiet(fo_agent *a, const vport_link *vf, vport_error *err) {
        int r;

        r = a->ops->link_set_addr_gen_mode(a->k, vf->ifindex, FO_ADDR_GEN_MODE_NONE, err);
        if (r < 0 && r != -EAFNOSUPPORT && r != -EOPNOTSUPP)
                return r;
        r = a->ops->ipv6_conf_set(a->k, vf->name, "disable_ipv6", 1, err);
        if (r < 0 && r != -ENOENT)
                return r;
        vport_error_clear(err);
        return 0;
}

static int vf_join(fo_agent *a, fo_pair *p, const vport_link *synth, const vport_link *vf,
                   vport_error *err) {
        char alias[128];
        int r;

        snprintf(alias, sizeof(alias), "vport-failover: VF of %s", p->synth);
        r = a->ops->link_set_alias(a->k, vf->ifindex, alias, err);
        if (r >= 0)
                r = vf_quiet(a, vf, err);
        if (r >= 0 && vf->mtu != synth->mtu)
                r = a->ops->link_set_mtu(a->k, vf->ifindex, synth->mtu, err);
        if (r >= 0)
                r = a->ops->link_set_up(a->k, vf->ifindex, (synth->flags & IFF_UP) != 0, err);
        if (r >= 0)
                r = a->ops->tc_clsact_add(a->k, vf->ifindex, err);
        if (r >= 0)
                r = a->ops->tc_redirect_add(a->k, vf->ifindex, true, synth->ifindex, true, err);
        if (r == -EEXIST && p->adopted)
                r = 0; /* installed before a restart */
        return r;
}

static int path_set(fo_agent *a, fo_pair *p, fo_path want, vport_error *err) {
        int r;

        if (want == p->path && !p->adopted)
                return 0;
        if (want == FO_PATH_VF) {
                r = a->ops->tc_redirect_add(a->k, p->synth_ifindex, false, p->vf_ifindex, false, err);
                if (r == -EEXIST && p->adopted)
                        r = 0;
        } else
                r = a->ops->tc_redirect_del(a->k, p->synth_ifindex, false, err);
        if (r < 0)
                return r;
        if (want != p->path) {
                p->switches++;
                fo_log("%s: data path on %s", p->synth,
                       want == FO_PATH_VF ? p->vf_name : "the synthetic device");
        }
        p->path = want;
        return 0;
}

static void vf_forget(fo_pair *p) {
        p->vf_ifindex = 0;
        p->vf_name[0] = '\0';
        p->ingress_on = false;
        p->warning[0] = '\0';
}

/* The VF is gone (deleted, moved to another namespace, renamed away is
 * still here): the redirect towards it goes first. */
static void vf_gone(fo_agent *a, fo_pair *p) {
        vport_error e = {};
        int r;

        fo_log("%s: VF %s (ifindex %d) gone", p->synth, p->vf_name, p->vf_ifindex);
        if (p->synth_ifindex > 0) {
                r = path_set(a, p, FO_PATH_SYNTHETIC, &e);
                if (r < 0)
                        pair_error(p, r, &e);
        }
        p->path = FO_PATH_SYNTHETIC;
        vf_forget(p);
}

static void vf_check_setup(fo_agent *a, fo_pair *p) {
        size_t v4 = 0, v6 = 0;
        char was[sizeof(p->warning)];

        if (a->ops->addr_count(a->k, p->vf_ifindex, &v4, &v6, NULL) < 0)
                return;
        snprintf(was, sizeof(was), "%s", p->warning);
        if (v4 + v6 > 0)
                snprintf(p->warning, sizeof(p->warning),
                         "VF %s has %zu address(es) configured: traffic still passes through %s, "
                         "but configure addresses on %s only (ARP on the VF is unreliable)",
                         p->vf_name, v4 + v6, p->synth, p->synth);
        else
                p->warning[0] = '\0';
        if (p->warning[0] && !streq(was, p->warning))
                fo_log("%s: wrong setup: %s", p->synth, p->warning);
}

static void synth_update(fo_pair *p, const vport_link *synth) {
        p->synth_ifindex = synth ? synth->ifindex : 0;
        if (!synth)
                return;
        /* A VF carries the synthetic's permanent MAC; a device without one
         * (veth, tap) is known by its current MAC. */
        p->synth_mac = mac_is_zero(&synth->perm_mac) ? synth->mac : synth->perm_mac;
}

static int vf_follow(fo_agent *a, fo_pair *p, const vport_link *synth, const vport_link *vf,
                     vport_error *err) {
        bool up = (synth->flags & IFF_UP) != 0;
        int r = 0;

        if (p->synth_up != (int) up) /* the VF's admin state follows the synthetic's changes */
                r = a->ops->link_set_up(a->k, vf->ifindex, up, err);
        if (r >= 0)
                p->synth_up = up;
        if (r >= 0 && vf->mtu != synth->mtu)
                r = a->ops->link_set_mtu(a->k, vf->ifindex, synth->mtu, err);
        return r;
}

/* joined: vf_join() just set the VF up (the snapshot in vf predates it). */
static void pair_sync_vf(fo_agent *a, fo_pair *p, const vport_link *synth, const vport_link *vf,
                         bool joined) {
        vport_error e = {};
        fo_path want;
        int r = 0;

        if (!joined)
                r = vf_follow(a, p, synth, vf, &e);
        if (r >= 0 && p->adopted) /* a restart may have come half-way through a join */
                r = vf_join(a, p, synth, vf, &e);
        if (r < 0) {
                pair_error(p, r, &e);
                return;
        }
        want = link_carries(vf) && (synth->flags & IFF_UP) ? FO_PATH_VF : FO_PATH_SYNTHETIC;
        r = path_set(a, p, want, &e);
        if (r < 0) {
                pair_error(p, r, &e);
                (void) path_set(a, p, FO_PATH_SYNTHETIC, NULL); /* a half switch never stays */
                return;
        }
        p->adopted = false;
        p->error[0] = '\0';
        vf_check_setup(a, p);
}

static void pair_try_join(fo_agent *a, fo_pair *p, const vport_link *synth, const vport_link *links,
                          size_t n) {
        const vport_link *vf = candidate_find(a, p, links, n);
        vport_error e = {};
        int r;

        if (!vf)
                return;
        fo_log("%s: %s (ifindex %d) joins as its VF", p->synth, vf->name, vf->ifindex);
        p->vf_ifindex = vf->ifindex;
        snprintf(p->vf_name, sizeof(p->vf_name), "%s", vf->name);
        p->synth_up = (synth->flags & IFF_UP) != 0;
        r = vf_join(a, p, synth, vf, &e);
        if (r < 0) {
                pair_error(p, r, &e);
                /* Leave nothing half-made; the next event tries again. */
                (void) a->ops->tc_redirect_del(a->k, vf->ifindex, true, NULL);
                vf_forget(p);
                return;
        }
        p->ingress_on = true;
        (void) fo_state_save(a, NULL);
}

/* The synthetic's clsact qdisc, made as soon as the pair and the device
 * exist, never at a join: adding a qdisc, even clsact, stops the device's
 * transmit queues for a moment (qdisc_graft() deactivates the device and
 * waits out an RCU grace period) and what the guest sends then is dropped
 * (QDISC_DROP, seen in tests/failover/run under load: the join lost 1-6
 * datagrams). A join then only adds filters, which never stop the device.
 * An existing clsact (a restart) is left as it is (NLM_F_EXCL). */
static int synth_prepare(fo_agent *a, fo_pair *p, const vport_link *synth) {
        vport_error e = {};
        int r;

        if (p->clsact_ifindex == synth->ifindex)
                return 0;
        r = a->ops->tc_clsact_add(a->k, synth->ifindex, &e);
        if (r < 0) {
                pair_error(p, r, &e);
                return r;
        }
        p->clsact_ifindex = synth->ifindex;
        return 0;
}

void fo_pair_sync(fo_agent *a, fo_pair *p, const vport_link *links, size_t n) {
        const vport_link *synth, *vf;

        synth = p->synth_ifindex > 0 ? link_find(links, n, p->synth_ifindex) : NULL;
        if (!synth || !streq(synth->name, p->synth))
                synth = link_find_name(links, n, p->synth);
        synth_update(p, synth);
        vf = p->vf_ifindex > 0 ? link_find(links, n, p->vf_ifindex) : NULL;
        if (p->vf_ifindex > 0 && (!vf || !synth)) {
                vf_gone(a, p); /* the synthetic itself gone takes the pairing with it */
                (void) fo_state_save(a, NULL);
                vf = NULL;
        }
        if (p->detached_vf > 0 && !link_find(links, n, p->detached_vf))
                p->detached_vf = 0; /* it left: a new VF may join */
        if (!synth)
                return;
        if (synth_prepare(a, p, synth) < 0)
                return; /* no switch without it; the next event tries again */
        if (vf) {
                snprintf(p->vf_name, sizeof(p->vf_name), "%s", vf->name);
                pair_sync_vf(a, p, synth, vf, false);
                return;
        }
        pair_try_join(a, p, synth, links, n);
        vf = p->vf_ifindex > 0 ? link_find(links, n, p->vf_ifindex) : NULL;
        if (vf)
                pair_sync_vf(a, p, synth, vf, true);
}

int fo_pair_release(fo_agent *a, fo_pair *p, bool detach, vport_error *err) {
        int r = 0;

        if (p->vf_ifindex <= 0)
                return 0;
        if (p->synth_ifindex > 0)
                r = path_set(a, p, FO_PATH_SYNTHETIC, err);
        if (r < 0)
                return r;
        if (detach) {
                /* Frames the switch still sends to the VF until it is
                 * unplugged keep reaching the synthetic device. */
                p->detached_vf = p->vf_ifindex;
                fo_log("%s: VF %s detached: data path on the synthetic device", p->synth, p->vf_name);
        } else {
                r = a->ops->tc_redirect_del(a->k, p->vf_ifindex, true, err);
                if (r >= 0)
                        r = a->ops->link_set_alias(a->k, p->vf_ifindex, "", err);
                if (r == -ENODEV)
                        r = 0;
        }
        vf_forget(p);
        return r;
}

const char *fo_pair_state(const fo_pair *p) {
        if (p->synth_ifindex <= 0)
                return "synthetic-missing";
        if (p->vf_ifindex <= 0)
                return p->detached_vf > 0 ? "detached" : "no-vf";
        return p->path == FO_PATH_VF ? "vf-active" : "vf-standby";
}

json_object *fo_pair_to_json(const fo_pair *p) {
        json_object *o = json_object_new_object();
        char buf[VPORT_PCI_STRLEN > VPORT_MAC_STRLEN ? VPORT_PCI_STRLEN : VPORT_MAC_STRLEN];

        json_object_object_add(o, "synthetic", json_object_new_string(p->synth));
        json_object_object_add(o, "synthetic_ifindex", json_object_new_int(p->synth_ifindex));
        json_object_object_add(o, "mac",
                               p->synth_ifindex > 0 ? json_object_new_string(mac_format(&p->synth_mac, buf))
                                                    : NULL);
        json_object_object_add(o, "vf_pci",
                               p->has_vf_pci ? json_object_new_string(pci_addr_format(&p->vf_pci, buf))
                                             : NULL);
        json_object_object_add(o, "vf", p->vf_ifindex > 0 ? json_object_new_string(p->vf_name) : NULL);
        json_object_object_add(o, "vf_ifindex", json_object_new_int(p->vf_ifindex));
        json_object_object_add(o, "detached_vf_ifindex", json_object_new_int(p->detached_vf));
        json_object_object_add(o, "state", json_object_new_string(fo_pair_state(p)));
        json_object_object_add(o, "path",
                               json_object_new_string(p->path == FO_PATH_VF ? "vf" : "synthetic"));
        json_object_object_add(o, "switches", json_object_new_int((int32_t) p->switches));
        json_object_object_add(o, "warning", p->warning[0] ? json_object_new_string(p->warning) : NULL);
        json_object_object_add(o, "error", p->error[0] ? json_object_new_string(p->error) : NULL);
        return o;
}
