/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <sys/random.h>

#include "mac.h"

int mac_parse(const char *s, vport_mac *ret) {
        vport_mac m;

        assert_return(s && ret, -EINVAL);
        for (size_t i = 0; i < VPORT_MAC_LEN; i++) {
                const char *p = s + i * 3;
                int hi, lo;

                /* check each char before reading the next so we never run past NUL */
                if ((hi = unhexchar(p[0])) < 0 || (lo = unhexchar(p[1])) < 0)
                        return -EINVAL;
                if (p[2] != (i == VPORT_MAC_LEN - 1 ? '\0' : ':'))
                        return -EINVAL;
                m.addr[i] = (uint8_t) (hi << 4 | lo);
        }
        *ret = m;
        return 0;
}

/* By hand, not snprintf() (as uuid_format()): listings format one per port. */
char *mac_format(const vport_mac *mac, char buf[static VPORT_MAC_STRLEN]) {
        for (size_t i = 0; i < VPORT_MAC_LEN; i++) {
                buf[i * 3] = hexchar(mac->addr[i] >> 4);
                buf[i * 3 + 1] = hexchar(mac->addr[i]);
                buf[i * 3 + 2] = i == VPORT_MAC_LEN - 1 ? '\0' : ':';
        }
        return buf;
}

bool mac_is_zero(const vport_mac *mac) {
        static const vport_mac zero;

        return mac_equal(mac, &zero);
}

bool mac_is_multicast(const vport_mac *mac) {
        return mac->addr[0] & 0x01;
}

bool mac_equal(const vport_mac *a, const vport_mac *b) {
        return memcmp(a->addr, b->addr, VPORT_MAC_LEN) == 0;
}

int mac_check_guest(const vport_mac *mac, vport_error *err) {
        char buf[VPORT_MAC_STRLEN];

        if (mac_is_zero(mac))
                return vport_error_set(err, -EINVAL, "MAC address %s: all-zero address",
                                       mac_format(mac, buf));
        if (mac_is_multicast(mac))
                return vport_error_set(err, -EINVAL,
                                       "MAC address %s: multicast address cannot be used by a guest",
                                       mac_format(mac, buf));
        return 0;
}

void mac_generate(vport_mac *ret) {
        uint8_t rnd[3] = { 0 };

        /* getrandom() on 3 bytes never returns short unless the pool is not
         * yet initialised; a weaker address is still a valid one */
        if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
                for (size_t i = 0; i < sizeof(rnd); i++)
                        rnd[i] = (uint8_t) random();
        *ret = (vport_mac){ { 0x52, 0x54, 0x00, rnd[0], rnd[1], rnd[2] } };
}
