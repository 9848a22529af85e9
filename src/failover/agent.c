/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vport-failover run`: one poll loop over the link watch, the varlink
 * socket and its clients. A link event marks the state dirty; once the
 * queue is read, every pair is compared with one fresh dump of the links
 * (level-triggered: merged or lost notifications change nothing).
 *
 * Leaving (SIGTERM) touches no data path: the redirects keep working
 * without the agent, which only needs to be back for the next change. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>

#include "failover.h"

#define FO_MAX_CLIENTS 16

typedef struct fo_client {
        int fd;
        vl_inbuf in;
} fo_client;

void fo_log(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        fputs("vport-failover: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}

fo_pair *fo_agent_find(fo_agent *a, const char *synth) {
        for (size_t i = 0; i < a->n_pairs; i++)
                if (streq(a->pairs[i].synth, synth))
                        return &a->pairs[i];
        return NULL;
}

int fo_agent_sync_all(fo_agent *a) {
        _cleanup_free_ vport_link *links = NULL;
        size_t n = 0;
        vport_error e = {};
        int r;

        r = a->ops->link_list(a->k, &links, &n, &e);
        if (r < 0) {
                fo_log("listing links: %s", vport_error_message(&e, r));
                return r;
        }
        for (size_t i = 0; i < a->n_pairs; i++)
                fo_pair_sync(a, &a->pairs[i], links, n);
        return 0;
}

static void on_link_event(vport_link_event_type type, const vport_link *link, void *userdata) {
        bool *dirty = userdata;

        *dirty = true;
}

static void client_close(fo_client *c) {
        close(c->fd);
        vl_inbuf_clear(&c->in);
        *c = (fo_client){ .fd = -1 };
}

/* Every complete call the client sent, answered in order. A message that is
 * not a call is answered with why, and ends the connection (< 0). */
static int client_answer(fo_agent *a, fo_client *c) {
        _cleanup_free_ char *out = NULL;
        size_t out_len = 0, len;
        const char *msg, *why = NULL;
        char too_large[64];
        int r;

        while ((r = vl_inbuf_next(&c->in, &msg, &len)) > 0) {
                vl_call call = {};

                r = vl_call_parse(msg, len, &call, &why);
                if (r >= 0)
                        r = fo_server_handle(a, &call, &out, &out_len);
                vl_call_clear(&call);
                if (r < 0)
                        break;
        }
        if (r == -EMSGSIZE) {
                snprintf(too_large, sizeof(too_large), "a message is limited to %d bytes", FO_MESSAGE_MAX);
                why = too_large;
        }
        if (r < 0 && why) {
                json_object *p = json_object_new_object();

                json_object_object_add(p, "message", json_object_new_string(why));
                (void) vl_error_append(&out, &out_len, "io.vport.Failover.InvalidMessage", p);
        }
        if (out_len > 0 && vl_send_all(c->fd, out, out_len, FO_CALL_TIMEOUT_MS) < 0)
                return -EPIPE;
        return r;
}

static void client_serve(fo_agent *a, fo_client *c) {
        ssize_t k;

        while ((k = vl_inbuf_recv(&c->in, c->fd, 4096)) > 0)
                if (client_answer(a, c) < 0) {
                        client_close(c);
                        return;
                }
        if (k != -EAGAIN) /* the end of the stream, or an error */
                client_close(c);
}

static void clients_accept(int listen_fd, fo_client *clients) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

        if (fd < 0)
                return;
        for (size_t i = 0; i < FO_MAX_CLIENTS; i++)
                if (clients[i].fd < 0) {
                        clients[i] = (fo_client){ .fd = fd, .in.max = FO_MESSAGE_MAX };
                        return;
                }
        close(fd); /* full: the caller sees a reset and may retry */
}

static int signals_open(void) {
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

typedef struct fo_fds {
        int watch, listen, sig;
} fo_fds;

/* One round: wait, then read the watch, accept, serve. Returns 1 to stop. */
static int loop_once(fo_agent *a, const fo_fds *f, fo_client *clients) {
        struct pollfd pfd[3 + FO_MAX_CLIENTS];
        bool dirty = false;
        vport_error e = {};
        size_t n = 3;
        int r;

        pfd[0] = (struct pollfd){ .fd = f->watch, .events = POLLIN };
        pfd[1] = (struct pollfd){ .fd = f->listen, .events = POLLIN };
        pfd[2] = (struct pollfd){ .fd = f->sig, .events = POLLIN };
        for (size_t i = 0; i < FO_MAX_CLIENTS; i++)
                pfd[n++] = (struct pollfd){ .fd = clients[i].fd, .events = POLLIN };
        if (poll(pfd, n, -1) < 0)
                return errno == EINTR ? 0 : -errno;
        if (pfd[2].revents)
                return 1;
        if (pfd[0].revents) {
                r = a->ops->link_watch_read(a->k, f->watch, on_link_event, &dirty, &e);
                if (r == -ENOBUFS)
                        fo_log("link notifications were dropped: re-reading every link");
                else if (r < 0)
                        fo_log("%s", vport_error_message(&e, r));
                if (dirty || r < 0)
                        (void) fo_agent_sync_all(a);
        }
        if (pfd[1].revents)
                clients_accept(f->listen, clients);
        for (size_t i = 0; i < FO_MAX_CLIENTS; i++)
                if (clients[i].fd >= 0 && pfd[3 + i].revents)
                        client_serve(a, &clients[i]);
        return 0;
}

static int agent_open(fo_agent *a, const char *socket_path, fo_fds *f, vport_error *err) {
        int r;

        r = kernel_open(&a->k, err);
        if (r >= 0)
                r = fo_state_load(a, err);
        /* Subscribe before the first dump: nothing can happen unseen in between. */
        if (r >= 0)
                r = a->ops->link_watch_open(a->k, &f->watch, err);
        if (r >= 0)
                r = vl_listen(socket_path, &f->listen, err);
        if (r >= 0 && (f->sig = signals_open()) < 0)
                r = vport_error_set(err, f->sig, "signalfd: %s", strerror(-f->sig));
        return r;
}

int fo_agent_run(const char *socket_path, const char *state_dir, const vport_kernel_ops *ops) {
        static fo_agent a;
        fo_client clients[FO_MAX_CLIENTS];
        fo_fds f = { -1, -1, -1 };
        vport_error e = {};
        int r;

        a.ops = ops;
        snprintf(a.state_dir, sizeof(a.state_dir), "%s", state_dir);
        for (size_t i = 0; i < FO_MAX_CLIENTS; i++)
                clients[i] = (fo_client){ .fd = -1 };
        r = agent_open(&a, socket_path, &f, &e);
        if (r < 0) {
                fo_log("%s", vport_error_message(&e, r));
        } else {
                fo_log("listening on %s, %zu pair(s) from %s", socket_path, a.n_pairs, state_dir);
                (void) fo_agent_sync_all(&a);
                while ((r = loop_once(&a, &f, clients)) == 0)
                        ;
                if (r < 0)
                        fo_log("poll: %s", strerror(-r));
                else
                        (void) unlink(socket_path);
        }
        for (size_t i = 0; i < FO_MAX_CLIENTS; i++)
                if (clients[i].fd >= 0)
                        client_close(&clients[i]);
        closep(&f.watch);
        closep(&f.listen);
        closep(&f.sig);
        kernel_close(a.k);
        return r < 0 ? r : 0;
}
