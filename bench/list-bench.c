/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* list-bench STATEDIR [NPORTS [ROUNDS]]: what listing ports costs. Makes
 * NPORTS ports (default 4096, 8 per owner) on a bridge network over the
 * bridge lbbr0 (list-bench.sh makes it in a network namespace); every
 * other one is then marked prepared with a tap's runtime (ifname, ifindex,
 * lower), written into the state file directly (no tap is made: a list
 * reads nothing of the kernel). Then it times, in rotating order, the list
 * turned into the JSON text a caller prints or sends:
 *   - full: vport_port_list() (every port's stored XML parsed) + the text;
 *   - tree: vport_port_list_brief() + the text read into a json-c tree
 *     and printed (--pretty's way, and what a json-c tree of the list
 *     costs: port-list and PortList built and printed one until the text
 *     writer);
 *   - brief: vport_port_list_brief() + vport_ports_json_text() (what they
 *     do now).
 * Medians; prints figures and ratios, asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "core/internal.h"

static double now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static void die(const char *what, int r, const vport_error *err) {
        fprintf(stderr, "list-bench: %s: %s\n", what, vport_error_message(err, r));
        exit(1);
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

typedef int (*list_fn)(vport_ctx *, const char *, vport_port ***, size_t *, vport_error *);

/* The list as the JSON text a caller prints, written (tree false) or
 * through a json-c tree; returns ms. */
static double list_once(vport_ctx *ctx, list_fn fn, bool tree, size_t want) {
        vport_port **ports = NULL;
        vport_error err = { 0 };
        double t = now_ms();
        char *text = NULL;
        json_object *o;
        size_t n = 0;
        int r = fn(ctx, NULL, &ports, &n, &err);

        if (r < 0)
                die("listing", r, &err);
        if (tree) {
                o = vport_ports_to_json(ports, n);
                if (!o || !(text = strdup(json_object_to_json_string_ext(
                                    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE))))
                        die("listing: out of memory", -ENOMEM, NULL);
                json_object_put(o);
        } else if (vport_ports_json_text(ports, n, NULL, &text, NULL) < 0)
                die("listing: out of memory", -ENOMEM, NULL);
        if (strlen(text) == 0 || n != want)
                die("listing: unexpected result", -EIO, NULL);
        free(text);
        vport_port_array_free(ports, n);
        return now_ms() - t;
}

/* Every other port prepared, with what a tap's prepare records. */
static void mark_prepared(const char *dir) {
        char path[4096];
        sqlite3 *db;

        snprintf(path, sizeof(path), "%s/vport.db", dir);
        if (sqlite3_open(path, &db) != SQLITE_OK ||
            sqlite3_exec(
                    db,
                    "UPDATE ports SET state = 'prepared', runtime = json_object('ifname', 'vnet' || rowid, "
                    "'ifindex', rowid + 100, 'lower', 'lbbr0', 'lower_ifindex', 2) WHERE rowid % 2 = 0",
                    NULL, NULL, NULL) != SQLITE_OK)
                die("marking ports prepared", -EIO, NULL);
        sqlite3_close(db);
}

static void make_ports(vport_ctx *ctx, int n) {
        vport_error err = { 0 };
        char owner[32];
        int r;

        r = vport_net_define(
                ctx, "<network><name>lb</name><forward mode='bridge'/><bridge name='lbbr0'/></network>",
                NULL, &err);
        if (r >= 0)
                r = vport_net_start(ctx, "lb", &err);
        if (r < 0)
                die("defining network lb", r, &err);
        for (int i = 0; i < n; i++) {
                snprintf(owner, sizeof(owner), "vm%d", i / 8);
                vport_port_request req = { .network = "lb", .owner_name = owner, .vlan = -1 };
                r = vport_port_create(ctx, &req, NULL, &err);
                if (r < 0)
                        die("creating a port", r, &err);
        }
}

int main(int argc, char **argv) {
        int n = argc > 2 ? atoi(argv[2]) : 4096, rounds = argc > 3 ? atoi(argv[3]) : 15;
        vport_ctx_options opts = { .state_dir = argc > 1 ? argv[1] : NULL };
        static const struct {
                const char *name;
                list_fn fn;
                bool tree;
        } ways[] = {
                { "full parse + text (vport_port_list)", vport_port_list, false },
                { "columns + text read into json-c, printed", vport_port_list_brief, true },
                { "columns + text (port-list, PortList)", vport_port_list_brief, false },
        };
        double *t[ELEMENTSOF(ways)];
        vport_error err = { 0 };
        vport_ctx *ctx = NULL;
        int r;

        if (argc < 2 || n <= 0 || rounds <= 0) {
                fprintf(stderr, "usage: list-bench STATEDIR [NPORTS [ROUNDS]]\n");
                return 2;
        }
        r = vport_ctx_open(&opts, &ctx, &err);
        if (r < 0)
                die("opening", r, &err);
        make_ports(ctx, n);
        vport_ctx_close(ctx);
        mark_prepared(opts.state_dir);
        r = vport_ctx_open(&opts, &ctx, &err);
        if (r < 0)
                die("opening", r, &err);
        for (size_t w = 0; w < ELEMENTSOF(ways); w++)
                if (!(t[w] = calloc((size_t) rounds, sizeof(double))))
                        die("allocating", -ENOMEM, NULL);
        for (int i = 0; i < rounds; i++)
                for (size_t k = 0; k < ELEMENTSOF(ways); k++) { /* who goes first rotates */
                        size_t w = (k + (size_t) i) % ELEMENTSOF(ways);
                        t[w][i] = list_once(ctx, ways[w].fn, ways[w].tree, (size_t) n);
                }
        printf("%d ports (half prepared), %d rounds (medians, list + JSON text)\n", n, rounds);
        for (size_t w = 0; w < ELEMENTSOF(ways); w++)
                qsort(t[w], (size_t) rounds, sizeof(double), cmp_double);
        for (size_t w = 0; w < ELEMENTSOF(ways); w++)
                printf("  %-38s %6.1f ms (%4.1f us/port, %.1fx the last)\n", ways[w].name, t[w][rounds / 2],
                       t[w][rounds / 2] * 1e3 / n, t[w][rounds / 2] / t[ELEMENTSOF(ways) - 1][rounds / 2]);
        for (size_t w = 0; w < ELEMENTSOF(ways); w++)
                free(t[w]);
        vport_ctx_close(ctx);
        return 0;
}
