/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "base/names.h"
#include "conf/xml-util.h"

/* No XML_PARSE_NOENT: entity references are not substituted (a "billion
 * laughs" document cannot expand), no DTD is loaded, nothing is fetched, and
 * libxml2 reports errors to us instead of printing them. */
#define XML_READ_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* libxml2 reports some errors through no parser context at all (encoding
 * conversion, I/O, the serialiser's "string is not in UTF-8"): they go to
 * its global handlers, which print on stderr, whatever the parse options.
 * The library never prints: while we call into libxml2, both handlers
 * point here, the first message is kept for the caller's error, and the
 * host application's handlers are put back afterwards. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_arg;
#else
typedef xmlErrorPtr xml_error_arg;
#endif

static void capture_structured(void *userdata, xml_error_arg e) {
        xml_capture *c = userdata;

        /* warnings (XML_PARSE_NOWARNING asked for none) change nothing */
        if (!e || e->level < XML_ERR_ERROR)
                return;
        c->count++;
        if (c->count > 1)
                return;
        snprintf(c->first, sizeof(c->first), "%s", e->message ? e->message : "unknown error");
        c->first[strcspn(c->first, "\n")] = '\0';
        c->line = e->line;
}

static void capture_generic(void *userdata, const char *fmt, ...) {
        xml_capture *c = userdata;
        va_list ap;

        c->count++;
        if (c->count > 1)
                return;
        va_start(ap, fmt);
        vsnprintf(c->first, sizeof(c->first), fmt, ap);
        va_end(ap);
        c->first[strcspn(c->first, "\n")] = '\0';
}

void xml_capture_begin(xml_capture *c) {
        *c = (xml_capture){
                .old_structured = xmlStructuredError,
                .old_structured_ctx = xmlStructuredErrorContext,
                .old_generic = xmlGenericError,
                .old_generic_ctx = xmlGenericErrorContext,
        };
        xmlSetStructuredErrorFunc(c, (xmlStructuredErrorFunc) capture_structured);
        xmlSetGenericErrorFunc(c, capture_generic);
}

void xml_capture_end(xml_capture *c) {
        xmlSetStructuredErrorFunc(c->old_structured_ctx, c->old_structured);
        xmlSetGenericErrorFunc(c->old_generic_ctx, c->old_generic);
}

/* The first error is the cause (an encoding error is followed by "Premature
 * end of data"); the parser context's last one is the fallback. */
static int xml_read_error(xmlParserCtxtPtr ctxt, const xml_capture *c, const char *what, vport_error *err) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        char msg[200] = "malformed document";
        int line = 0;

        if (c->count > 0) {
                snprintf(msg, sizeof(msg), "%s", c->first);
                line = c->line;
        } else if (e && e->message) {
                snprintf(msg, sizeof(msg), "%s", e->message);
                line = e->line;
        }
        msg[strcspn(msg, "\n")] = '\0';
        if (line > 0)
                return xml_error_one_line(err,
                                          vport_error_set(err, -EINVAL, "%s: line %d: %s", what, line, msg));
        return xml_error_one_line(err, vport_error_set(err, -EINVAL, "%s: %s", what, msg));
}

int xml_error_one_line(vport_error *err, int code) {
        if (!err)
                return code;
        for (char *p = err->message; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        *p = '?';
        return code;
}

int xml_read(const char *buf, size_t len, const char *root_name, const char *what, xmlDocPtr *ret,
             vport_error *err) {
        _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
        xmlParserCtxtPtr ctxt;
        xmlNodePtr root;

        const char *nul;
        xml_capture cap;
        int r = 0;

        assert_return(buf && ret, -EINVAL);
        if (len == 0)
                return vport_error_set(err, -EINVAL, "%s: empty document", what);
        if (len > INT32_MAX)
                return vport_error_set(err, -EINVAL, "%s: document too large", what);
        /* libxml2 would stop at a NUL and ignore what follows */
        if ((nul = memchr(buf, '\0', len)))
                return vport_error_set(err, -EINVAL, "%s: NUL byte at offset %zu", what,
                                       (size_t) (nul - buf));
        ctxt = xmlNewParserCtxt();
        if (!ctxt)
                return -ENOMEM;
        xml_capture_begin(&cap);
        doc = xmlCtxtReadMemory(ctxt, buf, (int) len, NULL, NULL, XML_READ_OPTIONS);
        xml_capture_end(&cap);
        if (!doc || !ctxt->wellFormed)
                r = xml_read_error(ctxt, &cap, what, err);
        xmlFreeParserCtxt(ctxt);
        if (r < 0)
                return r;
        if (doc->intSubset || doc->extSubset)
                return vport_error_set(err, -EINVAL, "%s: <!DOCTYPE> is not allowed", what);
        root = xmlDocGetRootElement(doc);
        if (!root || !xml_is(root, root_name))
                return vport_error_set(err, -EINVAL, "%s: root element must be <%s>, not <%.64s>", what,
                                       root_name, root ? (const char *) root->name : "");
        *ret = TAKE_PTR(doc);
        return 0;
}

int xml_prop_u64(xmlNodePtr node, const char *ctx, const char *attr, uint64_t max, uint64_t *ret,
                 vport_error *err) {
        _cleanup_xmlfree_ char *s = xml_prop(node, attr);
        uint64_t v = 0;

        if (!s)
                return 0;
        if (!*s)
                goto bad;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        goto bad;
                if (v > (UINT64_MAX - 9) / 10)
                        goto range;
                v = v * 10 + (uint64_t) (*p - '0');
        }
        if (v > max)
                goto range;
        *ret = v;
        return 1;
range:
        return vport_error_set(err, -EINVAL, "%s<%s %s='%.32s'>: out of range (max %llu)", ctx, node->name,
                               attr, s, (unsigned long long) max);
bad:
        return vport_error_set(err, -EINVAL, "%s<%s %s='%.32s'>: not an unsigned number", ctx, node->name,
                               attr, s);
}

