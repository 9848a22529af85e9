/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port checks shared by the port and usage files (internal to the store). */
#pragma once

#include "store-internal.h"

/* Returns 1 if a port with uuid exists (live or stale), 0 if not, or -errno. */
int port_exists(vport_store *s, const vport_uuid *uuid, vport_error *err);

/* Returns 0 if p->mac is held by no other port written under boot_id, else
 * -EADDRINUSE naming the holder, or -errno. */
int port_check_mac(vport_store *s, const store_port *p, const char *boot_id, vport_error *err);
