/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SR-IOV VF settings through the PF (IFLA_VFINFO_LIST). libnl 3.7's
 * rtnl_link_vf API parses the list only as part of a full link cache and
 * cannot set trust or VLAN protocol, so both directions are done here with
 * nested attributes and explicit policies. */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <stdio.h>

#include "kernel/kernel-internal.h"

/* minlen is the size of the struct we read: a shorter attribute from an
 * older or buggy kernel is rejected instead of read past its end. */
static struct nla_policy vf_policy[IFLA_VF_MAX + 1] = {
        [IFLA_VF_MAC] = { .minlen = sizeof(struct ifla_vf_mac) },
        [IFLA_VF_VLAN] = { .minlen = sizeof(struct ifla_vf_vlan) },
        [IFLA_VF_VLAN_LIST] = { .type = NLA_NESTED },
        [IFLA_VF_SPOOFCHK] = { .minlen = sizeof(struct ifla_vf_spoofchk) },
        [IFLA_VF_TRUST] = { .minlen = sizeof(struct ifla_vf_trust) },
        [IFLA_VF_LINK_STATE] = { .minlen = sizeof(struct ifla_vf_link_state) },
        [IFLA_VF_RATE] = { .minlen = sizeof(struct ifla_vf_rate) },
};

static struct nla_policy vf_vlan_list_policy[IFLA_VF_VLAN_INFO_MAX + 1] = {
        [IFLA_VF_VLAN_INFO] = { .minlen = sizeof(struct ifla_vf_vlan_info) },
};

static struct nla_policy vf_link_policy[IFLA_MAX + 1] = {
        [IFLA_VFINFO_LIST] = { .type = NLA_NESTED },
};

typedef struct vf_array {
        vport_vf_info *vfs;
        size_t n, allocated;
} vf_array;

/* The kernel fills spoofchk and trust with (u32) -1 when the driver does
 * not report them. */
static void vf_parse_flags(struct nlattr **tb, vport_vf_info *vf) {
        if (tb[IFLA_VF_SPOOFCHK]) {
                const struct ifla_vf_spoofchk *s = nla_data(tb[IFLA_VF_SPOOFCHK]);

                vf->has_spoofchk = s->setting != (uint32_t) -1;
                vf->spoofchk = vf->has_spoofchk && s->setting;
        }
        if (tb[IFLA_VF_TRUST]) {
                const struct ifla_vf_trust *t = nla_data(tb[IFLA_VF_TRUST]);

                vf->has_trust = t->setting != (uint32_t) -1;
                vf->trust = vf->has_trust && t->setting;
        }
        if (tb[IFLA_VF_LINK_STATE]) {
                vf->has_link_state = true;
                vf->link_state =
                        ((const struct ifla_vf_link_state *) nla_data(tb[IFLA_VF_LINK_STATE]))->link_state;
        }
        if (tb[IFLA_VF_RATE]) {
                const struct ifla_vf_rate *rate = nla_data(tb[IFLA_VF_RATE]);

                vf->has_rate = true;
                vf->min_tx_rate = rate->min_tx_rate;
                vf->max_tx_rate = rate->max_tx_rate;
        }
}

static int vf_parse_vlan(struct nlattr **tb, vport_vf_info *vf) {
        struct nlattr *list[IFLA_VF_VLAN_INFO_MAX + 1];

        if (tb[IFLA_VF_VLAN]) {
                const struct ifla_vf_vlan *v = nla_data(tb[IFLA_VF_VLAN]);

                vf->vlan = (uint16_t) v->vlan;
                vf->qos = (uint16_t) v->qos;
        }
        if (!tb[IFLA_VF_VLAN_LIST])
                return 0;
        /* The list holds one entry per VLAN; the kernel reports one. */
        if (nla_parse_nested(list, IFLA_VF_VLAN_INFO_MAX, tb[IFLA_VF_VLAN_LIST], vf_vlan_list_policy) < 0)
                return -EBADMSG;
        if (list[IFLA_VF_VLAN_INFO]) {
                const struct ifla_vf_vlan_info *i = nla_data(list[IFLA_VF_VLAN_INFO]);

                vf->vlan = (uint16_t) i->vlan;
                vf->qos = (uint16_t) i->qos;
                vf->vlan_proto = ntohs(i->vlan_proto);
        }
        return 0;
}

static int vf_parse_one(struct nlattr *info, vport_vf_info *vf) {
        struct nlattr *tb[IFLA_VF_MAX + 1];
        const struct ifla_vf_mac *mac;

        if (nla_parse_nested(tb, IFLA_VF_MAX, info, vf_policy) < 0)
                return -EBADMSG;
        if (!tb[IFLA_VF_MAC])
                return -EBADMSG; /* every VF entry carries its index here */
        mac = nla_data(tb[IFLA_VF_MAC]);
        *vf = (vport_vf_info){ .vf = (int) mac->vf };
        memcpy(vf->mac.addr, mac->mac, VPORT_MAC_LEN);
        vf_parse_flags(tb, vf);
        return vf_parse_vlan(tb, vf);
}

