/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/netlink.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "kernel/kernel-internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

const vport_kernel_ops vport_kernel_ops_real = {
        .link_get = knl_link_get,
        .link_list = knl_link_list,
        .link_list_kind = knl_link_list_kind,
        .link_set_mac = knl_link_set_mac,
        .link_set_up = knl_link_set_up,
        .link_set_mtu = knl_link_set_mtu,
        .link_set_master = knl_link_set_master,
        .link_set_group = knl_link_set_group,
        .link_set_mac_group = knl_link_set_mac_group,
        .link_delete = knl_link_delete,
        .link_delete_group = knl_link_delete_group,
        .vf_list = knl_vf_list,
        .vf_set = knl_vf_set,
        .macvlan_create = macvlan_create,
        .tap_create = tap_create,
        .macvtap_wait_dev = macvtap_wait_dev,
        .brport_set_flags = knl_brport_set_flags,
        .brport_set_isolated = knl_brport_set_isolated,
        .bridge_create = knl_bridge_create,
        .addr_add = knl_addr_add,
        .ipv6_conf_set = kernel_ipv6_conf_set,
        .fdb_add = knl_fdb_add,
        .fdb_del = knl_fdb_del,
        .fdb_get = knl_fdb_get,
        .link_uc_list = knl_link_uc_list,
        .vsi_request = vsi_request,
        .vsi_event_next = vsi_event_next,
        .pci_info = sysfs_pci_info,
        .pci_netdevs = sysfs_pci_netdevs,
        .netdev_pci = sysfs_netdev_pci,
        .pci_vfs = sysfs_pci_vfs,
        .sriov_numvfs = sysfs_sriov_numvfs,
        .pci_unbind = sysfs_pci_unbind,
        .pci_bind = sysfs_pci_bind,
        .pci_wait_netdev = sysfs_pci_wait_netdev,
        .tap_open = tap_attach,
        .macvtap_open = macvtap_open,
        .tc_clsact_add = knl_tc_clsact_add,
        .tc_clsact_del = knl_tc_clsact_del,
        .tc_redirect_add = knl_tc_redirect_add,
        .tc_redirect_del = knl_tc_redirect_del,
        .link_set_alias = knl_link_set_alias,
        .link_set_addr_gen_mode = knl_link_set_addr_gen_mode,
        .addr_count = knl_addr_count,
        .link_watch_open = knl_link_watch_open,
        .link_watch_read = knl_link_watch_read,
        .netns_open = kernel_netns_open,
        .netns_close = kernel_netns_close,
        .veth_create = knl_veth_create,
        .link_move = knl_link_move,
        .route_add = knl_route_add,
        .addr_list = knl_addr_list,
};

/* Extended ack makes the kernel say *why* ("macvlan: Unknown device
 * type"), capped ack keeps error replies from echoing our whole request. */
int kernel_nl_connect(vport_kernel *k, vport_error *err) {
        int one = 1, fd, r;

        k->nl = nl_socket_alloc();
        if (!k->nl)
                return vport_error_set(err, -ENOMEM, "netlink: out of memory");
        r = nl_connect(k->nl, NETLINK_ROUTE);
        if (r < 0)
                return vport_error_set(err, -ENOTCONN, "netlink: connecting the route socket: %s",
                                       nl_geterror(r));
        nl_socket_enable_msg_peek(k->nl);
        /* The kernel sizes a dump's skbs after the largest buffer recvmsg
         * was given (up to 32 KiB): with libnl's default of a page, a link
         * dump of a big host takes ~3 links per skb and two recvmsg (peek,
         * read) each; with 32 KiB, 8 times fewer. */
        (void) nl_socket_set_msg_buf_size(k->nl, KERNEL_NL_BUF_SIZE);
        fd = nl_socket_get_fd(k->nl);
        /* Both are optional: an old kernel just gives no extack text. */
        (void) setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
        (void) setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
        return 0;
}

static int kernel_set_sysfs_root(vport_kernel *k, vport_error *err) {
        const char *root = getenv("VPORT_SYSFS_ROOT");
        size_t len;

        if (!root || !*root)
                root = "/sys";
        if (root[0] != '/')
                return vport_error_set(err, -EINVAL, "VPORT_SYSFS_ROOT '%s': not an absolute path", root);
        len = strlen(root);
        while (len > 1 && root[len - 1] == '/')
                len--;
        if (len >= sizeof(k->sysfs_root) - 64)
                return vport_error_set(err, -ENAMETOOLONG, "VPORT_SYSFS_ROOT: path too long");
        memcpy(k->sysfs_root, root, len);
        k->sysfs_root[len] = '\0';
        return 0;
}