int xml_prop_yesno(xmlNodePtr node, const char *ctx, const char *attr, bool *ret, vport_error *err) {
        _cleanup_xmlfree_ char *s = xml_prop(node, attr);

        if (!s)
                return 0;
        if (streq(s, "yes") || streq(s, "no")) {
                *ret = streq(s, "yes");
                return 1;
        }
        return vport_error_set(err, -EINVAL, "%s<%s %s='%.32s'>: must be 'yes' or 'no'", ctx, node->name,
                               attr, s);
}

int xml_prop_tristate(xmlNodePtr node, const char *ctx, const char *attr, vport_tristate *ret,
                      vport_error *err) {
        bool yes = false;
        int r = xml_prop_yesno(node, ctx, attr, &yes, err);

        if (r < 0)
                return r;
        *ret = r == 0 ? TRISTATE_ABSENT : yes ? TRISTATE_YES : TRISTATE_NO;
        return 0;
}

int xml_set_tristate(xmlNodePtr node, const char *attr, vport_tristate t) {
        return t == TRISTATE_ABSENT ? 0 : xml_set_prop(node, attr, tristate_to_string(t));
}

int xml_text(xmlNodePtr node, const char *ctx, char **ret, vport_error *err) {
        _cleanup_xmlfree_ char *s = NULL;

        XML_FOREACH_ELEMENT(c, node)
        return vport_error_set(err, -EINVAL, "%s<%s>: unexpected child element <%.64s>", ctx, node->name,
                               c->name);
        s = (char *) xmlNodeGetContent(node);
        if (!s)
                return -ENOMEM;
        if (!*s)
                return vport_error_set(err, -EINVAL, "%s<%s>: empty", ctx, node->name);
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int xml_dump_append(xmlNodePtr node, char **buf) {
        xmlBufferPtr xb = xmlBufferCreate();
        size_t old = *buf ? strlen(*buf) : 0, add;
        char *n;

        xml_capture cap;
        int k;

        if (!xb)
                return -ENOMEM;
        xml_capture_begin(&cap);
        k = xmlNodeDump(xb, node->doc, node, 0, 0);
        xml_capture_end(&cap);
        if (k < 0 || cap.count > 0) {
                xmlBufferFree(xb);
                return k < 0 ? -ENOMEM : -EILSEQ;
        }
        add = (size_t) xmlBufferLength(xb);
        n = realloc(*buf, old + add + 1);
        if (!n) {
                xmlBufferFree(xb);
                return -ENOMEM;
        }
        memcpy(n + old, xmlBufferContent(xb), add);
        n[old + add] = '\0';
        *buf = n;
        xmlBufferFree(xb);
        return 0;
}

int xml_add_raw(xmlNodePtr parent, const char *raw) {
        _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
        _cleanup_free_ char *wrapped = NULL;
        xmlNodePtr root, list;

        if (!raw || !*raw)
                return 0;
        if (asprintf(&wrapped, "<raw>%s</raw>", raw) < 0)
                return -ENOMEM;
        if (xml_read(wrapped, strlen(wrapped), "raw", "raw XML", &doc, NULL) < 0)
                return -EINVAL;
        root = xmlDocGetRootElement(doc);
        list = xmlDocCopyNodeList(parent->doc, root->children);
        if (!list)
                return -ENOMEM;
        if (!xmlAddChildList(parent, list)) {
                xmlFreeNodeList(list);
                return -ENOMEM;
        }
        return 0;
}

/* XML 1.0's Char production: what a parser reads back. */
static bool xml_chars_ok(const char *s) {
        uint32_t cp;
        size_t n;

        for (; *s; s += n) {
                n = utf8_decode(s, &cp);
                if (n == 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE ||
                    cp == 0xFFFF)
                        return false;
        }
        return true;
}

int xml_format_doc(xmlDocPtr doc, char **ret) {
        xmlBufferPtr xb = xmlBufferCreate();
        xml_capture cap;
        int r = 0, k;

        if (!xb)
                return -ENOMEM;
        xml_capture_begin(&cap);
        k = xmlNodeDump(xb, doc, xmlDocGetRootElement(doc), 0, 1);
        xml_capture_end(&cap);
        /* libxml2 copies text bytes as they are (invalid UTF-8, control
         * characters): a document that would not parse back is refused
         * rather than stored */
        if (cap.count > 0 || (k >= 0 && !xml_chars_ok((const char *) xmlBufferContent(xb))))
                r = -EILSEQ;
        else if (k < 0 || xmlBufferAdd(xb, BAD_CAST "\n", 1) != 0)
                r = -ENOMEM;
        else if (!(*ret = strdup((const char *) xmlBufferContent(xb))))
                r = -ENOMEM;
        xmlBufferFree(xb);
        return r;
}

xmlNodePtr xml_add_child(xmlNodePtr parent, const char *name, const char *text) {
        /* xmlNewTextChild escapes the text; xmlNewChild would take it as markup */
        if (text)
                return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
        return xmlNewChild(parent, NULL, BAD_CAST name, NULL);
}

int xml_set_prop(xmlNodePtr node, const char *name, const char *value) {
        return xmlSetProp(node, BAD_CAST name, BAD_CAST value) ? 0 : -ENOMEM;
}

int xml_set_propf(xmlNodePtr node, const char *name, const char *fmt, ...) {
        _cleanup_free_ char *v = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&v, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return xml_set_prop(node, name, v);
}
