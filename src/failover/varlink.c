/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The minimal varlink transport the agent needs: each message one JSON
 * object ending in a NUL byte, over a Unix stream socket. A call is
 * {"method": "io.vport.Failover.X", "parameters": {...}}; a reply is
 * {"parameters": {...}} or {"error": "io.vport.Failover.Y", "parameters":
 * {...}}. (vportd's varlink server was being written at the same time; this
 * stays private to vport-failover until one shared piece exists.) */
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "failover.h"

/* A message larger than this is not one the agent sends or takes. */
#define FO_VARLINK_MAX     (256 * 1024)
#define FO_CALL_TIMEOUT_MS 10000

static int addr_make(const char *path, struct sockaddr_un *sa, vport_error *err) {
        *sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa->sun_path))
                return vport_error_set(err, -ENAMETOOLONG, "socket %s: path too long", path);
        strcpy(sa->sun_path, path);
        return 0;
}

static void mkdir_parent(const char *path) {
        char dir[sizeof(((struct sockaddr_un *) 0)->sun_path)];
        char *slash;

        snprintf(dir, sizeof(dir), "%s", path);
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = '\0';
                (void) mkdir(dir, 0755);
        }
}

int fo_varlink_listen(const char *path, int *ret_fd, vport_error *err) {
        struct sockaddr_un sa;
        _cleanup_close_ int fd = -1;
        int r = addr_make(path, &sa, err);

        if (r < 0)
                return r;
        mkdir_parent(path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return vport_error_set(err, -errno, "socket %s: %m", path);
        /* A socket file left by a killed agent: nobody listens on it. */
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0)
                return vport_error_set(err, -EADDRINUSE, "socket %s: another agent is listening", path);
        (void) unlink(path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 || listen(fd, 16) < 0)
                return vport_error_set(err, -errno, "socket %s: %m", path);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int fo_varlink_read(int fd, fo_varlink_buf *b, char **ret_msg) {
        char *nul;

        *ret_msg = NULL;
        for (;;) {
                char chunk[4096];
                ssize_t n;

                nul = b->len ? memchr(b->data, '\0', b->len) : NULL;
                if (nul)
                        break;
                n = recv(fd, chunk, sizeof(chunk), MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return 0;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -ECONNRESET;
                if (b->len + (size_t) n > FO_VARLINK_MAX)
                        return -EMSGSIZE;
                char *p = realloc(b->data, b->len + (size_t) n);
                if (!p)
                        return -ENOMEM;
                memcpy(p + b->len, chunk, (size_t) n);
                b->data = p;
                b->len += (size_t) n;
        }
        *ret_msg = strdup(b->data);
        if (!*ret_msg)
                return -ENOMEM;
        b->len -= (size_t) (nul - b->data) + 1;
        memmove(b->data, nul + 1, b->len);
        return 0;
}

int fo_varlink_send(int fd, json_object *msg) {
        const char *text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
        size_t len = strlen(text) + 1, off = 0;

        while (off < len) {
                ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                        struct pollfd pfd = { .fd = fd, .events = POLLOUT };

                        if (poll(&pfd, 1, FO_CALL_TIMEOUT_MS) <= 0)
                                return -ETIMEDOUT;
                        continue;
                }
                if (n < 0)
                        return -errno;
                off += (size_t) n;
        }
        return 0;
}

static int call_wait_reply(int fd, const char *path, json_object **ret_reply, vport_error *err) {
        fo_varlink_buf b = {};
        _cleanup_free_ char *msg = NULL;
        int r;

        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };

                r = poll(&pfd, 1, FO_CALL_TIMEOUT_MS);
                if (r == 0) {
                        r = vport_error_set(err, -ETIMEDOUT, "socket %s: no reply", path);
                        break;
                }
                r = r < 0 ? -errno : fo_varlink_read(fd, &b, &msg);
                if (r < 0) {
                        vport_error_set(err, r, "socket %s: reading the reply: %s", path, strerror(-r));
                        break;
                }
                if (msg)
                        break;
        }
        free(b.data);
        if (r < 0)
                return r;
        *ret_reply = json_tokener_parse(msg);
        if (!*ret_reply)
                return vport_error_set(err, -EBADMSG, "socket %s: the reply is not JSON", path);
        return 0;
}

int fo_varlink_call(const char *path, const char *method, json_object *params, json_object **ret_reply,
                    vport_error *err) {
        struct sockaddr_un sa;
        _cleanup_close_ int fd = -1;
        json_object *call;
        int r = addr_make(path, &sa, err);

        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return vport_error_set(err, -errno, "socket: %m");
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return vport_error_set(err, -errno,
                                       "connecting to %s (is 'vport-failover run' running?): %m", path);
        call = json_object_new_object();
        json_object_object_add(call, "method", json_object_new_string(method));
        json_object_object_add(call, "parameters",
                               params ? json_object_get(params) : json_object_new_object());
        r = fo_varlink_send(fd, call);
        json_object_put(call);
        if (r < 0)
                return vport_error_set(err, r, "socket %s: sending: %s", path, strerror(-r));
        return call_wait_reply(fd, path, ret_reply, err);
}
