/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vportd: the varlink API of libvport. Options, the socket (ours, or handed
 * over by systemd), readiness, and the event loop until SIGTERM/SIGINT. */
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "core/fault.h"
#include "degraded.h"
#include "events.h"
#include "server.h"
#include "vsi-watch.h"

#define DEFAULT_SOCKET "/run/vport/io.vport.socket"
#define DEFAULT_CONFIG "/etc/vport/vportd.conf"
#define DEFAULT_GROUP  "vport"

typedef struct options {
        char *socket, *group, *config;
        bool group_given; /* --group or the config file: a missing group is an error then */
} options;

static void options_clear(options *o) {
        free(o->socket);
        free(o->group);
        free(o->config);
}

static int set_str(char **dst, const char *v) {
        char *n = strdup(v);

        if (!n)
                return -ENOMEM;
        free(*dst);
        *dst = n;
        return 0;
}

/* "key = value" lines, '#' comments; keys: socket, group. A setting the
 * command line also gave is left to the command line. */
static int config_line(options *o, const char *path, unsigned line, char *s, const options *cmdline) {
        char *eq = strchr(s, '='), *k = s, *v;

        if (!eq) {
                fprintf(stderr, "vportd: %s:%u: expected 'key = value'\n", path, line);
                return -EINVAL;
        }
        *eq = '\0';
        v = eq + 1;
        k[strcspn(k, " \t")] = '\0';
        v += strspn(v, " \t");
        v[strcspn(v, " \t\r\n")] = '\0';
        if (streq(k, "socket"))
                return cmdline->socket ? 0 : set_str(&o->socket, v);
        if (streq(k, "group")) {
                o->group_given = true;
                return cmdline->group ? 0 : set_str(&o->group, v);
        }
        fprintf(stderr, "vportd: %s:%u: unknown setting '%s'\n", path, line, k);
        return -EINVAL;
}

static int config_read(options *o, const options *cmdline) {
        const char *path = o->config ? o->config : DEFAULT_CONFIG;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        unsigned n = 0;
        FILE *f = fopen(path, "re");
        int r = 0;

        if (!f) /* the default file is optional; one named on the command line is not */
                return errno == ENOENT && !o->config ? 0
                                                     : (fprintf(stderr, "vportd: %s: %m\n", path), -errno);
        while (r >= 0 && getline(&line, &cap, f) >= 0) {
                char *s = line + strspn(line, " \t");
                n++;
                if (*s == '#' || *s == '\n' || *s == '\0')
                        continue;
                r = config_line(o, path, n, s, cmdline);
        }
        fclose(f);
        return r;
}

static void usage(void) {
        printf("Usage: vportd [--socket PATH] [--group NAME] [--config FILE]\n"
               "Serve libvport's API over varlink (interface io.vport) on a Unix socket.\n\n"
               "  --socket PATH   listen here (default %s); ignored under socket activation\n"
               "  --group NAME    the socket's group (default '%s' if it exists, else root's)\n"
               "  --config FILE   settings 'socket = PATH', 'group = NAME' (default %s)\n"
               "  -h, --help      this text\n  -V, --version   print the version\n\n"
               "Environment: VPORT_STATE_DIR, VPORT_SYSFS_ROOT, as for vport(8). See vportd(8).\n",
               DEFAULT_SOCKET, DEFAULT_GROUP, DEFAULT_CONFIG);
}

