/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ethernet MAC addresses. */
#pragma once

#include <stdint.h>

#include "error.h"

/* vport_mac, VPORT_MAC_LEN and VPORT_MAC_STRLEN: vport/types.h (public). */

/* Parse "aa:bb:cc:dd:ee:ff" (case-insensitive, exactly six colon-separated
 * two-digit hex octets). Returns 0 or -EINVAL. */
int mac_parse(const char *s, vport_mac *ret);

/* Format as lower-case "aa:bb:cc:dd:ee:ff" into buf; returns buf. */
char *mac_format(const vport_mac *mac, char buf[static VPORT_MAC_STRLEN]);

bool mac_is_zero(const vport_mac *mac);
bool mac_is_multicast(const vport_mac *mac); /* includes broadcast */
bool mac_equal(const vport_mac *a, const vport_mac *b);

/* A MAC a guest NIC may carry: unicast and not all-zero. Returns 0 or
 * -EINVAL with err naming the value. */
int mac_check_guest(const vport_mac *mac, vport_error *err);

/* Random address under 52:54:00 (the prefix QEMU and libvirt use). */
void mac_generate(vport_mac *ret);
