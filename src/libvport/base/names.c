/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>

#include "names.h"

#define NETNAME_MAX 200

static bool ifname_char_ok(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               strchr("_.@+-", c) != NULL;
}

int ifname_check(const char *name, vport_error *err) {
        if (!name || !*name)
                return vport_error_set(err, -EINVAL, "interface name is empty");
        /* characters first, so the messages below may quote the name; print
         * only the part before a bad character: it may be a newline */
        for (const char *p = name; *p; p++)
                if (!ifname_char_ok(*p))
                        return vport_error_set(err, -EINVAL,
                                               "interface name '%.*s...': character 0x%02x is not allowed",
                                               (int) (p - name), name, (unsigned char) *p);
        if (strlen(name) >= VPORT_IFNAMSIZ)
                return vport_error_set(err, -EINVAL, "interface name '%.32s%s': longer than %d characters",
                                       name, strlen(name) > 32 ? "..." : "", VPORT_IFNAMSIZ - 1);
        if (streq(name, ".") || streq(name, ".."))
                return vport_error_set(err, -EINVAL, "interface name '%s' is not allowed", name);
        return 0;
}

static int netname_check_chars(const char *name, vport_error *err) {
        for (const unsigned char *p = (const unsigned char *) name; *p; p++) {
                /* bytes >= 0x80 are let through: UTF-8 names are fine in file names */
                if (*p < 0x80 && (!isprint(*p) || isspace(*p)))
                        return vport_error_set(err, -EINVAL,
                                               "network name '%.*s...': character 0x%02x is not allowed",
                                               (int) (p - (const unsigned char *) name), name, *p);
        }
        return 0;
}

/* Network names become file names in the state directory (as in libvirt's
 * /etc/libvirt/qemu/networks/NAME.xml): a '/' would escape it, a leading
 * '.' would hide or collide with "." and "..". */
int netname_check(const char *name, vport_error *err) {
        int r;

        if (!name || !*name)
                return vport_error_set(err, -EINVAL, "network name is empty");
        if ((r = netname_check_chars(name, err)) < 0)
                return r;
        if (strlen(name) > NETNAME_MAX)
                return vport_error_set(err, -EINVAL, "network name '%.32s...': longer than %d characters",
                                       name, NETNAME_MAX);
        if (name[0] == '.')
                return vport_error_set(err, -EINVAL, "network name '%s': must not start with '.'", name);
        if (strchr(name, '/'))
                return vport_error_set(err, -EINVAL, "network name '%s': must not contain '/'", name);
        return 0;
}
