/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "base/macro.h"
#include "varlink-io.h"

#define VL_RECV_CHUNK 65536

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

/* What is at path already: nothing, or a socket nobody answers on (a killed
 * server's), is made room for; a live socket or any other file is refused. */
static int path_free(const char *path, int fd, const struct sockaddr_un *sa, vport_error *err) {
        struct stat st;

        if (lstat(path, &st) < 0)
                return 0;
        if (!S_ISSOCK(st.st_mode))
                return vport_error_set(err, -EEXIST, "socket %s: the path exists and is not a socket", path);
        if (connect(fd, (const struct sockaddr *) sa, sizeof(*sa)) == 0)
                return vport_error_set(err, -EADDRINUSE, "socket %s: a server is already listening on it",
                                       path);
        (void) unlink(path);
        return 0;
}

int vl_listen(const char *path, int *ret_fd, vport_error *err) {
        struct sockaddr_un sa;
        _cleanup_close_ int fd = -1;
        mode_t old;
        int r = addr_make(path, &sa, err);

        if (r < 0)
                return r;
        mkdir_parent(path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return vport_error_set(err, -errno, "socket %s: %m", path);
        if ((r = path_free(path, fd, &sa, err)) < 0)
                return r;
        old = umask(0177); /* no moment with a socket others could connect to */
        r = bind(fd, (struct sockaddr *) &sa, sizeof(sa));
        umask(old);
        if (r < 0 || listen(fd, SOMAXCONN) < 0)
                return vport_error_set(err, -errno, "socket %s: %m", path);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

ssize_t vl_inbuf_recv(vl_inbuf *b, int fd, size_t chunk) {
        ssize_t k;
        int r = vl_inbuf_reserve(b, chunk);

        if (r < 0)
                return r;
        k = recv(fd, b->data + b->len, chunk, MSG_DONTWAIT);
        if (k < 0)
                return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
        b->len += (size_t) k;
        return k;
}

static int wait_for(int fd, short events, int timeout_ms) {
        struct pollfd pfd = { .fd = fd, .events = events };
        int r = poll(&pfd, 1, timeout_ms);

        if (r < 0)
                return errno == EINTR ? 0 : -errno;
        return r == 0 ? -ETIMEDOUT : 0;
}

int vl_send_all(int fd, const char *data, size_t len, int timeout_ms) {
        while (len > 0) {
                ssize_t k = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
                int r;

                if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                        if ((r = wait_for(fd, POLLOUT, timeout_ms)) < 0)
                                return r;
                        continue;
                }
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                data += k, len -= (size_t) k;
        }
        return 0;
}

/* The first complete message on fd, parsed. */
static int reply_read(int fd, vl_inbuf *b, int timeout_ms, json_object **ret) {
        const char *msg;
        size_t len;
        int r;

        while ((r = vl_inbuf_next(b, &msg, &len)) == 0) {
                ssize_t k = vl_inbuf_recv(b, fd, VL_RECV_CHUNK);

                if (k == -EAGAIN)
                        k = wait_for(fd, POLLIN, timeout_ms) ?: 1; /* readable now: recv again */
                else if (k == 0)
                        return -ECONNRESET;
                if (k < 0)
                        return (int) k;
        }
        if (r < 0)
                return r;
        *ret = json_tokener_parse(msg);
        if (!*ret || !json_object_is_type(*ret, json_type_object)) {
                json_object_put(*ret);
                *ret = NULL;
                return -EBADMSG;
        }
        return 0;
}

static int call_send(int fd, const char *method, json_object *params) {
        json_object *call = json_object_new_object();
        const char *s;
        int r;

        json_object_object_add(call, "method", json_object_new_string(method));
        json_object_object_add(call, "parameters", params ? params : json_object_new_object());
        s = json_object_to_json_string_ext(call, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        r = vl_send_all(fd, s, strlen(s) + 1, -1);
        json_object_put(call);
        return r;
}

static int call_error(int r, const char *path, const char *peer, size_t max, vport_error *err) {
        switch (r) {
        case -ECONNRESET:
                return vport_error_set(err, r, "%s at %s closed the connection before replying", peer, path);
        case -ETIMEDOUT:
                return vport_error_set(err, r, "%s at %s: no reply", peer, path);
        case -EMSGSIZE:
                return vport_error_set(err, r, "%s at %s: the reply is larger than %zu bytes", peer, path,
                                       max);
        case -EBADMSG:
                return vport_error_set(err, r, "%s at %s sent a reply that is not a JSON object", peer,
                                       path);
        default:
                return vport_error_set(err, r, "%s at %s: %s", peer, path, strerror(-r));
        }
}

int vl_call_sync(const char *path, const char *peer, const char *method, json_object *params,
                 size_t max_reply, int timeout_ms, json_object **ret_reply, vport_error *err) {
        struct sockaddr_un sa;
        _cleanup_close_ int fd = -1;
        vl_inbuf b = { .max = max_reply };
        int r = addr_make(path, &sa, err);

        if (r < 0) {
                json_object_put(params);
                return r;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                r = vport_error_set(err, -errno, "connecting to %s at %s: %m", peer, path);
                json_object_put(params);
                return r;
        }
        r = call_send(fd, method, params);
        if (r >= 0)
                r = reply_read(fd, &b, timeout_ms, ret_reply);
        vl_inbuf_clear(&b);
        return r < 0 ? call_error(r, path, peer, max_reply ? max_reply : VL_MESSAGE_MAX, err) : 0;
}
