/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vport --connect: a verb's request sent to vportd over varlink instead of
 * running in this process. The daemon answers with the objects --json
 * prints (the library's one JSON builder), so both paths print alike. */
#include <sys/socket.h>
#include <sys/un.h>

#include "cli.h"

#define CLI_REPLY_MAX (64u << 20)

static int connect_socket(vport_cli *cli, int *ret) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;

        if (strlen(cli->connect) >= sizeof(sa.sun_path))
                return vport_error_set(&cli->err, -ENAMETOOLONG, "connecting to %s: path too long",
                                       cli->connect);
        strcpy(sa.sun_path, cli->connect);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return vport_error_set(&cli->err, -errno, "connecting to vportd at %s: %s", cli->connect,
                                       strerror(errno));
        *ret = TAKE_FD(fd);
        return 0;
}

static int send_all(vport_cli *cli, int fd, const char *s, size_t n) {
        while (n > 0) {
                ssize_t k = send(fd, s, n, MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return vport_error_set(&cli->err, -errno, "sending to vportd: %s", strerror(errno));
                s += k, n -= (size_t) k;
        }
        return 0;
}

/* One NUL-terminated message. */
static int recv_message(vport_cli *cli, int fd, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        for (;;) {
                ssize_t k;
                if (len + 4096 > cap) {
                        char *n = cap >= CLI_REPLY_MAX ? NULL : realloc(buf, cap = cap ? cap * 2 : 65536);
                        if (!n)
                                return vport_error_set(&cli->err, -ENOMEM, "vportd's reply is too large");
                        buf = n;
                }
                k = recv(fd, buf + len, cap - len, 0);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return vport_error_set(&cli->err, k < 0 ? -errno : -ECONNRESET,
                                               "vportd closed the connection before replying");
                if (memchr(buf + len, '\0', (size_t) k))
                        break;
                len += (size_t) k;
        }
        *ret = TAKE_PTR(buf);
        return 0;
}

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
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *reply = NULL;
        json_object *call = json_object_new_object(), *o, *p = NULL;
        const char *error;
        int r;

        vport_error_clear(&cli->err);
        json_object_object_add(call, "method", json_object_new_string(method));
        json_object_object_add(call, "parameters", params);
        r = connect_socket(cli, &fd);
        if (r >= 0) {
                const char *s = json_object_to_json_string_ext(call, JSON_C_TO_STRING_PLAIN);
                r = send_all(cli, fd, s, strlen(s) + 1);
        }
        json_object_put(call);
        if (r < 0 || (r = recv_message(cli, fd, &reply)) < 0)
                return r;
        o = json_tokener_parse(reply);
        if (!o || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return vport_error_set(&cli->err, -EPROTO, "vportd sent a reply that is not a JSON object");
        }
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
