/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <stdio.h>

#include "pci.h"

#define PCI_DOMAIN_MAX   0xffff
#define PCI_BUS_MAX      0xff
#define PCI_SLOT_MAX     0x1f
#define PCI_FUNCTION_MAX 7

/* Parse 1..maxdigits hex digits at *p; advances *p. Returns the value or -EINVAL. */
static long parse_hex_field(const char **p, int maxdigits) {
        long v = 0;
        int n = 0;

        for (; n < maxdigits; n++, (*p)++) {
                char c = **p;
                int d;

                if (c >= '0' && c <= '9')
                        d = c - '0';
                else if (c >= 'a' && c <= 'f')
                        d = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F')
                        d = c - 'A' + 10;
                else
                        break;
                v = v * 16 + d;
        }
        return n == 0 ? -EINVAL : v;
}

int pci_addr_parse(const char *s, vport_pci_addr *ret) {
        long f[4];
        int n = 0;

        assert_return(s && ret, -EINVAL);
        /* up to 4 fields: [domain:]bus:slot.function */
        for (;;) {
                if ((f[n++] = parse_hex_field(&s, 4)) < 0)
                        return -EINVAL;
                if (*s == ':' && n < 3) {
                        s++;
                        continue;
                }
                if (*s == '.' && n >= 2) {
                        s++;
                        if ((f[n++] = parse_hex_field(&s, 1)) < 0 || *s != '\0')
                                return -EINVAL;
                        break;
                }
                return -EINVAL;
        }
        if (n == 3) { /* no domain */
                f[3] = f[2], f[2] = f[1], f[1] = f[0], f[0] = 0;
        }
        if (f[1] > PCI_BUS_MAX || f[2] > PCI_SLOT_MAX || f[3] > PCI_FUNCTION_MAX)
                return -EINVAL;
        *ret = (vport_pci_addr){ .domain = (uint16_t) f[0],
                                 .bus = (uint8_t) f[1],
                                 .slot = (uint8_t) f[2],
                                 .function = (uint8_t) f[3] };
        return 0;
}

/* libvirt's virXMLPropUInt with base 0 accepts "0x.." hex, "0.." octal and decimal;
 * we take hex with 0x and plain decimal only (octal is a trap nobody means). */
static int parse_part(const char *name, const char *s, unsigned long max, unsigned long *ret,
                      vport_error *err) {
        bool hex = s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
        const char *digits = hex ? s + 2 : s;
        unsigned long v;
        char *end;

        /* strtoul would skip spaces and take a sign: require a digit first */
        if (!digits || !(hex ? isxdigit((unsigned char) *digits) : isdigit((unsigned char) *digits)))
                goto bad;
        errno = 0;
        v = strtoul(digits, &end, hex ? 16 : 10);
        if (errno != 0 || *end != '\0')
                goto bad;
        if (v > max)
                return vport_error_set(err, -EINVAL, "<address %s='%.32s'>: out of range (max 0x%lx)", name,
                                       s, max);
        *ret = v;
        return 0;
bad:
        return vport_error_set(err, -EINVAL, "<address %s='%.32s'>: not a number", name, strempty(s));
}

int pci_addr_from_parts(const char *domain, const char *bus, const char *slot, const char *function,
                        vport_pci_addr *ret, vport_error *err) {
        unsigned long d = 0, b, s, f;
        int r;

        assert_return(ret, -EINVAL);
        if (domain && (r = parse_part("domain", domain, PCI_DOMAIN_MAX, &d, err)) < 0)
                return r;
        if ((r = parse_part("bus", bus, PCI_BUS_MAX, &b, err)) < 0 ||
            (r = parse_part("slot", slot, PCI_SLOT_MAX, &s, err)) < 0 ||
            (r = parse_part("function", function, PCI_FUNCTION_MAX, &f, err)) < 0)
                return r;
        *ret = (vport_pci_addr){
                .domain = (uint16_t) d, .bus = (uint8_t) b, .slot = (uint8_t) s, .function = (uint8_t) f
        };
        return 0;
}

char *pci_addr_format(const vport_pci_addr *addr, char buf[static VPORT_PCI_STRLEN]) {
        snprintf(buf, VPORT_PCI_STRLEN, "%04x:%02x:%02x.%x", addr->domain, addr->bus, addr->slot,
                 addr->function);
        return buf;
}

bool pci_addr_equal(const vport_pci_addr *a, const vport_pci_addr *b) {
        return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot &&
               a->function == b->function;
}
