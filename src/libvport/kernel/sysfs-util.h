/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small file helpers for sysfs. Paths are built by the callers from the
 * sysfs root, checked interface names and formatted PCI addresses only. */
#pragma once

#include <stddef.h>

/* Read the first line of path (newline stripped) into buf. Returns 0 or -errno. */
int sysfs_read_line(const char *path, char *buf, size_t size);

/* Write s to path in one write(). Returns 0 or -errno. */
int sysfs_write(const char *path, const char *s);

/* The last component of the target of symlink path into buf. Returns 0 or -errno. */
int sysfs_link_base(const char *path, char *buf, size_t size);

/* Entries of directory path not starting with '.', sorted; *ret is a
 * malloc'ed array of malloc'ed strings. Returns 0 or -errno. */
int sysfs_list_dir(const char *path, char ***ret, size_t *ret_n);

void kernel_strv_free_n(char **v, size_t n);
