/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <sys/random.h>

#include "sha1.h"
#include "uuid.h"

/* Like libvirt's virUUIDParse: dashes may appear only between byte pairs;
 * leading/trailing whitespace is not accepted (XML values are taken verbatim). */
int uuid_parse(const char *s, vport_uuid *ret) {
        vport_uuid u;
        size_t n = 0;

        assert_return(s && ret, -EINVAL);
        while (n < VPORT_UUID_LEN) {
                int hi, lo;

                if (n > 0 && *s == '-')
                        s++;
                if ((hi = unhexchar(s[0])) < 0 || (lo = unhexchar(s[1])) < 0)
                        return -EINVAL;
                u.bytes[n++] = (uint8_t) (hi << 4 | lo);
                s += 2;
        }
        if (*s != '\0')
                return -EINVAL;
        *ret = u;
        return 0;
}

/* 8-4-4-4-12, lower case. By hand, not snprintf(): a listing formats two
 * per port, and a 16-argument snprintf() was a sixth of `port-list`'s
 * instructions at 4096 ports. */
char *uuid_format(const vport_uuid *uuid, char buf[static VPORT_UUID_STRLEN]) {
        char *o = buf;

        for (size_t i = 0; i < VPORT_UUID_LEN; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                        *o++ = '-';
                *o++ = hexchar(uuid->bytes[i] >> 4);
                *o++ = hexchar(uuid->bytes[i]);
        }
        *o = '\0';
        return buf;
}

int uuid_generate(vport_uuid *ret) {
        ssize_t n;

        assert_return(ret, -EINVAL);
        n = getrandom(ret->bytes, VPORT_UUID_LEN, 0);
        if (n < 0)
                return -errno;
        if (n != VPORT_UUID_LEN)
                return -EIO;
        ret->bytes[6] = (ret->bytes[6] & 0x0f) | 0x40; /* version 4 */
        ret->bytes[8] = (ret->bytes[8] & 0x3f) | 0x80; /* RFC 4122 variant */
        return 0;
}

bool uuid_is_null(const vport_uuid *uuid) {
        static const vport_uuid null;

        return uuid_equal(uuid, &null);
}

bool uuid_equal(const vport_uuid *a, const vport_uuid *b) {
        return memcmp(a->bytes, b->bytes, VPORT_UUID_LEN) == 0;
}

void uuid_from_name(const vport_uuid *ns, const char *name, vport_uuid *ret) {
        uint8_t digest[VPORT_SHA1_LEN];

        sha1_two(ns->bytes, VPORT_UUID_LEN, name, strlen(name), digest);
        memcpy(ret->bytes, digest, VPORT_UUID_LEN);
        ret->bytes[6] = (uint8_t) ((ret->bytes[6] & 0x0F) | 0x50); /* version 5 */
        ret->bytes[8] = (uint8_t) ((ret->bytes[8] & 0x3F) | 0x80); /* RFC 4122 variant */
}
