/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port checks shared by the store's files (internal to the store). */
#pragma once

#include "store-internal.h"

/* Returns 1 if a port with uuid exists (live or stale), 0 if not, or -errno. */
int store_port_exists(vport_store *s, const vport_uuid *uuid, vport_error *err);
