/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Schema migrations (internal to the store). */
#pragma once

#include "store-internal.h"

/* The schema version this code writes (the number of migrations). */
int store_schema_version(void);

/* The migration steps; *ret_n is their number. */
const char *const *store_schema_steps(int *ret_n);

/* Read the file's schema version and refuse what this code must not use:
 * a newer schema (-EPROTO, naming both versions), or version 0 in a file
 * vport did not just create (-EUCLEAN: not a vport store). Reads only.
 * Returns the version or -errno. */
int store_schema_check(vport_store *s, vport_error *err);

/* Bring the database to store_schema_version() in one transaction; a no-op
 * when it is there already. An existing file is first checked in full and
 * copied to <path>.v<N>.bak (N: the version it holds). Returns 0, -EPROTO
 * for a database from a newer vport, -EUCLEAN if damaged, or -errno. */
int store_migrate(vport_store *s, vport_error *err);

/* store_migrate() with the steps given (tests add one to see a migration
 * happen). */
int store_migrate_steps(vport_store *s, const char *const *steps, int n, vport_error *err);
