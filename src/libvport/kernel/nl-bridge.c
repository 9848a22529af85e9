/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bridge port flags and static FDB entries (the kernel bridge's own
 * AF_BRIDGE messages, which libnl's route API does not cover). */
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>

#include "kernel/kernel-internal.h"

/* br_setlink() reads IFLA_PROTINFO as a nested set of IFLA_BRPORT_* only
 * if NLA_F_NESTED is set; without it the attribute is the old one-byte STP
 * state. */
int knl_brport_set_flags(vport_kernel *k, int ifindex, bool learning, bool unicast_flood, vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = ifindex };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = knl_request(RTM_SETLINK, 0, &ifi, sizeof(ifi));
        struct nlattr *protinfo;

        assert_return(ifindex > 0,
                      vport_error_set(err, -EINVAL, "brport flags: invalid ifindex %d", ifindex));
        if (!msg || !(protinfo = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)) ||
            nla_put_u8(msg, IFLA_BRPORT_LEARNING, learning) < 0 ||
            nla_put_u8(msg, IFLA_BRPORT_UNICAST_FLOOD, unicast_flood) < 0)
                return vport_error_set(err, -ENOMEM, "RTM_SETLINK: out of memory");
        nla_nest_end(msg, protinfo);
        return knl_call_if(k, msg, err, ifindex,
                           "RTM_SETLINK AF_BRIDGE IFLA_BRPORT_LEARNING=%d IFLA_BRPORT_UNICAST_FLOOD=%d",
                           learning, unicast_flood);
}

int knl_brport_set_isolated(vport_kernel *k, int ifindex, bool isolated, vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = ifindex };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = knl_request(RTM_SETLINK, 0, &ifi, sizeof(ifi));
        struct nlattr *protinfo;

        assert_return(ifindex > 0,
                      vport_error_set(err, -EINVAL, "brport isolated: invalid ifindex %d", ifindex));
        if (!msg || !(protinfo = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)) ||
            nla_put_u8(msg, IFLA_BRPORT_ISOLATED, isolated) < 0)
                return vport_error_set(err, -ENOMEM, "RTM_SETLINK: out of memory");
        nla_nest_end(msg, protinfo);
        return knl_call_if(k, msg, err, ifindex, "RTM_SETLINK AF_BRIDGE IFLA_BRPORT_ISOLATED=%d", isolated);
}

/* br_changelink() applies IFLA_BR_FORWARD_DELAY before IFLA_BR_STP_STATE:
 * the kernel refuses a delay outside 2..30 s only while STP is on, so a
 * delay of 0 with STP on (libvirt's default) is set while STP is still
 * off. The new bridge is deleted by the kernel if either fails. */
static int bridge_build(const vport_bridge_request *req, struct nl_msg **ret) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        _cleanup_(nlmsg_freep) struct nl_msg *msg =
                knl_request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
        struct nlattr *info, *data;

        if (!msg || nla_put_string(msg, IFLA_IFNAME, req->name) < 0 ||
            nla_put(msg, IFLA_ADDRESS, VPORT_MAC_LEN, req->mac.addr) < 0 ||
            (req->group && nla_put_u32(msg, IFLA_GROUP, req->group) < 0) ||
            !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
            nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0 ||
            !(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
            nla_put_u32(msg, IFLA_BR_FORWARD_DELAY, req->forward_delay_cs) < 0 ||
            nla_put_u32(msg, IFLA_BR_STP_STATE, req->stp) < 0)
                return -ENOMEM;
        nla_nest_end(msg, data);
        nla_nest_end(msg, info);
        *ret = TAKE_PTR(msg);
        return 0;
}

int knl_bridge_create(vport_kernel *k, const vport_bridge_request *req, vport_link *ret, vport_error *err) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
        int r;

        assert_return(req && ret, -EINVAL);
        if (ifname_check(req->name, err) < 0)
                return -EINVAL;
        if (bridge_build(req, &msg) < 0)
                return vport_error_set(err, -ENOMEM, "bridge %s: RTM_NEWLINK: out of memory", req->name);
        r = knl_call(k, msg, NULL, NULL, err, "bridge %s: RTM_NEWLINK", req->name);
        if (r < 0)
                return r;
        return knl_link_get(k, 0, req->name, ret, err);
}

/* NTF_MASTER: the entry goes to the bridge the port is enslaved to, not to
 * the port's own (hardware) FDB. NUD_NOARP alone is a static entry, never
 * aged out, forwarded to the port ("bridge fdb add ... master static").
 * NUD_PERMANENT must not be set: br_fdb's fdb_add_entry() turns it into a
 * *local* entry (BR_FDB_LOCAL), i.e. frames for the guest's MAC would be
 * delivered to the host's bridge device instead of the port.
 * NTF_STICKY (added entries only): a static entry that is not sticky follows
 * its MAC, so after a live migration the destination's announcements arriving
 * on the source host's uplink moved it there (br_fdb_update), where it stayed,
 * static, after the deactivate that could no longer find it on the tap. A
 * sticky entry stays on the guest's tap until vport removes it. */
