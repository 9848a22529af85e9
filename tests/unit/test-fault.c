/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The VPORT_FAULT spec parser (core/fault.c): every part of a spec is
 * checked, and a spec that could never fire (an op the wrapper does not
 * count, a misspelt errno, a malformed call number, an entry shadowed by an
 * earlier one) is refused with a message naming the offending token, so a
 * test cannot pass without the fault it asked for. The accepted specs fire
 * at the calls they name, through a table of two counting ops. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "core/fault.h"

static unsigned inner_calls;

static int inner_set_mac(vport_kernel *k, int ifindex, const vport_mac *mac, vport_error *err) {
        inner_calls++;
        return 0;
}

static int inner_set_up(vport_kernel *k, int ifindex, bool up, vport_error *err) {
        inner_calls++;
        return 0;
}

static const vport_kernel_ops inner = {
        .link_set_mac = inner_set_mac,
        .link_set_up = inner_set_up,
};

static int reset(void **state) {
        inner_calls = 0;
        return 0;
}

static void skip_without_faults(void) {
        if (!WITH_FAULT_INJECTION) {
                print_message("skipped: needs a -Dfault_injection=true build\n");
                skip();
        }
}

/* spec is refused with code, and the message holds each of the words. */
static void refused(const char *spec, int code, const char *word1, const char *word2) {
        fault_ops *f = NULL;
        const vport_kernel_ops *ops = NULL;
        vport_error err = { 0 };

        assert_int_equal(fault_ops_new(spec, &inner, &f, &ops, &err), code);
        assert_null(f);
        assert_int_equal(err.code, code);
        if (!strstr(err.message, word1) || (word2 && !strstr(err.message, word2)))
                fail_msg("spec '%s': message '%s' does not name '%s'%s%s", spec, err.message, word1,
                         word2 ? " and " : "", word2 ? word2 : "");
        vport_error_clear(&err);
}

static fault_ops *accepted(const char *spec, const vport_kernel_ops **ret_ops) {
        fault_ops *f = NULL;
        vport_error err = { 0 };

        if (fault_ops_new(spec, &inner, &f, ret_ops, &err) < 0)
                fail_msg("spec '%s' refused: %s", spec, err.message);
        return f;
}

static int set_mac(const vport_kernel_ops *ops) {
        static const vport_mac mac = { { 0x52, 0x54, 0, 0, 0, 1 } };

        return ops->link_set_mac(NULL, 1, &mac, NULL);
}

static void test_unknown_op(void **state) {
        skip_without_faults();
        /* misspelt, renamed, or in another case */
        refused("link_set_macc:1=EPERM", -EINVAL, "'link_set_macc:1=EPERM'", "unknown op 'link_set_macc'");
        refused("link_set_mac=EIO,set_mac:2=EIO", -EINVAL, "unknown op 'set_mac'", NULL);
        refused("LINK_SET_MAC=EIO", -EINVAL, "unknown op 'LINK_SET_MAC'", NULL);
        refused(" link_set_mac=EIO", -EINVAL, "unknown op ' link_set_mac'", NULL);
        refused("=EIO", -EINVAL, "unknown op ''", NULL);
        /* ops of the table the wrapper does not count: they would never fire */
        refused("netns_close:1=crash", -EINVAL, "unknown op 'netns_close'", NULL);
        refused("tc_clsact_add=EPERM", -EINVAL, "unknown op 'tc_clsact_add'", NULL);
        refused("link_watch_open=EIO", -EINVAL, "unknown op 'link_watch_open'", NULL);
}

static void test_bad_call_number(void **state) {
        skip_without_faults();
        refused("link_set_mac:0=EIO", -EINVAL, "call number '0'", "from 1");
        refused("link_set_mac:x=EIO", -EINVAL, "call number 'x'", NULL);
        refused("link_set_mac:1x=EIO", -EINVAL, "call number '1x'", NULL);
        refused("link_set_mac:-1=EIO", -EINVAL, "call number '-1'", NULL);
        refused("link_set_mac:+1=EIO", -EINVAL, "call number '+1'", NULL);
        refused("link_set_mac: 1=EIO", -EINVAL, "call number ' 1'", NULL);
        refused("link_set_mac:=EIO", -EINVAL, "call number ''", NULL);
        refused("link_set_mac:1:2=EIO", -EINVAL, "call number '1:2'", NULL);
        refused("link_set_mac:**=EIO", -EINVAL, "call number '**'", NULL);
        refused("link_set_mac:99999999999=EIO", -ERANGE, "call number '99999999999'", "too large");
}

