/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SHA-1 (FIPS 180-4), for name-based (version 5) UUIDs only: RFC 4122
 * fixes the hash, and nothing here relies on its collision resistance. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define VPORT_SHA1_LEN 20

/* The digest of the concatenation a || b (either may be empty). */
void sha1_two(const void *a, size_t a_len, const void *b, size_t b_len, uint8_t ret[static VPORT_SHA1_LEN]);
