/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal helpers of the conf layer: safe document loading and typed
 * attribute readers that name the element and attribute in their errors. */
#pragma once

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>
#include <stdint.h>

#include "base/error.h"
#include "conf/tristate.h"

static inline void xml_freep(void *p) {
        xmlFree(*(void **) p);
}
#define _cleanup_xmlfree_ _cleanup_(xml_freep)
DEFINE_TRIVIAL_CLEANUP_FUNC(xmlDocPtr, xmlFreeDoc);

#define XML_FOREACH_ELEMENT(child, parent)                                      \
        for (xmlNodePtr child = (parent)->children; child; child = child->next) \
                if (child->type == XML_ELEMENT_NODE)

/* While libxml2 runs, its global error handlers (which print on stderr)
 * are replaced by ones that count the errors (not warnings) and keep the
 * first message.
 * begin/end pair around every libxml2 call that may report an error. */
typedef struct xml_capture {
        unsigned count;
        char first[200];
        int line;
        xmlStructuredErrorFunc old_structured;
        void *old_structured_ctx;
        xmlGenericErrorFunc old_generic;
        void *old_generic_ctx;
} xml_capture;

void xml_capture_begin(xml_capture *c);
void xml_capture_end(xml_capture *c);

/* Parse buf (len bytes) with network access, entity substitution and DTD
 * loading off; a document with a DOCTYPE or a NUL byte, or whose root is
 * not root_name, is refused; libxml2 prints nothing. what names the document in errors ("network XML").
 * Returns 0 with *ret set, or -EINVAL with err holding libxml2's message and line. */
int xml_read(const char *buf, size_t len, const char *root_name, const char *what, xmlDocPtr *ret,
             vport_error *err);

static inline bool xml_is(xmlNodePtr node, const char *name) {
        return node && node->type == XML_ELEMENT_NODE && xmlStrEqual(node->name, BAD_CAST name);
}

/* The attribute's value (xmlFree it), or NULL if absent. */
static inline char *xml_prop(xmlNodePtr node, const char *name) {
        return (char *) xmlGetNoNsProp(node, BAD_CAST name);
}

/* Unsigned decimal attribute <= max. Returns 1 if present (value in *ret), 0
 * if absent, -EINVAL with err "ctx<elem attr='v'>: ..." if malformed. */
int xml_prop_u64(xmlNodePtr node, const char *ctx, const char *attr, uint64_t max, uint64_t *ret,
                 vport_error *err);

/* 'yes'/'no' attribute. Returns 1 if present (value in *ret), 0 if absent, -EINVAL. */
int xml_prop_yesno(xmlNodePtr node, const char *ctx, const char *attr, bool *ret, vport_error *err);

/* Text content of an element that holds only text (no child elements).
 * Returns 0 with *ret malloc'ed, -EINVAL if it has child elements or is empty, -ENOMEM. */
int xml_text(xmlNodePtr node, const char *ctx, char **ret, vport_error *err);

/* Serialise node (and its subtree) without formatting, appending to *buf
 * (malloc'ed string, may be NULL). Returns 0, -EILSEQ (text libxml2 cannot
 * serialise: not UTF-8) or -ENOMEM. */
int xml_dump_append(xmlNodePtr node, char **buf);

/* Parse the verbatim fragment raw (from xml_dump_append) and append its
 * nodes under parent. Returns 0, -EINVAL (malformed fragment) or -ENOMEM. */
int xml_add_raw(xmlNodePtr parent, const char *raw);

/* Serialise root of doc, indented. Returns 0 with *ret malloc'ed, -EILSEQ
 * (text that is not UTF-8 or holds characters XML cannot carry: it would
 * not parse back) or -ENOMEM. */
int xml_format_doc(xmlDocPtr doc, char **ret);

/* Messages quote values from the document, which may hold control
 * characters (&#10;): replace them so the message stays one line. Returns code. */
int xml_error_one_line(vport_error *err, int code);

/* xmlNewChild/xmlNewProp wrappers for formatting: NULL on ENOMEM. */
xmlNodePtr xml_add_child(xmlNodePtr parent, const char *name, const char *text);
int xml_set_prop(xmlNodePtr node, const char *name, const char *value); /* 0 or -ENOMEM */
int xml_set_propf(xmlNodePtr node, const char *name, const char *fmt, ...) _printf_(3, 4);
