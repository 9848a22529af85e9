/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Links over rtnetlink: get, list, set, delete.
 *
 * Replies are parsed with explicit policies (type and length of every
 * attribute used is checked before it is read). Changes go out as plain
 * RTM_SETLINK: libnl's rtnl_link_build_change_request() needs the old link
 * object and sends RTM_NEWLINK, which buys nothing for a single attribute. */
#include <linux/if_link.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/route/link.h>
#include <stdio.h>

#include "kernel/kernel-internal.h"

static struct nla_policy link_policy[IFLA_MAX + 1] = {
        [IFLA_IFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ },
        [IFLA_ADDRESS] = { .type = NLA_UNSPEC }, /* length checked on use: not every link is Ethernet */
        [IFLA_MTU] = { .type = NLA_U32 },
        [IFLA_LINK] = { .type = NLA_U32 },
        [IFLA_MASTER] = { .type = NLA_U32 },
        [IFLA_GROUP] = { .type = NLA_U32 },
        [IFLA_CARRIER] = { .type = NLA_U8 },
        [IFLA_OPERSTATE] = { .type = NLA_U8 },
        [IFLA_LINKINFO] = { .type = NLA_NESTED },
        [IFLA_PERM_ADDRESS] = { .type = NLA_UNSPEC }, /* length checked on use */
};

static struct nla_policy linkinfo_policy[IFLA_INFO_MAX + 1] = {
        [IFLA_INFO_KIND] = { .type = NLA_STRING, .maxlen = 32 },
        [IFLA_INFO_DATA] = { .type = NLA_NESTED },
};

static struct nla_policy macvlan_policy[IFLA_MACVLAN_MAX + 1] = {
        [IFLA_MACVLAN_MODE] = { .type = NLA_U32 },
};

/* vport_link holds no counters. RTEXT_FILTER_SKIP_STATS drops a link's
 * IPv6 statistics (IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_STATS,
 * IFLA_INET6_ICMP6STATS } }), a quarter of each message of a dump here
 * (1.54 KiB -> 1.17 KiB a tap); newer kernels drop IFLA_STATS* with it too.
 * A kernel that does not know the bit sends everything, as before. */
#define LINK_EXT_MASK RTEXT_FILTER_SKIP_STATS

static int knl_linkinfo_parse(struct nlattr *info, vport_link *ret) {
        struct nlattr *tb[IFLA_INFO_MAX + 1], *data[IFLA_MACVLAN_MAX + 1];

        if (nla_parse_nested(tb, IFLA_INFO_MAX, info, linkinfo_policy) < 0)
                return -EBADMSG;
        if (!tb[IFLA_INFO_KIND])
                return 0;
        snprintf(ret->kind, sizeof(ret->kind), "%s", nla_get_string(tb[IFLA_INFO_KIND]));
        if (!tb[IFLA_INFO_DATA] || (!streq(ret->kind, "macvlan") && !streq(ret->kind, "macvtap")))
                return 0;
        if (nla_parse_nested(data, IFLA_MACVLAN_MAX, tb[IFLA_INFO_DATA], macvlan_policy) < 0)
                return -EBADMSG;
        if (data[IFLA_MACVLAN_MODE])
                ret->macvlan_mode = nla_get_u32(data[IFLA_MACVLAN_MODE]);
        return 0;
}

