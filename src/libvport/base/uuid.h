/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UUIDs, as libvirt writes them. */
#pragma once

#include <stdint.h>

#include "error.h"

/* vport_uuid, VPORT_UUID_LEN and VPORT_UUID_STRLEN: vport/types.h (public). */

/* Parse 32 hex digits, optionally with dashes between byte pairs (libvirt
 * accepts both "8-4-4-4-12" and undashed). Returns 0 or -EINVAL. */
int uuid_parse(const char *s, vport_uuid *ret);

/* Lower-case 8-4-4-4-12 form; returns buf. */
char *uuid_format(const vport_uuid *uuid, char buf[static VPORT_UUID_STRLEN]);

/* Random version-4 UUID from getrandom(). Returns 0 or -errno. */
int uuid_generate(vport_uuid *ret);

/* The name-based (version 5, SHA-1) UUID of name in namespace ns (RFC
 * 4122 section 4.3): the same name always gives the same UUID. */
void uuid_from_name(const vport_uuid *ns, const char *name, vport_uuid *ret);

bool uuid_is_null(const vport_uuid *uuid);
bool uuid_equal(const vport_uuid *a, const vport_uuid *b);
