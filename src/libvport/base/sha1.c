/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "sha1.h"

typedef struct sha1 {
        uint32_t h[5];
        uint8_t block[64];
        size_t fill;
        uint64_t bits;
} sha1;

static uint32_t rol(uint32_t x, int n) {
        return x << n | x >> (32 - n);
}

static uint32_t round_f(int t, uint32_t b, uint32_t c, uint32_t d) {
        if (t < 20)
                return (b & c) | (~b & d);
        if (t >= 40 && t < 60)
                return (b & c) | (b & d) | (c & d);
        return b ^ c ^ d;
}

static const uint32_t round_k[4] = { 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xCA62C1D6 };

static void sha1_block(sha1 *s) {
        uint32_t w[80], v[5];

        for (int t = 0; t < 16; t++)
                w[t] = (uint32_t) s->block[4 * t] << 24 | (uint32_t) s->block[4 * t + 1] << 16 |
                       (uint32_t) s->block[4 * t + 2] << 8 | s->block[4 * t + 3];
        for (int t = 16; t < 80; t++)
                w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        memcpy(v, s->h, sizeof(v));
        for (int t = 0; t < 80; t++) {
                uint32_t tmp = rol(v[0], 5) + round_f(t, v[1], v[2], v[3]) + v[4] + w[t] + round_k[t / 20];
                v[4] = v[3];
                v[3] = v[2];
                v[2] = rol(v[1], 30);
                v[1] = v[0];
                v[0] = tmp;
        }
        for (int i = 0; i < 5; i++)
                s->h[i] += v[i];
}

static void sha1_update(sha1 *s, const uint8_t *p, size_t len) {
        s->bits += (uint64_t) len * 8;
        while (len-- > 0) {
                s->block[s->fill++] = *p++;
                if (s->fill == sizeof(s->block)) {
                        sha1_block(s);
                        s->fill = 0;
                }
        }
}

void sha1_two(const void *a, size_t a_len, const void *b, size_t b_len, uint8_t ret[static VPORT_SHA1_LEN]) {
        sha1 s = { .h = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 } };
        uint64_t bits;
        uint8_t pad = 0x80, zero = 0, len[8];

        sha1_update(&s, a, a_len);
        sha1_update(&s, b, b_len);
        bits = s.bits;
        sha1_update(&s, &pad, 1);
        while (s.fill != 56)
                sha1_update(&s, &zero, 1);
        for (int i = 0; i < 8; i++)
                len[i] = (uint8_t) (bits >> (56 - 8 * i));
        sha1_update(&s, len, 8);
        for (int i = 0; i < 5; i++)
                for (int j = 0; j < 4; j++)
                        ret[4 * i + j] = (uint8_t) (s.h[i] >> (24 - 8 * j));
}
