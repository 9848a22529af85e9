/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 802.1Qbg: lldpad tells the socket an association came from when the
 * switch ends a VSI. The daemon's context makes its associations from one
 * socket for its whole life, so it hears of them: each port named is
 * associated again by the library, and Monitor subscribers get a
 * "port-reassociated" event. A switch that still refuses is asked again
 * every VSI_RETRY_S seconds, VSI_RETRIES times ("port-reassociate-failed"
 * after each failure, with the message; the last one says it gave up). */
#include <stdio.h>
#include <time.h>

#include "method.h"
#include "server.h"
#include "vsi-watch.h"

#define VSI_RETRY_S     2
#define VSI_RETRIES     30
#define VSI_PENDING_MAX 64

typedef struct vsi_pending {
        vport_uuid port;
        unsigned tries;
} vsi_pending;

typedef struct vsi_watch {
        vport_ctx *ctx;
        vd_server *server;
        sd_event *event;
        sd_event_source *timer;
        vsi_pending pending[VSI_PENDING_MAX];
        size_t n_pending;
} vsi_watch;

static void emit(vsi_watch *w, const vport_uuid *port, int result, const char *message, bool final) {
        json_object *o = json_object_new_object();
        char u[VPORT_UUID_STRLEN];

        json_object_object_add(o, "uuid", json_object_new_string(vport_uuid_format(port, u)));
        if (result < 0) {
                json_object_object_add(o, "message", json_object_new_string(message ? message : ""));
                json_object_object_add(o, "retrying", json_object_new_boolean(!final));
        }
        vd_emit(w->server, result < 0 ? "port-reassociate-failed" : "port-reassociated", o);
}

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata);

static void arm(vsi_watch *w) {
        uint64_t now = 0;

        (void) sd_event_now(w->event, CLOCK_MONOTONIC, &now);
        if (!w->timer)
                (void) sd_event_add_time(w->event, &w->timer, CLOCK_MONOTONIC,
                                         now + VSI_RETRY_S * 1000000ULL, 0, on_timer, w);
        else {
                (void) sd_event_source_set_time(w->timer, now + VSI_RETRY_S * 1000000ULL);
                (void) sd_event_source_set_enabled(w->timer, SD_EVENT_ONESHOT);
        }
}

static void pending_add(vsi_watch *w, const vport_uuid *port) {
        for (size_t i = 0; i < w->n_pending; i++)
                if (!memcmp(&w->pending[i].port, port, sizeof(*port)))
                        return;
        if (w->n_pending < VSI_PENDING_MAX)
                w->pending[w->n_pending++] = (vsi_pending){ .port = *port };
        arm(w);
}

static void on_port(const vport_uuid *port, int result, const char *message, void *userdata) {
        vsi_watch *w = userdata;

        emit(w, port, result, message, false);
        if (result < 0)
                pending_add(w, port);
}

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        vsi_watch *w = userdata;
        size_t kept = 0;

        for (size_t i = 0; i < w->n_pending; i++) {
                vsi_pending p = w->pending[i];
                vport_error err = { 0 };
                int r = vport_port_reassociate(w->ctx, &p.port, &err);

                if (r == 0) /* the port was deleted or holds no association any more */
                        continue;
                p.tries++;
                emit(w, &p.port, r < 0 ? r : 0, vport_error_message(&err, r), p.tries >= VSI_RETRIES);
                if (r < 0 && p.tries < VSI_RETRIES)
                        w->pending[kept++] = p;
        }
        w->n_pending = kept;
        if (kept)
                arm(w);
        return 0;
}

static int on_readable(sd_event_source *src, int fd, uint32_t revents, void *userdata) {
        vsi_watch *w = userdata;
        vport_error err = { 0 };
        int r = vport_vsi_events_process(w->ctx, on_port, w, &err);

        if (r < 0)
                fprintf(stderr, "vportd: 802.1Qbg: %s\n", vport_error_message(&err, r));
        return 0; /* a bad message never stops the daemon */
}

int vd_vsi_watch(sd_event *event, vport_ctx *ctx, vd_server *server) {
        static vsi_watch w;
        vport_error err = { 0 };
        int fd = vport_vsi_event_fd(ctx, &err);

        if (fd < 0)
                return fd;
        w = (vsi_watch){ .ctx = ctx, .server = server, .event = event };
        return sd_event_add_io(event, NULL, fd, EPOLLIN, on_readable, &w);
}
