/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Base types: every parse/check rule with a failing and a passing example. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/mac.h"
#include "base/names.h"
#include "base/pci.h"
#include "base/uuid.h"
#include "base/vlan.h"

static void test_mac_parse(void **state) {
        char buf[VPORT_MAC_STRLEN];
        vport_mac m;

        assert_int_equal(mac_parse("52:54:00:AB:cd:0F", &m), 0);
        assert_string_equal(mac_format(&m, buf), "52:54:00:ab:cd:0f");
        assert_int_equal(mac_parse("52:54:00:ab:cd", &m), -EINVAL);     /* too short */
        assert_int_equal(mac_parse("52:54:00:ab:cd:0f:", &m), -EINVAL); /* trailing */
        assert_int_equal(mac_parse("52:54:00:ab:cd:0g", &m), -EINVAL);  /* bad hex */
        assert_int_equal(mac_parse("52-54-00-ab-cd-0f", &m), -EINVAL);  /* wrong separator */
        assert_int_equal(mac_parse("5:54:00:ab:cd:0f", &m), -EINVAL);   /* one digit */
        assert_int_equal(mac_parse("", &m), -EINVAL);
}

static void test_mac_guest(void **state) {
        vport_error err = { 0 };
        vport_mac m;

        assert_int_equal(mac_parse("00:00:00:00:00:00", &m), 0);
        assert_true(mac_is_zero(&m));
        assert_int_equal(mac_check_guest(&m, &err), -EINVAL);
        assert_non_null(strstr(err.message, "00:00:00:00:00:00"));

        assert_int_equal(mac_parse("01:00:5e:00:00:01", &m), 0);
        assert_true(mac_is_multicast(&m));
        assert_int_equal(mac_check_guest(&m, &err), -EINVAL);
        assert_non_null(strstr(err.message, "multicast"));

        assert_int_equal(mac_parse("ff:ff:ff:ff:ff:ff", &m), 0);
        assert_int_equal(mac_check_guest(&m, &err), -EINVAL);

        assert_int_equal(mac_parse("52:54:00:12:34:56", &m), 0);
        assert_int_equal(mac_check_guest(&m, &err), 0);
}

static void test_mac_generate(void **state) {
        vport_mac a, b;

        mac_generate(&a);
        assert_int_equal(a.addr[0], 0x52);
        assert_int_equal(a.addr[1], 0x54);
        assert_int_equal(a.addr[2], 0x00);
        assert_int_equal(mac_check_guest(&a, NULL), 0);
        /* 24 random bits: a few tries make a collision practically impossible */
        for (int i = 0; i < 4; i++) {
                mac_generate(&b);
                if (!mac_equal(&a, &b))
                        return;
        }
        fail_msg("mac_generate returned the same address five times");
}

static void test_uuid(void **state) {
        char buf[VPORT_UUID_STRLEN];
        vport_uuid a, b;

        assert_int_equal(uuid_parse("09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f", &a), 0);
        assert_string_equal(uuid_format(&a, buf), "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f");
        assert_int_equal(uuid_parse("09B11C538B5C4EEB8F00D84EAA0AAA4F", &b), 0);
        assert_true(uuid_equal(&a, &b));
        assert_int_equal(uuid_parse("09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4", &a), -EINVAL);   /* short */
        assert_int_equal(uuid_parse("09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f0", &a), -EINVAL); /* long */
        assert_int_equal(uuid_parse("09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4z", &a), -EINVAL);  /* bad hex */
        assert_int_equal(uuid_parse("0-9b11c538b5c4eeb8f00d84eaa0aaa4f", &a), -EINVAL); /* dash in a byte */
        assert_int_equal(uuid_parse("-09b11c538b5c4eeb8f00d84eaa0aaa4f", &a), -EINVAL); /* leading dash */
        assert_int_equal(uuid_parse("", &a), -EINVAL);
}

/* Checked against Python's uuid.uuid5 (RFC 4122 section 4.3): one block,
 * an empty name, and a name spanning several SHA-1 blocks. */
