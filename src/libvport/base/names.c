/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>

#include "names.h"
#include "pci.h"

static const char *const kind_label[_NAME_KIND_MAX] = {
        [NAME_IFNAME] = "interface name",    [NAME_NETWORK] = "network name", [NAME_OWNER] = "owner name",
        [NAME_PORTGROUP] = "portgroup name", [NAME_DEVICE] = "device",
};

size_t utf8_decode(const char *s, uint32_t *ret_cp) {
        const unsigned char *p = (const unsigned char *) s;
        static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
        uint32_t cp;
        size_t len;

        if (p[0] < 0x80) {
                *ret_cp = p[0];
                return 1;
        }
        if ((p[0] & 0xE0) == 0xC0)
                len = 2, cp = p[0] & 0x1F;
        else if ((p[0] & 0xF0) == 0xE0)
                len = 3, cp = p[0] & 0x0F;
        else if ((p[0] & 0xF8) == 0xF0)
                len = 4, cp = p[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((p[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
                        return 0;
                cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;
        *ret_cp = cp;
        return len;
}

/* Control characters (C0, DEL, C1) and what XML 1.0 cannot carry. */
static bool cp_forbidden(uint32_t cp) {
        return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF;
}

static int bad_at(vport_name_kind kind, const char *value, const char *p, const char *why,
                  vport_error *err) {
        return vport_error_set(err, -EINVAL, "%s '%.*s...': byte 0x%02x at offset %zu: %s", kind_label[kind],
                               (int) (p - value), value, (unsigned char) *p, (size_t) (p - value), why);
}

/* What every kind shares: valid UTF-8, no control characters, bounded. */
static int text_check(vport_name_kind kind, const char *value, vport_error *err) {
        uint32_t cp;
        size_t n;

        if (!value || !*value)
                return vport_error_set(err, -EINVAL, "%s is empty", kind_label[kind]);
        for (const char *p = value; *p; p += n) {
                n = utf8_decode(p, &cp);
                if (n == 0)
                        return bad_at(kind, value, p, "not valid UTF-8", err);
                if (cp_forbidden(cp))
                        return bad_at(kind, value, p, "a control character is not allowed", err);
        }
        if (strlen(value) > VPORT_NAME_MAX)
                return vport_error_set(err, -EINVAL, "%s '%.32s...': longer than %d bytes", kind_label[kind],
                                       value, VPORT_NAME_MAX);
        return 0;
}

static bool ifname_char_ok(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               strchr("_.@+-", c) != NULL;
}

static int ifname_rules(vport_name_kind kind, const char *name, vport_error *err) {
        for (const char *p = name; *p; p++)
                if (!ifname_char_ok(*p))
                        return vport_error_set(err, -EINVAL, "%s '%.*s...': character 0x%02x is not allowed",
                                               kind_label[kind], (int) (p - name), name, (unsigned char) *p);
        if (strlen(name) >= VPORT_IFNAMSIZ)
                return vport_error_set(err, -EINVAL, "%s '%.32s%s': longer than %d characters",
                                       kind_label[kind], name, strlen(name) > 32 ? "..." : "",
                                       VPORT_IFNAMSIZ - 1);
        if (streq(name, ".") || streq(name, ".."))
                return vport_error_set(err, -EINVAL, "%s '%s' is not allowed", kind_label[kind], name);
        return 0;
}

/* Network names become file names in the state directory (as in libvirt's
 * /etc/libvirt/qemu/networks/NAME.xml): a '/' would escape it, a leading
 * '.' would hide or collide with "." and "..". */
static int netname_rules(vport_name_kind kind, const char *name, vport_error *err) {
        for (const char *p = name; *p; p++)
                if (*p == ' ')
                        return bad_at(kind, name, p, "whitespace is not allowed", err);
        if (name[0] == '.')
                return vport_error_set(err, -EINVAL, "%s '%s': must not start with '.'", kind_label[kind],
                                       name);
        if (strchr(name, '/'))
                return vport_error_set(err, -EINVAL, "%s '%s': must not contain '/'", kind_label[kind],
                                       name);
        return 0;
}

static int device_rules(vport_name_kind kind, const char *name, vport_error *err) {
        vport_pci_addr pci;

        if (pci_addr_parse(name, &pci) >= 0 || ifname_rules(kind, name, NULL) >= 0)
                return 0;
        return vport_error_set(err, -EINVAL, "%s '%s': neither a PCI address nor an interface name",
                               kind_label[kind], name);
}

static int (*const kind_rules[_NAME_KIND_MAX])(vport_name_kind, const char *, vport_error *) = {
        [NAME_IFNAME] = ifname_rules,
        [NAME_NETWORK] = netname_rules,
        [NAME_DEVICE] = device_rules,
};

int name_check(vport_name_kind kind, const char *value, vport_error *err) {
        int r;

        assert_return(kind >= 0 && kind < _NAME_KIND_MAX, -EINVAL);
        r = text_check(kind, value, err);
        if (r < 0 || !kind_rules[kind])
                return r;
        return kind_rules[kind](kind, value, err);
}

int ifname_check(const char *name, vport_error *err) {
        return name_check(NAME_IFNAME, name, err);
}

int netname_check(const char *name, vport_error *err) {
        return name_check(NAME_NETWORK, name, err);
}
