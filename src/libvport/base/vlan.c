/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vlan.h"

static const char *const vlan_native_mode_table[_VLAN_NATIVE_MAX] = {
        [VLAN_NATIVE_NONE] = NULL,
        [VLAN_NATIVE_TAGGED] = "tagged",
        [VLAN_NATIVE_UNTAGGED] = "untagged",
};

DEFINE_STRING_TABLE_LOOKUP(vlan_native_mode, vport_vlan_native_mode);

int vlan_tag_parse(const char *s, uint16_t *ret) {
        unsigned v = 0;

        assert_return(s && ret, -EINVAL);
        if (!*s)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned) (*p - '0');
                if (v > VPORT_VLAN_TAG_MAX)
                        return -ERANGE;
        }
        *ret = (uint16_t) v;
        return 0;
}

int vlan_add_tag(vport_vlan *vlan, uint16_t tag) {
        uint16_t *t;

        assert_return(vlan, -EINVAL);
        t = reallocarray(vlan->tags, vlan->n_tags + 1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t[vlan->n_tags++] = tag;
        vlan->tags = t;
        return 0;
}

static bool vlan_has_tag(const vport_vlan *vlan, uint16_t tag) {
        for (size_t i = 0; i < vlan->n_tags; i++)
                if (vlan->tags[i] == tag)
                        return true;
        return false;
}

/* libvirt's virNetDevVlanParse rules: several tags imply a trunk; a native
 * VLAN must be one of the tags (an explicit trunk='no' with a native VLAN is
 * refused by the XML reader, which alone sees the attribute). */
int vlan_validate(const vport_vlan *vlan, vport_error *err) {
        assert_return(vlan, -EINVAL);
        for (size_t i = 0; i < vlan->n_tags; i++) {
                if (vlan->tags[i] > VPORT_VLAN_TAG_MAX)
                        return vport_error_set(err, -EINVAL, "<vlan><tag id='%u'>: out of range 0-%d",
                                               vlan->tags[i], VPORT_VLAN_TAG_MAX);
                for (size_t j = 0; j < i; j++)
                        if (vlan->tags[j] == vlan->tags[i])
                                return vport_error_set(err, -EINVAL, "<vlan><tag id='%u'>: duplicate tag",
                                                       vlan->tags[i]);
        }
        if (vlan->n_tags > 1 && !vlan->trunk)
                return vport_error_set(err, -EINVAL, "<vlan trunk='no'>: several tags need a trunk");
        if (vlan->native_mode != VLAN_NATIVE_NONE && !vlan_has_tag(vlan, vlan->native_tag))
                return vport_error_set(err, -EINVAL, "<vlan>: native tag %u is not one of the tags",
                                       vlan->native_tag);
        return 0;
}

int vlan_copy(vport_vlan *dst, const vport_vlan *src) {
        uint16_t *t = NULL;

        assert_return(dst && src, -EINVAL);
        if (src->n_tags > 0) {
                t = malloc(src->n_tags * sizeof(*t));
                if (!t)
                        return -ENOMEM;
                memcpy(t, src->tags, src->n_tags * sizeof(*t));
        }
        *dst = *src;
        dst->tags = t;
        return 0;
}

bool vlan_equal(const vport_vlan *a, const vport_vlan *b) {
        if (a->n_tags != b->n_tags || a->trunk != b->trunk || a->native_mode != b->native_mode)
                return false;
        if (a->native_mode != VLAN_NATIVE_NONE && a->native_tag != b->native_tag)
                return false;
        return a->n_tags == 0 || memcmp(a->tags, b->tags, a->n_tags * sizeof(*a->tags)) == 0;
}

void vlan_clear(vport_vlan *vlan) {
        if (!vlan)
                return;
        free(vlan->tags);
        *vlan = (vport_vlan){ 0 };
}
