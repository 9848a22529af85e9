/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A yes/no attribute that may also be absent, as libvirt's virTristateBool:
 * what was not given is not written back. */
#pragma once

#include <libxml/tree.h>

#include "base/error.h"

typedef enum vport_tristate {
        TRISTATE_ABSENT,
        TRISTATE_YES,
        TRISTATE_NO,
} vport_tristate;

/* "yes", "no", or NULL for TRISTATE_ABSENT. */
static inline const char *tristate_to_string(vport_tristate t) {
        return t == TRISTATE_YES ? "yes" : t == TRISTATE_NO ? "no" : NULL;
}

/* Read attribute attr of node ('yes'/'no'). Returns 0 (*ret set, ABSENT when
 * absent) or -EINVAL with err "ctx<elem attr='v'>: ...". */
int xml_prop_tristate(xmlNodePtr node, const char *ctx, const char *attr, vport_tristate *ret,
                      vport_error *err);

/* Set attr on node unless t is ABSENT. Returns 0 or -ENOMEM. */
int xml_set_tristate(xmlNodePtr node, const char *attr, vport_tristate t);
