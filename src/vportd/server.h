/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The varlink server: a listening Unix socket and its clients under one
 * sd-event loop. Every socket is non-blocking and every client has its own
 * bounded buffers, so a slow or hostile client only ever stalls itself. */
#pragma once

#include <systemd/sd-event.h>

#include "core/vport.h"
#include "varlink-io.h"

typedef struct vd_server vd_server;
typedef struct vd_client vd_client;

#define VD_CLIENTS_MAX 1024        /* further connections are accepted and closed at once */
#define VD_OUTBUF_MAX  (64u << 20) /* replies a client does not read: past this it is dropped */

/* A server on fd (listening, non-blocking, CLOEXEC), taking it over, using
 * ctx for every call. Returns 0 or -errno. */
int vd_server_new(sd_event *event, vport_ctx *ctx, int fd, vd_server **ret);
void vd_server_free(vd_server *s); /* closes every client; NULL-safe */
size_t vd_server_n_clients(const vd_server *s);

/* Run one parsed call from a client with uid and append its answer (reply
 * or error; nothing for a oneway call) to *out. *ret_keep: the client is now
 * subscribed to events. Returns 0 or -ENOMEM. */
int vd_dispatch(vd_server *s, vd_client *client, uid_t uid, const vl_call *vc, char **out, size_t *out_len,
                bool *ret_keep);
