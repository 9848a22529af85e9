/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pages in a state file's log, for tests that count what a commit wrote:
 * the frames (a page and its 24-byte header, after the log's 32-byte
 * header) that carry the log header's salt. A checkpoint restarts the log
 * in place (store-wal.c): the frames of the round before stay in the file
 * behind the new ones, with the old salt, and SQLite reads none of them,
 * so neither does this. 0 if there is no log. */
#pragma once

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static inline long tu_wal_frames(const char *wal) {
        uint8_t hdr[32], frame[24];
        uint32_t page_size;
        long n = 0;
        int fd;

        fd = open(wal, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        if (pread(fd, hdr, sizeof(hdr), 0) != (ssize_t) sizeof(hdr)) {
                close(fd);
                return 0;
        }
        page_size = (uint32_t) hdr[8] << 24 | (uint32_t) hdr[9] << 16 | (uint32_t) hdr[10] << 8 | hdr[11];
        while (pread(fd, frame, sizeof(frame), 32 + (off_t) n * (page_size + 24)) ==
                       (ssize_t) sizeof(frame) &&
               memcmp(frame + 8, hdr + 16, 8) == 0)
                n++;
        close(fd);
        return n;
}

/* A frame's size in the log (its page and header), from the log's header:
 * 0 if there is no log. */
static inline long tu_wal_frame_size(const char *wal) {
        uint8_t hdr[12];
        int fd = open(wal, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : pread(fd, hdr, sizeof(hdr), 0);

        if (fd >= 0)
                close(fd);
        if (n != (ssize_t) sizeof(hdr))
                return 0;
        return (long) ((uint32_t) hdr[8] << 24 | (uint32_t) hdr[9] << 16 | (uint32_t) hdr[10] << 8 |
                       hdr[11]) +
               24;
}
