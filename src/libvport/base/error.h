/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library's error object. Every fallible function returns int: < 0 is
 * -errno. Where a human needs more, it also fills a vport_error (which may be
 * NULL) with one line naming the device, element, attribute or value. The
 * library never prints; the CLI and daemon do. */
#pragma once

#include "macro.h"
#include "vport/types.h" /* vport_error: part of the public API */

/* Record code (a negative errno) and a formatted message in err (may be
 * NULL). Returns code, so callers write: return vport_error_set(err, -EINVAL, ...). */
int vport_error_set(vport_error *err, int code, const char *fmt, ...) _printf_(3, 4);

/* Put "context: " in front of the message already in err (or in front of
 * strerror(-code) if err holds none) and set err->code = code. Returns code. */
int vport_error_prefix(vport_error *err, int code, const char *fmt, ...) _printf_(3, 4);

/* Returns true if err holds a message. */
bool vport_error_isset(const vport_error *err);

void vport_error_clear(vport_error *err);

/* err's message, or strerror(-code) if it holds none. Never NULL. */
const char *vport_error_message(const vport_error *err, int code);
