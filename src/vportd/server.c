/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <sys/socket.h>

#include "method.h"
#include "server.h"
#include "varlink-wire.h"

#define VD_READ_CHUNK (64u << 10) /* bytes read per wake-up: one client cannot hog the loop */

struct vd_client {
        vd_server *server;
        int fd;
        sd_event_source *io;
        struct ucred cred;
        vl_inbuf in;
        char *out;
        size_t out_len, out_pos; /* out[out_pos..out_len) still to send */
        bool monitor;            /* subscribed to events (Monitor with more) */
        bool closing;            /* close once out is sent */
        vd_client *prev, *next;
};

struct vd_server {
        sd_event *event;
        vport_ctx *ctx;
        int fd;
        sd_event_source *listen;
        vd_client *clients;
        size_t n_clients;
        uint64_t seq; /* of the last event */
};

vport_ctx *vd_ctx(vd_call *c) {
        return c->server->ctx;
}

size_t vd_server_n_clients(const vd_server *s) {
        return s->n_clients;
}

static void client_free(vd_client *c) {
        vd_server *s = c->server;

        if (c->prev)
                c->prev->next = c->next;
        else
                s->clients = c->next;
        if (c->next)
                c->next->prev = c->prev;
        s->n_clients--;
        sd_event_source_disable_unref(c->io);
        close(c->fd);
        vl_inbuf_clear(&c->in);
        free(c->out);
        free(c);
}

/* Wait for readable while the client may send and its replies are read;
 * for writable while replies are pending. */
static int client_update_events(vd_client *c) {
        uint32_t ev = 0;
        bool pending = c->out_pos < c->out_len;

        if (!c->closing && c->out_len - c->out_pos < VD_READ_CHUNK)
                ev |= EPOLLIN; /* back-pressure: a client that does not read gets no more work done */
        if (pending)
                ev |= EPOLLOUT;
        if (!pending && c->closing)
                return -ECONNRESET;
        return sd_event_source_set_io_events(c->io, ev);
}

static int client_flush(vd_client *c) {
        while (c->out_pos < c->out_len) {
                ssize_t k = send(c->fd, c->out + c->out_pos, c->out_len - c->out_pos,
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        break;
                if (k < 0)
                        return -errno; /* gone mid-reply: dropped by the caller */
                c->out_pos += (size_t) k;
        }
        if (c->out_pos == c->out_len) {
                c->out_pos = c->out_len = 0;
        } else if (c->out_pos > c->out_len / 2) {
                memmove(c->out, c->out + c->out_pos, c->out_len - c->out_pos);
                c->out_len -= c->out_pos;
                c->out_pos = 0;
        }
        if (c->out_len > VD_OUTBUF_MAX)
                return -ENOBUFS;
        return client_update_events(c);
}

/* A protocol violation: one error naming it, then the connection ends. */
static void client_protocol_error(vd_client *c, const char *error, const char *why) {
        json_object *p = json_object_new_object();

        json_object_object_add(p, "message", json_object_new_string(why));
        (void) vl_error_append(&c->out, &c->out_len, error, p);
        c->closing = true;
}

static bool may_call(const vd_method *m, vd_call *call) {
        if (!(m->flags & VD_ROOT) || call->uid == 0)
                return true;
        vd_error(call, "io.vport.PermissionDenied", "%s: only root may call it", m->name);
        return false;
}

/* Find, check and run the method; the answer is in call. */
static void call_run(vd_call *call, const vl_call *vc) {
        const vd_method *m = vd_method_find(vc->method);

        if (!m) {
                call->error = "org.varlink.service.MethodNotFound";
                call->error_params = json_object_new_object();
                json_object_object_add(call->error_params, "method", json_object_new_string(vc->method));
                return;
        }
        if (vd_params_check(m, call) < 0 || !may_call(m, call))
                return;
        vport_ctx_clear_notices(call->server->ctx);
        (void) m->run(call);
}

/* What the library said although it worked ("notices": [...]), for the
 * client to show as the CLI does. */
static void add_notices(vd_server *s, vd_call *call) {
        const char *const *notes;
        size_t n = s ? vport_ctx_notices(s->ctx, &notes) : 0;
        json_object *a, **target = call->error ? &call->error_params : &call->reply;

        if (n == 0)
                return;
        if (!*target)
                *target = json_object_new_object();
        a = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, json_object_new_string(notes[i]));
        json_object_object_add(*target, "notices", a);
        vport_ctx_clear_notices(s->ctx);
}

int vd_dispatch(vd_server *s, vd_client *client, uid_t uid, const vl_call *vc, char **out, size_t *out_len,
                bool *ret_keep) {
        vd_call call = {
                .server = s, .client = client, .params = vc->parameters, .uid = uid, .more = vc->more
        };
        int r;

        call_run(&call, vc);
        add_notices(s, &call);
        *ret_keep = call.keep && !call.error;
        if (vc->oneway && !call.keep) { /* no reply wanted */
                json_object_put(call.reply);
                json_object_put(call.error_params);
                return 0;
        }
        if (call.error) {
                json_object_put(call.reply);
                return vl_error_append(out, out_len, call.error, call.error_params);
        }
        r = vl_reply_append(out, out_len, call.reply, call.keep);
        return r;
}

