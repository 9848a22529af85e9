/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state file's write-ahead log across processes, and the checked stamp
 * that lets an open skip the integrity check.
 *
 * Every vport command is a process of its own. SQLite's default life cycle
 * costs such a process four fdatasyncs: the first commit into a new log
 * syncs the log's header and its directory, and the last connection's close
 * checkpoints the log into the file (two more) and deletes it, so the next
 * process starts a new one. Here no connection checkpoints at close: the
 * log stays between processes, and the commit that leaves
 * STORE_WAL_CHECKPOINT_PAGES or more pages in it checkpoints it into the
 * file (in place of SQLite's automatic checkpoint); the next commit
 * writes the log again from its start, over the blocks the file already
 * has. A commit is on disk when it returns only with synchronous=FULL
 * (network definitions); runtime rows sit in the page cache, which
 * outlives a crash of the process, as before. */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "store-internal.h"

/* STORE_WAL_CHECKPOINT_PAGES (store.h): the first connection after all
 * have closed rebuilds the log's index (-shm) by reading every frame of
 * it (a pread and a checksum a page: ~1 µs at 2 KiB, ~1.7 µs at 4 KiB),
 * so the threshold bounds that per-process cost as well as it spreads the
 * checkpoint's four fdatasyncs: 160 pages, a checkpoint every ~10 direct
 * prepares of ~17 pages (bench/README.md, "The store's per-process cost,
 * again"). */

#define STAMP_MAX STORE_STAMP_MAX

/* path + suffix, without snprintf: a command computes these at every
 * commit. */
static int stamp_path(const vport_store *s, const char *suffix, char buf[static PATH_MAX]) {
        size_t n = strlen(s->path), m = strlen(suffix);

        if (n + m >= PATH_MAX)
                return -ENAMETOOLONG;
        memcpy(buf, s->path, n);
        memcpy(buf + n, suffix, m + 1);
        return 0;
}

/* What the stamp says of one file: all zero if it does not exist or is
 * empty (SQLite creates an empty -wal when it first reads a WAL database:
 * that holds nothing); its ctime only if ctime. Returns 0 or -errno. */
void store_stamp_file_from(const struct stat *st, bool ctime, store_stamp_file *ret) {
        *ret = (store_stamp_file){};
        if (st->st_size == 0)
                return;
        *ret = (store_stamp_file){ .dev = st->st_dev,
                                   .ino = st->st_ino,
                                   .size = st->st_size,
                                   .mtime = st->st_mtim,
                                   .ctime = ctime ? st->st_ctim : (struct timespec){} };
}

static int stamp_file_stat(const char *path, bool ctime, store_stamp_file *ret) {
        struct stat st;

        *ret = (store_stamp_file){};
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        store_stamp_file_from(&st, ctime, ret);
        return 0;
}

static bool stamp_file_equal(const store_stamp_file *a, const store_stamp_file *b) {
        return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
               a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
               a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* The file and its log as they are now. The -shm is left out: SQLite
 * rebuilds it from the log, and writes it on every read. So is the log's
 * ctime: SQLite running as root fchown()s the log to the database's owner
 * each time a process opens it, which changes its ctime (the file's own
 * ctime is kept: only SQLite's writes touch it). -ENOENT if the file is
 * missing or empty. */
static int stamp_stat(const vport_store *s, store_stamp_file *ret_db, store_stamp_file *ret_wal) {
        char wal[PATH_MAX];
        int r;

        r = stamp_path(s, "-wal", wal);
        if (r >= 0)
                r = stamp_file_stat(s->path, true, ret_db);
        if (r >= 0)
                r = stamp_file_stat(wal, false, ret_wal);
        if (r >= 0 && ret_db->size == 0)
                r = -ENOENT;
        return r;
}

/* Append " NAME DEV INO SIZE MTIME[ CTIME]" of f to buf, or " NAME -" if
 * it is empty. Returns 0 or -ENAMETOOLONG. */
static int stamp_add_file(const char *name, const store_stamp_file *f, char *buf, size_t size) {
        size_t len = strlen(buf);
        int n;

        if (f->size == 0)
                n = snprintf(buf + len, size - len, " %s -", name);
        else
                n = snprintf(buf + len, size - len, " %s %ju %ju %jd %jd.%09ld", name, (uintmax_t) f->dev,
                             (uintmax_t) f->ino, (intmax_t) f->size, (intmax_t) f->mtime.tv_sec,
                             f->mtime.tv_nsec);
        if (n > 0 && (size_t) n < size - len && (f->ctime.tv_sec || f->ctime.tv_nsec)) {
                len += (size_t) n;
                n = snprintf(buf + len, size - len, " %jd.%09ld", (intmax_t) f->ctime.tv_sec,
                             f->ctime.tv_nsec);
        }
        return n > 0 && (size_t) n < size - len ? 0 : -ENAMETOOLONG;
}

static int stamp_format(const store_stamp_file *db, const store_stamp_file *wal,
                        char buf[static STAMP_MAX]) {
        int r;

        snprintf(buf, STAMP_MAX, "vport-checked 2");
        r = stamp_add_file("db", db, buf, STAMP_MAX);
        if (r >= 0)
                r = stamp_add_file("wal", wal, buf, STAMP_MAX);
        return r;
}

/* What the stamp of the file and its log as they are now says, with what
 * it was made of. */
static int stamp_now(const vport_store *s, char buf[static STAMP_MAX], store_stamp_file *ret_db,
                     store_stamp_file *ret_wal) {
        int r = stamp_stat(s, ret_db, ret_wal);

        return r < 0 ? r : stamp_format(ret_db, ret_wal, buf);
}

/* This connection's own stamp: the line it last matched or wrote, and the
 * files it names (compared without formatting them at each commit). */
static void stamp_remember(vport_store *s, const char *line, const store_stamp_file *db,
                           const store_stamp_file *wal) {
        snprintf(s->stamp, sizeof(s->stamp), "%s", line);
        s->stamp_db = *db;
        s->stamp_wal = *wal;
}

static bool stamp_read(const vport_store *s, char buf[static STAMP_MAX]) {
        char path[PATH_MAX];
        _cleanup_close_ int fd = -1;
        ssize_t n;

        if (stamp_path(s, STORE_CHECKED_SUFFIX, path) < 0)
                return false;
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return false;
        n = read(fd, buf, STAMP_MAX - 1);
        if (n <= 0)
                return false;
        buf[n] = '\0';
        /* the line, then the padding */
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
                buf[--n] = '\0';
        return true;
}

/* Is the stamp file this connection holds open still in the directory?
 * Removed (by a person forcing the next open to check, or by another
 * process that found the file damaged), its writes would reach nobody for
 * the rest of a long-lived connection's life (vportd's), and every other
 * command would check the file again. */
static bool stamp_fd_linked(int fd) {
        struct stat st;

        return fstat(fd, &st) == 0 && st.st_nlink > 0;
}

/* Write line as the stamp and remember it as this connection's own. In
 * place, padded to a fixed length, so no shorter line leaves a longer
 * one's tail: a temporary file and a rename cost ~0.3 ms a commit here,
 * this ~20 µs. A reader that meets the write half done, or two writers
 * that interleave, leave a stamp that matches nothing (the next open
 * checks the file): never one that matches files it does not describe.
 * No fsync: a lost stamp only matches nothing either. The file stays open
 * for the connection's next commits (one open and close a command, not
 * one a commit), and is opened again if it was removed meanwhile. */
static void stamp_write(vport_store *s, const char *line, const store_stamp_file *db,
                        const store_stamp_file *wal) {
        char path[PATH_MAX], text[STAMP_MAX];
        size_t len = strlen(line);

        if (stamp_path(s, STORE_CHECKED_SUFFIX, path) < 0 || len > STAMP_MAX - 2)
                return;
        memcpy(text, line, len);
        memset(text + len, ' ', STAMP_MAX - 2 - len);
        text[STAMP_MAX - 2] = '\n';
        if (s->stamp_fd >= 0 && !stamp_fd_linked(s->stamp_fd))
                store_stamp_close(s);
        if (s->stamp_fd < 0)
                s->stamp_fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (s->stamp_fd < 0)
                return;
        if (pwrite(s->stamp_fd, text, STAMP_MAX - 1, 0) != STAMP_MAX - 1) {
                (void) unlink(path);
                store_stamp_close(s);
                return;
        }
        stamp_remember(s, line, db, wal);
}

void store_stamp_close(vport_store *s) {
        if (s->stamp_fd >= 0)
                (void) close(s->stamp_fd);
        s->stamp_fd = -1;
}

/* Does the stamp match the files as they are now? Then this connection
 * remembers it as its own. */
static bool store_stamp_matches(vport_store *s) {
        char want[STAMP_MAX], got[STAMP_MAX];
        store_stamp_file db, wal;

        if (!stamp_read(s, got) || stamp_now(s, want, &db, &wal) < 0 || !streq(got, want))
                return false;
        stamp_remember(s, got, &db, &wal);
        return true;
}

/* The stamp as the open found it, read once for both its uses there
 * (store_wal_check_belongs(), store_stamp_matches_found()): "" if there
 * is none. */
static const char *stamp_at_open(vport_store *s) {
        if (!s->open_stamp_read && !stamp_read(s, s->open_stamp))
                s->open_stamp[0] = '\0';
        s->open_stamp_read = true;
        return s->open_stamp;
}

bool store_stamp_matches_found(vport_store *s) {
        const char *got = stamp_at_open(s);
        char want[STAMP_MAX];

        if (!got[0] || s->found_db.size == 0 || stamp_format(&s->found_db, &s->found_wal, want) < 0 ||
            !streq(got, want))
                return false;
        stamp_remember(s, got, &s->found_db, &s->found_wal);
        return true;
}

void store_stamp_drop(vport_store *s) {
        char path[PATH_MAX];

        store_stamp_close(s);
        if (stamp_path(s, STORE_CHECKED_SUFFIX, path) >= 0)
                (void) unlink(path);
}

int store_check_and_stamp(vport_store *s, vport_error *err) {
        char before[STAMP_MAX], after[STAMP_MAX];
        store_stamp_file db, wal;
        bool known;
        int r;

        known = stamp_now(s, before, &db, &wal) >= 0;
        r = store_check_integrity(s, false, err);
        /* Stamped only if nothing wrote while the check read: what it read is
         * what the stamp names. A read-only open writes nothing, not even
         * the stamp. */
        if (r >= 0 && known && !(s->flags & STORE_OPEN_READ_ONLY) && stamp_now(s, after, &db, &wal) >= 0 &&
            streq(before, after))
                stamp_write(s, after, &db, &wal);
        return r;
}

/* Are the files still as this connection last stamped them? */
static bool stamp_still_own(vport_store *s) {
        store_stamp_file db, wal;

        return s->stamp[0] && stamp_stat(s, &db, &wal) >= 0 && stamp_file_equal(&db, &s->stamp_db) &&
               stamp_file_equal(&wal, &s->stamp_wal);
}

/* Stamp the files as they are now (after this connection's own write). */
static void stamp_now_write(vport_store *s) {
        char now[STAMP_MAX];
        store_stamp_file db, wal;

        if (stamp_now(s, now, &db, &wal) >= 0)
                stamp_write(s, now, &db, &wal);
}

/* Called inside the commit, with the write lock held, before SQLite writes
 * it: do the files still match the stamp? Only then may this commit's own
 * result be stamped; if anything else wrote since the last stamp (a vport
 * killed between its commit and its stamp, an unchecked open, another
 * program), the stamp stays stale and the next open checks the file. Files
 * still as this connection last stamped them need no read of the stamp:
 * nothing wrote since, so nobody can have stamped anything newer. */
static int store_before_commit(void *userdata) {
        vport_store *s = userdata;

        s->stamp_current = false;
        if (!s->verified || s->damaged)
                return 0;
        s->stamp_current = stamp_still_own(s) || store_stamp_matches(s);
        return 0; /* go on with the commit */
}

/* Copy the log into the file without waiting for anybody: mode RESTART
 * leaves the log to be written again from its start by the next commit,
 * TRUNCATE empties it. With another process reading or writing it, the
 * checkpoint copies what it can (as SQLITE_CHECKPOINT_PASSIVE) and the
 * log stays for the next one. */
static void store_checkpoint(vport_store *s, const char *name, int mode) {
        (void) sqlite3_busy_timeout(s->db, 0);
        (void) sqlite3_wal_checkpoint_v2(s->db, name, mode, NULL, NULL);
        (void) sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
}

/* SQLite calls its WAL hook after each commit that wrote pages, with the
 * write lock released: the commit is done. It replaces SQLite's automatic
 * checkpoint, so it checkpoints too (never a damaged file's: nothing of it
 * may be written), then restamps what it wrote.
 *
 * The checkpoint restarts the log rather than truncating it: the next
 * commit overwrites the log's first frames, and the first open after all
 * have closed reads only the frames written since (the older ones carry
 * the previous round's salt, where SQLite's rebuild of the index stops).
 * Truncated, the log had its blocks freed (an ftruncate of ~0.6 ms under
 * strace, at every checkpoint) and allocated again one by one as the
 * next commits appended to it (a frame appended ~6-8 µs, overwritten
 * ~2.5 µs here: ~50 µs a direct prepare). Only a log no commit restarted
 * before this connection closes is emptied then (store_wal_close()). */
static int store_wal_hook(void *userdata, sqlite3 *db, const char *name, int pages) {
        vport_store *s = userdata;
        bool restamp = s->stamp_current;

        s->stamp_current = false;
        if (s->commit_hook)
                s->commit_hook(s->commit_hook_data);
        s->log_restart_due = false;
        if (pages >= (s->hold_checkpoint ? 4 : 1) * STORE_WAL_CHECKPOINT_PAGES && !s->damaged) {
                store_checkpoint(s, name, SQLITE_CHECKPOINT_RESTART);
                s->log_restart_due = true;
        }
        if (restamp)
                stamp_now_write(s);
        return SQLITE_OK;
}

/* Until a write restarts a checkpointed log, every first open after all
 * have closed would rebuild its index from all of it (a command that only
 * reads never restarts it): emptied, restamped if this connection's stamp
 * still names the files. */
void store_wal_close(vport_store *s) {
        bool restamp;

        if (!s->log_restart_due || s->damaged || !sqlite3_get_autocommit(s->db))
                return;
        restamp = stamp_still_own(s);
        store_checkpoint(s, "main", SQLITE_CHECKPOINT_TRUNCATE);
        if (restamp)
                stamp_now_write(s);
}

void store_hold_checkpoint(vport_store *s, bool hold) {
        if (s)
                s->hold_checkpoint = hold;
}

int store_wal_check_belongs(vport_store *s, vport_error *err) {
        uintmax_t db_dev, db_ino, wal_dev, wal_ino;
        const store_stamp_file *db = &s->found_db, *wal = &s->found_wal;

        if (sscanf(stamp_at_open(s), "vport-checked 2 db %ju %ju %*s %*s %*s wal %ju %ju", &db_dev, &db_ino,
                   &wal_dev, &wal_ino) != 4)
                return 0;
        if (wal->size == 0 || wal->dev != wal_dev || wal->ino != wal_ino ||
            (db->dev == db_dev && db->ino == db_ino))
                return 0;
        return vport_error_set(
                err, -EUCLEAN,
                "state file %s was replaced, but not its log %s-wal: SQLite would apply that log to "
                "the new file. With no vport running, move %s-wal and %s-shm away if %s is a copy "
                "you restored, or put the original file back",
                s->path, s->path, s->path, s->path, s->path);
}

void store_wal_setup(vport_store *s) {
        /* A database being built (store_file_create()) is linked into place
         * without its log: that one close checkpoints. */
        if (!s->creating)
                (void) sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        sqlite3_commit_hook(s->db, store_before_commit, s);
        sqlite3_wal_hook(s->db, store_wal_hook, s);
}
