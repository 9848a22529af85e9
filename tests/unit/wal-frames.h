/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pages in a state file's log, for tests that count what a commit wrote:
 * a frame is a page (4096 bytes, the store's page size) and its 24-byte
 * header, after the log's 32-byte header. 0 if there is no log. */
#pragma once

#include <sys/stat.h>

static inline long tu_wal_frames(const char *wal) {
        struct stat st;

        if (stat(wal, &st) < 0 || st.st_size < 32)
                return 0;
        return (long) (st.st_size - 32) / (4096 + 24);
}
