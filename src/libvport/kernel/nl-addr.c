/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Interface addresses (RTM_NEWADDR) for the bridges vport makes. */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <stdio.h>

#include "kernel/kernel-internal.h"

/* The IPv4 broadcast of addr/prefix (host bits all set), as `ip addr add
 * ... brd +` and libvirt's virNetDevIPAddrAdd set it. */
static void ipv4_broadcast(const vport_ipaddr *a, uint8_t ret[static 4]) {
        uint32_t v, mask = a->prefix ? ~0u << (32 - a->prefix) : 0;

        memcpy(&v, a->addr, 4);
        v = htonl(ntohl(v) | ~mask);
        memcpy(ret, &v, 4);
}

int nl_addr_add(vport_kernel *k, int ifindex, const vport_ipaddr *a, vport_error *err) {
        struct ifaddrmsg ifa = { .ifa_family = (uint8_t) a->family,
                                 .ifa_prefixlen = (uint8_t) a->prefix,
                                 .ifa_index = (uint32_t) ifindex };
        _cleanup_(nlmsg_freep) struct nl_msg *msg =
                nl_request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
        char buf[VPORT_IPADDR_STRLEN];
        uint8_t brd[4];
        int len = (int) ipaddr_len(a);

        assert_return(ifindex > 0,
                      vport_error_set(err, -EINVAL, "RTM_NEWADDR: invalid ifindex %d", ifindex));
        assert_return(a->family == AF_INET || a->family == AF_INET6, -EINVAL);
        if (!msg || nla_put(msg, IFA_LOCAL, len, a->addr) < 0 || nla_put(msg, IFA_ADDRESS, len, a->addr) < 0)
                return vport_error_set(err, -ENOMEM, "RTM_NEWADDR: out of memory");
        if (a->family == AF_INET && a->prefix < 31) {
                ipv4_broadcast(a, brd);
                if (nla_put(msg, IFA_BROADCAST, 4, brd) < 0)
                        return vport_error_set(err, -ENOMEM, "RTM_NEWADDR: out of memory");
        }
        return nl_call_if(k, msg, err, ifindex, "RTM_NEWADDR %s/%u", ipaddr_format(a, buf), a->prefix);
}
