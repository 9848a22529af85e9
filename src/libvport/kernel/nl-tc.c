/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tc over rtnetlink: the clsact qdisc and the match-all mirred redirects
 * the failover agent switches a data path with.
 *
 * The filter is u32 with one all-zero key ("match u32 0 0"): matchall is
 * newer and not built into every kernel (it is not into the one these
 * machines boot), u32 is everywhere clsact is. */
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <netlink/attr.h>

#include "kernel/kernel-internal.h"

#ifndef TC_H_CLSACT
#define TC_H_CLSACT TC_H_INGRESS
#endif
#ifndef TC_H_MIN_INGRESS
#define TC_H_MIN_INGRESS 0xFFF2U
#define TC_H_MIN_EGRESS  0xFFF3U
#endif

static const char *hook_name(bool ingress) {
        return ingress ? "ingress" : "egress";
}

static struct nl_msg *tc_qdisc_request(int type, int flags, int ifindex) {
        struct tcmsg tcm = { .tcm_family = AF_UNSPEC,
                             .tcm_ifindex = ifindex,
                             .tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0),
                             .tcm_parent = TC_H_CLSACT };
        struct nl_msg *msg = knl_request(type, flags, &tcm, sizeof(tcm));

        if (msg && nla_put_string(msg, TCA_KIND, "clsact") < 0) {
                nlmsg_free(msg);
                return NULL;
        }
        return msg;
}

int knl_tc_clsact_add(vport_kernel *k, int ifindex, vport_error *err) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg =
                tc_qdisc_request(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex);
        vport_error e = {};
        int r;

        assert_return(ifindex > 0, vport_error_set(err, -EINVAL, "clsact: invalid ifindex %d", ifindex));
        if (!msg)
                return vport_error_set(err, -ENOMEM, "RTM_NEWQDISC: out of memory");
        r = knl_call_if(k, msg, &e, ifindex, "RTM_NEWQDISC clsact");
        if (r == -EEXIST)
                return 0;
        if (r < 0)
                return vport_error_set(err, r, "%s", vport_error_message(&e, r));
        return 0;
}

int knl_tc_clsact_del(vport_kernel *k, int ifindex, vport_error *err) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = tc_qdisc_request(RTM_DELQDISC, 0, ifindex);
        vport_error e = {};
        int r;

        assert_return(ifindex > 0, vport_error_set(err, -EINVAL, "clsact: invalid ifindex %d", ifindex));
        if (!msg)
                return vport_error_set(err, -ENOMEM, "RTM_DELQDISC: out of memory");
        r = knl_call_if(k, msg, &e, ifindex, "RTM_DELQDISC clsact");
        if (r == -ENOENT || r == -EINVAL)
                return 0; /* no clsact: the kernel says ENOENT, or EINVAL for a default qdisc */
        if (r < 0)
                return vport_error_set(err, r, "%s", vport_error_message(&e, r));
        return 0;
}

/* The first node of u32's root table (800::800): naming it makes a second
 * add fail with EEXIST instead of stacking a second redirect. */
#define TC_REDIRECT_HANDLE 0x80000800U

static struct nl_msg *tc_filter_request(int type, int flags, int ifindex, bool ingress) {
        struct tcmsg tcm = {
                .tcm_handle = type == RTM_NEWTFILTER ? TC_REDIRECT_HANDLE : 0,
                .tcm_family = AF_UNSPEC,
                .tcm_ifindex = ifindex,
                .tcm_parent = TC_H_MAKE(TC_H_CLSACT, ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS),
                .tcm_info = TC_H_MAKE((uint32_t) VPORT_TC_REDIRECT_PRIO << 16, htons(ETH_P_ALL)),
        };

        return knl_request(type, flags, &tcm, sizeof(tcm));
}

/* TCA_U32_ACT { 1 { TCA_ACT_KIND "mirred", TCA_ACT_OPTIONS { TCA_MIRRED_PARMS } } } */
static int tc_put_mirred(struct nl_msg *msg, int to_ifindex, bool to_ingress) {
        struct tc_mirred parms = {
                .action = TC_ACT_STOLEN,
                .eaction = to_ingress ? TCA_INGRESS_REDIR : TCA_EGRESS_REDIR,
                .ifindex = (uint32_t) to_ifindex,
        };
        struct nlattr *acts, *act, *opts;

        if (!(acts = nla_nest_start(msg, TCA_U32_ACT)) || !(act = nla_nest_start(msg, 1)) ||
            nla_put_string(msg, TCA_ACT_KIND, "mirred") < 0 ||
            !(opts = nla_nest_start(msg, TCA_ACT_OPTIONS)) ||
            nla_put(msg, TCA_MIRRED_PARMS, sizeof(parms), &parms) < 0)
                return -ENOMEM;
        nla_nest_end(msg, opts);
        nla_nest_end(msg, act);
        nla_nest_end(msg, acts);
        return 0;
}

/* One key with mask 0 matches every frame; TERMINAL ends the search there. */
static int tc_put_u32_all(struct nl_msg *msg, int to_ifindex, bool to_ingress) {
        struct {
                struct tc_u32_sel sel;
                struct tc_u32_key key;
        } s = { .sel = { .flags = TC_U32_TERMINAL, .nkeys = 1 } };
        struct nlattr *opts;

        if (nla_put_string(msg, TCA_KIND, "u32") < 0 || !(opts = nla_nest_start(msg, TCA_OPTIONS)) ||
            nla_put(msg, TCA_U32_SEL, sizeof(s), &s) < 0 || tc_put_mirred(msg, to_ifindex, to_ingress) < 0)
                return -ENOMEM;
        nla_nest_end(msg, opts);
        return 0;
}

int knl_tc_redirect_add(vport_kernel *k, int ifindex, bool ingress, int to_ifindex, bool to_ingress,
                        vport_error *err) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg =
                tc_filter_request(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, ifindex, ingress);
        char to[48];

        assert_return(
                ifindex > 0 && to_ifindex > 0,
                vport_error_set(err, -EINVAL, "tc redirect: invalid ifindex %d -> %d", ifindex, to_ifindex));
        if (!msg || tc_put_u32_all(msg, to_ifindex, to_ingress) < 0)
                return vport_error_set(err, -ENOMEM, "RTM_NEWTFILTER: out of memory");
        return knl_call_if(k, msg, err, ifindex, "tc %s filter prio %d: redirect to %s %s",
                           hook_name(ingress), VPORT_TC_REDIRECT_PRIO, kernel_ifdesc(to_ifindex, to),
                           hook_name(to_ingress));
}

/* Without a handle the request deletes the whole prio (every u32 node in it). */
int knl_tc_redirect_del(vport_kernel *k, int ifindex, bool ingress, vport_error *err) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = tc_filter_request(RTM_DELTFILTER, 0, ifindex, ingress);
        vport_error e = {};
        int r;

        assert_return(ifindex > 0,
                      vport_error_set(err, -EINVAL, "tc redirect: invalid ifindex %d", ifindex));
        if (!msg)
                return vport_error_set(err, -ENOMEM, "RTM_DELTFILTER: out of memory");
        r = knl_call_if(k, msg, &e, ifindex, "tc %s filter prio %d: delete", hook_name(ingress),
                        VPORT_TC_REDIRECT_PRIO);
        if (r == -ENOENT || r == -EINVAL)
                return 0; /* no such filter, or no clsact at all */
        if (r < 0)
                return vport_error_set(err, r, "%s", vport_error_message(&e, r));
        return 0;
}
