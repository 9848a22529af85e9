/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The socket side of varlink-wire.h, shared by vportd, the CLI's --connect
 * and vport-failover: listening, reading into an input buffer, sending a
 * whole buffer, and one blocking call. Not part of libvport. */
#pragma once

#include <json-c/json.h>
#include <sys/types.h>

#include "base/error.h"
#include "varlink-wire.h"

/* Listen on the Unix socket path (parent directory made if missing), mode
 * 0600 from the start (bound under a 0177 umask). A socket file nobody
 * listens on (left by a killed server) is replaced; one somebody listens
 * on is -EADDRINUSE; anything else at the path is -EEXIST (not ours).
 * Returns 0 with *ret_fd (non-blocking, close-on-exec) or -errno, err
 * naming the path. */
int vl_listen(const char *path, int *ret_fd, vport_error *err);

/* One recv() of at most chunk bytes into b. Returns the bytes read (> 0),
 * 0 at the end of the stream, -EAGAIN when nothing is there (or a signal
 * came), -ENOMEM or another -errno. */
ssize_t vl_inbuf_recv(vl_inbuf *b, int fd, size_t chunk);

/* Send len bytes, waiting up to timeout_ms (-1: no limit) each time the
 * socket is full. Returns 0, -ETIMEDOUT or -errno. */
int vl_send_all(int fd, const char *data, size_t len, int timeout_ms);

/* One call: connect to path, send {"method", "parameters"} (params taken,
 * may be NULL), wait for one reply of at most max_reply bytes (0:
 * VL_MESSAGE_MAX), timeout_ms per wait (-1: no limit). peer names the other
 * end in messages ("vportd", "the failover agent"). Returns 0 with
 * *ret_reply a JSON object (a reply or an error: the caller reads which),
 * or -errno with err saying "connecting to PEER at PATH: ...", "PEER closed
 * the connection before replying", ... */
int vl_call_sync(const char *path, const char *peer, const char *method, json_object *params,
                 size_t max_reply, int timeout_ms, json_object **ret_reply, vport_error *err);
