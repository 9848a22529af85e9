/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "conf/vlan-xml.h"
#include "conf/xml-util.h"

static int vlan_parse_tag(xmlNodePtr tag, vport_vlan *vlan, vport_error *err) {
        _cleanup_xmlfree_ char *id = xml_prop(tag, "id"), *native = xml_prop(tag, "nativeMode");
        uint16_t t;
        int m;

        if (!id)
                return vport_error_set(err, -EINVAL, "<vlan><tag>: missing attribute 'id'");
        if (vlan_tag_parse(id, &t) < 0)
                return vport_error_set(err, -EINVAL, "<vlan><tag id='%.32s'>: must be a number 0-%d", id,
                                       VPORT_VLAN_TAG_MAX);
        if (native) {
                m = vlan_native_mode_from_string(native);
                if (m < 0)
                        return vport_error_set(
                                err, -EINVAL,
                                "<vlan><tag nativeMode='%.32s'>: must be 'tagged' or 'untagged'", native);
                if (vlan->native_mode != VLAN_NATIVE_NONE)
                        return vport_error_set(err, -EINVAL,
                                               "<vlan><tag nativeMode>: only one native tag allowed");
                vlan->native_mode = m;
                vlan->native_tag = t;
        }
        return vlan_add_tag(vlan, t);
}

static int vlan_parse_children(xmlNodePtr node, vport_vlan *vlan, vport_error *err) {
        int r;

        XML_FOREACH_ELEMENT(c, node) {
                if (!xml_is(c, "tag"))
                        return vport_error_set(err, -EINVAL, "<vlan>: unexpected element <%.64s>", c->name);
                if ((r = vlan_parse_tag(c, vlan, err)) < 0)
                        return r;
        }
        if (vlan->n_tags == 0)
                return vport_error_set(err, -EINVAL, "<vlan>: needs at least one <tag>");
        return 0;
}

int vlan_def_parse(xmlNodePtr node, vport_vlan *ret, vport_error *err) {
        vport_vlan vlan = { 0 };
        bool trunk = false;
        int has_trunk, r;

        has_trunk = xml_prop_yesno(node, "", "trunk", &trunk, err);
        if (has_trunk < 0)
                return has_trunk;
        r = vlan_parse_children(node, &vlan, err);
        if (r >= 0 && has_trunk && !trunk && vlan.n_tags > 1)
                r = vport_error_set(err, -EINVAL, "<vlan trunk='no'>: several <tag> elements need a trunk");
        if (r >= 0 && has_trunk && !trunk && vlan.native_mode != VLAN_NATIVE_NONE)
                r = vport_error_set(err, -EINVAL,
                                    "<vlan trunk='no'>: not allowed with a native VLAN (nativeMode)");
        if (r >= 0) {
                vlan.trunk = trunk || vlan.n_tags > 1;
                r = vlan_validate(&vlan, err);
        }
        if (r < 0) {
                vlan_clear(&vlan);
                return r;
        }
        vlan_clear(ret);
        *ret = vlan;
        return 0;
}

int vlan_def_format(xmlNodePtr parent, const vport_vlan *vlan) {
        xmlNodePtr v;

        if (!vlan_is_set(vlan))
                return 0;
        if (!(v = xml_add_child(parent, "vlan", NULL)))
                return -ENOMEM;
        /* as libvirt writes it: trunk='yes' whenever it is a trunk, also when several tags imply it */
        if (vlan->trunk && xml_set_prop(v, "trunk", "yes") < 0)
                return -ENOMEM;
        for (size_t i = 0; i < vlan->n_tags; i++) {
                xmlNodePtr t = xml_add_child(v, "tag", NULL);

                if (!t || xml_set_propf(t, "id", "%u", vlan->tags[i]) < 0)
                        return -ENOMEM;
                if (vlan->native_mode != VLAN_NATIVE_NONE && vlan->native_tag == vlan->tags[i] &&
                    xml_set_prop(t, "nativeMode", vlan_native_mode_to_string(vlan->native_mode)) < 0)
                        return -ENOMEM;
        }
        return 0;
}
