/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The floor: the same kernel requests as a port lifecycle, issued from a
 * bare NETLINK_ROUTE socket with hand-built messages and no bookkeeping. */
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "floor.h"

typedef struct knl_buf {
        struct nlmsghdr h;
        struct ifinfomsg ifi;
        char attrs[512];
} knl_buf;

static int knl_fd = -1;
static unsigned knl_seq;

int floor_open(void) {
        knl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        return knl_fd < 0 ? -errno : 0;
}

static struct rtattr *attr_put(knl_buf *b, int type, const void *data, size_t len) {
        struct rtattr *a = (struct rtattr *) ((char *) b + NLMSG_ALIGN(b->h.nlmsg_len));

        a->rta_type = (unsigned short) type;
        a->rta_len = (unsigned short) RTA_LENGTH(len);
        if (len)
                memcpy(RTA_DATA(a), data, len);
        b->h.nlmsg_len = NLMSG_ALIGN(b->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
        return a;
}

static void nest_end(knl_buf *b, struct rtattr *a) {
        a->rta_len = (unsigned short) ((char *) b + b->h.nlmsg_len - (char *) a);
}

static void msg_init(knl_buf *b, int type, int flags, int ifindex) {
        memset(b, 0, sizeof(b->h) + sizeof(b->ifi));
        b->h.nlmsg_len = NLMSG_LENGTH(sizeof(b->ifi));
        b->h.nlmsg_type = (unsigned short) type;
        b->h.nlmsg_flags = (unsigned short) (NLM_F_REQUEST | NLM_F_ACK | flags);
        b->h.nlmsg_seq = ++knl_seq;
        b->ifi.ifi_family = AF_UNSPEC;
        b->ifi.ifi_index = ifindex;
}

/* Send and wait for the ack. Returns 0 or the kernel's -errno. */
static int msg_call(knl_buf *b) {
        char reply[4096];
        ssize_t n;

        if (send(knl_fd, b, b->h.nlmsg_len, 0) < 0)
                return -errno;
        for (;;) {
                n = recv(knl_fd, reply, sizeof(reply), 0);
                if (n < 0)
                        return -errno;
                for (struct nlmsghdr *h = (void *) reply; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n))
                        if (h->nlmsg_seq == b->h.nlmsg_seq && h->nlmsg_type == NLMSG_ERROR)
                                return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
        }
}

int floor_macvtap_create(const char *name, int lower, const unsigned char mac[6], uint32_t mode) {
        knl_buf b;
        struct rtattr *info, *data;
        uint32_t link = (uint32_t) lower;
        int r;

        msg_init(&b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
        attr_put(&b, IFLA_IFNAME, name, strlen(name) + 1);
        attr_put(&b, IFLA_ADDRESS, mac, 6);
        attr_put(&b, IFLA_LINK, &link, 4);
        info = attr_put(&b, IFLA_LINKINFO, NULL, 0);
        attr_put(&b, IFLA_INFO_KIND, "macvtap", 8);
        data = attr_put(&b, IFLA_INFO_DATA, NULL, 0);
        attr_put(&b, IFLA_MACVLAN_MODE, &mode, 4);
        nest_end(&b, data);
        nest_end(&b, info);
        r = msg_call(&b);
        return r < 0 ? r : (int) if_nametoindex(name);
}

int floor_tap_create(const char *name, const unsigned char mac[6], int bridge) {
        struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_TUN_EXCL };
        uint32_t master = (uint32_t) bridge;
        int fd, ifindex;
        knl_buf b;

        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
        fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0) {
                int r = -errno;
                if (fd >= 0)
                        close(fd);
                return r;
        }
        close(fd);
        ifindex = (int) if_nametoindex(name);
        msg_init(&b, RTM_SETLINK, 0, ifindex);
        attr_put(&b, IFLA_ADDRESS, mac, 6);
        attr_put(&b, IFLA_MASTER, &master, 4);
        fd = msg_call(&b);
        return fd < 0 ? fd : ifindex;
}

int floor_set_up(int ifindex, int up) {
        knl_buf b;

        msg_init(&b, RTM_SETLINK, 0, ifindex);
        b.ifi.ifi_flags = up ? IFF_UP : 0;
        b.ifi.ifi_change = IFF_UP;
        return msg_call(&b);
}

int floor_delete(int ifindex) {
        knl_buf b;

        msg_init(&b, RTM_DELLINK, 0, ifindex);
        return msg_call(&b);
}

void floor_vm_up(int lower, const int *fl, int n) {
        for (int i = 0; i < n; i++) {
                floor_set_up(lower, 1);
                floor_set_up(fl[i], 1);
        }
}
