/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI addresses: "DDDD:BB:SS.F" and libvirt's <address domain bus slot function>. */
#pragma once

#include <stdint.h>

#include "error.h"

#define VPORT_PCI_STRLEN 13 /* "0000:00:00.0" + NUL */

typedef struct vport_pci_addr {
        uint16_t domain;
        uint8_t bus;
        uint8_t slot;     /* 0..0x1f */
        uint8_t function; /* 0..7 */
} vport_pci_addr;

/* Parse "DDDD:BB:SS.F" (hex; domain optional, then 0). Returns 0 or -EINVAL. */
int pci_addr_parse(const char *s, vport_pci_addr *ret);

/* From libvirt's attribute strings ("0x0000", "0x06", ...; hex with 0x or
 * decimal). domain may be NULL (0). Range-checks each part; on error fills
 * err naming the attribute and value. Returns 0 or -EINVAL. */
int pci_addr_from_parts(const char *domain, const char *bus, const char *slot, const char *function,
                        vport_pci_addr *ret, vport_error *err);

/* Lower-case "dddd:bb:ss.f"; returns buf. */
char *pci_addr_format(const vport_pci_addr *addr, char buf[static VPORT_PCI_STRLEN]);

bool pci_addr_equal(const vport_pci_addr *a, const vport_pci_addr *b);
