/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vport-bench [N]: N full port lifecycles (create+prepare, activate,
 * deactivate, delete) of direct and of bridge ports in a private network
 * namespace, timed per phase for vport (library API), for ip(8) called
 * from a shell script (bench/ip-phase.sh), and for the floor (bare
 * netlink, bench/floor.c); then activate of a VM with 8 ports and bulk
 * teardown of 256 ports. Prints the figures and the target ratios; it
 * asserts nothing (timings are not tests). */
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mount.h>
#include <time.h>

#include "core/vport.h"
#include "floor.h"

enum { PREPARE, ACTIVATE, DEACTIVATE, DELETE, _PHASES };
static const char *const phase_name[_PHASES] = { "prepare", "activate", "deactivate", "delete" };
enum { VPORT, SHELL, FLOOR, _WAYS };

static const char *script;

static double now_us(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static void die(const char *what, int r, const vport_error *err) {
        fprintf(stderr, "vport-bench: %s: %s\n", what, err ? vport_error_message(err, r) : strerror(-r));
        exit(1);
}

static void sh(const char *fmt, ...) {
        char cmd[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        if (system(cmd) != 0)
                die(cmd, -EIO, NULL);
}

/* Own network and mount namespace, with a sysfs showing our links (macvtap
 * character devices are found through it). */
static void enter_namespace(void) {
        if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
                die("unshare", -errno, NULL);
        if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || umount2("/sys", MNT_DETACH) < 0 ||
            mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
                die("remounting /sys", -errno, NULL);
        sh("ip link set lo up && ip link add eth0 type veth peer name peer0 && ip link set eth0 up && "
           "ip link set peer0 up && ip link add br0 type bridge && ip link set br0 up");
}

static void mac_of(int i, vport_mac *m) {
        *m = (vport_mac){ { 0x52, 0x54, 0x00, 0x42, (uint8_t) (i >> 8), (uint8_t) i } };
}

static void net(vport_ctx *ctx, const char *xml) {
        vport_error err = { 0 };
        char *name = NULL;
        int r = vport_net_define(ctx, xml, &name, &err);

        if (r >= 0)
                r = vport_net_start(ctx, name, &err);
        if (r < 0)
                die(xml, r, &err);
        free(name);
}

/* One vport lifecycle, phase times added to t. */
static void cycle_vport(vport_ctx *ctx, const char *network, int i, double t[_PHASES]) {
        vport_port_request req = {
                .network = network, .owner_name = "bench", .vlan = -1, .flags = VPORT_PORT_PREPARE
        };
        vport_error err = { 0 };
        vport_port *p = NULL;
        vport_uuid u;
        vport_mac mac;
        double t0;
        int r;

        mac_of(i, &mac);
        req.mac = &mac;
        t0 = now_us();
        if ((r = vport_port_create(ctx, &req, &p, &err)) < 0)
                die("vport_port_create", r, &err);
        t[PREPARE] += now_us() - t0;
        u = p->def->uuid;
        vport_port_free(p);
        t0 = now_us();
        if ((r = vport_port_activate(ctx, &u, NULL, &err)) < 0)
                die("vport_port_activate", r, &err);
        t[ACTIVATE] += now_us() - t0;
        t0 = now_us();
        if ((r = vport_port_deactivate(ctx, &u, NULL, &err)) < 0)
                die("vport_port_deactivate", r, &err);
        t[DEACTIVATE] += now_us() - t0;
        t0 = now_us();
        if ((r = vport_port_delete(ctx, &u, &err)) < 0)
                die("vport_port_delete", r, &err);
        t[DELETE] += now_us() - t0;
}

static void cycle_shell(const char *kind, int i, double t[_PHASES]) {
        char mac[VPORT_MAC_STRLEN];
        vport_mac m;

        mac_of(i, &m);
        mac_format(&m, mac);
        for (int ph = 0; ph < _PHASES; ph++) {
                double t0 = now_us();
                sh("%s %s %s %d %s", script, phase_name[ph], kind, i, mac);
                t[ph] += now_us() - t0;
        }
}

static void cycle_floor(bool direct, int i, double t[_PHASES]) {
        int lower = (int) if_nametoindex(direct ? "eth0" : "br0"), ifindex;
        char name[IFNAMSIZ];
        vport_mac m;
        double t0;

        mac_of(i, &m);
        snprintf(name, sizeof(name), direct ? "flmvt%d" : "fltap%d", i);
        t0 = now_us();
        if (direct)
                ifindex = floor_macvtap_create(name, lower, m.addr, MACVLAN_MODE_VEPA);
        else {
                m.addr[0] = 0xfe;
                ifindex = floor_tap_create(name, m.addr, lower);
        }
        if (ifindex < 0)
                die("floor create", ifindex, NULL);
        t[PREPARE] += now_us() - t0;
        t0 = now_us();
        if (direct)
                floor_set_up(lower, 1);
        floor_set_up(ifindex, 1);
        t[ACTIVATE] += now_us() - t0;
        t0 = now_us();
        floor_set_up(ifindex, 0);
        t[DEACTIVATE] += now_us() - t0;
        t0 = now_us();
        floor_delete(ifindex);
        t[DELETE] += now_us() - t0;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return (x > y) - (x < y);
}

static double median(double *v, int n) {
        qsort(v, (size_t) n, sizeof(*v), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Medians, not means: an RCU grace period now and then (10-30 ms, the
 * kernel's, not ours) would otherwise decide the ratios. */
static void lifecycles(vport_ctx *ctx, bool direct, int n) {
        const char *kind = direct ? "direct" : "bridge";
        double *t = calloc((size_t) (_WAYS * (_PHASES + 1) * n), sizeof(double)), m[_WAYS][_PHASES + 1];

#define T(w, ph, i) t[((w) * (_PHASES + 1) + (ph)) * n + (i)]
        if (!t)
                die("calloc", -ENOMEM, NULL);
        for (int i = 0; i < n; i++) {
                double c[_WAYS][_PHASES] = { 0 };
                /* The kernel's RCU grace periods (link down, delete) last
                 * longer right after another one: alternate who goes first. */
                if (i % 2 == 0)
                        cycle_vport(ctx, direct ? "d" : "b", i, c[VPORT]);
                cycle_floor(direct, i, c[FLOOR]);
                cycle_shell(kind, i, c[SHELL]);
                if (i % 2 == 1)
                        cycle_vport(ctx, direct ? "d" : "b", i, c[VPORT]);
                for (int w = 0; w < _WAYS; w++)
                        for (int ph = 0; ph < _PHASES; ph++) {
                                T(w, ph, i) = c[w][ph];
                                T(w, _PHASES, i) += c[w][ph];
                        }
        }
        for (int w = 0; w < _WAYS; w++)
                for (int ph = 0; ph <= _PHASES; ph++)
                        m[w][ph] = median(&T(w, ph, 0), n);
#undef T
        free(t);
        printf("\n%s ports, %d lifecycles, median per port (us)\n", kind, n);
        printf("  %-11s %10s %10s %10s %12s %12s\n", "phase", "vport", "ip+shell", "floor", "vport/floor",
               "shell/floor");
        for (int ph = 0; ph <= _PHASES; ph++)
                printf("  %-11s %10.0f %10.0f %10.0f %11.2fx %11.2fx\n",
                       ph < _PHASES ? phase_name[ph] : "total", m[VPORT][ph], m[SHELL][ph], m[FLOOR][ph],
                       m[VPORT][ph] / m[FLOOR][ph], m[SHELL][ph] / m[FLOOR][ph]);
        printf("  target: a single lifecycle within 1.1x of the floor: %.2fx\n",
               m[VPORT][_PHASES] / m[FLOOR][_PHASES]);
}

/* n direct ports of one owner, prepared; uuids in ret. */
static void make_ports(vport_ctx *ctx, const char *owner, int base, int n, vport_uuid *ret) {
        for (int i = 0; i < n; i++) {
                vport_port_request req = {
                        .network = "d", .owner_name = owner, .vlan = -1, .flags = VPORT_PORT_PREPARE
                };
                vport_error err = { 0 };
                vport_port *p = NULL;
                vport_mac mac;
                int r;

                mac_of(base + i, &mac);
                req.mac = &mac;
                if ((r = vport_port_create(ctx, &req, &p, &err)) < 0)
                        die("vport_port_create", r, &err);
                ret[i] = p->def->uuid;
                vport_port_free(p);
        }
}

#define VM_ROUNDS 15

/* Activate of a VM's 8 NICs (what runs right before the guest CPUs start,
 * on the migration downtime path), median of VM_ROUNDS rounds with a
 * deactivate in between; the floor brings 8 macvtaps up the same way. */
static void vm_activate(vport_ctx *ctx) {
        double tv[VM_ROUNDS], tf[VM_ROUNDS], t0, mv, mf;
        int fl[8], lower = (int) if_nametoindex("eth0");
        char name[IFNAMSIZ];
        vport_error err = { 0 };
        vport_uuid u[8];
        vport_mac m;

        make_ports(ctx, "vm8", 1000, 8, u);
        for (int i = 0; i < 8; i++) {
                mac_of(2000 + i, &m);
                snprintf(name, sizeof(name), "flvm%d", i);
                fl[i] = floor_macvtap_create(name, lower, m.addr, MACVLAN_MODE_VEPA);
        }
        for (int k = 0; k < VM_ROUNDS; k++) {
                t0 = now_us();
                if (vport_port_activate_owner(ctx, "vm8", &err) != 8)
                        die("activate", err.code, &err);
                tv[k] = now_us() - t0;
                t0 = now_us();
                floor_vm_up(lower, fl, 8);
                tf[k] = now_us() - t0;
                if (vport_port_deactivate_owner(ctx, "vm8", &err) != 8)
                        die("deactivate", err.code, &err);
                for (int i = 0; i < 8; i++)
                        floor_set_up(fl[i], 0);
        }
        mv = median(tv, VM_ROUNDS);
        mf = median(tf, VM_ROUNDS);
        printf("\nactivate of a VM with 8 direct ports (port-activate --owner), median of %d: "
               "vport %.0f us, floor %.0f us, difference %.3f ms (target: within 1 ms)\n",
               VM_ROUNDS, mv, mf, (mv - mf) / 1000);
        (void) vport_port_delete_owner(ctx, "vm8", NULL);
        for (int i = 0; i < 8; i++)
                floor_delete(fl[i]);
}

static void bulk(vport_ctx *ctx, int n) {
        _cleanup_free_ vport_uuid *u = calloc((size_t) n, sizeof(*u));
        vport_error err = { 0 };
        double t0, tb, ts;
        int r;

        make_ports(ctx, "bulk", 3000, n, u);
        t0 = now_us();
        if ((r = vport_port_delete_owner(ctx, "bulk", &err)) < 0)
                die("vport_port_delete_owner", r, &err);
        tb = now_us() - t0;
        make_ports(ctx, "single", 3000, n, u);
        t0 = now_us();
        for (int i = 0; i < n; i++)
                if ((r = vport_port_delete(ctx, &u[i], &err)) < 0)
                        die("vport_port_delete", r, &err);
        ts = now_us() - t0;
        printf("\nteardown of %d direct ports: one by one %.0f ms, batched (port-delete --owner) %.0f ms: "
               "%.1fx faster (target: at least 20x)\n",
               n, ts / 1000, tb / 1000, ts / tb);
}

int main(int argc, char **argv) {
        int n = argc > 1 ? atoi(argv[1]) : 20, nbulk = argc > 2 ? atoi(argv[2]) : 256;
        _cleanup_(vport_ctx_closep) vport_ctx *ctx = NULL;
        char dir[] = "/tmp/vport-bench-XXXXXX";
        vport_ctx_options opts = { .state_dir = dir };
        vport_error err = { 0 };
        int r;

        script = getenv("VPORT_BENCH_SCRIPT") ? getenv("VPORT_BENCH_SCRIPT") : VPORT_BENCH_SCRIPT;
        if (n <= 0 || nbulk <= 0 || !mkdtemp(dir))
                die("usage: vport-bench [N [NBULK]]", -EINVAL, NULL);
        enter_namespace();
        if ((r = floor_open()) < 0 || (r = vport_ctx_open(&opts, &ctx, &err)) < 0)
                die("open", r, &err);
        net(ctx, "<network><name>d</name><forward mode='vepa'><interface dev='eth0'/></forward></network>");
        net(ctx, "<network><name>b</name><forward mode='bridge'/><bridge name='br0'/></network>");
        printf("vport-bench: state in %s\n", dir);
        lifecycles(ctx, true, n);
        lifecycles(ctx, false, n);
        vm_activate(ctx);
        bulk(ctx, nbulk);
        vport_ctx_close(TAKE_PTR(ctx));
        sh("rm -rf %s", dir);
        return 0;
}
