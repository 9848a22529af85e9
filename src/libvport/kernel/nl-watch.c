/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Link notifications: a plain netlink socket subscribed to RTNLGRP_LINK.
 *
 * Not the libnl socket of the context: that one carries requests and their
 * acks, and a notification arriving between a request and its ack would be
 * read (and dropped) by knl_call(). */
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "kernel/kernel-internal.h"

/* Large enough that a burst (a namespace full of VFs coming up) fits before
 * the reader runs; beyond it the kernel reports ENOBUFS and the caller
 * re-reads everything. */
#define WATCH_RCVBUF (1024 * 1024)

int knl_link_watch_open(vport_kernel *k, int *ret_fd, vport_error *err) {
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
        int size = WATCH_RCVBUF;
        _cleanup_close_ int fd = -1;

        assert_return(ret_fd, -EINVAL);
        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return vport_error_set(err, -errno, "link watch: netlink socket: %m");
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return vport_error_set(err, -errno, "link watch: subscribing to RTNLGRP_LINK: %m");
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static void watch_dispatch(struct nlmsghdr *h, vport_link_event_fn fn, void *userdata) {
        vport_link link;

        if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
                return;
        if (knl_link_parse(h, &link) < 0)
                return; /* malformed: never acted upon */
        fn(h->nlmsg_type == RTM_NEWLINK ? VPORT_LINK_NEW : VPORT_LINK_DEL, &link, userdata);
}

int knl_link_watch_read(vport_kernel *k, int fd, vport_link_event_fn fn, void *userdata, vport_error *err) {
        _cleanup_free_ unsigned char *buf = malloc(65536);

        assert_return(fd >= 0 && fn, -EINVAL);
        if (!buf)
                return vport_error_set(err, -ENOMEM, "link watch: out of memory");
        for (;;) {
                struct sockaddr_nl peer;
                socklen_t plen = sizeof(peer);
                ssize_t n = recvfrom(fd, buf, 65536, 0, (struct sockaddr *) &peer, &plen);
                int len;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return 0;
                if (n < 0 && errno == ENOBUFS)
                        return -ENOBUFS; /* no message: the caller re-reads the state */
                if (n < 0)
                        return vport_error_set(err, -errno, "link watch: recvfrom: %m");
                if (peer.nl_pid != 0)
                        continue; /* only the kernel's notifications count */
                len = (int) n;
                for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
                        watch_dispatch(h, fn, userdata);
        }
}
