/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>

#include "base/macro.h"
#include "kernel/sysfs-util.h"

int sysfs_read_line(const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, size - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return 0;
}

/* O_TRUNC is harmless on sysfs attributes and keeps a plain file (as in
 * the unit tests' fake tree) holding exactly the last value written. */
int sysfs_write(const char *path, const char *s) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        size_t len = strlen(s);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = write(fd, s, len);
        if (n < 0)
                return -errno;
        return (size_t) n == len ? 0 : -EIO;
}

int sysfs_link_base(const char *path, char *buf, size_t size) {
        char target[PATH_MAX];
        const char *base;
        ssize_t n;

        n = readlink(path, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        base = strrchr(target, '/');
        base = base ? base + 1 : target;
        if (strlen(base) >= size)
                return -ENAMETOOLONG;
        strcpy(buf, base);
        return 0;
}

static int strv_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

void kernel_strv_free_n(char **v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
}

static int strv_push(char ***v, size_t *n, const char *s) {
        char **p = reallocarray(*v, *n + 1, sizeof(char *));

        if (!p)
                return -ENOMEM;
        *v = p;
        p[*n] = strdup(s);
        if (!p[*n])
                return -ENOMEM;
        (*n)++;
        return 0;
}

int sysfs_list_dir(const char *path, char ***ret, size_t *ret_n) {
        DIR *d = opendir(path);
        char **v = NULL;
        size_t n = 0;
        struct dirent *de;
        int r = 0;

        if (!d)
                return -errno;
        while (r >= 0 && (de = readdir(d)))
                if (de->d_name[0] != '.')
                        r = strv_push(&v, &n, de->d_name);
        closedir(d);
        if (r < 0) {
                kernel_strv_free_n(v, n);
                return r;
        }
        if (n > 1)
                qsort(v, n, sizeof(char *), strv_cmp);
        *ret = v;
        *ret_n = n;
        return 0;
}
