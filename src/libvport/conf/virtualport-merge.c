/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Merging the <virtualport> of a port, its network and its portgroup. */
#include <stdio.h>

#include "conf/virtualport.h"

enum { N_PARAMS = 6 };

static const char *const merge_param_names[N_PARAMS] = { "managerid",  "typeid",    "typeidversion",
                                                         "instanceid", "profileid", "interfaceid" };

/* Format parameter i of vp into buf; returns buf, or NULL if it is not set. */
static const char *vp_param_string(const vport_virtualport *vp, size_t i,
                                   char buf[static VPORT_UUID_STRLEN + 8]) {
        switch (i) {
        case 0:
                return vp->has_manager_id ? (sprintf(buf, "%u", vp->manager_id), buf) : NULL;
        case 1:
                return vp->has_type_id ? (sprintf(buf, "%u", vp->type_id), buf) : NULL;
        case 2:
                return vp->has_type_id_version ? (sprintf(buf, "%u", vp->type_id_version), buf) : NULL;
        case 3:
                return vp->has_instance_id ? uuid_format(&vp->instance_id, buf) : NULL;
        case 4:
                return vp->profile_id[0] ? vp->profile_id : NULL;
        default:
                return vp->has_interface_id ? uuid_format(&vp->interface_id, buf) : NULL;
        }
}

static void vp_param_copy(vport_virtualport *dst, const vport_virtualport *src, size_t i) {
        switch (i) {
        case 0:
                dst->manager_id = src->manager_id, dst->has_manager_id = true;
                break;
        case 1:
                dst->type_id = src->type_id, dst->has_type_id = true;
                break;
        case 2:
                dst->type_id_version = src->type_id_version, dst->has_type_id_version = true;
                break;
        case 3:
                dst->instance_id = src->instance_id, dst->has_instance_id = true;
                break;
        case 4:
                memcpy(dst->profile_id, src->profile_id, sizeof(dst->profile_id));
                break;
        default:
                dst->interface_id = src->interface_id, dst->has_interface_id = true;
        }
}

typedef struct merge_state {
        vport_virtualport *result;
        const char *type_from;
        const char *from[N_PARAMS]; /* where each set parameter came from */
} merge_state;

static int merge_one(merge_state *m, const vport_virtualport *mods, const char *from, vport_error *err) {
        char a[VPORT_UUID_STRLEN + 8], b[VPORT_UUID_STRLEN + 8];

        if (!mods)
                return 0;
        if (mods->type != VIRTUALPORT_NONE) {
                if (m->result->type != VIRTUALPORT_NONE && m->result->type != mods->type)
                        return vport_error_set(
                                err, -EINVAL,
                                "<virtualport type>: '%s' on the %s conflicts with '%s' on the %s",
                                virtualport_def_type_to_string(mods->type), from,
                                virtualport_def_type_to_string(m->result->type), m->type_from);
                m->result->type = mods->type;
                m->type_from = from;
        }
        for (size_t i = 0; i < N_PARAMS; i++) {
                const char *new = vp_param_string(mods, i, a), *old = vp_param_string(m->result, i, b);

                if (!new)
                        continue;
                if (old && !streq(old, new))
                        return vport_error_set(
                                err, -EINVAL,
                                "<virtualport><parameters %s>: '%s' on the %s conflicts with '%s' on the %s",
                                merge_param_names[i], new, from, old, m->from[i]);
                vp_param_copy(m->result, mods, i);
                m->from[i] = from;
        }
        return 0;
}

int virtualport_def_merge3(const vport_virtualport *port, const vport_virtualport *network,
                           const vport_virtualport *portgroup, vport_virtualport **ret, vport_error *err) {
        _cleanup_free_ vport_virtualport *result = NULL;
        merge_state m = { 0 };
        int r;

        assert_return(ret, -EINVAL);
        if (!port && !network && !portgroup) {
                *ret = NULL;
                return 0;
        }
        if (!(result = calloc(1, sizeof(*result))))
                return -ENOMEM;
        m.result = result;
        if ((r = merge_one(&m, port, "port", err)) < 0 || (r = merge_one(&m, network, "network", err)) < 0 ||
            (r = merge_one(&m, portgroup, "portgroup", err)) < 0)
                return r;
        if ((r = virtualport_def_check_no_extras(result, err)) < 0)
                return r;
        *ret = TAKE_PTR(result);
        return 0;
}

bool virtualport_def_equal(const vport_virtualport *a, const vport_virtualport *b) {
        char x[VPORT_UUID_STRLEN + 8], y[VPORT_UUID_STRLEN + 8];

        if (!a || !b)
                return a == b;
        if (a->type != b->type)
                return false;
        for (size_t i = 0; i < N_PARAMS; i++)
                if (!streq_ptr(vp_param_string(a, i, x), vp_param_string(b, i, y)))
                        return false;
        return true;
}
