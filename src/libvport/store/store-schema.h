/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Schema migrations (internal to the store). */
#pragma once

#include "store-internal.h"

/* The schema version this code writes (the number of migrations). */
int store_schema_version(void);

/* Bring the database to store_schema_version() in one transaction; a no-op
 * when it is there already. Returns 0, -EPROTO for a database from a newer
 * vport, or -errno. */
int store_migrate(vport_store *s, vport_error *err);
