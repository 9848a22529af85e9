/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* macvlan / macvtap links and the /dev/tapN character device of a macvtap. */
#include <fcntl.h>
#include <linux/if_link.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/macvtap.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "kernel/kernel-internal.h"

static int macvlan_build(const vport_macvlan_request *req, struct nl_msg **ret) {
        _cleanup_(rtnl_link_putp) struct rtnl_link *link =
                req->tap ? rtnl_link_macvtap_alloc() : rtnl_link_macvlan_alloc();
        struct nl_addr *addr;
        int r;

        if (!link)
                return -ENOMEM;
        r = req->tap ? rtnl_link_macvtap_set_mode(link, req->mode)
                     : rtnl_link_macvlan_set_mode(link, req->mode);
        if (r < 0)
                return -EINVAL;
        addr = nl_addr_build(AF_LLC, req->mac.addr, VPORT_MAC_LEN);
        if (!addr)
                return -ENOMEM;
        rtnl_link_set_addr(link, addr); /* takes its own reference */
        nl_addr_put(addr);
        rtnl_link_set_name(link, req->name);
        rtnl_link_set_link(link, req->lower_ifindex);
        if (req->group)
                rtnl_link_set_group(link, req->group);
        if (req->netns)
                rtnl_link_set_ns_fd(link, req->netns->ns_fd);
        /* No IFF_UP: the core brings it up once it is fully configured. */
        /* NLM_F_ECHO: the kernel sends the new link back to us (since
         * 6.3; the notification it would multicast anyway), so a name it
         * picked from a template is learnt without another request. */
        if (rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, ret) < 0)
                return -ENOMEM;
        nlmsg_hdr(*ret)->nlmsg_flags |= NLM_F_ACK;
        return 0;
}

static int macvlan_echo(struct nlmsghdr *h, void *userdata) {
        if (h->nlmsg_type != RTM_NEWLINK)
                return 0;
        return knl_link_parse(h, userdata);
}

/* A kernel that does not echo RTM_NEWLINK (before 6.3) and a template
 * name: the new link is the one of its kind in the group it was made in
 * (a creation group drawn at random for it). A dump, on old kernels only. */
static int macvlan_find_made(vport_kernel *k, const vport_macvlan_request *req, const char *kind,
                             vport_link *ret, vport_error *err) {
        _cleanup_free_ vport_link *links = NULL;
        size_t n = 0;
        int r;

        if (!kernel_ifname_is_template(req->name))
                return knl_link_get(k, 0, req->name, ret, err);
        r = req->group ? knl_link_list_kind(k, kind, &links, &n, err) : 0;
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (links[i].group == req->group && links[i].link_ifindex == req->lower_ifindex) {
                        *ret = links[i];
                        return 0;
                }
        return vport_error_set(err, -ENODEV, "%s %s: made, but the kernel did not say which it is", kind,
                               req->name);
}

static int macvlan_send(vport_kernel *k, const vport_macvlan_request *req, const char *kind,
                        vport_link *ret_made, vport_error *err) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
        vport_error e = {};
        char desc[48];
        int r;

        r = macvlan_build(req, &msg);
        if (r < 0)
                return vport_error_set(err, r, "%s %s: building RTM_NEWLINK: %s", kind, req->name,
                                       strerror(-r));
        r = knl_call(k, msg, macvlan_echo, ret_made, &e, "RTM_NEWLINK");
        /* The lower device's name (an ioctl) only for a message. */
        if (r < 0)
                return vport_error_set(err, r, "%s %s on %s: %s", kind, req->name,
                                       kernel_ifdesc(req->lower_ifindex, desc), vport_error_message(&e, r));
        return 0;
}

/* In passthru mode the kernel ignores IFLA_ADDRESS (the guest gets the
 * lower device itself; libvirt sets the MAC on the lower device), so the
 * returned link shows the MAC the device really has. A name with "%d"
 * is a template: first the name kernel_ifname_guess() found free in the
 * namespace the link is made in, then, if that was taken meanwhile, the
 * template itself for the kernel to fill in (dev_alloc_name(), race-free). */