/* Returns 1 to run, 0 to exit successfully (help, version), or -EINVAL. */
static int parse_args(int argc, char **argv, options *o) {
        static const struct option opts[] = {
                { "socket", required_argument, NULL, 's' }, { "group", required_argument, NULL, 'g' },
                { "config", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },      {},
        };
        options cmdline = { 0 };
        int c, r;

        while ((c = getopt_long(argc, argv, "hV", opts, NULL)) >= 0) {
                if (c == 'h' || c == 'V') {
                        if (c == 'h')
                                usage();
                        else
                                printf("vportd %s\n", VPORT_VERSION);
                        return 0;
                }
                if (c == '?')
                        return -EINVAL;
                r = set_str(c == 's' ? &o->socket : c == 'g' ? &o->group : &o->config, optarg);
                if (r < 0)
                        return r;
                o->group_given |= c == 'g';
        }
        if (optind < argc) {
                fprintf(stderr, "vportd: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        cmdline.socket = o->socket, cmdline.group = o->group;
        if ((r = config_read(o, &cmdline)) < 0)
                return r;
        if (!o->socket && (r = set_str(&o->socket, DEFAULT_SOCKET)) < 0)
                return r;
        return 1;
}

/* 0660 root:GROUP. The group: the one configured (which must exist), else
 * "vport" if it exists, else root's (only root may connect). */
static int socket_permissions(const char *path, const options *o) {
        const char *name = o->group ? o->group : DEFAULT_GROUP;
        struct group *g;
        gid_t gid = 0;

        errno = 0;
        g = getgrnam(name);
        if (g)
                gid = g->gr_gid;
        else if (o->group_given) {
                fprintf(stderr, "vportd: group '%s' does not exist\n", name);
                return -ENOENT;
        }
        if (chown(path, 0, gid) < 0 || chmod(path, 0660) < 0) {
                fprintf(stderr, "vportd: %s: setting owner and mode: %m\n", path);
                return -errno;
        }
        return 0;
}

static int socket_listen(const char *path, const options *o, int *ret) {
        _cleanup_close_ int fd = -1;
        vport_error err = { 0 };
        int r = vl_listen(path, &fd, &err);

        if (r < 0) {
                fprintf(stderr, "vportd: %s\n", vport_error_message(&err, r));
                return r;
        }
        if ((r = socket_permissions(path, o)) < 0)
                return r;
        *ret = TAKE_FD(fd);
        return 0;
}

/* The socket systemd passes (vportd.socket), or -1 when started on our own. */
static int socket_activated(int *ret) {
        int n = sd_listen_fds(true);

        if (n < 0)
                return n;
        if (n > 1) {
                fprintf(stderr, "vportd: %d sockets passed, expected one\n", n);
                return -EINVAL;
        }
        *ret = n == 1 ? SD_LISTEN_FDS_START : -1;
        return 0;
}

static fault_ops *faults;

static int ctx_open(vport_ctx **ret) {
        const char *spec = getenv("VPORT_FAULT");
        vport_ctx_options opts = { 0 };
        vport_error err = { 0 };
        int r;

        if (spec && *spec &&
            (r = fault_ops_new(spec, &vport_kernel_ops_real, &faults, &opts.ops, &err)) < 0) {
                fprintf(stderr, "vportd: VPORT_FAULT: %s\n", vport_error_message(&err, r));
                return r;
        }
        if ((r = vport_ctx_open(&opts, ret, &err)) < 0)
                goto fail;
        if (faults)
                fault_ops_watch_store(faults, *ret);
        return 0;
fail:
        fprintf(stderr, "vportd: %s\n", vport_error_message(&err, r));
        return r;
}

static int run(const options *o) {
        _cleanup_(vport_ctx_closep) vport_ctx *ctx = NULL;
        sd_event *event = NULL;
        vd_server *server = NULL;
        int fd = -1, r;
        bool own_socket;

        if ((r = ctx_open(&ctx)) < 0)
                return r;
        if ((r = socket_activated(&fd)) < 0)
                return r;
        own_socket = fd < 0;
        if (own_socket && (r = socket_listen(o->socket, o, &fd)) < 0)
                return r;
        if ((r = sd_event_default(&event)) < 0 ||
            (r = sd_event_add_signal(event, NULL, SIGTERM | SD_EVENT_SIGNAL_PROCMASK, NULL, NULL)) < 0 ||
            (r = sd_event_add_signal(event, NULL, SIGINT | SD_EVENT_SIGNAL_PROCMASK, NULL, NULL)) < 0 ||
            (r = vd_server_new(event, ctx, fd, &server)) < 0) {
                if (fd >= 0 && !server)
                        close(fd);
                fprintf(stderr, "vportd: setting up the event loop: %s\n", strerror(-r));
                sd_event_unref(event);
                return r;
        }
        /* lldpad's news of ended 802.1Qbg associations; without it the
         * daemon still serves everything else */
        if ((r = vd_vsi_watch(event, ctx, server)) < 0)
                fprintf(stderr, "vportd: not watching for 802.1Qbg de-associations: %s\n", strerror(-r));
        /* subscribed before reconcile reads the host: nothing is missed in between */
        if ((r = vd_link_watch(event, ctx, server)) < 0)
                fprintf(stderr, "vportd: not watching links (no degraded ports, no device warnings): %s\n",
                        strerror(-r));
        vd_startup(ctx, server);
        signal(SIGPIPE, SIG_IGN);
        (void) sd_notify(false, "READY=1\nSTATUS=listening");
        r = sd_event_loop(event);
        (void) sd_notify(false, "STOPPING=1");
        vd_server_free(server);
        vd_degraded_clear();
        if (own_socket)
                (void) unlink(o->socket);
        sd_event_unref(event);
        return r;
}

int main(int argc, char **argv) {
        options o = { 0 };
        int r = parse_args(argc, argv, &o);

        if (r > 0)
                r = run(&o);
        options_clear(&o);
        fault_ops_free(faults);
        return r < 0 ? (r == -EINVAL ? 2 : 1) : 0;
}
