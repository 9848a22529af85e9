/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Malformed and hostile XML: every file under corpus/ must be refused with a
 * one-line message, and every truncation and byte flip of valid documents
 * must either be refused or round-trip. Run under ASan/UBSan in CI, this is
 * what shows the parsers never crash or leak. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "conf/network.h"
#include "conf/networkport.h"

#define MIN_CORPUS_FILES 40

static const char valid_network[] =
        "<network><name>pool</name><uuid>09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f</uuid>"
        "<forward mode='hostdev' managed='yes'><driver name='vfio'/>"
        "<address type='pci' domain='0x0000' bus='0x06' slot='0x10' function='0x1'/></forward>"
        "<vlan trunk='yes'><tag id='42' nativeMode='untagged'/><tag id='47'/></vlan>"
        "<virtualport type='802.1Qbh'><parameters profileid='p1'/></virtualport>"
        "<portgroup name='eng' default='yes'><vlan><tag id='7'/></vlan></portgroup></network>";

static const char valid_open_network[] =
        "<network><name>default</name><forward mode='open'/>"
        "<bridge name='virbr0' stp='on' delay='0'/><ip address='192.168.122.1' netmask='255.255.255.0'/>"
        "<dns enable='no'/>"
        "<portgroup name='g'><bandwidth><inbound average='10' floor='5'/></bandwidth></portgroup></network>";

static const char valid_port[] =
        "<networkport><uuid>4a2e1bc3-0c2d-4f3c-9a5e-1f0b4c0a7d11</uuid>"
        "<owner><name>vm1</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid></owner>"
        "<group>eng</group><mac address='52:54:00:11:22:33'/>"
        "<virtualport type='802.1Qbg'><parameters managerid='11' typeid='1193047' "
        "typeidversion='2'/></virtualport>"
        "<bandwidth><inbound average='1000' peak='5000' burst='1024'/></bandwidth>"
        "<plug type='direct' dev='eth1' mode='vepa'/></networkport>";

typedef int (*parse_fn)(const char *xml, size_t len, vport_error *err);

/* Parse; if accepted, format and parse again: what we accept we must be able to write back. */
static int try_network(const char *xml, size_t len, vport_error *err) {
        _cleanup_(network_def_freep) vport_network_def *a = NULL, *b = NULL;
        _cleanup_free_ char *out = NULL;
        int r = network_def_parse_string(xml, len, &a, err);

        if (r < 0)
                return r;
        assert_int_equal(network_def_format(a, &out), 0);
        if (network_def_parse_string(out, strlen(out), &b, err) < 0)
                fail_msg("accepted input does not re-parse after formatting: %s\n%s", err->message, out);
        return 0;
}

static int try_port(const char *xml, size_t len, vport_error *err) {
        _cleanup_(port_def_freep) vport_port_def *a = NULL, *b = NULL;
        _cleanup_free_ char *out = NULL;
        int r = port_def_parse_string(xml, len, &a, err);

        if (r < 0)
                return r;
        assert_int_equal(port_def_format(a, &out), 0);
        if (port_def_parse_string(out, strlen(out), &b, err) < 0)
                fail_msg("accepted input does not re-parse after formatting: %s\n%s", err->message, out);
        return 0;
}

static void assert_one_line(const vport_error *err) {
        assert_true(vport_error_isset(err));
        assert_null(strchr(err->message, '\n'));
}

/* stderr (fd 2) into a temporary file while the library runs. */
typedef struct stderr_capture {
        int saved;
        FILE *tmp;
} stderr_capture;

static void stderr_capture_begin(stderr_capture *c) {
        fflush(stderr);
        c->tmp = tmpfile();
        assert_non_null(c->tmp);
        c->saved = dup(STDERR_FILENO);
        assert_true(c->saved >= 0);
        assert_true(dup2(fileno(c->tmp), STDERR_FILENO) >= 0);
}

