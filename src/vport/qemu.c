/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* port-qemu-args and port-exec: a VM manager's QEMU command line for its
 * ports (the domxml-to-native analogue, seed 003). */
#include <fcntl.h>

#include "cli.h"

#define QEMU_FD_PARK 100 /* where fds wait while 3, 4, ... are freed for them */

static int parse_uuids(vport_cli *cli, const cli_args *a, vport_uuid **ret) {
        vport_uuid *u = calloc((size_t) a->n_pos, sizeof(*u));

        if (!u)
                return -ENOMEM;
        for (int i = 0; i < a->n_pos; i++)
                if (vport_uuid_parse(a->pos[i], &u[i]) < 0) {
                        free(u);
                        return cli_usage_error(cli, "'%s': not a UUID", a->pos[i]);
                }
        *ret = u;
        return 0;
}

static int qemu_args(vport_cli *cli, const cli_args *a, unsigned flags, vport_qemu_cmd *ret) {
        _cleanup_free_ vport_uuid *uuids = NULL;
        vport_ctx *ctx;
        int r;

        if ((r = parse_uuids(cli, a, &uuids)) < 0)
                return r;
        if (a->n_pos == 1)
                cli_object(cli, "port", a->pos[0]);
        if (a->vhost)
                flags |= VPORT_QEMU_VHOST;
        if ((r = cli_ctx(cli, &ctx)) >= 0)
                r = vport_port_qemu_args(ctx, uuids, (size_t) a->n_pos, flags, ret, &cli->err);
        return r < 0 ? cli_fail(cli, r, NULL) : 0;
}

int verb_port_qemu_args(vport_cli *cli, const cli_args *a) {
        vport_qemu_cmd cmd;
        json_object *arr;
        int r = qemu_args(cli, a, 0, &cmd);

        if (r < 0)
                return r;
        if (cli->json) {
                arr = json_object_new_array();
                for (size_t i = 0; i < cmd.n_args; i++)
                        json_object_array_add(arr, json_object_new_string(cmd.args[i]));
                vport_qemu_cmd_done(&cmd);
                return cli_print_json(cli, arr);
        }
        for (size_t i = 0; i < cmd.n_args; i++)
                printf("%s%s", i ? " " : "", cmd.args[i]);
        printf("\n");
        vport_qemu_cmd_done(&cmd);
        return 0;
}

/* fds[i] becomes descriptor 3 + i, inherited by the command: first every
 * one moves above QEMU_FD_PARK (so none is overwritten by another's
 * target), then each is dup2()ed into place (dup2 clears close-on-exec). */
static int fds_place(vport_qemu_cmd *c) {
        for (size_t i = 0; i < c->n_fds; i++) {
                int fd = fcntl(c->fds[i], F_DUPFD_CLOEXEC, QEMU_FD_PARK);

                if (fd < 0)
                        return -errno;
                close(c->fds[i]);
                c->fds[i] = fd;
        }
        for (size_t i = 0; i < c->n_fds; i++)
                if (dup2(c->fds[i], VPORT_QEMU_FIRST_FD + (int) i) < 0)
                        return -errno;
        return 0;
}

int verb_port_exec(vport_cli *cli, const cli_args *a) {
        vport_qemu_cmd cmd;
        char **argv;
        size_t n = 0;
        int r = qemu_args(cli, a, VPORT_QEMU_OPEN_FDS, &cmd);

        if (r < 0)
                return r;
        argv = calloc((size_t) a->n_cmd + cmd.n_args + 1, sizeof(*argv));
        if (!argv) {
                vport_qemu_cmd_done(&cmd);
                return cli_fail(cli, -ENOMEM, NULL);
        }
        for (int i = 0; i < a->n_cmd; i++)
                argv[n++] = a->cmd[i];
        for (size_t i = 0; i < cmd.n_args; i++)
                argv[n++] = cmd.args[i];
        /* The store is closed first: the command must not inherit it. */
        vport_ctx_close(cli->ctx);
        cli->ctx = NULL;
        r = fds_place(&cmd);
        if (r >= 0) {
                execvp(argv[0], argv);
                r = -errno;
        }
        vport_error_set(&cli->err, r, "running '%s': %s", argv[0], strerror(-r));
        free(argv);
        vport_qemu_cmd_done(&cmd);
        return cli_fail(cli, r, NULL);
}