int kernel_open(vport_kernel **ret, vport_error *err) {
        vport_kernel *k;
        int r;

        assert_return(ret, -EINVAL);
        k = calloc(1, sizeof(*k));
        if (!k)
                return vport_error_set(err, -ENOMEM, "kernel context: out of memory");
        k->bind_timeout_ms = KERNEL_BIND_TIMEOUT_MS;
        k->ns_fd = -1;
        r = kernel_set_sysfs_root(k, err);
        if (r >= 0)
                r = vsi_config_init(k, err);
        if (r >= 0)
                r = kernel_nl_connect(k, err);
        if (r < 0) {
                kernel_close(k);
                return r;
        }
        *ret = k;
        return 0;
}

void kernel_close(vport_kernel *k) {
        if (!k)
                return;
        nl_socket_free(k->nl);
        free(k->rbuf);
        vsi_close(k);
        if (k->ns_fd >= 0)
                close(k->ns_fd);
        free(k);
}

const char *kernel_sysfs_root(const vport_kernel *k) {
        return k->sysfs_root;
}

char *kernel_ifdesc(int ifindex, char buf[static 48]) {
        char name[IF_NAMESIZE];

        if (if_indextoname((unsigned) ifindex, name))
                snprintf(buf, 48, "%s (ifindex %d)", name, ifindex);
        else
                snprintf(buf, 48, "ifindex %d", ifindex);
        return buf;
}

void kernel_sleep_ms(int ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

bool kernel_ifname_is_template(const char *name) {
        const char *p = name ? strchr(name, '%') : NULL;

        return p && streq(p, "%d");
}

/* The kernel takes "%d" anywhere once; vport only makes PREFIX%d, and the
 * prefix plus the longest number must still be a valid name. */
int kernel_ifname_or_template_check(const char *name, vport_error *err) {
        char probe[64];

        if (!kernel_ifname_is_template(name))
                return ifname_check(name, err);
        snprintf(probe, sizeof(probe), "%.*s99999", (int) (strlen(name) - 2), name);
        if (strlen(probe) >= IFNAMSIZ || strchr(probe, '%'))
                return vport_error_set(err, -EINVAL, "device name template '%s' is not PREFIX%%d", name);
        return ifname_check(probe, err);
}

/* The kernel's own pick for a template cannot number past one page of
 * bits (dev_alloc_name(): 8 * PAGE_SIZE on 4 KiB pages); neither do we. */
#define IFNAME_NUMBER_MAX 32767

int kernel_free_number(unsigned max, bool (*taken)(unsigned n, void *userdata), void *userdata) {
        unsigned lo = 0, hi = 1;

        if (!taken(0, userdata))
                return 0;
        /* taken(lo), and hi is the next number to look at */
        for (; hi < max && taken(hi, userdata); hi *= 2)
                lo = hi;
        if (hi >= max) {
                hi = max;
                if (taken(hi, userdata))
                        return -ENOSPC;
        }
        while (hi - lo > 1) {
                unsigned mid = lo + (hi - lo) / 2;

                if (taken(mid, userdata))
                        lo = mid;
                else
                        hi = mid;
        }
        return (int) hi;
}

typedef struct ifname_probe {
        int fd;
        const char *prefix;
        int prefix_len;
} ifname_probe;

/* SIOCGIFINDEX on the handle's netlink socket: a socket ioctl acts in the
 * socket's namespace, and the kernel answers it with one lookup in its
 * name hash (altnames included), without the RTNL lock. Any error but
 * ENODEV counts as taken: a guess only has to avoid names in use. */
static bool ifname_taken(unsigned n, void *userdata) {
        const ifname_probe *p = userdata;
        struct ifreq ifr = {};

        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%.*s%u", p->prefix_len, p->prefix, n);
        return ioctl(p->fd, SIOCGIFINDEX, &ifr) == 0 || errno != ENODEV;
}

/* The kernel fills a template in (dev_alloc_name()) by sscanf()ing the
 * name of every device of the namespace against it, under the RTNL lock,
 * at every create: ~0.5 us a device, 2 ms per create among 4000 links,
 * the largest share of what a prepare's cost grew with the host. A few
 * name lookups find a free number instead (~25 among 4000 vnetN). */
void kernel_ifname_guess(vport_kernel *k, const char *name, char ret[static VPORT_IFNAMSIZ]) {
        ifname_probe p = { .fd = k->nl ? nl_socket_get_fd(k->nl) : -1, .prefix = name };
        int n = -ENOSPC;

        /* (a prefix too long for every number leaves it to the kernel) */
        if (kernel_ifname_is_template(name) && p.fd >= 0 && strlen(name) - 2 + 5 < VPORT_IFNAMSIZ) {
                p.prefix_len = (int) (strlen(name) - 2);
                n = kernel_free_number(IFNAME_NUMBER_MAX, ifname_taken, &p);
        }
        if (n >= 0)
                snprintf(ret, VPORT_IFNAMSIZ, "%.*s%d", p.prefix_len, name, n);
        else
                snprintf(ret, VPORT_IFNAMSIZ, "%s", name);
}
