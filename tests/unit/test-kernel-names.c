/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The search that turns a device name template into a free name
 * (kernel_free_number()) against sets of taken numbers: it must answer a
 * number nobody holds, the kernel's own pick where the numbers in use are
 * dense from 0, and do so in O(log n) lookups, so that a create costs
 * the same among 30000 devices as on an empty host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "kernel/kernel-internal.h"

#define NUMBERS 40000

typedef struct numbers {
        bool taken[NUMBERS];
        unsigned lookups;
} numbers;

static bool taken(unsigned n, void *userdata) {
        numbers *s = userdata;

        s->lookups++;
        assert_true(n < NUMBERS);
        return s->taken[n];
}

static numbers *dense(unsigned count) {
        numbers *s = calloc(1, sizeof(*s));

        assert_non_null(s);
        for (unsigned i = 0; i < count; i++)
                s->taken[i] = true;
        return s;
}

/* ceil(log2(n)) */
static unsigned log2_up(unsigned n) {
        unsigned l = 0;

        while ((1u << l) < n)
                l++;
        return l;
}

static void test_free_number_dense(void **state) {
        static const unsigned counts[] = { 0, 1, 2, 3, 7, 8, 9, 100, 1023, 1024, 4096, 30000 };

        for (size_t i = 0; i < ELEMENTSOF(counts); i++) {
                _cleanup_free_ numbers *s = dense(counts[i]);

                /* what dev_alloc_name() would pick: the first free number */
                assert_int_equal(kernel_free_number(32767, taken, s), (int) counts[i]);
                assert_true(s->lookups <= 2 * log2_up(counts[i] + 1) + 2);
        }
}

static void test_free_number_holes(void **state) {
        _cleanup_free_ numbers *s = dense(5000);
        int n;

        /* guests come and go: every third number free again */
        for (unsigned i = 0; i < 5000; i += 3)
                s->taken[i + 1] = false;
        s->taken[0] = true;
        n = kernel_free_number(32767, taken, s);
        assert_true(n > 0 && n < NUMBERS);
        assert_false(s->taken[n]);
        assert_true(s->taken[n - 1]);
        assert_true(s->lookups <= 2 * log2_up(5000) + 2);

        s->taken[0] = false; /* the first free: taken at once */
        assert_int_equal(kernel_free_number(32767, taken, s), 0);
}

static void test_free_number_full(void **state) {
        _cleanup_free_ numbers *s = dense(NUMBERS);

        /* every number up to max held: the caller leaves it to the kernel */
        assert_int_equal(kernel_free_number(32767, taken, s), -ENOSPC);
        /* only max free: it is found */
        s->taken[300] = false;
        assert_int_equal(kernel_free_number(300, taken, s), 300);
        /* a free number above max is not used */
        assert_int_equal(kernel_free_number(299, taken, s), -ENOSPC);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_free_number_dense),
                cmocka_unit_test(test_free_number_holes),
                cmocka_unit_test(test_free_number_full),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
