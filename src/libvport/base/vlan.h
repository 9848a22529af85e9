/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VLAN settings as in libvirt's <vlan trunk='yes'><tag id nativeMode/></vlan>. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define VPORT_VLAN_TAG_MAX 4095

typedef enum vport_vlan_native_mode {
        VLAN_NATIVE_NONE,
        VLAN_NATIVE_TAGGED,
        VLAN_NATIVE_UNTAGGED,
        _VLAN_NATIVE_MAX,
} vport_vlan_native_mode;

typedef struct vport_vlan {
        uint16_t *tags; /* owned; n_tags == 0 means "no VLAN" */
        size_t n_tags;
        bool trunk; /* set by trunk='yes' or by more than one tag */
        vport_vlan_native_mode native_mode;
        uint16_t native_tag;
} vport_vlan;

const char *vlan_native_mode_to_string(vport_vlan_native_mode m);
int vlan_native_mode_from_string(const char *s); /* "tagged"/"untagged" or -EINVAL */

/* Parse a decimal tag 0..4095. Returns 0 or -EINVAL/-ERANGE. */
int vlan_tag_parse(const char *s, uint16_t *ret);

/* Append one tag. Returns 0 or -ENOMEM. */
int vlan_add_tag(vport_vlan *vlan, uint16_t tag);

/* Consistency: trunk='no' with several tags, more than one native tag, a
 * nativeMode without trunk. Returns 0 or -EINVAL with err set. */
int vlan_validate(const vport_vlan *vlan, vport_error *err);

int vlan_copy(vport_vlan *dst, const vport_vlan *src); /* 0 or -ENOMEM; dst is overwritten */
bool vlan_equal(const vport_vlan *a, const vport_vlan *b);
void vlan_clear(vport_vlan *vlan); /* frees tags, zeroes */

static inline bool vlan_is_set(const vport_vlan *vlan) {
        return vlan && vlan->n_tags > 0;
}
