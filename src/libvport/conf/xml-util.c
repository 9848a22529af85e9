/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "conf/xml-util.h"

/* No XML_PARSE_NOENT: entity references are not substituted (a "billion
 * laughs" document cannot expand), no DTD is loaded, nothing is fetched, and
 * libxml2 reports errors to us instead of printing them. */
#define XML_READ_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

static int xml_read_error(xmlParserCtxtPtr ctxt, const char *what, vport_error *err) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        char msg[200] = "malformed document";

        if (e && e->message) {
                snprintf(msg, sizeof(msg), "%s", e->message);
                msg[strcspn(msg, "\n")] = '\0';
                return xml_error_one_line(
                        err, vport_error_set(err, -EINVAL, "%s: line %d: %s", what, e->line, msg));
        }
        return vport_error_set(err, -EINVAL, "%s: %s", what, msg);
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

        assert_return(buf && ret, -EINVAL);
        if (len == 0)
                return vport_error_set(err, -EINVAL, "%s: empty document", what);
        if (len > INT32_MAX)
                return vport_error_set(err, -EINVAL, "%s: document too large", what);
        ctxt = xmlNewParserCtxt();
        if (!ctxt)
                return -ENOMEM;
        doc = xmlCtxtReadMemory(ctxt, buf, (int) len, NULL, NULL, XML_READ_OPTIONS);
        if (!doc || !ctxt->wellFormed) {
                int r = xml_read_error(ctxt, what, err);
                xmlFreeParserCtxt(ctxt);
                return r;
        }
        xmlFreeParserCtxt(ctxt);
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

        if (!xb)
                return -ENOMEM;
        if (xmlNodeDump(xb, node->doc, node, 0, 0) < 0) {
                xmlBufferFree(xb);
                return -ENOMEM;
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

int xml_format_doc(xmlDocPtr doc, char **ret) {
        xmlBufferPtr xb = xmlBufferCreate();
        int r = 0;

        if (!xb)
                return -ENOMEM;
        if (xmlNodeDump(xb, doc, xmlDocGetRootElement(doc), 0, 1) < 0 ||
            xmlBufferAdd(xb, BAD_CAST "\n", 1) != 0)
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
