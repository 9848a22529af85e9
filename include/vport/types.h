/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The small value types of libvport's API: the error object, MAC addresses
 * and UUIDs. Plain structs a caller may put on its stack; the library's own
 * layers use the same definitions. Include <vport/vport.h>, not this file. */
#pragma once

#include <stdint.h>

#define VPORT_ERROR_MAX 512

/* Every fallible call returns int: 0 (or a count) on success, < 0 a negative
 * errno. Where a human needs more, the call also fills a vport_error (the
 * pointer may be NULL) with one line naming the network, port, element,
 * attribute, device or value, and the kernel's extended ack text if any. */
typedef struct vport_error {
        int code;                      /* negative errno, 0 if unset */
        char message[VPORT_ERROR_MAX]; /* one line, no trailing newline */
} vport_error;

#define VPORT_MAC_LEN    6
#define VPORT_MAC_STRLEN 18 /* "aa:bb:cc:dd:ee:ff" + NUL */

typedef struct vport_mac {
        uint8_t addr[VPORT_MAC_LEN];
} vport_mac;

#define VPORT_UUID_LEN    16
#define VPORT_UUID_STRLEN 37 /* 36 chars + NUL */

typedef struct vport_uuid {
        uint8_t bytes[VPORT_UUID_LEN];
} vport_uuid;

#define VPORT_PCI_STRLEN 13 /* "0000:00:00.0" + NUL */
