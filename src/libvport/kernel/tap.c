/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Persistent tap devices for the VM manager to open later. */
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "kernel/kernel-internal.h"

/* IFF_TUN_EXCL makes TUNSETIFF fail with EBUSY instead of attaching to an
 * existing tap of that name; a name taken by a non-tun device gives EINVAL.
 * A template ("vnet%d") makes the kernel pick the first free number under
 * the RTNL lock (dev_alloc_name()), race-free, but by reading the name of
 * every link of the namespace; the name it chose comes back in ifr_name.
 * The tap exists from here on, but only as long as *ret_fd is open. */
static int tap_open(const char *name, int *ret_fd, char ret_name[static IFNAMSIZ], vport_error *err) {
        struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_TUN_EXCL };
        _cleanup_close_ int fd = -1;

        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
        fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return vport_error_set(err, -errno, "tap %s: opening /dev/net/tun: %m", name);
        if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
                int r = -errno;

                if (!kernel_ifname_is_template(name) &&
                    (r == -EBUSY || (r == -EINVAL && if_nametoindex(name) > 0)))
                        return vport_error_set(err, -EEXIST, "tap %s: TUNSETIFF: name already in use", name);
                return vport_error_set(err, r, "tap %s: TUNSETIFF: %s", name, strerror(-r));
        }
        snprintf(ret_name, IFNAMSIZ, "%s", ifr.ifr_name);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* A template is tried as the name kernel_ifname_guess() found free first,
 * and given to the kernel only if that name was taken meanwhile.
 * Everything is set while only our fd keeps the tap alive, and
 * TUNSETPERSIST comes last: a process killed at any point before it
 * leaves no tap (closing the fd deletes it), one killed after it leaves a
 * tap with its MAC and group already set. The core recognises what it
 * made by the group (see core/netdev-name.h), so no tap may outlive us
 * without it. */
int tap_create(vport_kernel *k, const char *name, const vport_mac *mac, uint32_t group, vport_link *ret,
               vport_error *err) {
        _cleanup_close_ int fd = -1;
        char made[IFNAMSIZ], guess[IFNAMSIZ];
        vport_link link = {};
        int r;

        assert_return(mac && ret, -EINVAL);
        if (kernel_ifname_or_template_check(name, err) < 0)
                return -EINVAL;
        kernel_ifname_guess(k, name, guess);
        r = tap_open(guess, &fd, made, err);
        /* Taken since the look (another process): the kernel picks. */
        if (r == -EEXIST && !streq(guess, name)) {
                vport_error_clear(err);
                r = tap_open(name, &fd, made, err);
        }
        if (r < 0)
                return r;
        /* By the name the kernel gave it: the one lookup, never a dump. */
        r = knl_link_get(k, 0, made, &link, err);
        if (r >= 0)
                r = group ? knl_link_set_mac_group(k, link.ifindex, mac, group, err)
                          : knl_link_set_mac(k, link.ifindex, mac, err);
        if (r < 0)
                return r;
        /* Persistent: the device outlives this fd and this process. */
        if (ioctl(fd, TUNSETPERSIST, 1) < 0)
                return vport_error_set(err, -errno, "tap %s: TUNSETPERSIST: %m", made);
        r = knl_link_get(k, link.ifindex, NULL, ret, err);
        if (r < 0)
                (void) knl_link_delete(k, link.ifindex, NULL); /* do not leave a half-made tap behind */
        return r;
}

/* Without IFF_TUN_EXCL, TUNSETIFF on a persistent tap's name attaches to
 * it; the flags must be the ones it was made with, or the kernel refuses
 * (EINVAL). A name that is no tap also gives EINVAL: told apart by whether
 * the name exists. */
int tap_attach(vport_kernel *k, const char *name, int *ret_fd, vport_error *err) {
        struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
        _cleanup_close_ int fd = -1;

        assert_return(ret_fd, -EINVAL);
        if (ifname_check(name, err) < 0)
                return -EINVAL;
        if (if_nametoindex(name) == 0)
                return vport_error_set(err, -ENODEV, "tap %s: no such device", name);
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
        fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return vport_error_set(err, -errno, "tap %s: opening /dev/net/tun: %m", name);
        if (ioctl(fd, TUNSETIFF, &ifr) < 0)
                return vport_error_set(err, -errno, "tap %s: TUNSETIFF: %m%s", name,
                                       errno == EINVAL ? " (not a tap made with a vnet header?)" : "");
        *ret_fd = TAKE_FD(fd);
        return 0;
}
