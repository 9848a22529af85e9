/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parameters of a call checked against the method's table, and errors. */
#include <stdarg.h>
#include <stdio.h>

#include "base/names.h"
#include "method.h"

static const struct {
        const vd_method *table;
        const size_t *n;
} groups[] = {
        { vd_methods_service, &vd_n_methods_service },
        { vd_methods_network, &vd_n_methods_network },
        { vd_methods_port, &vd_n_methods_port },
        { vd_methods_misc, &vd_n_methods_misc },
};

const vd_method *vd_method_find(const char *name) {
        for (size_t g = 0; g < ELEMENTSOF(groups); g++)
                for (size_t i = 0; i < *groups[g].n; i++)
                        if (streq(groups[g].table[i].name, name))
                                return &groups[g].table[i];
        return NULL;
}

static const vd_param *param_find(const vd_method *m, const char *name) {
        for (size_t i = 0; i < VD_PARAMS_MAX && m->params[i].name; i++)
                if (streq(m->params[i].name, name))
                        return &m->params[i];
        return NULL;
}

static int invalid_parameter(vd_call *c, const char *name) {
        c->error = "org.varlink.service.InvalidParameter";
        c->error_params = json_object_new_object();
        json_object_object_add(c->error_params, "parameter", json_object_new_string(name));
        return -EINVAL;
}

/* The value's own rules: the same validators the CLI applies. */
static bool value_valid(vd_ptype t, const char *s) {
        static const vport_name_kind kinds[] = {
                [P_NETWORK] = NAME_NETWORK, [P_IFNAME] = NAME_IFNAME, [P_OWNER] = NAME_OWNER,
                [P_GROUP] = NAME_PORTGROUP, [P_DEVICE] = NAME_DEVICE,
        };
        vport_uuid u;
        vport_mac m;

        switch (t) {
        case P_UUID:
                return vport_uuid_parse(s, &u) >= 0;
        case P_MAC:
                return vport_mac_parse(s, &m) >= 0;
        case P_NETWORK:
        case P_IFNAME:
        case P_OWNER:
        case P_GROUP:
        case P_DEVICE:
                return name_check(kinds[t], s, NULL) >= 0;
        default:
                return true;
        }
}

static bool type_valid(vd_ptype t, json_object *v) {
        switch (t) {
        case P_BOOL:
                return json_object_is_type(v, json_type_boolean);
        case P_INT:
                return json_object_is_type(v, json_type_int);
        case P_GENERATION:
                return json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 1;
        default:
                return json_object_is_type(v, json_type_string) && value_valid(t, json_object_get_string(v));
        }
}

int vd_params_check(const vd_method *m, vd_call *c) {
        json_object_object_foreach(c->params, key, val) {
                const vd_param *p = param_find(m, key);
                /* null is how varlink spells an absent optional value */
                if (!p || (val && !type_valid(p->type, val)) || (!val && p->required))
                        return invalid_parameter(c, key);
        }
        for (size_t i = 0; i < VD_PARAMS_MAX && m->params[i].name; i++)
                if (m->params[i].required && !vd_has(c, m->params[i].name))
                        return invalid_parameter(c, m->params[i].name);
        return 0;
}

static json_object *param(const vd_call *c, const char *name) {
        json_object *v = NULL;

        return json_object_object_get_ex(c->params, name, &v) ? v : NULL;
}

bool vd_has(const vd_call *c, const char *name) {
        return param(c, name) != NULL;
}

const char *vd_str(const vd_call *c, const char *name) {
        json_object *v = param(c, name);

        return v ? json_object_get_string(v) : NULL;
}

bool vd_bool(const vd_call *c, const char *name) {
        json_object *v = param(c, name);

        return v && json_object_get_boolean(v);
}

int64_t vd_int(const vd_call *c, const char *name, int64_t def) {
        json_object *v = param(c, name);

        return v ? json_object_get_int64(v) : def;
}

int vd_uuid(const vd_call *c, const char *name, vport_uuid *ret) {
        const char *s = vd_str(c, name);

        return s ? vport_uuid_parse(s, ret) : -ENOENT;
}