/* Restores stderr; returns how many bytes were written to it meanwhile. */
static size_t stderr_capture_end(stderr_capture *c) {
        long n;

        fflush(stderr);
        assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
        close(c->saved);
        assert_int_equal(fseek(c->tmp, 0, SEEK_END), 0);
        n = ftell(c->tmp);
        fclose(c->tmp);
        return n > 0 ? (size_t) n : 0;
}

static char *read_file(int dirfd, const char *name, size_t *ret_len) {
        struct stat st;
        char *buf;
        int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        buf = malloc((size_t) st.st_size + 1);
        assert_non_null(buf);
        n = read(fd, buf, (size_t) st.st_size);
        assert_int_equal(n, st.st_size);
        buf[n] = '\0';
        close(fd);
        *ret_len = (size_t) n;
        return buf;
}

static void test_corpus(void **state) {
        const char *dir = getenv("CORPUS_DIR");
        struct dirent *de;
        unsigned count = 0;
        DIR *d;

        if (!dir)
                skip(); /* meson sets CORPUS_DIR; run the test through `meson test` */
        d = opendir(dir);
        assert_non_null(d);
        while ((de = readdir(d))) {
                parse_fn fn = strncmp(de->d_name, "network-", 8) == 0 ? try_network
                              : strncmp(de->d_name, "port-", 5) == 0  ? try_port
                                                                      : NULL;
                vport_error err = { 0 };
                _cleanup_free_ char *buf = NULL;
                stderr_capture cap;
                size_t len, printed;
                int r;

                if (!fn)
                        continue;
                buf = read_file(dirfd(d), de->d_name, &len);
                /* (how long a refusal takes is measured in bench/xml-bench) */
                stderr_capture_begin(&cap);
                r = fn(buf, len, &err);
                printed = stderr_capture_end(&cap);
                if (r != -EINVAL)
                        fail_msg("%s: expected -EINVAL, got %d", de->d_name, r);
                assert_one_line(&err);
                /* the library never prints, libxml2 included */
                if (printed > 0)
                        fail_msg("%s: %zu bytes printed on stderr", de->d_name, printed);
                count++;
        }
        closedir(d);
        if (count < MIN_CORPUS_FILES)
                fail_msg("only %u corpus files found in %s", count, dir);
}

static void test_valid_docs_accepted(void **state) {
        vport_error err = { 0 };

        assert_int_equal(try_network(valid_network, strlen(valid_network), &err), 0);
        assert_int_equal(try_network(valid_open_network, strlen(valid_open_network), &err), 0);
        assert_int_equal(try_port(valid_port, strlen(valid_port), &err), 0);
}

/* Every proper prefix of a document without trailing whitespace is malformed. */
static void truncate_all(const char *doc, parse_fn fn) {
        size_t len = strlen(doc);

        for (size_t n = 0; n < len; n++) {
                char *copy = strndup(doc, n);
                vport_error err = { 0 };

                assert_non_null(copy);
                if (fn(copy, n, &err) != -EINVAL)
                        fail_msg("prefix of %zu bytes accepted: %s", n, copy);
                assert_one_line(&err);
                free(copy);
        }
}

static void test_truncations(void **state) {
        truncate_all(valid_network, try_network);
        truncate_all(valid_open_network, try_network);
        truncate_all(valid_port, try_port);
}

/* Flip each byte to a few values; the parser may accept (a digit changed into
 * another) but must never crash, leak or accept something it cannot format. */
static unsigned flip_all(const char *doc, parse_fn fn) {
        static const char flips[] = { '\0', '\xff', '<', '>', '\'', '&', 'x', '9', '/', ' ' };
        size_t len = strlen(doc);
        unsigned rejected = 0;
        char *copy = strdup(doc);

        assert_non_null(copy);
        for (size_t i = 0; i < len; i++) {
                for (size_t f = 0; f < sizeof(flips); f++) {
                        vport_error err = { 0 };

                        if (doc[i] == flips[f])
                                continue;
                        copy[i] = flips[f];
                        if (fn(copy, len, &err) < 0) {
                                assert_one_line(&err);
                                rejected++;
                        }
                }
                copy[i] = doc[i];
        }
        free(copy);
        return rejected;
}

