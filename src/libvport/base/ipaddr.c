/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ipaddr.h"
#include "macro.h"

int ipaddr_parse(const char *s, int family, vport_ipaddr *ret) {
        vport_ipaddr a = {};

        if (!s)
                return -EINVAL;
        if (family != AF_INET6 && inet_pton(AF_INET, s, a.addr) == 1)
                a.family = AF_INET;
        else if (family != AF_INET && inet_pton(AF_INET6, s, a.addr) == 1)
                a.family = AF_INET6;
        else
                return -EINVAL;
        *ret = a;
        return 0;
}

int ipaddr_netmask_prefix(const char *s) {
        struct in_addr m;
        uint32_t v;
        int n;

        if (!s || inet_pton(AF_INET, s, &m) != 1)
                return -EINVAL;
        v = ntohl(m.s_addr);
        n = __builtin_popcount(v);
        /* contiguous: the n leading bits set, nothing after them */
        if (n > 0 && v != ~0u << (32 - n))
                return -EINVAL;
        return n;
}

int ipaddr_default_prefix(const vport_ipaddr *a) {
        if (a->family == AF_INET6)
                return 64;
        if (a->addr[0] < 128)
                return 8;
        if (a->addr[0] < 192)
                return 16;
        if (a->addr[0] < 224)
                return 24;
        return -EINVAL; /* class D/E: libvirt cannot guess either */
}

size_t ipaddr_len(const vport_ipaddr *a) {
        return a->family == AF_INET6 ? 16 : 4;
}

char *ipaddr_format(const vport_ipaddr *a, char buf[static VPORT_IPADDR_STRLEN]) {
        if (!inet_ntop(a->family, a->addr, buf, VPORT_IPADDR_STRLEN))
                snprintf(buf, VPORT_IPADDR_STRLEN, "?");
        return buf;
}
