/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Interface addresses (RTM_NEWADDR) for the bridges vport makes. */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <stdio.h>

#include "kernel/kernel-internal.h"
#include "kernel/sysfs-util.h"

/* The IPv4 broadcast of addr/prefix (host bits all set), as `ip addr add
 * ... brd +` and libvirt's virNetDevIPAddrAdd set it. */
static void ipv4_broadcast(const vport_ipaddr *a, uint8_t ret[static 4]) {
        uint32_t v, mask = a->prefix ? ~0u << (32 - a->prefix) : 0;

        memcpy(&v, a->addr, 4);
        v = htonl(ntohl(v) | ~mask);
        memcpy(ret, &v, 4);
}

int knl_addr_add(vport_kernel *k, int ifindex, const vport_ipaddr *a, vport_error *err) {
        struct ifaddrmsg ifa = { .ifa_family = (uint8_t) a->family,
                                 .ifa_prefixlen = (uint8_t) a->prefix,
                                 .ifa_index = (uint32_t) ifindex };
        _cleanup_(nlmsg_freep) struct nl_msg *msg =
                knl_request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
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
        return knl_call_if(k, msg, err, ifindex, "RTM_NEWADDR %s/%u", ipaddr_format(a, buf), a->prefix);
}

/* No netlink request sets these (inet6_set_link_af takes only the address
 * generation mode and token): the sysctl file of the namespace this
 * process runs in. */
int kernel_ipv6_conf_set(vport_kernel *k, const char *ifname, const char *key, int value, vport_error *err) {
        static const char *const keys[] = { "disable_ipv6", "accept_ra", "autoconf" };
        char path[128], buf[16];
        bool known = false;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                known |= streq(key, keys[i]);
        assert_return(known, vport_error_set(err, -EINVAL, "ipv6 conf: unknown key '%s'", key));
        if (ifname_check(ifname, err) < 0)
                return -EINVAL;
        snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", ifname, key);
        snprintf(buf, sizeof(buf), "%d", value);
        r = sysfs_write(path, buf);
        if (r < 0)
                return vport_error_set(err, r, "%s: writing %s: %s", ifname, path, strerror(-r));
        return 0;
}

typedef struct addr_counts {
        int ifindex;
        size_t v4, v6;
} addr_counts;

static int knl_addr_count_one(struct nlmsghdr *h, void *userdata) {
        addr_counts *c = userdata;
        const struct ifaddrmsg *ifa;

        if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
                return 0;
        ifa = nlmsg_data(h);
        if ((int) ifa->ifa_index != c->ifindex)
                return 0;
        if (ifa->ifa_family == AF_INET)
                c->v4++;
        else if (ifa->ifa_family == AF_INET6)
                c->v6++;
        return 0;
}

/* A dump of every address, counted for one device: without strict checking
 * the kernel ignores ifa_index in a dump request, so the filter is ours. */
int knl_addr_count(vport_kernel *k, int ifindex, size_t *ret_v4, size_t *ret_v6, vport_error *err) {
        struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = knl_request(RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
        addr_counts c = { .ifindex = ifindex };
        int r;

        assert_return(ret_v4 && ret_v6, -EINVAL);
        if (!msg)
                return vport_error_set(err, -ENOMEM, "RTM_GETADDR: out of memory");
        r = knl_call(k, msg, knl_addr_count_one, &c, err, "RTM_GETADDR dump");
        if (r < 0)
                return r;
        *ret_v4 = c.v4;
        *ret_v6 = c.v6;
        return 0;
}
