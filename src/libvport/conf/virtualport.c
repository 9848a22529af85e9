/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "conf/virtualport.h"
#include "conf/xml-util.h"

static const char *const virtualport_def_type_table[_VIRTUALPORT_MAX] = {
        [VIRTUALPORT_NONE] = "none",        [VIRTUALPORT_8021QBG] = "802.1Qbg",
        [VIRTUALPORT_8021QBH] = "802.1Qbh", [VIRTUALPORT_OPENVSWITCH] = "openvswitch",
        [VIRTUALPORT_MIDONET] = "midonet",
};

DEFINE_STRING_TABLE_LOOKUP(virtualport_def_type, vport_virtualport_type);

static int vp_parse_uuid(xmlNodePtr params, const char *attr, bool *has, vport_uuid *ret, vport_error *err) {
        _cleanup_xmlfree_ char *s = xml_prop(params, attr);

        if (!s)
                return 0;
        if (uuid_parse(s, ret) < 0)
                return vport_error_set(err, -EINVAL, "<virtualport><parameters %s='%.40s'>: not a UUID",
                                       attr, s);
        *has = true;
        return 0;
}

static int vp_parse_u(xmlNodePtr params, const char *attr, uint64_t max, bool *has, uint64_t *ret,
                      vport_error *err) {
        int r = xml_prop_u64(params, "<virtualport>", attr, max, ret, err);

        if (r > 0)
                *has = true;
        return r < 0 ? r : 0;
}

static int vp_parse_params(xmlNodePtr params, vport_virtualport *vp, vport_error *err) {
        _cleanup_xmlfree_ char *profile = xml_prop(params, "profileid");
        uint64_t mgr = 0, tid = 0, tidv = 0;
        int r;

        if ((r = vp_parse_u(params, "managerid", UINT8_MAX, &vp->has_manager_id, &mgr, err)) < 0 ||
            (r = vp_parse_u(params, "typeid", VPORT_TYPEID_MAX, &vp->has_type_id, &tid, err)) < 0 ||
            (r = vp_parse_u(params, "typeidversion", UINT8_MAX, &vp->has_type_id_version, &tidv, err)) < 0 ||
            (r = vp_parse_uuid(params, "instanceid", &vp->has_instance_id, &vp->instance_id, err)) < 0 ||
            (r = vp_parse_uuid(params, "interfaceid", &vp->has_interface_id, &vp->interface_id, err)) < 0)
                return r;
        vp->manager_id = (uint8_t) mgr;
        vp->type_id = (uint32_t) tid;
        vp->type_id_version = (uint8_t) tidv;
        if (profile) {
                if (!*profile || strlen(profile) > VPORT_PROFILEID_MAX)
                        return vport_error_set(
                                err, -EINVAL,
                                "<virtualport><parameters profileid='%.40s'>: must be 1-%d characters",
                                profile, VPORT_PROFILEID_MAX);
                strcpy(vp->profile_id, profile);
        }
        return 0;
}

static int vp_parse_type(xmlNodePtr node, bool require_type, vport_virtualport *vp, vport_error *err) {
        _cleanup_xmlfree_ char *type = xml_prop(node, "type");
        int t;

        if (!type) {
                if (require_type)
                        return vport_error_set(err, -EINVAL, "<virtualport>: missing attribute 'type'");
                vp->type = VIRTUALPORT_NONE;
                return 0;
        }
        t = virtualport_def_type_from_string(type);
        if (t <= VIRTUALPORT_NONE)
                return vport_error_set(err, -EINVAL,
                                       "<virtualport type='%.32s'>: unknown type (802.1Qbg, 802.1Qbh, "
                                       "openvswitch, midonet)",
                                       type);
        vp->type = t;
        return 0;
}

int virtualport_def_parse(xmlNodePtr node, bool require_type, vport_virtualport **ret, vport_error *err) {
        _cleanup_free_ vport_virtualport *vp = calloc(1, sizeof(*vp));
        bool seen_params = false;
        int r;

        if (!vp)
                return -ENOMEM;
        if ((r = vp_parse_type(node, require_type, vp, err)) < 0)
                return r;
        XML_FOREACH_ELEMENT(c, node) {
                if (!xml_is(c, "parameters"))
                        return vport_error_set(err, -EINVAL, "<virtualport>: unexpected element <%.64s>",
                                               c->name);
                if (seen_params)
                        return vport_error_set(err, -EINVAL, "<virtualport>: more than one <parameters>");
                seen_params = true;
                if ((r = vp_parse_params(c, vp, err)) < 0)
                        return r;
        }
        if ((r = virtualport_def_check_no_extras(vp, err)) < 0)
                return r;
        *ret = TAKE_PTR(vp);
        return 0;
}

