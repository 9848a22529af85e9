/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Containers' network namespaces: a kernel context whose netlink socket
 * lives in another namespace (a socket stays in the namespace it was made
 * in, so the thread enters the namespace only for the socket() call), veth
 * pairs with their peer made in another namespace, links moved between
 * namespaces, and the addresses and routes a container interface gets. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>

#include "kernel/kernel-internal.h"

/* The namespace fd of k, opened lazily for the host context. */
static int kernel_ns_fd(vport_kernel *k, vport_error *err) {
        if (k->ns_fd >= 0)
                return k->ns_fd;
        k->ns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (k->ns_fd < 0)
                return vport_error_set(err, -errno, "opening /proc/self/ns/net: %m");
        return k->ns_fd;
}

/* Enter fd's namespace, make the socket, come back. On a failed way back
 * the thread would be left in the container: that is not survivable for a
 * library, so it is reported and the caller stops (the error says so). */
static int netns_connect(vport_kernel *k, int fd, vport_error *err) {
        _cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        int r;

        if (self < 0)
                return vport_error_set(err, -errno, "opening /proc/thread-self/ns/net: %m");
        if (setns(fd, CLONE_NEWNET) < 0)
                return vport_error_set(err, -errno, "entering the network namespace: %m");
        r = kernel_nl_connect(k, err);
        if (setns(self, CLONE_NEWNET) < 0)
                return vport_error_set(err, -errno, "returning to the caller's network namespace: %m");
        return r;
}

