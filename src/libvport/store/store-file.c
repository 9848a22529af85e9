/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state directory and the database file as files: who may touch them,
 * and how a new database comes into being (complete, or not at all). */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "store-internal.h"
#include "store-schema.h"

/* Add a line to s->notice. */
static _printf_(2, 3) void store_add_notice(vport_store *s, const char *fmt, ...) {
        _cleanup_free_ char *line = NULL;
        char *joined;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&line, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if (!s->notice) {
                s->notice = TAKE_PTR(line);
                return;
        }
        if (asprintf(&joined, "%s\n%s", s->notice, line) < 0)
                return;
        free(s->notice);
        s->notice = joined;
}

/* mkdir -p: parents as 0755, the state directory itself 0700. */
static int store_mkdir_parents(const char *dir) {
        _cleanup_free_ char *p = strdup(dir);

        if (!p)
                return -ENOMEM;
        for (char *slash = strchr(p + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = '\0';
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *slash = '/';
        }
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* The database decides which devices guests get and what MAC a VF is
 * restored to: nobody but its owner may be able to swap it under us (that
 * is refused: the content can no longer be trusted). It also names every
 * VM and its MACs, which nobody else needs to read: that is only tightened,
 * since nothing was changed through it. */
static int store_check_owner_mode(vport_store *s, const char *kind, const char *path, int fd,
                                  const struct stat *st, vport_error *err) {
        mode_t mode = st->st_mode & 07777;

        if (st->st_uid != geteuid())
                return vport_error_set(err, -EPERM, "%s %s is owned by uid %u, not %u", kind, path,
                                       (unsigned) st->st_uid, (unsigned) geteuid());
        if (mode & (S_IWGRP | S_IWOTH))
                return vport_error_set(err, -EPERM,
                                       "%s %s is group or world writable (%04o): others could have changed "
                                       "it; check it, then make it writable by its owner only",
                                       kind, path, (unsigned) mode);
        if (!(mode & 077))
                return 0;
        if ((fd >= 0 ? fchmod(fd, mode & ~077) : chmod(path, mode & ~077)) < 0)
                return vport_error_set(err, -errno, "%s %s: tightening mode %04o: %s", kind, path,
                                       (unsigned) mode, strerror(errno));
        store_add_notice(s, "%s %s was mode %04o, now %04o", kind, path, (unsigned) mode,
                         (unsigned) (mode & ~077));
        return 0;
}

int store_file_prepare_dir(vport_store *s, const char *dir, vport_error *err) {
        struct stat st;
        int r;

        r = stat(dir, &st);
        if (r < 0 && errno == ENOENT) {
                if (s->flags & STORE_OPEN_READ_ONLY)
                        return 0;
                r = store_mkdir_parents(dir);
                if (r < 0)
                        return vport_error_set(err, r, "state directory %s: cannot create: %s", dir,
                                               strerror(-r));
                r = stat(dir, &st);
        }
        if (r < 0)
                return vport_error_set(err, -errno, "state directory %s: %s", dir, strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return vport_error_set(err, -ENOTDIR, "state directory %s is not a directory", dir);
        r = store_check_owner_mode(s, "state directory", dir, -1, &st, err);
        return r < 0 ? r : 1;
}

/* Tighten a mode through a descriptor of the file lstat() described (not
 * something swapped in since). Returns 0 or -errno. */
static int store_tighten_file(vport_store *s, const char *path, const struct stat *st, vport_error *err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat now;

        if (fd < 0 || fstat(fd, &now) < 0)
                return vport_error_set(err, -errno, "state file %s: %s", path, strerror(errno));
        if (now.st_dev != st->st_dev || now.st_ino != st->st_ino)
                return vport_error_set(err, -EBUSY, "state file %s was replaced while being checked", path);
        return store_check_owner_mode(s, "state file", path, fd, &now, err);
}

/* lstat(), not open() and fstat(): the same checks in one call instead of
 * three (a command opens the store once), and what it finds of the file
 * and its log is what the checked stamp compares at open (ret, if not
 * NULL). Returns 1 if path exists (and passed), 0 if not, or -errno. */
static int store_check_one(vport_store *s, const char *path, bool database, store_stamp_file *ret,
                           vport_error *err) {
        struct stat st;
        int r;

        if (lstat(path, &st) < 0)
                return errno == ENOENT
                               ? 0
                               : vport_error_set(err, -errno, "state file %s: %s", path, strerror(errno));
        if (S_ISLNK(st.st_mode))
                return vport_error_set(err, -ELOOP, "state file %s: is a symbolic link", path);
        if (!S_ISREG(st.st_mode))
                return vport_error_set(err, -EPERM, "state file %s is not a regular file", path);
        r = st.st_mode & 077 ? store_tighten_file(s, path, &st, err)
                             : store_check_owner_mode(s, "state file", path, -1, &st, err);
        if (r < 0)
                return r;
        /* vport links a new database into place complete (store_file_create),
         * so an empty one is not a new store: taking it for one would forget
         * every network. */
        if (database && st.st_size == 0)
                return vport_error_set(err, -EUCLEAN,
                                       "state file %s is empty (0 bytes), not a vport store; vport will not "
                                       "use it. To recover: with no vport running, move it and its -wal "
                                       "and -shm files away, then restore a copy (%s%s, if there is one) "
                                       "or start with an empty store",
                                       path, path, STORE_LAST_GOOD_SUFFIX);
        if (ret)
                store_stamp_file_from(&st, database, ret);
        return 1;
}

/* The log stays beside the file between processes: without the file it
 * holds the last commits of a file that was moved or deleted, which a new
 * file must not get (SQLite would apply them to it). Returns 0 or
 * -EUCLEAN. */
static int store_check_orphan_log(vport_store *s, vport_error *err) {
        _cleanup_free_ char *wal = NULL;
        struct stat st;

        if (asprintf(&wal, "%s-wal", s->path) < 0)
                return vport_error_set(err, -ENOMEM, "out of memory");
        if (lstat(wal, &st) < 0 || st.st_size == 0)
                return 0;
        return vport_error_set(err, -EUCLEAN,
                               "state file %s is missing, but its log %s is there (the last changes of the "
                               "file that was moved away). To recover: put the file back, or with no vport "
                               "running move %s and %s-shm away too to start with an empty store",
                               s->path, wal, wal, s->path);
}

int store_file_check(vport_store *s, vport_error *err) {
        static const char *const companions[] = { "-wal", "-shm" };
        store_stamp_file *found[] = { &s->found_wal, NULL };
        int exists, r;

        exists = store_check_one(s, s->path, true, &s->found_db, err);
        if (exists < 0)
                return exists;
        for (size_t i = 0; i < ELEMENTSOF(companions); i++) {
                _cleanup_free_ char *p = NULL;

                if (asprintf(&p, "%s%s", s->path, companions[i]) < 0)
                        return vport_error_set(err, -ENOMEM, "out of memory");
                r = store_check_one(s, p, false, found[i], err);
                if (r < 0)
                        return r;
        }
        if (exists == 0)
                return store_check_orphan_log(s, err);
        return exists;
}

/* The new database, in tmp: WAL mode, every migration. The connection is
 * closed, so its log is checkpointed into tmp and removed. */
static int store_build(vport_store *s, const char *tmp, vport_error *err) {
        vport_store t = { .path = (char *) tmp, .flags = s->flags, .creating = true, .stamp_fd = -1 };
        int r, rc;

        rc = sqlite3_open_v2(tmp, &t.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
        r = rc == SQLITE_OK ? 0 : store_sql_error(&t, rc, err, "creating the database");
        /* 2 KiB pages (a file made before keeps its own: only rebuilding a
         * file changes them). Every command's first open rebuilds the log's
         * index by reading and checksumming each frame, and a port's
         * commits write ~14 pages that each hold a row or an index entry
         * or two: at 2 KiB a port writes ~17 frames of half the bytes, and
         * a direct create+prepare runs ~7% fewer instructions
         * (bench/README.md, "The store's per-process cost, again"). */
        if (r >= 0)
                r = store_exec(&t, "PRAGMA page_size = 2048", "setting the page size", err);
        if (r >= 0)
                r = store_configure(&t, err);
        if (r >= 0)
                r = store_migrate(&t, err);
        store_stmt_cache_clear(&t);
        rc = sqlite3_close(t.db);
        if (r >= 0 && rc != SQLITE_OK)
                r = vport_error_set(err, -EIO, "state file %s: closing the new database: %s", tmp,
                                    sqlite3_errstr(rc));
        return r;
}

int store_file_create(vport_store *s, vport_error *err) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        if (asprintf(&tmp, "%s.new-XXXXXX", s->path) < 0)
                return vport_error_set(err, -ENOMEM, "out of memory");
        fd = store_temp_file(tmp);
        if (fd < 0)
                return vport_error_set(err, fd, "state file %s: creating %s: %s", s->path, tmp,
                                       strerror(-fd));
        r = store_build(s, tmp, err);
        if (r >= 0 && fsync(fd) < 0)
                r = vport_error_set(err, -errno, "state file %s: syncing %s: %s", s->path, tmp,
                                    strerror(errno));
        /* link() never replaces: when another process got there first, its
         * database (as complete as ours) is the one everybody uses. */
        if (r >= 0 && link(tmp, s->path) < 0 && errno != EEXIST)
                r = vport_error_set(err, -errno, "state file %s: cannot create: %s", s->path,
                                    strerror(errno));
        unlink(tmp);
        return r;
}

int store_temp_file(char *template) {
        int fd = mkostemp(template, O_CLOEXEC); /* 0600 before it holds anything */

        if (fd < 0)
                return -errno;
        /* Held until the fd closes: the sweep below leaves it alone. */
        (void) flock(fd, LOCK_EX);
        return fd;
}

/* A temporary file of ours ("vport.db.new-XXXXXX", "vport.db.last-good.tmp-
 * XXXXXX", ...) or one of SQLite's files next to it. Returns the length of
 * the temporary file's own name, or 0. */
static size_t store_litter_base(const char *name) {
        const char *mark = strstr(name, ".new-");

        if (!mark)
                mark = strstr(name, ".tmp-");
        if (strncmp(name, STORE_DB_NAME ".", strlen(STORE_DB_NAME ".")) != 0 || !mark)
                return 0;
        return (size_t) (mark - name) + 5 + 6; /* the mark and mkstemp's XXXXXX */
}

/* Is the temporary file base (in dirfd) still held by a live process? */
static bool store_litter_in_use(int dirfd, const char *base) {
        _cleanup_close_ int fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

        return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0;
}

void store_file_sweep(vport_store *s, const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *e;
        struct stat st;

        if (!d)
                return;
        while ((e = readdir(d))) {
                size_t len = store_litter_base(e->d_name);
                char base[NAME_MAX + 1];

                if (len == 0 || len > strlen(e->d_name))
                        continue;
                snprintf(base, sizeof(base), "%.*s", (int) len, e->d_name);
                /* Old and unlocked: its maker died before removing it. */
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
                    st.st_mtime > time(NULL) - STORE_LITTER_AGE || store_litter_in_use(dirfd(d), base))
                        continue;
                if (unlinkat(dirfd(d), e->d_name, 0) == 0)
                        store_add_notice(s, "removed %s/%s, left by a vport that did not finish", dir,
                                         e->d_name);
        }
        closedir(d);
}