static int vp_format_params(xmlNodePtr p, const vport_virtualport *vp) {
        char buf[VPORT_UUID_STRLEN];

        if ((vp->has_manager_id && xml_set_propf(p, "managerid", "%u", vp->manager_id) < 0) ||
            (vp->has_type_id && xml_set_propf(p, "typeid", "%u", vp->type_id) < 0) ||
            (vp->has_type_id_version && xml_set_propf(p, "typeidversion", "%u", vp->type_id_version) < 0) ||
            (vp->has_instance_id && xml_set_prop(p, "instanceid", uuid_format(&vp->instance_id, buf)) < 0) ||
            (vp->has_interface_id &&
             xml_set_prop(p, "interfaceid", uuid_format(&vp->interface_id, buf)) < 0) ||
            (vp->profile_id[0] && xml_set_prop(p, "profileid", vp->profile_id) < 0))
                return -ENOMEM;
        return 0;
}

int virtualport_def_format(xmlNodePtr parent, const vport_virtualport *vp) {
        xmlNodePtr n, p;

        if (!vp)
                return 0;
        if (!(n = xml_add_child(parent, "virtualport", NULL)))
                return -ENOMEM;
        if (vp->type != VIRTUALPORT_NONE &&
            xml_set_prop(n, "type", virtualport_def_type_to_string(vp->type)) < 0)
                return -ENOMEM;
        if (!vp->has_manager_id && !vp->has_type_id && !vp->has_type_id_version && !vp->has_instance_id &&
            !vp->has_interface_id && !vp->profile_id[0])
                return 0;
        if (!(p = xml_add_child(n, "parameters", NULL)))
                return -ENOMEM;
        return vp_format_params(p, vp);
}

/* A bitmask of the parameters each type takes (libvirt's CheckNoExtras). */
enum {
        P_MANAGER = 1 << 0,
        P_TYPEID = 1 << 1,
        P_TYPEIDV = 1 << 2,
        P_INSTANCE = 1 << 3,
        P_PROFILE = 1 << 4,
        P_INTERFACE = 1 << 5,
        P_ALL = (1 << 6) - 1,
};

static const unsigned allowed_params[_VIRTUALPORT_MAX] = {
        [VIRTUALPORT_NONE] = P_ALL, /* decided once merged with a typed one */
        [VIRTUALPORT_8021QBG] = P_MANAGER | P_TYPEID | P_TYPEIDV | P_INSTANCE,
        [VIRTUALPORT_8021QBH] = P_PROFILE,
        [VIRTUALPORT_OPENVSWITCH] = P_PROFILE | P_INTERFACE,
        [VIRTUALPORT_MIDONET] = P_INTERFACE,
};

static const char *const param_names[] = { "managerid",  "typeid",    "typeidversion",
                                           "instanceid", "profileid", "interfaceid" };

static unsigned vp_given_params(const vport_virtualport *vp) {
        return (vp->has_manager_id ? P_MANAGER : 0) | (vp->has_type_id ? P_TYPEID : 0) |
               (vp->has_type_id_version ? P_TYPEIDV : 0) | (vp->has_instance_id ? P_INSTANCE : 0) |
               (vp->profile_id[0] ? P_PROFILE : 0) | (vp->has_interface_id ? P_INTERFACE : 0);
}

int virtualport_def_check_no_extras(const vport_virtualport *vp, vport_error *err) {
        unsigned extra;

        assert_return(vp && vp->type < _VIRTUALPORT_MAX, -EINVAL);
        extra = vp_given_params(vp) & ~allowed_params[vp->type];
        for (size_t i = 0; i < ELEMENTSOF(param_names); i++)
                if (extra & (1u << i))
                        return vport_error_set(
                                err, -EINVAL,
                                "<virtualport type='%s'><parameters %s>: not used by this type",
                                virtualport_def_type_to_string(vp->type), param_names[i]);
        return 0;
}

int virtualport_def_check_complete(vport_virtualport *vp, bool generate_missing, vport_error *err) {
        static const unsigned required[_VIRTUALPORT_MAX] = {
                [VIRTUALPORT_8021QBG] = P_MANAGER | P_TYPEID | P_TYPEIDV,
                [VIRTUALPORT_8021QBH] = P_PROFILE,
                [VIRTUALPORT_MIDONET] = P_INTERFACE,
        };
        unsigned missing;
        int r;

        assert_return(vp && vp->type < _VIRTUALPORT_MAX, -EINVAL);
        if (vp->type == VIRTUALPORT_NONE)
                return vport_error_set(err, -EINVAL, "<virtualport>: missing attribute 'type'");
        missing = required[vp->type] & ~vp_given_params(vp);
        for (size_t i = 0; i < ELEMENTSOF(param_names); i++)
                if (missing & (1u << i))
                        return vport_error_set(err, -EINVAL,
                                               "<virtualport type='%s'><parameters>: missing %s",
                                               virtualport_def_type_to_string(vp->type), param_names[i]);
        if (!generate_missing)
                return 0;
        if (vp->type == VIRTUALPORT_8021QBG && !vp->has_instance_id) {
                if ((r = uuid_generate(&vp->instance_id)) < 0)
                        return r;
                vp->has_instance_id = true;
        }
        if (vp->type == VIRTUALPORT_OPENVSWITCH && !vp->has_interface_id) {
                if ((r = uuid_generate(&vp->interface_id)) < 0)
                        return r;
                vp->has_interface_id = true;
        }
        return 0;
}