static int knl_fdb(vport_kernel *k, int type, int flags, int port_ifindex, const vport_mac *mac,
                   vport_error *err) {
        /* A get must leave ndm_state 0 (strict checking refuses the header). */
        struct ndmsg ndm = { .ndm_family = AF_BRIDGE,
                             .ndm_ifindex = port_ifindex,
                             .ndm_state = type == RTM_GETNEIGH ? 0 : NUD_NOARP,
                             .ndm_flags = NTF_MASTER | (type == RTM_NEWNEIGH ? NTF_STICKY : 0) };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
        char buf[VPORT_MAC_STRLEN];

        assert_return(mac, -EINVAL);
        assert_return(port_ifindex > 0,
                      vport_error_set(err, -EINVAL, "fdb: invalid ifindex %d", port_ifindex));
        msg = knl_request(type, flags, &ndm, sizeof(ndm));
        if (!msg || nla_put(msg, NDA_LLADDR, VPORT_MAC_LEN, mac->addr) < 0)
                return vport_error_set(err, -ENOMEM, "fdb: out of memory");
        return knl_call_if(k, msg, err, port_ifindex, "%s fdb %s master static",
                           type == RTM_NEWNEIGH   ? "RTM_NEWNEIGH"
                           : type == RTM_DELNEIGH ? "RTM_DELNEIGH"
                                                  : "RTM_GETNEIGH",
                           mac_format(mac, buf));
}

/* NLM_F_REPLACE: adding an entry that is already there (a restarted
 * daemon re-applying its state) succeeds. */
int knl_fdb_add(vport_kernel *k, int port_ifindex, const vport_mac *mac, vport_error *err) {
        return knl_fdb(k, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, port_ifindex, mac, err);
}

int knl_fdb_del(vport_kernel *k, int port_ifindex, const vport_mac *mac, vport_error *err) {
        return knl_fdb(k, RTM_DELNEIGH, 0, port_ifindex, mac, err);
}

/* rtnl_fdb_get (Linux 4.20+) looks the entry up on the port's master
 * bridge; its reply carries nothing we need beyond "found". */
int knl_fdb_get(vport_kernel *k, int port_ifindex, const vport_mac *mac, vport_error *err) {
        return knl_fdb(k, RTM_GETNEIGH, 0, port_ifindex, mac, err);
}

typedef struct mac_array {
        vport_mac *macs;
        size_t n, allocated;
} mac_array;

static int uc_entry(struct nlmsghdr *h, void *userdata) {
        static struct nla_policy policy[NDA_MAX + 1] = { [NDA_LLADDR] = { .type = NLA_UNSPEC } };
        struct nlattr *tb[NDA_MAX + 1];
        mac_array *a = userdata;

        if (h->nlmsg_type != RTM_NEWNEIGH)
                return 0;
        if (nlmsg_parse(h, sizeof(struct ndmsg), tb, NDA_MAX, policy) < 0)
                return -EBADMSG;
        /* the multicast list comes in the same dump */
        if (!tb[NDA_LLADDR] || nla_len(tb[NDA_LLADDR]) != VPORT_MAC_LEN ||
            (((const uint8_t *) nla_data(tb[NDA_LLADDR]))[0] & 1))
                return 0;
        if (a->n == a->allocated) {
                size_t m = a->allocated ? a->allocated * 2 : 8;
                vport_mac *p = reallocarray(a->macs, m, sizeof(*p));
                if (!p)
                        return -ENOMEM;
                a->macs = p;
                a->allocated = m;
        }
        memcpy(a->macs[a->n++].addr, nla_data(tb[NDA_LLADDR]), VPORT_MAC_LEN);
        return 0;
}

/* An AF_BRIDGE RTM_GETNEIGH dump with an ifinfomsg header naming the
 * device: rtnl_fdb_dump() then reads only that device (its uc and mc
 * lists, ndo_dflt_fdb_dump()). The size of the header is what tells the
 * kernel it carries the device (valid_fdb_dump_legacy()). */
int knl_link_uc_list(vport_kernel *k, int ifindex, vport_mac **ret, size_t *ret_n, vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = ifindex };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
        mac_array a = {};
        char desc[48];
        int r;

        assert_return(ret && ret_n, -EINVAL);
        assert_return(ifindex > 0, vport_error_set(err, -EINVAL, "fdb: invalid ifindex %d", ifindex));
        msg = knl_request(RTM_GETNEIGH, NLM_F_DUMP, &ifi, sizeof(ifi));
        if (!msg)
                return vport_error_set(err, -ENOMEM, "fdb: out of memory");
        r = knl_call(k, msg, uc_entry, &a, err, "%s: RTM_GETNEIGH dump of its unicast addresses",
                     kernel_ifdesc(ifindex, desc));
        if (r < 0) {
                free(a.macs);
                return r;
        }
        *ret = a.macs;
        *ret_n = a.n;
        return 0;
}