static void test_bad_action(void **state) {
        skip_without_faults();
        refused("link_set_mac:1=EPRM", -EINVAL, "'link_set_mac:1=EPRM'", "unknown errno name 'EPRM'");
        refused("link_set_mac:1=EIO:2", -EINVAL, "unknown errno name 'EIO:2'", NULL);
        refused("link_set_mac:1=crsh", -EINVAL, "unknown action 'crsh'", NULL);
        refused("link_set_mac:1=eperm", -EINVAL, "unknown action 'eperm'", NULL);
        refused("link_set_mac:1=crash-before", -EINVAL, "unknown action 'crash-before'", NULL);
        refused("link_set_mac:1=", -EINVAL, "unknown action ''", NULL);
        refused("link_set_mac:1", -EINVAL, "'link_set_mac:1'", "OP[:N]=ACTION");
        refused("link_set_mac", -EINVAL, "'link_set_mac'", "OP[:N]=ACTION");
        /* a commit is seen only once it happened */
        refused("change:3=EIO", -EINVAL, "'change:3=EIO'", "only take crash-after");
        refused("store_commit:1=crash", -EINVAL, "'store_commit:1=crash'", "only take crash-after");
}

static void test_bad_list(void **state) {
        char spec[1024] = "";

        skip_without_faults();
        refused("", -EINVAL, "empty entry", NULL);
        refused("link_set_mac=EIO,", -EINVAL, "empty entry", NULL);
        refused("link_set_mac=EIO,,link_set_up=EIO", -EINVAL, "empty entry", NULL);
        for (unsigned i = 1; i <= 17; i++)
                snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), "%slink_set_mac:%u=EIO",
                         i > 1 ? "," : "", i);
        refused(spec, -E2BIG, "more than 16", NULL);
}

/* The first rule that matches a call wins: one that an earlier rule always
 * takes first is refused, naming both. */
static void test_shadowed(void **state) {
        skip_without_faults();
        refused("link_set_mac=EIO,link_set_mac:2=EPERM", -EINVAL, "'link_set_mac:2=EPERM' would never fire",
                "'link_set_mac=EIO'");
        refused("link_set_mac:*=EIO,link_set_mac=EPERM", -EINVAL, "'link_set_mac=EPERM' would never fire",
                "every call");
        refused("link_set_mac:2=EIO,link_set_up=EIO,link_set_mac:2=crash", -EINVAL,
                "'link_set_mac:2=crash' would never fire", "'link_set_mac:2=EIO'");
}

/* A refused spec installs nothing: the next one is taken. */
static void test_refused_installs_nothing(void **state) {
        const vport_kernel_ops *ops = NULL;
        fault_ops *f;

        skip_without_faults();

        refused("link_set_mac:1=EPRM", -EINVAL, "EPRM", NULL);
        f = accepted("link_set_mac:1=EPERM", &ops);
        assert_int_equal(set_mac(ops), -EPERM);
        fault_ops_free(f);
}

/* What is accepted fires where it says: call N, every call, any errno the
 * C library names, and an every-call rule after a call number takes the
 * other calls. */
static void test_accepted_fires(void **state) {
        const vport_kernel_ops *ops = NULL;
        fault_ops *f;

        skip_without_faults();

        f = accepted("link_set_mac:2=EHOSTUNREACH,link_set_up:*=EIO", &ops);
        assert_int_equal(set_mac(ops), 0);
        assert_int_equal(set_mac(ops), -EHOSTUNREACH);
        assert_int_equal(set_mac(ops), 0);
        assert_int_equal(ops->link_set_up(NULL, 1, true, NULL), -EIO);
        assert_int_equal(ops->link_set_up(NULL, 1, true, NULL), -EIO);
        assert_int_equal(inner_calls, 2);
        assert_int_equal(fault_ops_calls(f, "link_set_mac"), 3);
        assert_int_equal(fault_ops_calls(f, "link_set_up"), 2);
        assert_int_equal(fault_ops_calls(f, "change"), 5);
        fault_ops_free(f);

        f = accepted("link_set_mac:2=EIO,link_set_mac=EPERM", &ops);
        assert_int_equal(set_mac(ops), -EPERM);
        assert_int_equal(set_mac(ops), -EIO);
        assert_int_equal(set_mac(ops), -EPERM);
        fault_ops_free(f);

        f = accepted("change:9=crash-after,store_commit:1=crash-after,link_set_mac:4294967295=EIO", &ops);
        fault_ops_free(f);
}

/* A count asked for an op the wrapper does not count is no number a test
 * expects, so an assertion on a misspelt name fails instead of reading 0. */
static void test_calls_unknown_op(void **state) {
        const vport_kernel_ops *ops = NULL;
        fault_ops *f;

        skip_without_faults();
        f = accepted("link_set_up:1=EIO", &ops);

        assert_int_equal(fault_ops_calls(f, "link_set_mac"), 0);
        assert_int_equal(fault_ops_calls(f, "link_set_macc"), UINT_MAX);
        assert_int_equal(fault_ops_calls(f, "netns_close"), UINT_MAX);
        fault_ops_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_unknown_op, reset),
                cmocka_unit_test_setup(test_bad_call_number, reset),
                cmocka_unit_test_setup(test_bad_action, reset),
                cmocka_unit_test_setup(test_bad_list, reset),
                cmocka_unit_test_setup(test_shadowed, reset),
                cmocka_unit_test_setup(test_refused_installs_nothing, reset),
                cmocka_unit_test_setup(test_accepted_fires, reset),
                cmocka_unit_test_setup(test_calls_unknown_op, reset),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