int vd_mac(const vd_call *c, const char *name, vport_mac *ret) {
        const char *s = vd_str(c, name);

        return s ? vport_mac_parse(s, ret) : -ENOENT;
}

/* One name per failure kind a client can act on; everything else is Failed. */
const char *vd_error_name(int r) {
        static const struct {
                int code;
                const char *name;
        } map[] = {
                { ENOSPC, "io.vport.NoFreeDevice" },    { EINVAL, "io.vport.InvalidArgument" },
                { EILSEQ, "io.vport.InvalidArgument" }, { ERANGE, "io.vport.InvalidArgument" },
                { E2BIG, "io.vport.InvalidArgument" },  { EFBIG, "io.vport.InvalidArgument" },
                { EBUSY, "io.vport.DeviceBusy" },       { EADDRINUSE, "io.vport.DeviceBusy" },
                { ENOENT, "io.vport.NotFound" },        { ENODEV, "io.vport.NotFound" },
                { ENXIO, "io.vport.NotFound" },         { ESTALE, "io.vport.StaleGeneration" },
                { EPERM, "io.vport.PermissionDenied" }, { EACCES, "io.vport.PermissionDenied" },
                { EUCLEAN, "io.vport.StateDamaged" },   { EBADMSG, "io.vport.StateDamaged" },
                { EPROTO, "io.vport.StateDamaged" },    { EEXIST, "io.vport.AlreadyExists" },
                { EALREADY, "io.vport.AlreadyActive" }, { EHOSTDOWN, "io.vport.NetworkInactive" },
                { ENETDOWN, "io.vport.LinkDown" },      { EOPNOTSUPP, "io.vport.NotSupported" },
                { EROFS, "io.vport.PermissionDenied" },
        };

        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (map[i].code == -r)
                        return map[i].name;
        return "io.vport.Failed";
}

/* {message, code: "ENOENT", object: {kind, name}?} */
static void set_error(vd_call *c, const char *name, int r, const char *message) {
        const char *code = strerrorname_np(-r);

        c->error = name;
        json_object_put(c->error_params);
        c->error_params = json_object_new_object();
        json_object_object_add(c->error_params, "message", json_object_new_string(message));
        json_object_object_add(c->error_params, "code", json_object_new_string(code ? code : "EIO"));
        if (c->obj_kind) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "kind", json_object_new_string(c->obj_kind));
                json_object_object_add(o, "name", json_object_new_string(c->obj_name ? c->obj_name : ""));
                json_object_object_add(c->error_params, "object", o);
        }
}

int vd_fail(vd_call *c, int r) {
        set_error(c, vd_error_name(r), r, vport_error_message(&c->err, r));
        return r;
}

int vd_error(vd_call *c, const char *name, const char *fmt, ...) {
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        set_error(c, name, streq(name, "io.vport.PermissionDenied") ? -EPERM : -EINVAL, msg);
        return -EINVAL;
}

void vd_object(vd_call *c, const char *kind, const char *name) {
        c->obj_kind = kind;
        c->obj_name = name;
}

int vd_reply(vd_call *c, const char *key, json_object *value) {
        if (!c->reply)
                c->reply = json_object_new_object();
        json_object_object_add(c->reply, key, value);
        return 0;
}

int vd_check_port_owner(vd_call *c, const vport_port *p) {
        char u[VPORT_UUID_STRLEN], msg[200];
        int64_t creator = vport_port_get_creator_uid(p);

        /* A port of unknown creator (older than the record) is root's. */
        if (c->uid == 0 || (creator >= 0 && (uid_t) creator == c->uid))
                return 0;
        vport_uuid_format(vport_port_get_uuid(p), u);
        snprintf(msg, sizeof(msg), "port %s was created by uid %lld; only its creator or root may change it",
                 u, (long long) creator);
        vd_object(c, "port", u);
        set_error(c, "io.vport.PermissionDenied", -EPERM, msg);
        vd_object(c, NULL, NULL); /* u is gone with this frame */
        return -EPERM;
}
