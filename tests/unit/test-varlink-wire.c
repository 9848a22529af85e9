/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vportd's wire format and parameter checks: framing across arbitrary
 * read boundaries, the message bound, the call parser's refusals, every
 * parameter rule of the method table, the errno -> error name map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "method.h"
#include "varlink-wire.h"

/* The server's part: never reached, no handler runs here. */
vport_ctx *vd_ctx(vd_call *c) {
        return NULL;
}

void vd_emit(vd_server *s, const char *kind, json_object *object) {
        json_object_put(object);
}

static void feed(vl_inbuf *b, const char *data, size_t n) {
        assert_int_equal(vl_inbuf_reserve(b, n), 0);
        memcpy(b->data + b->len, data, n);
        b->len += n;
}

/* Two messages delivered one byte at a time come out whole, in order. */
static void test_split_reads(void **state) {
        static const char wire[] = "{\"a\":1}\0{\"b\":2}";
        vl_inbuf b = { 0 };
        const char *got[2];
        char copies[2][16];
        size_t len, n = 0;

        for (size_t i = 0; i < sizeof(wire); i++) {
                const char *m;
                feed(&b, wire + i, 1);
                while (vl_inbuf_next(&b, &m, &len) == 1) {
                        assert_true(n < 2);
                        snprintf(copies[n], sizeof(copies[n]), "%s", m);
                        got[n] = copies[n];
                        n++;
                }
        }
        assert_int_equal(n, 2);
        assert_string_equal(got[0], "{\"a\":1}");
        assert_string_equal(got[1], "{\"b\":2}");
        vl_inbuf_clear(&b);
}

/* Many messages in one read; an incomplete tail waits for more. */
static void test_pipelined(void **state) {
        static const char wire[] = "x\0yy\0zzz\0par";
        vl_inbuf b = { 0 };
        const char *m;
        size_t len;

        feed(&b, wire, sizeof(wire) - 1);
        assert_int_equal(vl_inbuf_next(&b, &m, &len), 1);
        assert_string_equal(m, "x");
        assert_int_equal(vl_inbuf_next(&b, &m, &len), 1);
        assert_int_equal(len, 2);
        assert_int_equal(vl_inbuf_next(&b, &m, &len), 1);
        assert_string_equal(m, "zzz");
        assert_int_equal(vl_inbuf_next(&b, &m, &len), 0);
        feed(&b, "t\0", 2);
        assert_int_equal(vl_inbuf_next(&b, &m, &len), 1);
        assert_string_equal(m, "part");
        vl_inbuf_clear(&b);
}

/* A message of VL_MESSAGE_MAX bytes with its NUL passes; one byte more
 * without a NUL is refused, however it arrives. */
static void test_message_bound(void **state) {
        char *big = malloc(VL_MESSAGE_MAX);
        vl_inbuf b = { 0 };
        const char *m;
        size_t len;

        memset(big, 'x', VL_MESSAGE_MAX);
        big[VL_MESSAGE_MAX - 1] = '\0';
        feed(&b, big, VL_MESSAGE_MAX);
        assert_int_equal(vl_inbuf_next(&b, &m, &len), 1);
        assert_int_equal(len, VL_MESSAGE_MAX - 1);
        for (size_t off = 0; off < VL_MESSAGE_MAX; off += 65536) {
                assert_int_equal(vl_inbuf_next(&b, &m, &len), 0);
                feed(&b, big, 65536);
        }
        assert_int_equal(vl_inbuf_next(&b, &m, &len), -EMSGSIZE);
        vl_inbuf_clear(&b);
        free(big);
}

static int parse(const char *s, vl_call *c, const char **why) {
        return vl_call_parse(s, strlen(s), c, why);
}

static void test_call_parse(void **state) {
        vl_call c = { 0 };
        const char *why;

        assert_int_equal(
                parse("{\"method\":\"io.vport.PortGet\",\"parameters\":{\"uuid\":\"u\"},\"more\":true}", &c,
                      &why),
                0);
        assert_string_equal(c.method, "io.vport.PortGet");
        assert_true(c.more);
        assert_false(c.oneway);
        assert_string_equal(json_object_get_string(json_object_object_get(c.parameters, "uuid")), "u");
        vl_call_clear(&c);
        assert_int_equal(parse("{\"method\":\"org.varlink.service.GetInfo\"}", &c, &why), 0);
        assert_int_equal(json_object_object_length(c.parameters), 0); /* absent: an empty object */
        vl_call_clear(&c);
}

static void test_call_refused(void **state) {
        static const char *const bad[] = {
                "",
                "{\"method\":\"io.vport.NetworkList\"",     /* truncated */
                "{\"method\":\"io.vport.NetworkList\"} {}", /* two values */
                "[\"io.vport.NetworkList\"]",               /* not an object */
                "{}",                                       /* no method */
                "{\"method\":5}",                           /* not a string */
                "{\"method\":\"NetworkList\"}",             /* no interface */
                "{\"method\":\"io.vport.networkList\"}",    /* lower-case method */
                "{\"method\":\"io.vport.Net work\"}",       /* a space */
                "{\"method\":\"io.vport.NetworkList\",\"parameters\":[]}",
                "{\"method\":\"io.vport.NetworkList\",\"parameters\":\"x\"}",
                "{\"method\":\"io.vport.NetworkList\",\"more\":1}",
                "{\"method\":\"io.vport.NetworkList\",\"oneway\":\"yes\"}",
        };
        vl_call c = { 0 };
        const char *why;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_int_equal(parse(bad[i], &c, &why), -EBADMSG);
                assert_non_null(why);
                assert_null(c.method);
        }
        assert_int_equal(parse("{\"method\":\"io.vport.NetworkList\",\"upgrade\":true}", &c, &why),
                         -EPROTONOSUPPORT);
}

