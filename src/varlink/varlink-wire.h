/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The varlink wire format: NUL-terminated JSON objects on a stream socket.
 * Pure code (no sockets), so the fuzzer drives exactly what the daemon
 * runs on every byte a client sends. Shared by vportd, the CLI's --connect
 * and vport-failover (varlink-io.h has the socket side); not in libvport. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* A message (NUL included) may be at most this long; a longer one gets
 * io.vport.MessageTooLarge and the connection is closed. */
#define VL_MESSAGE_MAX (1u << 20)

/* Bytes received from one client and not yet handled. */
typedef struct vl_inbuf {
        char *data;
        size_t start;   /* first byte not handed out yet */
        size_t len;     /* end of the bytes held */
        size_t scanned; /* data[start..scanned) holds no NUL */
        size_t cap;
        size_t max; /* a message's limit, NUL included; 0: VL_MESSAGE_MAX */
} vl_inbuf;

void vl_inbuf_clear(vl_inbuf *b);

/* Room for at least want more bytes at data + len: what was handed out is
 * dropped first (messages from vl_inbuf_next() become invalid). The caller
 * reads only while vl_inbuf_next() is not -EMSGSIZE, so the buffer stays
 * below VL_MESSAGE_MAX + want. Returns 0 or -ENOMEM. */
int vl_inbuf_reserve(vl_inbuf *b, size_t want);

/* The next complete message: returns 1 with *ret (NUL-terminated, inside
 * the buffer, valid until vl_inbuf_reserve()) and *ret_len (without the
 * NUL); 0 when none is complete yet; -EMSGSIZE once the limit (max, else
 * VL_MESSAGE_MAX) arrived without a NUL. */
int vl_inbuf_next(vl_inbuf *b, const char **ret, size_t *ret_len);

/* One method call: {"method": "iface.Method", "parameters": {...}?,
 * "more": bool?, "oneway": bool?, "upgrade": bool?}. */
typedef struct vl_call {
        char *method;
        json_object *parameters; /* always an object (empty if none was sent) */
        bool more, oneway;
} vl_call;

void vl_call_clear(vl_call *c);

/* Parse one message into *ret. A message that is not a JSON object, or
 * whose method is missing, not a string or not "interface.Method", or whose
 * members have the wrong type, gives -EBADMSG with a reason in *ret_why
 * (static text). "upgrade" is refused (-EPROTONOSUPPORT). Returns 0 or
 * -errno. */
int vl_call_parse(const char *msg, size_t len, vl_call *ret, const char **ret_why);

/* The reply {"parameters": params, "continues": true?} or the error
 * {"error": name, "parameters": params} as one NUL-terminated message,
 * appended to *out. Takes params (may be NULL). Returns 0 or -ENOMEM. */
int vl_reply_append(char **out, size_t *out_len, json_object *params, bool continues);
int vl_error_append(char **out, size_t *out_len, const char *error, json_object *params);