static void test_byte_flips(void **state) {
        /* most flips break the document; a parser that accepted them all would be broken */
        assert_true(flip_all(valid_network, try_network) > strlen(valid_network) * 5);
        assert_true(flip_all(valid_open_network, try_network) > strlen(valid_open_network) * 5);
        assert_true(flip_all(valid_port, try_port) > strlen(valid_port) * 5);
}

/* Documents whose encoding declaration lies about their bytes: libxml2
 * reports the conversion error through its global handler, which printed
 * "encoding error : ..." on stderr. Refused, silent, and the message names
 * the real cause rather than the "Premature end of data" that follows it. */
static void test_encoding_errors_silent(void **state) {
        static const char *const docs[] = {
                "<?xml version='1.0' encoding='Shift_JIS'?><network><name>a\x82</name></network>",
                "<?xml version='1.0' encoding='EUC-JP'?><network><name>a\xff\xff\xff</name></network>",
                "<?xml version='1.0' encoding='UTF-16'?><network><name>a</name></network>",
                "<?xml version='1.0' encoding='no-such-charset'?><network><name>a</name></network>",
        };

        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                _cleanup_(network_def_freep) vport_network_def *d = NULL;
                vport_error err = { 0 };
                stderr_capture cap;
                size_t printed;
                int r;

                stderr_capture_begin(&cap);
                r = network_def_parse_string(docs[i], strlen(docs[i]), &d, &err);
                printed = stderr_capture_end(&cap);
                assert_int_equal(r, -EINVAL);
                assert_int_equal(printed, 0);
                assert_one_line(&err);
                assert_null(strstr(err.message, "Premature end"));
        }
}

/* libxml2 stops at a NUL: what follows it must not be silently dropped. */
static void test_nul_refused(void **state) {
        static const char doc[] = "<network><name>n</name><bridge name='b'/></network>\0<junk/>";
        _cleanup_(network_def_freep) vport_network_def *d = NULL;
        _cleanup_(port_def_freep) vport_port_def *p = NULL;
        vport_error err = { 0 };

        assert_int_equal(network_def_parse_string(doc, sizeof(doc) - 1, &d, &err), -EINVAL);
        assert_non_null(strstr(err.message, "NUL byte at offset 51"));
        assert_int_equal(port_def_parse_string(valid_port, sizeof(valid_port), &p, &err), -EINVAL);
        assert_non_null(strstr(err.message, "NUL byte"));
        /* the same text without the tail is fine */
        assert_int_equal(network_def_parse_string(doc, strlen(doc), &d, &err), 0);
}

/* A definition built in memory with text that is not UTF-8 cannot be
 * written as XML that parses back: formatting refuses it, silently (the
 * serialiser used to print "string is not in UTF-8"). */
static void test_format_not_utf8_silent(void **state) {
        _cleanup_(port_def_freep) vport_port_def *p = NULL;
        _cleanup_free_ char *out = NULL;
        vport_error err = { 0 };
        stderr_capture cap;
        size_t printed;
        int r;

        assert_int_equal(port_def_parse_string(valid_port, strlen(valid_port), &p, &err), 0);
        free(p->owner_name);
        p->owner_name = strdup("vm\xff\xfe");
        assert_non_null(p->owner_name);
        stderr_capture_begin(&cap);
        r = port_def_format(p, &out);
        printed = stderr_capture_end(&cap);
        assert_int_equal(r, -EILSEQ);
        assert_null(out);
        assert_int_equal(printed, 0);
        /* and validation names the field before it gets that far */
        assert_int_equal(port_def_validate(p, &err), -EINVAL);
        assert_non_null(strstr(err.message, "<owner><name>"));
        assert_non_null(strstr(err.message, "UTF-8"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid_docs_accepted),
                cmocka_unit_test(test_corpus),
                cmocka_unit_test(test_truncations),
                cmocka_unit_test(test_byte_flips),
                cmocka_unit_test(test_encoding_errors_silent),
                cmocka_unit_test(test_nul_refused),
                cmocka_unit_test(test_format_not_utf8_silent),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
