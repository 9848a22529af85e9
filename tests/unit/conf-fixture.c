/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "conf-fixture.h"

vport_network_def *tu_net_ok(const char *xml) {
        vport_error err = { 0 };
        vport_network_def *n = NULL;
        int r = network_def_parse_string(xml, strlen(xml), &n, &err);

        if (r < 0)
                fail_msg("unexpected network parse failure %d: %s\n%s", r, err.message, xml);
        return n;
}

vport_port_def *tu_port_ok(const char *xml) {
        vport_error err = { 0 };
        vport_port_def *p = NULL;
        int r = port_def_parse_string(xml, strlen(xml), &p, &err);

        if (r < 0)
                fail_msg("unexpected port parse failure %d: %s\n%s", r, err.message, xml);
        return p;
}

/* A parse that had to fail: -EINVAL, nothing handed back, every needle in
 * the message. */
static void check_refused(const char *what, const char *xml, int r, bool got, const vport_error *err,
                          va_list ap) {
        const char *needle;

        if (r >= 0)
                fail_msg("%s parse unexpectedly succeeded:\n%s", what, xml);
        assert_int_equal(r, -EINVAL);
        assert_false(got);
        while ((needle = va_arg(ap, const char *)))
                if (!strstr(err->message, needle))
                        fail_msg("message '%s' lacks '%s'", err->message, needle);
}

void tu_net_fail_(const char *xml, ...) {
        vport_error err = { 0 };
        _cleanup_(network_def_freep) vport_network_def *n = NULL;
        int r = network_def_parse_string(xml, strlen(xml), &n, &err);
        va_list ap;

        va_start(ap, xml);
        check_refused("network", xml, r, n != NULL, &err, ap);
        va_end(ap);
}

void tu_port_fail_(const char *xml, ...) {
        vport_error err = { 0 };
        _cleanup_(port_def_freep) vport_port_def *p = NULL;
        int r = port_def_parse_string(xml, strlen(xml), &p, &err);
        va_list ap;

        va_start(ap, xml);
        check_refused("port", xml, r, p != NULL, &err, ap);
        va_end(ap);
}

char *tu_net_roundtrip(const char *xml) {
        _cleanup_(network_def_freep) vport_network_def *n = tu_net_ok(xml), *again = NULL;
        _cleanup_free_ char *x2 = NULL;
        char *x = NULL;

        assert_int_equal(network_def_format(n, &x), 0);
        again = tu_net_ok(x);
        assert_int_equal(network_def_format(again, &x2), 0);
        assert_string_equal(x, x2);
        return x;
}

void tu_assert_contains(const char *hay, const char *needle) {
        if (!strstr(hay, needle))
                fail_msg("'%s' lacks '%s'", hay, needle);
}
