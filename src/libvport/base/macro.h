/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small ownership and convenience helpers shared by every layer. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f)   __attribute__((cleanup(f)))
#define _unused_       __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

/* Hand ownership over: returns the value and clears the variable so its
 * cleanup handler does nothing. */
#define TAKE_PTR(p)                         \
        ({                                  \
                __typeof__(p) _take_ = (p); \
                (p) = NULL;                 \
                _take_;                     \
        })
#define TAKE_FD(fd)                   \
        ({                            \
                int _take_fd_ = (fd); \
                (fd) = -1;            \
                _take_fd_;            \
        })

/* Declares static inline void funcp(type *p) that calls func(*p) if set. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) \
        static inline void func##p(type *p) {   \
                if (*p)                         \
                        func(*p);               \
        }

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Return r from the current function if expr is false: guards at the API edge. */
#define assert_return(expr, r)      \
        do {                        \
                if (!(expr))        \
                        return (r); \
        } while (0)

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

/* The lower-case hex digit of the low 4 bits of x. */
static inline char hexchar(unsigned x) {
        return "0123456789abcdef"[x & 0xf];
}

/* The value of one hex digit, or -EINVAL. */
static inline int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

static inline const char *strempty(const char *s) {
        return s ? s : "";
}

/* Look a string up in a NULL-terminated-or-sized table; returns the index or
 * -EINVAL. Used by every enum's *_from_string(). */
static inline int string_table_lookup(const char *const *table, size_t n, const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int) i;
        return -EINVAL;
}

#define DEFINE_STRING_TABLE_LOOKUP(name, type)                                         \
        const char *name##_to_string(type v) {                                         \
                if ((size_t) v >= ELEMENTSOF(name##_table))                            \
                        return NULL;                                                   \
                return name##_table[v];                                                \
        }                                                                              \
        int name##_from_string(const char *s) {                                        \
                return string_table_lookup(name##_table, ELEMENTSOF(name##_table), s); \
        }
