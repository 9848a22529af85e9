/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libxml2's archive linked as the CLI links it (-Dstatic_deps), with the
 * libraries it converts and decompresses with opened on first use
 * (src/lazy-icu, src/lazy-lzma): neither is loaded at start, and a document
 * that needs one is read as with it linked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>

static bool mapped(const char *lib) {
        char line[512];
        bool found = false;
        FILE *f = fopen("/proc/self/maps", "re");

        assert_non_null(f);
        while (!found && fgets(line, sizeof(line), f))
                found = strstr(line, lib) != NULL;
        fclose(f);
        return found;
}

static void root_is(xmlDocPtr doc, const char *name, const char *text) {
        xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
        xmlChar *content;

        assert_non_null(root);
        assert_string_equal((const char *) root->name, name);
        content = xmlNodeGetContent(root);
        assert_string_equal((const char *) content, text);
        xmlFree(content);
        xmlFreeDoc(doc);
}

/* meson.build says which of them this program links lazily (LAZY_ICU, LAZY_LZMA: 0 or 1). */
static void test_nothing_loaded_at_start(void **state) {
        assert_false(LAZY_LZMA && mapped("liblzma"));
        assert_false(LAZY_ICU && mapped("libicuuc"));
}

/* A memory document (what vport parses) loads neither. */
static void test_memory_document(void **state) {
        static const char xml[] = "<network>n1</network>";

        root_is(xmlReadMemory(xml, sizeof(xml) - 1, NULL, NULL, XML_PARSE_NONET), "network", "n1");
        assert_false(LAZY_LZMA && mapped("liblzma"));
        assert_false(LAZY_ICU && mapped("libicuuc"));
}

/* An .xz file: libxml2 decodes it with the liblzma opened then. */
static void test_xz_file(void **state) {
        char dir[] = "/tmp/vport-lazy-XXXXXX", cmd[256], path[128];

        if (system("command -v xz >/dev/null") != 0)
                skip();
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/doc.xml.xz", dir);
        snprintf(cmd, sizeof(cmd), "printf '<network>xz</network>' | xz >%s", path);
        assert_int_equal(system(cmd), 0);
        root_is(xmlReadFile(path, NULL, XML_PARSE_NONET), "network", "xz");
        assert_true(mapped("liblzma"));
        unlink(path);
        rmdir(dir);
}

/* An encoding only ICU knows: read with the libicuuc opened then. */
static void test_icu_encoding(void **state) {
        static const char xml[] = "<?xml version='1.0' encoding='ibm-1208'?><network>\xc3\xa9</network>";

        root_is(xmlReadMemory(xml, sizeof(xml) - 1, NULL, NULL, XML_PARSE_NONET), "network", "\xc3\xa9");
        assert_true(mapped("libicuuc"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nothing_loaded_at_start),
                cmocka_unit_test(test_memory_document),
                cmocka_unit_test(test_xz_file),
                cmocka_unit_test(test_icu_encoding),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