int knl_link_parse(struct nlmsghdr *h, vport_link *ret) {
        struct nlattr *tb[IFLA_MAX + 1];
        const struct ifinfomsg *ifi;

        if (nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, link_policy) < 0)
                return -EBADMSG;
        ifi = nlmsg_data(h);
        *ret = (vport_link){ .ifindex = ifi->ifi_index, .flags = ifi->ifi_flags, .type = ifi->ifi_type };
        if (tb[IFLA_IFNAME])
                snprintf(ret->name, sizeof(ret->name), "%s", nla_get_string(tb[IFLA_IFNAME]));
        if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == VPORT_MAC_LEN)
                memcpy(ret->mac.addr, nla_data(tb[IFLA_ADDRESS]), VPORT_MAC_LEN);
        if (tb[IFLA_PERM_ADDRESS] && nla_len(tb[IFLA_PERM_ADDRESS]) == VPORT_MAC_LEN)
                memcpy(ret->perm_mac.addr, nla_data(tb[IFLA_PERM_ADDRESS]), VPORT_MAC_LEN);
        if (tb[IFLA_MTU])
                ret->mtu = nla_get_u32(tb[IFLA_MTU]);
        if (tb[IFLA_LINK])
                ret->link_ifindex = (int) nla_get_u32(tb[IFLA_LINK]);
        if (tb[IFLA_MASTER])
                ret->master_ifindex = (int) nla_get_u32(tb[IFLA_MASTER]);
        if (tb[IFLA_GROUP])
                ret->group = nla_get_u32(tb[IFLA_GROUP]);
        if (tb[IFLA_CARRIER])
                ret->carrier = nla_get_u8(tb[IFLA_CARRIER]) != 0;
        if (tb[IFLA_OPERSTATE])
                ret->operstate = nla_get_u8(tb[IFLA_OPERSTATE]);
        if (tb[IFLA_LINKINFO])
                return knl_linkinfo_parse(tb[IFLA_LINKINFO], ret);
        return 0;
}

static int knl_link_get_one(struct nlmsghdr *h, void *userdata) {
        if (h->nlmsg_type != RTM_NEWLINK)
                return 0;
        return knl_link_parse(h, userdata);
}

int knl_link_get(vport_kernel *k, int ifindex, const char *name, vport_link *ret, vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex > 0 ? ifindex : 0 };
        struct nl_msg *msg;
        char desc[48];
        int r;

        assert_return(ret, -EINVAL);
        if (ifindex <= 0 && ifname_check(name, err) < 0)
                return -EINVAL;
        msg = knl_request(RTM_GETLINK, 0, &ifi, sizeof(ifi));
        if (!msg || nla_put_u32(msg, IFLA_EXT_MASK, LINK_EXT_MASK) < 0 ||
            (ifindex <= 0 && nla_put_string(msg, IFLA_IFNAME, name) < 0)) {
                nlmsg_free(msg);
                return vport_error_set(err, -ENOMEM, "RTM_GETLINK: out of memory");
        }
        if (ifindex > 0)
                snprintf(desc, sizeof(desc), "ifindex %d", ifindex);
        else
                snprintf(desc, sizeof(desc), "%s", name);
        r = knl_call(k, msg, knl_link_get_one, ret, err, "%s: RTM_GETLINK", desc);
        nlmsg_free(msg);
        return r;
}

typedef struct link_array {
        vport_link *links;
        size_t n, allocated;
} link_array;

static int knl_link_list_one(struct nlmsghdr *h, void *userdata) {
        link_array *a = userdata;

        if (h->nlmsg_type != RTM_NEWLINK)
                return 0;
        if (a->n == a->allocated) {
                size_t m = a->allocated ? a->allocated * 2 : 16;
                vport_link *p = reallocarray(a->links, m, sizeof(*p));

                if (!p)
                        return -ENOMEM;
                a->links = p;
                a->allocated = m;
        }
        if (knl_link_parse(h, &a->links[a->n]) < 0)
                return -EBADMSG;
        a->n++;
        return 0;
}

/* kind NULL: every link. Otherwise IFLA_LINKINFO { IFLA_INFO_KIND } in
 * the request: rtnl_dump_ifinfo() then skips every link of another kind
 * in the kernel (NLM_F_DUMP_FILTERED), strict checking or not. */
