/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An IPv4 or IPv6 address with a prefix length: what an <ip> element of a
 * network puts on the bridge vport creates. */
#pragma once

#include <stdint.h>

#include "error.h"

#define VPORT_IPADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

typedef struct vport_ipaddr {
        int family;       /* AF_INET or AF_INET6 */
        uint8_t addr[16]; /* network byte order; 4 bytes used for AF_INET */
        unsigned prefix;  /* 0..32 or 0..128 */
} vport_ipaddr;

/* Parse a literal address of family (AF_INET, AF_INET6, or AF_UNSPEC to
 * take either) into ret (prefix left 0). Returns 0 or -EINVAL. */
int ipaddr_parse(const char *s, int family, vport_ipaddr *ret);

/* The prefix length of a contiguous IPv4 netmask ("255.255.255.0" -> 24).
 * Returns the length or -EINVAL (not an IPv4 address, or not contiguous). */
int ipaddr_netmask_prefix(const char *s);

/* libvirt's default prefix when <ip> gives neither prefix nor netmask:
 * the classful one for IPv4 (A: 8, B: 16, C: 24, else -EINVAL), 64 for IPv6. */
int ipaddr_default_prefix(const vport_ipaddr *a);

/* Address bytes of the family (4 or 16). */
size_t ipaddr_len(const vport_ipaddr *a);

/* "192.0.2.1" / "2001:db8::1" into buf; returns buf. */
char *ipaddr_format(const vport_ipaddr *a, char buf[static VPORT_IPADDR_STRLEN]);
