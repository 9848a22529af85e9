/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vport --connect: a verb's request sent to vportd over varlink instead of
 * running in this process. The daemon answers with the objects --json
 * prints (the library's one JSON builder), so both paths print alike. */
#include "cli.h"
#include "varlink-io.h"

#define CLI_REPLY_MAX (64u << 20)

static const char *member_str(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                       ? json_object_get_string(v)
                       : NULL;
}

/* "ENOENT" -> -ENOENT; unknown: -EIO. */
static int errno_from_name(const char *name) {
        for (int e = 1; name && e < 134; e++)
                if (strerrorname_np(e) && streq(strerrorname_np(e), name))
                        return -e;
        return -EIO;
}

/* The daemon's notices, printed as the library's would be. */
static void take_notices(vport_cli *cli, json_object *params) {
        json_object *n;

        if (params && json_object_object_get_ex(params, "notices", &n) && n) {
                cli->notices = json_object_get(n);
                json_object_object_del(params, "notices");
        }
}

/* A varlink error as the library's error: the message and the errno it carried. */
static int reply_error(vport_cli *cli, const char *error, json_object *params) {
        const char *msg = member_str(params, "message");

        if (msg)
                return vport_error_set(&cli->err, errno_from_name(member_str(params, "code")), "%s", msg);
        if (streq(error, "org.varlink.service.InvalidParameter"))
                return vport_error_set(&cli->err, -EINVAL, "vportd refused parameter '%s'",
                                       strempty(member_str(params, "parameter")));
        return vport_error_set(&cli->err, -EPROTO, "vportd: %s", error);
}

int cli_call(vport_cli *cli, const char *method, json_object *params, json_object **ret) {
        json_object *o = NULL, *p = NULL;
        const char *error;
        int r;

        vport_error_clear(&cli->err);
        /* no time limit: a call may rightly take long (net-destroy of many ports) */
        r = vl_call_sync(cli->connect, "vportd", method, params, CLI_REPLY_MAX, -1, &o, &cli->err);
        if (r < 0)
                return r;
        json_object_object_get_ex(o, "parameters", &p);
        take_notices(cli, p);
        if ((error = member_str(o, "error"))) {
                r = reply_error(cli, error, p);
                if (p && ret && json_object_object_get_ex(p, "result", NULL)) /* net-destroy half-way */
                        *ret = json_object_get(p);
                json_object_put(o);
                return r;
        }
        *ret = p ? json_object_get(p) : json_object_new_object();
        json_object_put(o);
        return 0;
}

json_object *cli_take(json_object *reply, const char *key) {
        json_object *v = NULL;

        if (reply && json_object_object_get_ex(reply, key, &v))
                json_object_get(v);
        json_object_put(reply);
        return v;
}