static void test_uuid_from_name(void **state) {
        char buf[VPORT_UUID_STRLEN], name[101];
        vport_uuid dns, u;

        assert_int_equal(uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8", &dns), 0);
        uuid_from_name(&dns, "python.org", &u);
        assert_string_equal(uuid_format(&u, buf), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
        uuid_from_name(&dns, "", &u);
        assert_string_equal(uuid_format(&u, buf), "4ebd0208-8328-5d69-8c44-ec50939c0967");
        memset(name, 'x', 100);
        name[100] = '\0';
        uuid_from_name(&dns, name, &u);
        assert_string_equal(uuid_format(&u, buf), "897f5b43-a3c8-582d-9c8d-9cfe358a534d");
}

static void test_uuid_generate(void **state) {
        vport_uuid a, b;

        assert_int_equal(uuid_generate(&a), 0);
        assert_int_equal(uuid_generate(&b), 0);
        assert_false(uuid_is_null(&a));
        assert_false(uuid_equal(&a, &b));
        assert_int_equal(a.bytes[6] >> 4, 4);
        assert_int_equal(a.bytes[8] & 0xc0, 0x80);
}

static void test_pci_parse(void **state) {
        char buf[VPORT_PCI_STRLEN];
        vport_pci_addr a;

        assert_int_equal(pci_addr_parse("0000:06:10.1", &a), 0);
        assert_string_equal(pci_addr_format(&a, buf), "0000:06:10.1");
        assert_int_equal(pci_addr_parse("ABCD:ff:1F.7", &a), 0);
        assert_string_equal(pci_addr_format(&a, buf), "abcd:ff:1f.7");
        assert_int_equal(pci_addr_parse("06:10.1", &a), 0); /* domain optional */
        assert_int_equal(a.domain, 0);
        assert_int_equal(a.bus, 6);
        assert_int_equal(pci_addr_parse("0000:06:20.1", &a), -EINVAL);  /* slot > 0x1f */
        assert_int_equal(pci_addr_parse("0000:06:10.8", &a), -EINVAL);  /* function > 7 */
        assert_int_equal(pci_addr_parse("0000:100:10.1", &a), -EINVAL); /* bus > 0xff */
        assert_int_equal(pci_addr_parse("00000:06:10.1", &a), -EINVAL); /* 5-digit domain */
        assert_int_equal(pci_addr_parse("0000:06:10", &a), -EINVAL);
        assert_int_equal(pci_addr_parse("0000:06:10.1x", &a), -EINVAL);
        assert_int_equal(pci_addr_parse("0:0:06:10.1", &a), -EINVAL);
        assert_int_equal(pci_addr_parse("", &a), -EINVAL);
}

static void test_pci_parts(void **state) {
        vport_error err = { 0 };
        vport_pci_addr a, b;

        assert_int_equal(pci_addr_from_parts("0x0000", "0x06", "0x10", "0x1", &a, &err), 0);
        assert_int_equal(pci_addr_parse("0000:06:10.1", &b), 0);
        assert_true(pci_addr_equal(&a, &b));
        assert_int_equal(pci_addr_from_parts(NULL, "6", "16", "1", &a, &err), 0); /* decimal */
        assert_true(pci_addr_equal(&a, &b));

        assert_int_equal(pci_addr_from_parts("0x0000", "0x06", "0x20", "0x1", &a, &err), -EINVAL);
        assert_non_null(strstr(err.message, "slot='0x20'"));
        assert_int_equal(pci_addr_from_parts("0x0000", "0x06", "0x1f", "8", &a, &err), -EINVAL);
        assert_non_null(strstr(err.message, "function='8'"));
        assert_int_equal(pci_addr_from_parts("0x10000", "0x06", "0x1f", "1", &a, &err), -EINVAL);
        assert_non_null(strstr(err.message, "domain"));
        assert_int_equal(pci_addr_from_parts("0x0000", "0x100", "0x1f", "1", &a, &err), -EINVAL);
        assert_non_null(strstr(err.message, "bus"));
        assert_int_equal(pci_addr_from_parts("0x0000", "0xzz", "0x1f", "1", &a, &err), -EINVAL);
        assert_non_null(strstr(err.message, "not a number"));
        assert_int_equal(pci_addr_from_parts("0x0000", "-1", "0x1f", "1", &a, &err), -EINVAL);
        assert_int_equal(pci_addr_from_parts("0x0000", " 1", "0x1f", "1", &a, &err), -EINVAL);
        assert_int_equal(pci_addr_from_parts("0x0000", "0x", "0x1f", "1", &a, &err), -EINVAL);
        assert_int_equal(pci_addr_from_parts("0x0000", NULL, "0x1f", "1", &a, &err), -EINVAL);
        assert_int_equal(pci_addr_from_parts("0x", "1", "1", "1", &a, &err), -EINVAL);
        assert_int_equal(pci_addr_from_parts("0", "1", "1", "99999999999999999999999", &a, &err), -EINVAL);
}

static void test_vlan_tag(void **state) {
        uint16_t t;

        assert_int_equal(vlan_tag_parse("0", &t), 0);
        assert_int_equal(vlan_tag_parse("4095", &t), 0);
        assert_int_equal(t, 4095);
        assert_int_equal(vlan_tag_parse("4096", &t), -ERANGE);
        assert_int_equal(vlan_tag_parse("99999999999999999999", &t), -ERANGE);
        assert_int_equal(vlan_tag_parse("-1", &t), -EINVAL);
        assert_int_equal(vlan_tag_parse("0x10", &t), -EINVAL);
        assert_int_equal(vlan_tag_parse("", &t), -EINVAL);
        assert_int_equal(vlan_native_mode_from_string("untagged"), VLAN_NATIVE_UNTAGGED);
        assert_int_equal(vlan_native_mode_from_string("bogus"), -EINVAL);
        assert_string_equal(vlan_native_mode_to_string(VLAN_NATIVE_TAGGED), "tagged");
}

static void test_vlan_validate(void **state) {
        vport_vlan v = { 0 }, c = { 0 };
        vport_error err = { 0 };

        assert_int_equal(vlan_add_tag(&v, 42), 0);
        assert_int_equal(vlan_validate(&v, &err), 0);
        assert_int_equal(vlan_add_tag(&v, 47), 0);
        assert_int_equal(vlan_validate(&v, &err), -EINVAL); /* two tags, no trunk */
        assert_non_null(strstr(err.message, "trunk"));
        v.trunk = true;
        assert_int_equal(vlan_validate(&v, &err), 0);
        v.native_mode = VLAN_NATIVE_UNTAGGED;
        v.native_tag = 99;
        assert_int_equal(vlan_validate(&v, &err), -EINVAL); /* native tag not among tags */
        v.native_tag = 42;
        assert_int_equal(vlan_validate(&v, &err), 0);

        assert_int_equal(vlan_copy(&c, &v), 0);
        assert_true(vlan_equal(&c, &v));
        c.tags[1] = 48;
        assert_false(vlan_equal(&c, &v));
        vlan_clear(&c);

        v.trunk = false;
        v.n_tags = 1;
        assert_int_equal(vlan_validate(&v, &err), 0); /* nativeMode on one tag, no trunk: as libvirt */
        v.n_tags = 2;
        v.trunk = true;
        v.tags[1] = 42;
        assert_int_equal(vlan_validate(&v, &err), -EINVAL); /* duplicate */
        assert_non_null(strstr(err.message, "duplicate"));
        v.tags[1] = 5000;
        assert_int_equal(vlan_validate(&v, &err), -EINVAL);
        vlan_clear(&v);
        assert_false(vlan_is_set(&v));
}

static void test_ifname(void **state) {
        vport_error err = { 0 };

        assert_int_equal(ifname_check("eth0", &err), 0);
        assert_int_equal(ifname_check("enp6s0f1v2.100", &err), 0);
        assert_int_equal(ifname_check("a23456789012345", &err), 0); /* 15 chars */
        assert_int_equal(ifname_check("a234567890123456", &err), -EINVAL);
        assert_non_null(strstr(err.message, "longer"));
        assert_int_equal(ifname_check("", &err), -EINVAL);
        assert_int_equal(ifname_check(NULL, &err), -EINVAL);
        assert_int_equal(ifname_check(".", &err), -EINVAL);
        assert_int_equal(ifname_check("..", &err), -EINVAL);
        assert_int_equal(ifname_check("eth/0", &err), -EINVAL);
        assert_int_equal(ifname_check("eth 0", &err), -EINVAL);
        assert_int_equal(ifname_check("eth:0", &err), -EINVAL);
        assert_int_equal(ifname_check("eth\n", &err), -EINVAL);
        assert_non_null(strstr(err.message, "0x0a"));
        assert_null(strchr(err.message, '\n')); /* the bad character is not echoed */
}

static void test_netname(void **state) {
        vport_error err = { 0 };
        char longname[300];

        assert_int_equal(netname_check("default", &err), 0);
        assert_int_equal(netname_check("sriov-pool_1.a", &err), 0);
        assert_int_equal(netname_check("a/b", &err), -EINVAL);
        assert_non_null(strstr(err.message, "'/'"));
        assert_int_equal(netname_check(".hidden", &err), -EINVAL);
        assert_non_null(strstr(err.message, "'.'"));
        assert_int_equal(netname_check("..", &err), -EINVAL);
        assert_int_equal(netname_check("", &err), -EINVAL);
        assert_int_equal(netname_check("a b", &err), -EINVAL);
        assert_int_equal(netname_check("a\tb", &err), -EINVAL);
        assert_null(strchr(err.message, '\t'));
        memset(longname, 'n', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        assert_int_equal(netname_check(longname, &err), -EINVAL);
        longname[200] = '\0';
        assert_int_equal(netname_check(longname, &err), 0);
}

/* Every kind shares the text rules: valid shortest-form UTF-8, no control
 * characters, nothing XML cannot carry; the message never echoes the bad byte. */
static void test_name_text_rules(void **state) {
        static const char *const bad[] = {
                "vm\n1",              /* newline: fakes a row in a listing */
                "vm\x01",             /* C0 control */
                "vm\x7f",             /* DEL */
                "vm\xc2\x85",         /* U+0085, a C1 control */
                "vm\xff",             /* not UTF-8 at all */
                "vm\xc3",             /* cut short */
                "vm\xc0\xaf",         /* overlong '/' */
                "vm\xed\xa0\x80",     /* a surrogate */
                "vm\xf4\x90\x80\x80", /* above U+10FFFF */
                "vm\xef\xbf\xbe",     /* U+FFFE: not an XML character */
                "\x80vm",             /* stray continuation byte */
        };
        static const vport_name_kind kinds[] = { NAME_NETWORK, NAME_OWNER, NAME_PORTGROUP, NAME_IFNAME,
                                                 NAME_DEVICE };
        vport_error err = { 0 };

        for (size_t k = 0; k < ELEMENTSOF(kinds); k++)
                for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                        vport_error_clear(&err);
                        assert_int_equal(name_check(kinds[k], bad[i], &err), -EINVAL);
                        for (const char *p = err.message; *p; p++)
                                assert_true((unsigned char) *p >= 0x20 && (unsigned char) *p < 0x7f);
                }
        assert_int_equal(name_check(NAME_OWNER, "vm\xff", &err), -EINVAL);
        assert_non_null(strstr(err.message, "owner name 'vm...'"));
        assert_non_null(strstr(err.message, "0xff at offset 2"));
        assert_non_null(strstr(err.message, "UTF-8"));
        assert_int_equal(name_check(NAME_PORTGROUP, "a\tb", &err), -EINVAL);
        assert_non_null(strstr(err.message, "portgroup name"));
        assert_non_null(strstr(err.message, "control character"));
        assert_int_equal(name_check(NAME_OWNER, "", &err), -EINVAL);
        assert_int_equal(name_check(NAME_OWNER, NULL, &err), -EINVAL);
}

static void test_name_kinds(void **state) {
        vport_error err = { 0 };
        char longname[300];

        /* UTF-8 and spaces are fine in owner and portgroup names */
        assert_int_equal(name_check(NAME_OWNER, "web server 1", &err), 0);
        assert_int_equal(name_check(NAME_OWNER, "caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x90\xa7", &err), 0);
        assert_int_equal(name_check(NAME_PORTGROUP, "VLAN 42 \xc3\xa9", &err), 0);
        assert_int_equal(name_check(NAME_NETWORK, "r\xc3\xa9seau", &err), 0);
        assert_int_equal(name_check(NAME_NETWORK, "r\xc3\xa9 seau", &err), -EINVAL);
        /* a device is a PCI address or an interface name */
        assert_int_equal(name_check(NAME_DEVICE, "0000:03:10.2", &err), 0);
        assert_int_equal(name_check(NAME_DEVICE, "eth0", &err), 0);
        assert_int_equal(name_check(NAME_DEVICE, "eth0:1", &err), -EINVAL);
        assert_non_null(strstr(err.message, "neither a PCI address nor an interface name"));
        memset(longname, 'o', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        assert_int_equal(name_check(NAME_OWNER, longname, &err), -EINVAL);
        assert_non_null(strstr(err.message, "longer than 200"));
        longname[VPORT_NAME_MAX] = '\0';
        assert_int_equal(name_check(NAME_OWNER, longname, &err), 0);
}

static void test_utf8_decode(void **state) {
        uint32_t cp = 0;

        assert_int_equal(utf8_decode("A", &cp), 1);
        assert_int_equal(cp, 'A');
        assert_int_equal(utf8_decode("\xc3\xa9", &cp), 2);
        assert_int_equal(cp, 0xe9);
        assert_int_equal(utf8_decode("\xe2\x82\xac", &cp), 3);
        assert_int_equal(cp, 0x20ac);
        assert_int_equal(utf8_decode("\xf0\x9f\x90\xa7", &cp), 4);
        assert_int_equal(cp, 0x1f427);
        assert_int_equal(utf8_decode("\xe0\x80\x80", &cp), 0); /* overlong NUL */
        assert_int_equal(utf8_decode("\xf8\x88\x80\x80\x80", &cp), 0);
        assert_int_equal(utf8_decode("\xe2\x82", &cp), 0); /* stops at the terminator */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mac_parse),       cmocka_unit_test(test_mac_guest),
                cmocka_unit_test(test_mac_generate),    cmocka_unit_test(test_uuid),
                cmocka_unit_test(test_uuid_from_name),  cmocka_unit_test(test_uuid_generate),
                cmocka_unit_test(test_pci_parse),       cmocka_unit_test(test_pci_parts),
                cmocka_unit_test(test_vlan_tag),        cmocka_unit_test(test_vlan_validate),
                cmocka_unit_test(test_ifname),          cmocka_unit_test(test_netname),
                cmocka_unit_test(test_name_text_rules), cmocka_unit_test(test_name_kinds),
                cmocka_unit_test(test_utf8_decode),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
