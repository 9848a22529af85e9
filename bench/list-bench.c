/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* list-bench STATEDIR [NPORTS [ROUNDS]]: what listing ports costs. Makes
 * NPORTS allocated ports (default 4096, 8 per owner) on a bridge network
 * over the bridge lbbr0 (list-bench.sh makes it in a network namespace),
 * then times, alternating which runs first, the list as a JSON text:
 *   - vport_port_list(): every port's stored XML parsed (what port-list
 *     and vportd's PortList did);
 *   - vport_port_list_brief(): the ports from the store's columns and
 *     summary (what they do now).
 * Medians; prints figures and the ratio, asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json-c/json.h>

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

/* One list turned into the JSON text a caller prints; returns ms. */
static double list_once(vport_ctx *ctx, list_fn fn, size_t want) {
        vport_port **ports = NULL;
        vport_error err = { 0 };
        double t = now_ms();
        json_object *o;
        size_t n = 0;
        int r = fn(ctx, NULL, &ports, &n, &err);

        if (r < 0)
                die("listing", r, &err);
        o = vport_ports_to_json(ports, n);
        if (strlen(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) == 0 || n != want)
                die("listing: unexpected result", -EIO, NULL);
        json_object_put(o);
        vport_port_array_free(ports, n);
        return now_ms() - t;
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
        double *full, *brief;
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
        full = calloc((size_t) rounds, sizeof(double));
        brief = calloc((size_t) rounds, sizeof(double));
        if (!full || !brief)
                die("allocating", -ENOMEM, NULL);
        for (int i = 0; i < rounds; i++) {
                if (i % 2) {
                        full[i] = list_once(ctx, vport_port_list, (size_t) n);
                        brief[i] = list_once(ctx, vport_port_list_brief, (size_t) n);
                } else {
                        brief[i] = list_once(ctx, vport_port_list_brief, (size_t) n);
                        full[i] = list_once(ctx, vport_port_list, (size_t) n);
                }
        }
        qsort(full, (size_t) rounds, sizeof(double), cmp_double);
        qsort(brief, (size_t) rounds, sizeof(double), cmp_double);
        printf("%d ports, %d rounds (medians, list + JSON text)\n", n, rounds);
        printf("  full parse (vport_port_list):  %8.1f ms (%.1f us/port)\n", full[rounds / 2],
               full[rounds / 2] * 1e3 / n);
        printf("  columns (vport_port_list_brief): %6.1f ms (%.1f us/port)\n", brief[rounds / 2],
               brief[rounds / 2] * 1e3 / n);
        printf("  ratio: %.1fx\n", full[rounds / 2] / brief[rounds / 2]);
        free(full);
        free(brief);
        vport_ctx_close(ctx);
        return 0;
}