static int vf_array_add(vf_array *a, struct nlattr *info) {
        if (a->n == a->allocated) {
                size_t m = a->allocated ? a->allocated * 2 : 8;
                vport_vf_info *p = reallocarray(a->vfs, m, sizeof(*p));

                if (!p)
                        return -ENOMEM;
                a->vfs = p;
                a->allocated = m;
        }
        if (vf_parse_one(info, &a->vfs[a->n]) < 0)
                return -EBADMSG;
        a->n++;
        return 0;
}

static int vf_list_reply(struct nlmsghdr *h, void *userdata) {
        struct nlattr *tb[IFLA_MAX + 1], *info;
        int rem, r;

        if (h->nlmsg_type != RTM_NEWLINK)
                return 0;
        if (nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, vf_link_policy) < 0)
                return -EBADMSG;
        if (!tb[IFLA_VFINFO_LIST])
                return 0; /* not an SR-IOV PF (veth, bridge, a VF itself): no VFs */
        nla_for_each_nested(info, tb[IFLA_VFINFO_LIST], rem) {
                if (nla_type(info) != IFLA_VF_INFO)
                        continue;
                r = vf_array_add(userdata, info);
                if (r < 0)
                        return r;
        }
        return 0;
}

int knl_vf_parse(struct nlmsghdr *h, vport_vf_info **ret, size_t *ret_n) {
        vf_array a = {};
        int r = vf_list_reply(h, &a);

        if (r < 0) {
                free(a.vfs);
                return r;
        }
        *ret = a.vfs;
        *ret_n = a.n;
        return 0;
}

int knl_vf_list(vport_kernel *k, int pf_ifindex, vport_vf_info **ret, size_t *ret_n, vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = pf_ifindex };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
        vf_array a = {};
        char desc[48];
        int r;

        assert_return(ret && ret_n, -EINVAL);
        assert_return(pf_ifindex > 0,
                      vport_error_set(err, -EINVAL, "vf_list: invalid ifindex %d", pf_ifindex));
        msg = knl_request(RTM_GETLINK, 0, &ifi, sizeof(ifi));
        if (!msg || nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_VF) < 0)
                return vport_error_set(err, -ENOMEM, "RTM_GETLINK: out of memory");
        r = knl_call(k, msg, vf_list_reply, &a, err, "%s: RTM_GETLINK IFLA_VFINFO_LIST",
                     kernel_ifdesc(pf_ifindex, desc));
        if (r < 0) {
                free(a.vfs);
                return r;
        }
        *ret = a.vfs;
        *ret_n = a.n;
        return 0;
}

/* One VF attribute per request, so an error names exactly the attribute
 * the driver refused (the kernel stops at the first failing one). */
static int vf_put_attr(struct nl_msg *msg, const vport_vf_info *cfg, unsigned bit) {
        uint32_t vf = (uint32_t) cfg->vf;

        switch (bit) {
        case VF_SET_MAC: {
                struct ifla_vf_mac m = { .vf = vf };

                memcpy(m.mac, cfg->mac.addr, VPORT_MAC_LEN);
                return nla_put(msg, IFLA_VF_MAC, sizeof(m), &m);
        }
        case VF_SET_VLAN:
                /* Plain 802.1Q goes as IFLA_VF_VLAN, which every driver
                 * knows; only 802.1ad needs the newer VLAN list. */
                if (cfg->vlan_proto == 0 || cfg->vlan_proto == ETH_P_8021Q) {
                        struct ifla_vf_vlan v = { .vf = vf, .vlan = cfg->vlan, .qos = cfg->qos };

                        return nla_put(msg, IFLA_VF_VLAN, sizeof(v), &v);
                } else {
                        struct ifla_vf_vlan_info v = { .vf = vf,
                                                       .vlan = cfg->vlan,
                                                       .qos = cfg->qos,
                                                       .vlan_proto = htons(cfg->vlan_proto) };
                        struct nlattr *list = nla_nest_start(msg, IFLA_VF_VLAN_LIST);

                        if (!list || nla_put(msg, IFLA_VF_VLAN_INFO, sizeof(v), &v) < 0)
                                return -ENOMEM;
                        return nla_nest_end(msg, list);
                }
        case VF_SET_SPOOFCHK: {
                struct ifla_vf_spoofchk s = { .vf = vf, .setting = cfg->spoofchk };

                return nla_put(msg, IFLA_VF_SPOOFCHK, sizeof(s), &s);
        }
        case VF_SET_TRUST: {
                struct ifla_vf_trust t = { .vf = vf, .setting = cfg->trust };

                return nla_put(msg, IFLA_VF_TRUST, sizeof(t), &t);
        }
        case VF_SET_LINK_STATE: {
                struct ifla_vf_link_state l = { .vf = vf, .link_state = cfg->link_state };

                return nla_put(msg, IFLA_VF_LINK_STATE, sizeof(l), &l);
        }
        case VF_SET_RATE: {
                struct ifla_vf_rate rate = { .vf = vf,
                                             .min_tx_rate = cfg->min_tx_rate,
                                             .max_tx_rate = cfg->max_tx_rate };

                return nla_put(msg, IFLA_VF_RATE, sizeof(rate), &rate);
        }
        }
        return -EINVAL;
}

