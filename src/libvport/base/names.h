/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names that reach paths, commands or the kernel are checked here first. */
#pragma once

#include "error.h"

#define VPORT_IFNAMSIZ 16 /* IFNAMSIZ: 15 chars + NUL */

/* A Linux interface name: 1..15 bytes of [A-Za-z0-9_.@+-] (a safe subset of
 * what the kernel takes: no '/', ':', whitespace or control characters),
 * not "." or "..". Returns 0 or -EINVAL with err naming the value. */
int ifname_check(const char *name, vport_error *err);

/* A network name: 1..200 bytes, printable, no '/', no leading '.', no
 * whitespace. Returns 0 or -EINVAL with err naming the value. */
int netname_check(const char *name, vport_error *err);