/* The parameter a call is refused for, or NULL if it passes. */
static const char *refused(const char *method, const char *params) {
        static char name[64];
        vd_call c = { .params = json_tokener_parse(params) };
        const vd_method *m = vd_method_find(method);
        const char *r = NULL;

        assert_non_null(m);
        assert_non_null(c.params);
        if (vd_params_check(m, &c) < 0) {
                assert_string_equal(c.error, "org.varlink.service.InvalidParameter");
                snprintf(name, sizeof(name), "%s",
                         json_object_get_string(json_object_object_get(c.error_params, "parameter")));
                r = name;
        }
        json_object_put(c.params);
        json_object_put(c.error_params);
        return r;
}

static void test_params(void **state) {
        const char *u = "\"4ec9b9c4-0d1a-4d5b-8f5b-3b8b0a7b1c11\"";
        char buf[256];

        snprintf(buf, sizeof(buf), "{\"uuid\":%s}", u);
        assert_null(refused("io.vport.PortGet", buf));
        assert_string_equal(refused("io.vport.PortGet", "{}"), "uuid");                /* missing */
        assert_string_equal(refused("io.vport.PortGet", "{\"uuid\":null}"), "uuid");   /* required */
        assert_string_equal(refused("io.vport.PortGet", "{\"uuid\":\"zz\"}"), "uuid"); /* malformed */
        assert_string_equal(refused("io.vport.PortGet", "{\"uuid\":7}"), "uuid");      /* type */
        snprintf(buf, sizeof(buf), "{\"uuid\":%s,\"extra\":1}", u);
        assert_string_equal(refused("io.vport.PortGet", buf), "extra"); /* unknown */
        assert_null(refused("io.vport.PortCreate",
                            "{\"network\":\"n\",\"vlan\":5,\"owner\":\"vm 1\",\"prepare\":true,"
                            "\"mac\":\"52:54:00:00:00:01\",\"xml\":null}"));
        assert_string_equal(refused("io.vport.PortCreate", "{\"network\":\"n\",\"vlan\":\"5\"}"), "vlan");
        assert_string_equal(refused("io.vport.PortCreate", "{\"network\":\"n\",\"prepare\":1}"), "prepare");
        assert_string_equal(refused("io.vport.PortCreate", "{\"network\":\"n\",\"mac\":\"52:54:00\"}"),
                            "mac");
        assert_string_equal(refused("io.vport.PortCreate", "{\"network\":\"a/b\"}"), "network");
        assert_string_equal(refused("io.vport.PortCreate", "{\"network\":\"n\",\"owner\":\"a\\u0007b\"}"),
                            "owner");
        assert_string_equal(refused("io.vport.VFList", "{\"pf\":\"a-very-long-interface\"}"), "pf");
        snprintf(buf, sizeof(buf), "{\"uuid\":%s,\"generation\":3}", u);
        assert_null(refused("io.vport.PortDelete", buf));
        snprintf(buf, sizeof(buf), "{\"uuid\":%s,\"generation\":0}", u);
        assert_string_equal(refused("io.vport.PortDelete", buf), "generation");
        snprintf(buf, sizeof(buf), "{\"uuid\":%s,\"generation\":-2}", u);
        assert_string_equal(refused("io.vport.PortDeactivate", buf), "generation");
        assert_null(vd_method_find("io.vport.Nothing"));
}

static void test_error_names(void **state) {
        assert_string_equal(vd_error_name(-ENOSPC), "io.vport.NoFreeDevice");
        assert_string_equal(vd_error_name(-ESTALE), "io.vport.StaleGeneration");
        assert_string_equal(vd_error_name(-EBUSY), "io.vport.DeviceBusy");
        assert_string_equal(vd_error_name(-ENOENT), "io.vport.NotFound");
        assert_string_equal(vd_error_name(-EPERM), "io.vport.PermissionDenied");
        assert_string_equal(vd_error_name(-EUCLEAN), "io.vport.StateDamaged");
        assert_string_equal(vd_error_name(-EINVAL), "io.vport.InvalidArgument");
        assert_string_equal(vd_error_name(-EIO), "io.vport.Failed");
        /* every name the map gives is declared in the interface */
        for (int e = 1; e < 134; e++) {
                char decl[80];
                snprintf(decl, sizeof(decl), "\nerror %s (", vd_error_name(-e) + strlen("io.vport."));
                assert_non_null(strstr(vd_interface_description, decl));
        }
}

static void test_replies(void **state) {
        char *out = NULL;
        size_t len = 0;
        json_object *p = json_object_new_object();

        json_object_object_add(p, "x", json_object_new_int(1));
        assert_int_equal(vl_reply_append(&out, &len, p, true), 0);
        assert_int_equal(vl_error_append(&out, &len, "io.vport.NotFound", NULL), 0);
        assert_string_equal(out, "{\"parameters\":{\"x\":1},\"continues\":true}");
        assert_string_equal(out + strlen(out) + 1, "{\"error\":\"io.vport.NotFound\",\"parameters\":{}}");
        assert_int_equal(len, strlen(out) + 1 + strlen(out + strlen(out) + 1) + 1);
        free(out);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_split_reads),   cmocka_unit_test(test_pipelined),
                cmocka_unit_test(test_message_bound), cmocka_unit_test(test_call_parse),
                cmocka_unit_test(test_call_refused),  cmocka_unit_test(test_params),
                cmocka_unit_test(test_error_names),   cmocka_unit_test(test_replies),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
