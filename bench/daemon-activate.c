/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon-activate SOCKET LOWER [ROUNDS]: activate of a VM with 8 direct
 * (vepa macvtap) ports through vportd's API (PortActivate by owner: one
 * varlink call, sent and its reply read on a plain Unix socket, as any
 * client does) against the bare-netlink floor bringing 8 macvtaps up
 * (bench/floor.c), median of ROUNDS with a deactivate in between, in the
 * caller's network namespace (bench/daemon-bench.sh's). Asserts nothing. */
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "floor.h"

static int fd = -1;
static char buf[1 << 20];

static void die(const char *what) {
        fprintf(stderr, "daemon-activate: %s\n", what);
        exit(1);
}

static double now_us(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static double median(double *v, int n) {
        qsort(v, (size_t) n, sizeof(*v), cmp);
        return v[n / 2];
}

/* One call; the reply into buf. Dies on an error reply. */
static void call(const char *json) {
        size_t len = strlen(json) + 1, got = 0;

        if (write(fd, json, len) != (ssize_t) len)
                die("write");
        for (;;) {
                ssize_t k = read(fd, buf + got, sizeof(buf) - got - 1);
                if (k <= 0)
                        die("read");
                got += (size_t) k;
                if (buf[got - 1] == '\0')
                        break;
        }
        if (strstr(buf, "\"error\""))
                die(buf);
}

int main(int argc, char **argv) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int rounds = argc > 3 ? atoi(argv[3]) : 15, lower, fl[8];
        double *tv, *tf, mv, mf;
        char req[512];

        if (argc < 3 || rounds <= 0 || strlen(argv[1]) >= sizeof(sa.sun_path))
                die("usage: daemon-activate SOCKET LOWER [ROUNDS]");
        tv = calloc((size_t) rounds, sizeof(*tv));
        tf = calloc((size_t) rounds, sizeof(*tf));
        lower = (int) if_nametoindex(argv[2]);
        strcpy(sa.sun_path, argv[1]);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (!tv || !tf || !lower || fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
            floor_open() < 0)
                die("setup");
        snprintf(req, sizeof(req),
                 "{\"method\":\"io.vport.NetworkDefine\",\"parameters\":{\"xml\":\"<network><name>d8</name>"
                 "<forward mode='vepa'><interface dev='%s'/></forward></network>\"}}",
                 argv[2]);
        call(req);
        call("{\"method\":\"io.vport.NetworkStart\",\"parameters\":{\"name\":\"d8\"}}");
        for (int i = 0; i < 8; i++) {
                unsigned char m[6] = { 0x52, 0x54, 0x00, 0xfe, 0x00, (unsigned char) i };
                char name[IFNAMSIZ];

                call("{\"method\":\"io.vport.PortCreate\",\"parameters\":{\"network\":\"d8\",\"owner\":"
                     "\"vm8\","
                     "\"prepare\":true}}");
                snprintf(name, sizeof(name), "flvm%d", i);
                if ((fl[i] = floor_macvtap_create(name, lower, m, MACVLAN_MODE_VEPA)) < 0)
                        die("floor macvtap");
        }
        for (int k = 0; k < rounds; k++) {
                double t0 = now_us();
                call("{\"method\":\"io.vport.PortActivate\",\"parameters\":{\"owner\":\"vm8\"}}");
                tv[k] = now_us() - t0;
                t0 = now_us();
                floor_vm_up(lower, fl, 8);
                tf[k] = now_us() - t0;
                call("{\"method\":\"io.vport.PortDeactivate\",\"parameters\":{\"owner\":\"vm8\"}}");
                for (int i = 0; i < 8; i++)
                        floor_set_up(fl[i], 0);
        }
        mv = median(tv, rounds);
        mf = median(tf, rounds);
        printf("activate of a VM with 8 direct ports through the API (PortActivate by owner), median of %d: "
               "API %.0f us, floor %.0f us, difference %.3f ms (target: within 0.5 ms)\n",
               rounds, mv, mf, (mv - mf) / 1000);
        call("{\"method\":\"io.vport.PortDelete\",\"parameters\":{\"owner\":\"vm8\"}}");
        call("{\"method\":\"io.vport.NetworkDestroy\",\"parameters\":{\"name\":\"d8\"}}");
        call("{\"method\":\"io.vport.NetworkUndefine\",\"parameters\":{\"name\":\"d8\"}}");
        for (int i = 0; i < 8; i++)
                floor_delete(fl[i]);
        return 0;
}