static int client_handle(vd_client *c, const char *msg, size_t len) {
        vl_call vc = { 0 };
        const char *why;
        bool keep = false;
        int r;

        r = vl_call_parse(msg, len, &vc, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                client_protocol_error(c, "io.vport.InvalidMessage", why);
                return 0;
        }
        r = vd_dispatch(c->server, c, c->cred.uid, &vc, &c->out, &c->out_len, &keep);
        c->monitor |= keep;
        vl_call_clear(&vc);
        return r;
}

/* Every complete message in the buffer, in order (varlink answers in order). */
static int client_process(vd_client *c) {
        const char *msg;
        size_t len;
        int r;

        while (!c->closing && (r = vl_inbuf_next(&c->in, &msg, &len)) != 0) {
                if (r == -EMSGSIZE) {
                        char why[96];
                        snprintf(why, sizeof(why), "a message is limited to %u bytes", VL_MESSAGE_MAX);
                        client_protocol_error(c, "io.vport.MessageTooLarge", why);
                        break;
                }
                if ((r = client_handle(c, msg, len)) < 0)
                        return r;
        }
        return 0;
}

static int client_read(vd_client *c) {
        ssize_t k = vl_inbuf_recv(&c->in, c->fd, VD_READ_CHUNK);

        if (k == -EAGAIN)
                return 0;
        if (k < 0)
                return (int) k;
        if (k == 0) { /* the client is done sending: answer what it asked, then close */
                c->closing = true;
                return 0;
        }
        return client_process(c);
}

static int client_io(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        vd_client *c = userdata;
        int r = 0;

        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                r = client_read(c);
        if (r >= 0)
                r = client_flush(c);
        if (r < 0)
                client_free(c);
        return 0;
}

static int client_new(vd_server *s, int fd, vd_client **ret) {
        socklen_t len = sizeof(struct ucred);
        vd_client *c = calloc(1, sizeof(*c));
        int r;

        if (!c) {
                close(fd);
                return -ENOMEM;
        }
        c->server = s;
        c->fd = fd;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) < 0) {
                free(c);
                close(fd);
                return -errno;
        }
        r = sd_event_add_io(s->event, &c->io, fd, EPOLLIN, client_io, c);
        if (r < 0) {
                free(c);
                close(fd);
                return r;
        }
        c->next = s->clients;
        if (s->clients)
                s->clients->prev = c;
        s->clients = c;
        s->n_clients++;
        *ret = c;
        return 0;
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        vd_server *s = userdata;
        vd_client *c = NULL;
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (cfd < 0)
                return 0; /* EAGAIN, or a client that left before we got to it */
        if (s->n_clients >= VD_CLIENTS_MAX) {
                close(cfd);
                return 0;
        }
        /* A client sends its call right after connecting (vport --connect,
         * a VM manager's one call): it is mostly there already, and read
         * now instead of after one more round through the loop. */
        if (client_new(s, cfd, &c) >= 0)
                (void) client_io(c->io, cfd, EPOLLIN, c);
        return 0;
}

static bool any_monitor(const vd_server *s) {
        for (const vd_client *c = s->clients; c; c = c->next)
                if (c->monitor && !c->closing)
                        return true;
        return false;
}

void vd_emit(vd_server *s, const char *kind, json_object *object) {
        json_object *e;

        ++s->seq; /* numbered whether or not anybody listens */
        if (!any_monitor(s)) {
                json_object_put(object);
                return;
        }
        e = json_object_new_object();
        json_object_object_add(e, "seq", json_object_new_int64((int64_t) s->seq));
        json_object_object_add(e, "kind", json_object_new_string(kind));
        json_object_object_add(e, "object", object);
        for (vd_client *c = s->clients, *next; c; c = next) {
                json_object *p = json_object_new_object();
                next = c->next;
                if (!c->monitor || c->closing) {
                        json_object_put(p);
                        continue;
                }
                json_object_object_add(p, "event", json_object_get(e));
                /* the method's own client flushes after its reply; others now */
                if (vl_reply_append(&c->out, &c->out_len, p, true) < 0 || client_flush(c) < 0) {
                        /* dropped on its next wake-up, which writable makes immediate */
                        c->closing = true, c->monitor = false;
                        (void) sd_event_source_set_io_events(c->io, EPOLLOUT);
                }
        }
        json_object_put(e);
}

int vd_server_new(sd_event *event, vport_ctx *ctx, int fd, vd_server **ret) {
        vd_server *s = calloc(1, sizeof(*s));
        int r;

        if (!s)
                return -ENOMEM;
        s->event = sd_event_ref(event);
        s->ctx = ctx;
        s->fd = fd;
        r = sd_event_add_io(event, &s->listen, fd, EPOLLIN, on_accept, s);
        if (r < 0) {
                sd_event_unref(s->event);
                free(s);
                return r;
        }
        *ret = s;
        return 0;
}

void vd_server_free(vd_server *s) {
        if (!s)
                return;
        while (s->clients)
                client_free(s->clients);
        sd_event_source_disable_unref(s->listen);
        close(s->fd);
        sd_event_unref(s->event);
        free(s);
}