static int link_dump(vport_kernel *k, const char *kind, vport_link **ret, size_t *ret_n, vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        struct nlattr *info = NULL;
        link_array a = {};
        struct nl_msg *msg;
        int r;

        assert_return(ret && ret_n, -EINVAL);
        msg = knl_request(RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
        if (msg && nla_put_u32(msg, IFLA_EXT_MASK, LINK_EXT_MASK) < 0) {
                nlmsg_free(msg);
                msg = NULL;
        }
        if (msg && kind &&
            (!(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
             nla_put_string(msg, IFLA_INFO_KIND, kind) < 0)) {
                nlmsg_free(msg);
                msg = NULL;
        }
        if (!msg)
                return vport_error_set(err, -ENOMEM, "RTM_GETLINK dump: out of memory");
        if (kind)
                nla_nest_end(msg, info);
        r = knl_call(k, msg, knl_link_list_one, &a, err, "RTM_GETLINK dump%s%s", kind ? " of kind " : "",
                     strempty(kind));
        nlmsg_free(msg);
        if (r < 0) {
                free(a.links);
                return r;
        }
        *ret = a.links;
        *ret_n = a.n;
        return 0;
}

int knl_link_list(vport_kernel *k, vport_link **ret, size_t *ret_n, vport_error *err) {
        return link_dump(k, NULL, ret, ret_n, err);
}

int knl_link_list_kind(vport_kernel *k, const char *kind, vport_link **ret, size_t *ret_n,
                       vport_error *err) {
        size_t m = 0;
        int r;

        assert_return(kind && kind[0], -EINVAL);
        r = link_dump(k, kind, ret, ret_n, err);
        if (r < 0)
                return r;
        /* A kernel without the filter (before 4.20) sends every link. */
        for (size_t i = 0; i < *ret_n; i++)
                if (streq((*ret)[i].kind, kind))
                        (*ret)[m++] = (*ret)[i];
        *ret_n = m;
        return 0;
}

/* One RTM_SETLINK on ifindex with ifi_flags/ifi_change and at most one u32
 * or binary attribute (attr 0: none). what names the change for errors. */
static int knl_setlink(vport_kernel *k, int ifindex, unsigned flags, unsigned change, int attr,
                       const void *data, size_t len, const char *what, vport_error *err) {
        struct ifinfomsg ifi = {
                .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = flags, .ifi_change = change
        };
        struct nl_msg *msg;
        int r;

        assert_return(ifindex > 0,
                      vport_error_set(err, -EINVAL, "RTM_SETLINK %s: invalid ifindex %d", what, ifindex));
        msg = knl_request(RTM_SETLINK, 0, &ifi, sizeof(ifi));
        if (!msg || (attr > 0 && nla_put(msg, attr, (int) len, data) < 0)) {
                nlmsg_free(msg);
                return vport_error_set(err, -ENOMEM, "RTM_SETLINK: out of memory");
        }
        r = knl_call_if(k, msg, err, ifindex, "RTM_SETLINK %s", what);
        nlmsg_free(msg);
        return r;
}

int knl_link_set_mac(vport_kernel *k, int ifindex, const vport_mac *mac, vport_error *err) {
        assert_return(mac, -EINVAL);
        return knl_setlink(k, ifindex, 0, 0, IFLA_ADDRESS, mac->addr, VPORT_MAC_LEN, "IFLA_ADDRESS", err);
}

int knl_link_set_mac_group(vport_kernel *k, int ifindex, const vport_mac *mac, uint32_t group,
                           vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
        struct nl_msg *msg;
        int r;

        assert_return(mac && ifindex > 0, -EINVAL);
        msg = knl_request(RTM_SETLINK, 0, &ifi, sizeof(ifi));
        if (!msg || nla_put(msg, IFLA_ADDRESS, VPORT_MAC_LEN, mac->addr) < 0 ||
            nla_put_u32(msg, IFLA_GROUP, group) < 0) {
                nlmsg_free(msg);
                return vport_error_set(err, -ENOMEM, "RTM_SETLINK: out of memory");
        }
        r = knl_call_if(k, msg, err, ifindex, "RTM_SETLINK IFLA_ADDRESS IFLA_GROUP");
        nlmsg_free(msg);
        return r;
}

int knl_link_set_up(vport_kernel *k, int ifindex, bool up, vport_error *err) {
        return knl_setlink(k, ifindex, up ? IFF_UP : 0, IFF_UP, 0, NULL, 0, up ? "up" : "down", err);
}

int knl_link_set_mtu(vport_kernel *k, int ifindex, unsigned mtu, vport_error *err) {
        uint32_t v = mtu;

        return knl_setlink(k, ifindex, 0, 0, IFLA_MTU, &v, sizeof(v), "IFLA_MTU", err);
}

int knl_link_set_master(vport_kernel *k, int ifindex, int master_ifindex, vport_error *err) {
        uint32_t v = master_ifindex > 0 ? (uint32_t) master_ifindex : 0;

        return knl_setlink(k, ifindex, 0, 0, IFLA_MASTER, &v, sizeof(v), "IFLA_MASTER", err);
}

int knl_link_set_group(vport_kernel *k, int ifindex, uint32_t group, vport_error *err) {
        return knl_setlink(k, ifindex, 0, 0, IFLA_GROUP, &group, sizeof(group), "IFLA_GROUP", err);
}

int knl_link_delete(vport_kernel *k, int ifindex, vport_error *err) {
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = rtnl_link_alloc();
        struct nl_msg *msg = NULL;
        char desc[48];
        int r;

        assert_return(ifindex > 0,
                      vport_error_set(err, -EINVAL, "RTM_DELLINK: invalid ifindex %d", ifindex));
        if (!link)
                return vport_error_set(err, -ENOMEM, "RTM_DELLINK: out of memory");
        rtnl_link_set_ifindex(link, ifindex);
        if (rtnl_link_build_delete_request(link, &msg) < 0)
                return vport_error_set(err, -ENOMEM, "RTM_DELLINK: out of memory");
        nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
        kernel_ifdesc(ifindex, desc); /* before it is gone */
        r = knl_call(k, msg, NULL, NULL, err, "%s: RTM_DELLINK", desc);
        nlmsg_free(msg);
        return r;
}

/* ifi_index 0 plus IFLA_GROUP makes rtnl_dellink() take the group path:
 * every member is unregistered in one batch. Group 0 is the default group
 * of every device, so it is refused. An empty group is not an error. */
int knl_link_delete_group(vport_kernel *k, uint32_t group, vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        struct nl_msg *msg;
        int r;

        if (group == 0)
                return vport_error_set(err, -EINVAL,
                                       "RTM_DELLINK group 0: refusing to delete the default group");
        msg = knl_request(RTM_DELLINK, 0, &ifi, sizeof(ifi));
        if (!msg || nla_put_u32(msg, IFLA_GROUP, group) < 0) {
                nlmsg_free(msg);
                return vport_error_set(err, -ENOMEM, "RTM_DELLINK: out of memory");
        }
        r = knl_call(k, msg, NULL, NULL, err, "group %u: RTM_DELLINK", group);
        nlmsg_free(msg);
        if (r == -ENODEV) {
                vport_error_clear(err);
                return 0;
        }
        return r;
}

int knl_link_set_alias(vport_kernel *k, int ifindex, const char *alias, vport_error *err) {
        assert_return(alias, -EINVAL);
        /* An empty IFLA_IFALIAS is how the kernel is told to drop the alias. */
        return knl_setlink(k, ifindex, 0, 0, IFLA_IFALIAS, alias, strlen(alias), "IFLA_IFALIAS", err);
}

/* IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE u8 } }: the one IPv6
 * setting RTM_SETLINK carries (inet6_set_link_af). */
int knl_link_set_addr_gen_mode(vport_kernel *k, int ifindex, uint8_t mode, vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = knl_request(RTM_SETLINK, 0, &ifi, sizeof(ifi));
        struct nlattr *spec, *inet6;

        assert_return(
                ifindex > 0,
                vport_error_set(err, -EINVAL, "RTM_SETLINK addr_gen_mode: invalid ifindex %d", ifindex));
        if (!msg || !(spec = nla_nest_start(msg, IFLA_AF_SPEC)) ||
            !(inet6 = nla_nest_start(msg, AF_INET6)) || nla_put_u8(msg, IFLA_INET6_ADDR_GEN_MODE, mode) < 0)
                return vport_error_set(err, -ENOMEM, "RTM_SETLINK: out of memory");
        nla_nest_end(msg, inet6);
        nla_nest_end(msg, spec);
        return knl_call_if(k, msg, err, ifindex, "RTM_SETLINK IFLA_INET6_ADDR_GEN_MODE=%u", mode);
}