int kernel_netns_open(vport_kernel *k, const char *path, vport_kernel **ret, vport_error *err) {
        _cleanup_(kernel_closep) vport_kernel *n = NULL;
        struct stat st;
        int r;

        assert_return(path && ret, -EINVAL);
        if (path[0] != '/')
                return vport_error_set(err, -EINVAL, "network namespace '%s': not an absolute path", path);
        n = calloc(1, sizeof(*n));
        if (!n)
                return vport_error_set(err, -ENOMEM, "out of memory");
        n->bind_timeout_ms = k->bind_timeout_ms;
        memcpy(n->sysfs_root, k->sysfs_root, sizeof(n->sysfs_root));
        n->ns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (n->ns_fd < 0)
                return vport_error_set(err, -errno, "network namespace %s: %m", path);
        /* A bind mount of a dead namespace's file is gone too; anything
         * else (a plain file, a directory) is not a namespace. */
        if (fstat(n->ns_fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != 0)
                return vport_error_set(err, -ENOENT, "%s is not a network namespace", path);
        r = netns_connect(n, n->ns_fd, err);
        if (r == -EINVAL)
                return vport_error_set(err, -ENOENT, "%s is not a network namespace", path);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(n);
        return 0;
}

void kernel_netns_close(vport_kernel *k) {
        kernel_close(k);
}

static int put_mac(struct nl_msg *msg, const vport_mac *mac) {
        return nla_put(msg, IFLA_ADDRESS, VPORT_MAC_LEN, mac->addr);
}

/* The VETH_INFO_PEER payload: an ifinfomsg, then the peer's attributes. */
static int veth_put_peer(vport_kernel *target, const vport_veth_request *req, struct nl_msg *msg,
                         vport_error *err) {
        struct ifinfomsg peer = { .ifi_family = AF_UNSPEC };
        struct nlattr *info, *data, *p;
        int fd = -1;

        if (target && (fd = kernel_ns_fd(target, err)) < 0)
                return fd;
        if (!(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
            nla_put_string(msg, IFLA_INFO_KIND, "veth") < 0 ||
            !(data = nla_nest_start(msg, IFLA_INFO_DATA)) || !(p = nla_nest_start(msg, VETH_INFO_PEER)) ||
            nlmsg_append(msg, &peer, sizeof(peer), NLMSG_ALIGNTO) < 0 ||
            nla_put_string(msg, IFLA_IFNAME, req->peer_name) < 0 || put_mac(msg, &req->peer_mac) < 0 ||
            (fd >= 0 && nla_put_u32(msg, IFLA_NET_NS_FD, (uint32_t) fd) < 0))
                return vport_error_set(err, -ENOMEM, "veth %s: out of memory", req->name);
        nla_nest_end(msg, p);
        nla_nest_end(msg, data);
        nla_nest_end(msg, info);
        return 0;
}

/* The echo of the host end (the only link of the request in our namespace). */
static int veth_echo(struct nlmsghdr *h, void *userdata) {
        vport_link *l = userdata;

        if (h->nlmsg_type != RTM_NEWLINK)
                return 0;
        return knl_link_parse(h, l);
}

/* The host end named name (the request's name or a guess for its template). */
static int veth_send(vport_kernel *k, const vport_veth_request *req, const char *name, vport_link *ret_made,
                     vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
        int r;

        /* NLM_F_ECHO: the host end comes back (a template's number in it);
         * the peer is announced in its own namespace, not to us. */
        msg = knl_request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, &ifi, sizeof(ifi));
        if (!msg || nla_put_string(msg, IFLA_IFNAME, name) < 0 || put_mac(msg, &req->mac) < 0 ||
            (req->group && nla_put_u32(msg, IFLA_GROUP, req->group) < 0))
                return vport_error_set(err, -ENOMEM, "veth %s: out of memory", name);
        r = veth_put_peer(req->peer_netns, req, msg, err);
        if (r < 0)
                return r;
        return knl_call(k, msg, veth_echo, ret_made, err, "veth %s (peer %s): RTM_NEWLINK", name,
                        req->peer_name);
}

/* A template is tried as the name kernel_ifname_guess() found free first
 * (the kernel's own pick reads every link's name), then, if that was
 * taken meanwhile (or the peer's name is: EEXIST either way), as the
 * template. */
int knl_veth_create(vport_kernel *k, const vport_veth_request *req, vport_link *ret, vport_error *err) {
        char name[VPORT_IFNAMSIZ];
        vport_link made = {};
        int r;

        assert_return(req && ret, -EINVAL);
        if (kernel_ifname_or_template_check(req->name, err) < 0 || ifname_check(req->peer_name, err) < 0)
                return -EINVAL;
        kernel_ifname_guess(k, req->name, name);
        r = veth_send(k, req, name, &made, err);
        if (r == -EEXIST && !streq(name, req->name)) {
                vport_error_clear(err);
                snprintf(name, sizeof(name), "%s", req->name);
                r = veth_send(k, req, name, &made, err);
        }
        if (r < 0)
                return r;
        if (made.ifindex > 0) {
                *ret = made;
                return 0;
        }
        if (!kernel_ifname_is_template(name))
                return knl_link_get(k, 0, name, ret, err);
        return vport_error_set(err, -ENODEV,
                               "veth %s: made, but the kernel did not say which it is (no "
                               "NLM_F_ECHO before Linux 6.3)",
                               req->name);
}

/* One RTM_NEWLINK on an existing link: IFLA_NET_NS_FD moves it, IFLA_IFNAME
 * renames it (in the target namespace, in the same step). */
int knl_link_move(vport_kernel *k, int ifindex, vport_kernel *target, const char *name, vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
        int fd = -1;

        assert_return(ifindex > 0, vport_error_set(err, -EINVAL, "link move: invalid ifindex %d", ifindex));
        if (name && ifname_check(name, err) < 0)
                return -EINVAL;
        if (target && (fd = kernel_ns_fd(target, err)) < 0)
                return fd;
        msg = knl_request(RTM_NEWLINK, 0, &ifi, sizeof(ifi));
        if (!msg || (name && nla_put_string(msg, IFLA_IFNAME, name) < 0) ||
            (fd >= 0 && nla_put_u32(msg, IFLA_NET_NS_FD, (uint32_t) fd) < 0))
                return vport_error_set(err, -ENOMEM, "link move: out of memory");
        return knl_call(k, msg, NULL, NULL, err, "ifindex %d: RTM_NEWLINK%s%s%s", ifindex,
                        name ? " name " : "", name ? name : "", target ? " to another namespace" : "");
}

int knl_route_add(vport_kernel *k, int ifindex, const vport_ipaddr *dst, const vport_ipaddr *gw,
                  vport_error *err) {
        struct rtmsg rtm = { .rtm_family = (uint8_t) dst->family,
                             .rtm_dst_len = (uint8_t) dst->prefix,
                             .rtm_table = RT_TABLE_MAIN,
                             .rtm_protocol = RTPROT_BOOT,
                             .rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
                             .rtm_type = RTN_UNICAST };
        _cleanup_(nlmsg_freep) struct nl_msg *msg =
                knl_request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
        char d[VPORT_IPADDR_STRLEN], g[VPORT_IPADDR_STRLEN];

        if (gw && gw->family != dst->family)
                return vport_error_set(err, -EINVAL, "route %s/%u: gateway %s of another family",
                                       ipaddr_format(dst, d), dst->prefix, ipaddr_format(gw, g));
        if (!msg || (dst->prefix && nla_put(msg, RTA_DST, (int) ipaddr_len(dst), dst->addr) < 0) ||
            (gw && nla_put(msg, RTA_GATEWAY, (int) ipaddr_len(gw), gw->addr) < 0) ||
            nla_put_u32(msg, RTA_OIF, (uint32_t) ifindex) < 0)
                return vport_error_set(err, -ENOMEM, "RTM_NEWROUTE: out of memory");
        return knl_call(k, msg, NULL, NULL, err, "route %s/%u%s%s: RTM_NEWROUTE", ipaddr_format(dst, d),
                        dst->prefix, gw ? " via " : "", gw ? ipaddr_format(gw, g) : "");
}

typedef struct addr_array {
        int ifindex;
        vport_ipaddr *addrs;
        size_t n, allocated;
} addr_array;

static struct nla_policy addr_policy[IFA_MAX + 1] = {
        [IFA_LOCAL] = { .type = NLA_UNSPEC },
        [IFA_ADDRESS] = { .type = NLA_UNSPEC },
};

static int addr_list_one(struct nlmsghdr *h, void *userdata) {
        struct nlattr *tb[IFA_MAX + 1], *a;
        const struct ifaddrmsg *ifa;
        addr_array *arr = userdata;
        vport_ipaddr ip = { 0 };

        if (h->nlmsg_type != RTM_NEWADDR || nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, addr_policy) < 0)
                return h->nlmsg_type == RTM_NEWADDR ? -EBADMSG : 0;
        ifa = nlmsg_data(h);
        if ((int) ifa->ifa_index != arr->ifindex ||
            (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
                return 0;
        a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
        ip.family = ifa->ifa_family;
        ip.prefix = ifa->ifa_prefixlen;
        if (!a || (size_t) nla_len(a) != ipaddr_len(&ip))
                return -EBADMSG;
        memcpy(ip.addr, nla_data(a), ipaddr_len(&ip));
        if (arr->n == arr->allocated) {
                size_t m = arr->allocated ? arr->allocated * 2 : 8;
                vport_ipaddr *p = reallocarray(arr->addrs, m, sizeof(*p));

                if (!p)
                        return -ENOMEM;
                arr->addrs = p;
                arr->allocated = m;
        }
        arr->addrs[arr->n++] = ip;
        return 0;
}

int knl_addr_list(vport_kernel *k, int ifindex, vport_ipaddr **ret, size_t *ret_n, vport_error *err) {
        struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = knl_request(RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
        addr_array a = { .ifindex = ifindex };
        int r;

        assert_return(ret && ret_n, -EINVAL);
        if (!msg)
                return vport_error_set(err, -ENOMEM, "RTM_GETADDR: out of memory");
        r = knl_call(k, msg, addr_list_one, &a, err, "ifindex %d: RTM_GETADDR dump", ifindex);
        if (r < 0) {
                free(a.addrs);
                return r;
        }
        *ret = a.addrs;
        *ret_n = a.n;
        return 0;
}