int macvlan_create(vport_kernel *k, const vport_macvlan_request *req, vport_link *ret, vport_error *err) {
        vport_macvlan_request named;
        vport_link made = {};
        const char *kind;
        char guess[VPORT_IFNAMSIZ];
        int r;

        assert_return(req && ret, -EINVAL);
        kind = req->tap ? "macvtap" : "macvlan";
        if (kernel_ifname_or_template_check(req->name, err) < 0)
                return -EINVAL;
        if (req->lower_ifindex <= 0)
                return vport_error_set(err, -EINVAL, "%s %s: invalid lower ifindex %d", kind, req->name,
                                       req->lower_ifindex);
        kernel_ifname_guess(req->netns ? req->netns : k, req->name, guess);
        named = *req;
        named.name = guess;
        r = macvlan_send(k, &named, kind, &made, err);
        if (r == -EEXIST && !streq(guess, req->name)) {
                vport_error_clear(err);
                named.name = req->name;
                r = macvlan_send(k, &named, kind, &made, err);
        }
        if (r < 0)
                return r;
        /* The echo comes back only from our own namespace (a link made
         * in another one is announced there). */
        if (made.ifindex > 0 && !req->netns) {
                *ret = made;
                return 0;
        }
        return macvlan_find_made(req->netns ? req->netns : k, &named, kind, ret, err);
}

/* "maj:min" from .../class/macvtap/tapN/dev: the class is per network
 * namespace in sysfs (a sysfs mounted in the caller's namespace shows that
 * namespace's taps, as /sys/class/net shows its devices), and tapN is
 * named after the ifindex, so neither the device's name nor an
 * RTM_GETLINK to learn it is needed (a rename by udev does not matter). */
static int macvtap_sysfs_devnum(vport_kernel *k, int ifindex, dev_t *ret) {
        char path[PATH_MAX], buf[32];
        unsigned maj, min;
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "%s/class/macvtap/tap%d/dev", k->sysfs_root, ifindex);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ENODEV : -errno; /* no such macvtap (any more) */
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -EIO;
        buf[n] = '\0';
        if (sscanf(buf, "%u:%u", &maj, &min) != 2)
                return -EBADMSG;
        *ret = makedev(maj, min);
        return 0;
}

/* 1 if path is the character device devnum, 0 if missing or different. */
static int macvtap_node_ok(const char *path, dev_t devnum) {
        struct stat st;

        if (stat(path, &st) < 0)
                return 0;
        return S_ISCHR(st.st_mode) && st.st_rdev == devnum;
}

/* Without udev (a bare namespace, an initramfs, a container) nobody
 * creates /dev/tapN, so we make it from the numbers sysfs gives. A stale
 * node from an earlier macvtap with the same ifindex is replaced. */
static int macvtap_mknod(const char *path, dev_t devnum) {
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        if (mknod(path, S_IFCHR | 0600, devnum) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static bool udev_running(void) {
        return access("/run/udev/control", F_OK) == 0;
}

int macvtap_wait_dev(vport_kernel *k, int ifindex, int timeout_ms, char **ret_path, vport_error *err) {
        char path[64], desc[48];
        dev_t devnum;
        bool ok;
        int r;

        assert_return(ret_path, -EINVAL);
        r = macvtap_sysfs_devnum(k, ifindex, &devnum);
        if (r < 0)
                return vport_error_set(err, r, "%s: no macvtap character device in sysfs: %s",
                                       kernel_ifdesc(ifindex, desc), strerror(-r));
        snprintf(path, sizeof(path), "/dev/tap%d", ifindex);
        ok = macvtap_node_ok(path, devnum);
        /* udev gets timeout_ms to create (and chown) the node itself. */
        if (!ok && udev_running())
                for (int waited = 0; !ok && waited < timeout_ms; waited += KERNEL_POLL_STEP_MS) {
                        kernel_sleep_ms(KERNEL_POLL_STEP_MS);
                        ok = macvtap_node_ok(path, devnum);
                }
        if (!ok) {
                r = macvtap_mknod(path, devnum);
                if (r < 0)
                        return vport_error_set(err, r, "%s: creating %s (%u:%u): %s",
                                               kernel_ifdesc(ifindex, desc), path, major(devnum),
                                               minor(devnum), strerror(-r));
        }
        *ret_path = strdup(path);
        return *ret_path ? 0 : vport_error_set(err, -ENOMEM, "out of memory");
}

int macvtap_open(vport_kernel *k, int ifindex, int *ret_fd, vport_error *err) {
        _cleanup_free_ char *path = NULL;
        int r, fd;

        assert_return(ret_fd, -EINVAL);
        r = macvtap_wait_dev(k, ifindex, 0, &path, err);
        if (r < 0)
                return r;
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return vport_error_set(err, -errno, "macvtap ifindex %d: opening %s: %m", ifindex, path);
        *ret_fd = fd;
        return 0;
}
