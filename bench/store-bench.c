/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store-bench [NPORTS [ROUNDS]]: what the state file's integrity check
 * and its log cost. Builds a store of NPORTS ports (default 4096, each with
 * a journal entry, as prepared ports have) in a temporary directory, then
 * times, side by side and alternating which runs first:
 *   - store_open + close with the file matching its checked stamp (what
 *     every command pays), with a stale stamp (the quick check runs), and
 *     without the check (STORE_OPEN_UNCHECKED);
 *   - the same three beside another open connection (vportd running);
 *   - one port step as a CLI command does it (open, read the port, update
 *     it, close), stamped and unchecked;
 *   - PRAGMA quick_check (every open) against integrity_check (before a
 *     migration);
 *   - a change of a network flag that refreshes the last-good copy
 *     (autostart) against one that does not (active);
 *   - the log between processes: a stamped open + close with the log
 *     holding 0 .. 4 x STORE_WAL_CHECKPOINT_PAGES pages (the first open
 *     rebuilds the log's index from every page), and a one-page commit
 *     that checkpoints against one that does not; from both, what the
 *     threshold costs a prepare (its open, and its share of checkpoints).
 * Medians; prints figures and ratios, asserts nothing. No root needed. */
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "store/store.h"

#define NET_UUID "6f5c9d2a-1b3e-4c7d-9e8f-0a1b2c3d4e5f"

static char dir[64];

static double now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static void die(const char *what, int r, const vport_error *err) {
        fprintf(stderr, "store-bench: %s: %s\n", what, vport_error_message(err, r));
        exit(1);
}

static vport_store *open_or_die(unsigned flags) {
        vport_error err = { 0 };
        vport_store *s = NULL;
        int r = store_open_with(dir, flags, &s, &err);

        if (r < 0)
                die("opening the store", r, &err);
        return s;
}

/* A port as vport stores a prepared direct port: its XML, runtime JSON and
 * the journal entry of its lower device. */
static void add_port(vport_store *s, int i, vport_uuid *ret_uuid) {
        char xml[512], runtime[96], mac[32];
        vport_error err = { 0 };
        store_port p = { .network = (char *) "bench",
                         .owner_name = (char *) "vm",
                         .plug_type = (char *) "direct",
                         .state = (char *) "prepared",
                         .device = (char *) "eth0" };
        store_journal j = { .key = (char *) "physdev:eth0",
                            .step = (char *) "prepared",
                            .data = (char *) "{\"up\":true,\"mtu\":1500,\"mac\":\"52:54:00:aa:bb:cc\"}" };
        int r;

        snprintf(mac, sizeof(mac), "52:54:00:%02x:%02x:%02x", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
        r = uuid_generate(&p.uuid);
        if (r >= 0)
                r = mac_parse(mac, &p.mac);
        if (r < 0)
                die("making a port", r, NULL);
        p.owner_uuid = p.uuid;
        snprintf(xml, sizeof(xml),
                 "<networkport><uuid>%08x-0000-4000-8000-000000000000</uuid><owner><name>vm%d</name>"
                 "<uuid>%08x-0000-4000-8000-000000000001</uuid></owner><mac address='%s'/>"
                 "<plug type='direct' dev='eth0' mode='vepa'/></networkport>",
                 i, i / 8, i, mac);
        snprintf(runtime, sizeof(runtime), "{\"ifname\":\"macvtap%d\",\"ifindex\":%d}", i, i + 10);
        p.xml = xml;
        p.runtime = runtime;
        r = store_port_insert(s, &p, &err);
        j.port_uuid = p.uuid;
        if (r >= 0)
                r = store_journal_put(s, &j, &err);
        if (r < 0)
                die("inserting a port", r, &err);
        *ret_uuid = p.uuid;
}

static void build(int nports, vport_uuid *ret_first) {
        vport_store *s = open_or_die(0);
        vport_error err = { 0 };
        vport_uuid u;
        int r;

        r = uuid_parse(NET_UUID, &u);
        if (r >= 0)
                r = store_network_define(s, "bench", &u, "<network><name>bench</name></network>", &err);
        if (r >= 0)
                r = store_begin(s, &err);
        if (r < 0)
                die("defining the network", r, &err);
        for (int i = 0; i < nports; i++)
                add_port(s, i, i == 0 ? ret_first : &u);
        r = store_commit(s, &err);
        if (r < 0)
                die("committing", r, &err);
        store_close(s);
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
        qsort(v, (size_t) n, sizeof(*v), cmp_double);
        return v[n / 2];
}

static double time_open(unsigned flags) {
        double t = now_ms();

        store_close(open_or_die(flags));
        return now_ms() - t;
}

/* The stamp gone: this open runs the quick check (and stamps again). */
static double time_open_stale(void) {
        char stamp[96];

        snprintf(stamp, sizeof(stamp), "%s/%s.checked", dir, STORE_DB_NAME);
        (void) unlink(stamp);
        return time_open(0);
}

/* What port-activate does with the store: open, read, update, close. */
static double time_port_step(unsigned flags, const vport_uuid *uuid) {
        double t = now_ms();
        vport_store *s = open_or_die(flags);
        vport_error err = { 0 };
        store_port *p = NULL;
        int r;

        r = store_port_get(s, uuid, &p, &err);
        if (r >= 0)
                r = store_port_update(s, p, &err);
        if (r < 0)
                die("port step", r, &err);
        store_port_free(p);
        store_close(s);
        return now_ms() - t;
}

static double time_pragma(sqlite3 *db, const char *sql) {
        double t = now_ms();

        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
                die(sql, -EIO, NULL);
        return now_ms() - t;
}

static double time_flag(vport_store *s, bool autostart, int round) {
        vport_error err = { 0 };
        double t = now_ms();
        int r = autostart ? store_network_set_autostart(s, "bench", round & 1, &err)
                          : store_network_set_active(s, "bench", round & 1, &err);

        if (r < 0)
                die("network flag", r, &err);
        return now_ms() - t;
}

/* The copy alone, as store_backup() makes it: backup API into a new file,
 * fsync, rename. */
static double time_copy(sqlite3 *src) {
        char tmp[96], dest[96];
        double t = now_ms();
        sqlite3_backup *b;
        sqlite3 *db;
        int fd;

        snprintf(dest, sizeof(dest), "%s/copy", dir);
        snprintf(tmp, sizeof(tmp), "%s/copy.tmp-XXXXXX", dir);
        fd = mkstemp(tmp);
        if (fd < 0 || sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
                die("copy", -EIO, NULL);
        b = sqlite3_backup_init(db, "main", src, "main");
        if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE || sqlite3_backup_finish(b) != SQLITE_OK)
                die("copy", -EIO, NULL);
        sqlite3_close(db);
        if (fsync(fd) < 0 || rename(tmp, dest) < 0)
                die("copy", -errno, NULL);
        close(fd);
        return now_ms() - t;
}

/* One page a commit (the network's row), held, so nothing checkpoints. */
static void log_fill(vport_store *s, int pages) {
        vport_error err = { 0 };

        store_hold_checkpoint(s, true);
        for (int i = 0; i < pages; i++)
                if (store_network_set_active(s, "bench", i & 1, &err) < 0)
                        die("network flag", -EIO, &err);
        store_hold_checkpoint(s, false);
}

/* Empty the log: a commit past the threshold checkpoints it. */
static void log_empty(vport_store *s) {
        log_fill(s, 0);
        for (int i = 0; i <= STORE_WAL_CHECKPOINT_PAGES; i++)
                (void) time_flag(s, false, i);
}

/* Stamped opens + closes with the log holding pages pages (each open is
 * the first: the index is rebuilt each time). */
static void time_log_opens(int pages, int rounds, double *t) {
        vport_store *s = open_or_die(0);

        log_empty(s);
        log_fill(s, pages);
        store_close(s);
        for (int i = 0; i < rounds; i++)
                t[i] = time_open(0);
}

/* A one-page commit that reaches the threshold (checkpoints, three
 * fdatasyncs, the log's pages copied into the file) and one that does not. */
static void time_checkpoints(int rounds, double *t_ckpt, double *t_plain) {
        vport_store *s = open_or_die(0);

        for (int i = 0; i < rounds; i++) {
                log_empty(s);
                log_fill(s, STORE_WAL_CHECKPOINT_PAGES - 2);
                t_plain[i] = time_flag(s, false, i);
                t_ckpt[i] = time_flag(s, false, i + 1);
        }
        store_close(s);
}

enum {
        OPEN_STAMPED,
        OPEN_STALE,
        OPEN_UNCHECKED,
        HELD_STAMPED,
        HELD_STALE,
        HELD_UNCHECKED,
        STEP_STAMPED,
        STEP_UNCHECKED,
        QUICK,
        FULL,
        COPY,
        NOCOPY,
        RAWCOPY,
        CKPT,
        NOCKPT,
        _N
};

/* Log sizes timed, in multiples of STORE_WAL_CHECKPOINT_PAGES / 4. */
static const int log_quarters[] = { 0, 1, 2, 4, 8, 16 };
#define N_LOG ELEMENTSOF(log_quarters)

/* One round of the three opens; first is the base index (OPEN_STAMPED or
 * HELD_STAMPED). Unchecked first: its close leaves the stamp as it was. */
static void time_opens(double *t[_N], int first, int i) {
        t[first + 2][i] = time_open(STORE_OPEN_UNCHECKED);
        if (i & 1) {
                t[first + 1][i] = time_open_stale();
                t[first][i] = time_open(0);
        } else {
                t[first][i] = time_open(0);
                t[first + 1][i] = time_open_stale();
        }
}

static void measure(int rounds, const vport_uuid *uuid, double *t[_N]) {
        char path[96];
        sqlite3 *db;
        vport_store *s, *held;

        for (int i = 0; i < rounds; i++)
                time_opens(t, OPEN_STAMPED, i);
        held = open_or_die(0);
        for (int i = 0; i < rounds; i++)
                time_opens(t, HELD_STAMPED, i);
        store_close(held);
        /* An unchecked step's commit leaves the stamp stale: the stamped
         * step runs first, and a stamped open after each round restamps. */
        for (int i = 0; i < rounds; i++) {
                t[STEP_STAMPED][i] = time_port_step(0, uuid);
                t[STEP_UNCHECKED][i] = time_port_step(STORE_OPEN_UNCHECKED, uuid);
                (void) time_open_stale();
        }
        snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_NAME);
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
                die("opening with sqlite", -EIO, NULL);
        for (int i = 0; i < rounds; i++) {
                t[QUICK][i] = time_pragma(db, "PRAGMA quick_check");
                t[FULL][i] = time_pragma(db, "PRAGMA integrity_check");
                t[RAWCOPY][i] = time_copy(db);
        }
        sqlite3_close(db);
        s = open_or_die(0);
        for (int i = 0; i < rounds; i++) {
                t[COPY][i] = time_flag(s, true, i);
                t[NOCOPY][i] = time_flag(s, false, i);
        }
        store_close(s);
        time_checkpoints(rounds, t[CKPT], t[NOCKPT]);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void report(int nports, int rounds, double *t[_N]) {
        char path[96];
        struct stat st;
        double m[_N];

        for (int k = 0; k < _N; k++)
                m[k] = median(t[k], rounds);
        snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_NAME);
        if (stat(path, &st) < 0)
                st.st_size = 0;
        printf("state file: %d ports, %.1f MB", nports, (double) st.st_size / 1e6);
        snprintf(path, sizeof(path), "%s/%s-wal", dir, STORE_DB_NAME);
        if (stat(path, &st) < 0)
                st.st_size = 0;
        printf(" (log %.1f MB); medians of %d rounds\n", (double) st.st_size / 1e6, rounds);
        printf("%-34s %9s %9s %9s %8s\n", "", "stamped", "stale", "unchecked", "stamped/unchecked");
        printf("%-34s %7.2f ms %7.2f ms %7.2f ms %6.2fx\n", "store_open + close", m[OPEN_STAMPED],
               m[OPEN_STALE], m[OPEN_UNCHECKED], m[OPEN_STAMPED] / m[OPEN_UNCHECKED]);
        printf("%-34s %7.2f ms %7.2f ms %7.2f ms %6.2fx\n", "the same beside an open connection",
               m[HELD_STAMPED], m[HELD_STALE], m[HELD_UNCHECKED], m[HELD_STAMPED] / m[HELD_UNCHECKED]);
        printf("%-34s %7.2f ms %10s %7.2f ms %6.2fx\n", "open, get + update a port, close", m[STEP_STAMPED],
               "", m[STEP_UNCHECKED], m[STEP_STAMPED] / m[STEP_UNCHECKED]);
        printf("%-34s %7.2f ms (integrity_check %.2f ms, %.2fx)\n", "PRAGMA quick_check", m[QUICK], m[FULL],
               m[FULL] / m[QUICK]);
        printf("%-34s %7.2f ms (a runtime flag: %.2f ms; the copy alone: %.2f ms)\n",
               "net-autostart (FULL sync + copy)", m[COPY], m[NOCOPY], m[RAWCOPY]);
        printf("%-34s %7.2f ms (one that does not: %.2f ms; threshold %d pages)\n",
               "a commit that checkpoints the log", m[CKPT], m[NOCKPT], STORE_WAL_CHECKPOINT_PAGES);
}

/* What the log costs a command: its open with the log as the last
 * checkpoint left it, and its share of the checkpoints. */
static void report_log(int rounds, double *t[N_LOG], const double *ckpt, const double *plain) {
        double m[N_LOG], c = median((double *) ckpt, rounds) - median((double *) plain, rounds);

        for (size_t k = 0; k < N_LOG; k++)
                m[k] = median(t[k], rounds);
        printf("%-34s", "store_open + close, log of N pages:");
        for (size_t k = 0; k < N_LOG; k++)
                printf(" %d: %.3f ms;", log_quarters[k] * STORE_WAL_CHECKPOINT_PAGES / 4, m[k]);
        printf("\n%-34s %.1f us a page; a checkpoint %.3f ms\n", "rebuilding the log's index:",
               (m[N_LOG - 1] - m[0]) * 1e3 / (log_quarters[N_LOG - 1] * STORE_WAL_CHECKPOINT_PAGES / 4), c);
}

int main(int argc, char **argv) {
        int nports = argc > 1 ? atoi(argv[1]) : 4096, rounds = argc > 2 ? atoi(argv[2]) : 21;
        double *t[_N], *tl[N_LOG];
        vport_uuid first;

        if (nports < 1 || rounds < 1) {
                fprintf(stderr, "usage: store-bench [NPORTS [ROUNDS]]\n");
                return 2;
        }
        snprintf(dir, sizeof(dir), "/tmp/store-bench-XXXXXX");
        if (!mkdtemp(dir))
                die("mkdtemp", -errno, NULL);
        for (int k = 0; k < _N; k++)
                t[k] = calloc((size_t) rounds, sizeof(double));
        build(nports, &first);
        measure(rounds, &first, t);
        report(nports, rounds, t);
        for (size_t k = 0; k < N_LOG; k++) {
                tl[k] = calloc((size_t) rounds, sizeof(double));
                time_log_opens(log_quarters[k] * STORE_WAL_CHECKPOINT_PAGES / 4, rounds, tl[k]);
        }
        report_log(rounds, tl, t[CKPT], t[NOCKPT]);
        for (size_t k = 0; k < N_LOG; k++)
                free(tl[k]);
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        for (int k = 0; k < _N; k++)
                free(t[k]);
        return 0;
}