static const char *vf_attr_name(unsigned bit, const vport_vf_info *cfg) {
        switch (bit) {
        case VF_SET_MAC:
                return "IFLA_VF_MAC";
        case VF_SET_VLAN:
                return cfg->vlan_proto == 0 || cfg->vlan_proto == ETH_P_8021Q ? "IFLA_VF_VLAN"
                                                                              : "IFLA_VF_VLAN_LIST";
        case VF_SET_SPOOFCHK:
                return "IFLA_VF_SPOOFCHK";
        case VF_SET_TRUST:
                return "IFLA_VF_TRUST";
        case VF_SET_LINK_STATE:
                return "IFLA_VF_LINK_STATE";
        case VF_SET_RATE:
                return "IFLA_VF_RATE";
        }
        return "?";
}

/* A driver without the ndo for an attribute makes the kernel answer
 * -EOPNOTSUPP; some (igb for link state on older kernels) answer -EINVAL
 * for an attribute they ignore, which is just as unsupported. */
static bool vf_error_is_unsupported(int r, unsigned bit) {
        return r == -EOPNOTSUPP || (r == -EINVAL && bit == VF_SET_LINK_STATE);
}

/* The PF's driver for messages: from sysfs for a PCI device, else the
 * link kind ("veth"), else "(unknown)". */
static void vf_pf_driver(vport_kernel *k, int pf_ifindex, char *buf, size_t size) {
        char name[IF_NAMESIZE];
        vport_link link;

        buf[0] = '\0';
        if (if_indextoname((unsigned) pf_ifindex, name))
                sysfs_netdev_driver(k, name, buf, size);
        if (!buf[0] && knl_link_get(k, pf_ifindex, NULL, &link, NULL) >= 0)
                snprintf(buf, size, "%s", link.kind);
        if (!buf[0])
                snprintf(buf, size, "(unknown)");
}

static int vf_set_one(vport_kernel *k, int pf_ifindex, const vport_vf_info *cfg, unsigned bit,
                      vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = pf_ifindex };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = knl_request(RTM_SETLINK, 0, &ifi, sizeof(ifi));
        struct nlattr *list, *info;
        char desc[48], driver[64];
        int r;

        if (!msg || !(list = nla_nest_start(msg, IFLA_VFINFO_LIST)) ||
            !(info = nla_nest_start(msg, IFLA_VF_INFO)) || vf_put_attr(msg, cfg, bit) < 0)
                return vport_error_set(err, -ENOMEM, "RTM_SETLINK: out of memory");
        nla_nest_end(msg, info);
        nla_nest_end(msg, list);
        kernel_ifdesc(pf_ifindex, desc);
        r = knl_call(k, msg, NULL, NULL, err, "%s: RTM_SETLINK %s on VF %d", desc, vf_attr_name(bit, cfg),
                     cfg->vf);
        if (r >= 0 || !vf_error_is_unsupported(r, bit))
                return r;
        vf_pf_driver(k, pf_ifindex, driver, sizeof(driver));
        return vport_error_set(err, -EOPNOTSUPP,
                               "%s: RTM_SETLINK %s on VF %d: unsupported by driver %s (%s)", desc,
                               vf_attr_name(bit, cfg), cfg->vf, driver, strerror(-r));
}

int knl_vf_set(vport_kernel *k, int pf_ifindex, const vport_vf_info *cfg, unsigned mask, vport_error *err) {
        static const unsigned order[] = { VF_SET_MAC,   VF_SET_VLAN,       VF_SET_SPOOFCHK,
                                          VF_SET_TRUST, VF_SET_LINK_STATE, VF_SET_RATE };

        assert_return(cfg, -EINVAL);
        assert_return(
                pf_ifindex > 0 && cfg->vf >= 0,
                vport_error_set(err, -EINVAL, "vf_set: invalid ifindex %d or VF %d", pf_ifindex, cfg->vf));
        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                int r;

                if (!(mask & order[i]))
                        continue;
                r = vf_set_one(k, pf_ifindex, cfg, order[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}
