/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* QEMU's command-line arguments for a VM's ports, and the descriptors they
 * refer to (see vport_port_qemu_args() in core/vport.h). The ports must be
 * prepared: their tap or macvtap exists from then on. */
#include <stdio.h>

#include "core/internal.h"

typedef struct qemu_builder {
        vport_qemu_cmd *cmd;
        vport_port **ports;
        size_t n;
        unsigned flags;
} qemu_builder;

static int arg_add(vport_qemu_cmd *c, const char *fmt, ...) _printf_(2, 3);
static int arg_add(vport_qemu_cmd *c, const char *fmt, ...) {
        char **p = reallocarray(c->args, c->n_args + 1, sizeof(*p));
        va_list ap;
        int r;

        if (!p)
                return -ENOMEM;
        c->args = p;
        va_start(ap, fmt);
        r = vasprintf(&c->args[c->n_args], fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        c->n_args++;
        return 0;
}

static int fd_add(vport_qemu_cmd *c, int fd) {
        int *p = reallocarray(c->fds, c->n_fds + 1, sizeof(*p));

        if (!p)
                return -ENOMEM;
        c->fds = p;
        c->fds[c->n_fds++] = fd;
        return 0;
}

/* The index (among the ports given) of the persistent port a transient one
 * names: QEMU's failover_pair_id refers to that port's -device id. */
static int pair_index(const qemu_builder *b, const vport_port *p, vport_error *err) {
        char uuid[VPORT_UUID_STRLEN], peer[VPORT_UUID_STRLEN];

        for (size_t i = 0; i < b->n; i++)
                if (uuid_equal(&b->ports[i]->def->uuid, &p->def->teaming_persistent))
                        return (int) i;
        return vport_error_set(err, -EINVAL,
                               "port %s: <teaming persistent='%s'>: that port must be given too (QEMU pairs "
                               "the two devices)",
                               uuid_format(&p->def->uuid, uuid),
                               uuid_format(&p->def->teaming_persistent, peer));
}

static int open_fd(vport_ctx *ctx, const vport_port *p, int *ret_fd, vport_error *err) {
        if (p->def->plug.type == PLUG_DIRECT)
                return ctx->ops->macvtap_open(ctx->kernel, vport_port_get_ifindex(p), ret_fd, err);
        return ctx->ops->tap_open(ctx->kernel, vport_port_get_ifname(p), ret_fd, err);
}

static int args_netdev(vport_ctx *ctx, qemu_builder *b, size_t i, vport_error *err) {
        const vport_port *p = b->ports[i];
        char mac[VPORT_MAC_STRLEN];
        int fd = -1, r;

        if ((b->flags & VPORT_QEMU_OPEN_FDS) && (r = open_fd(ctx, p, &fd, err)) < 0)
                return r;
        if ((r = fd_add(b->cmd, fd)) < 0) {
                closep(&fd);
                return r;
        }
        if (arg_add(b->cmd, "-netdev") < 0 ||
            arg_add(b->cmd, "tap,id=hostnet%zu,fd=%zu%s", i, VPORT_QEMU_FIRST_FD + b->cmd->n_fds - 1,
                    b->flags & VPORT_QEMU_VHOST ? ",vhost=on" : "") < 0 ||
            arg_add(b->cmd, "-device") < 0 ||
            arg_add(b->cmd, "virtio-net-pci,netdev=hostnet%zu,id=net%zu,mac=%s%s", i, i,
                    mac_format(&p->def->mac, mac),
                    p->def->teaming == TEAMING_PERSISTENT ? ",failover=on" : "") < 0)
                return -ENOMEM;
        return 0;
}

static int args_hostdev(qemu_builder *b, size_t i, vport_error *err) {
        const vport_port *p = b->ports[i];
        char pair[32] = "";
        int j;

        if (p->def->teaming == TEAMING_TRANSIENT) {
                if ((j = pair_index(b, p, err)) < 0)
                        return j;
                snprintf(pair, sizeof(pair), ",failover_pair_id=net%d", j);
        }
        if (arg_add(b->cmd, "-device") < 0 ||
            arg_add(b->cmd, "vfio-pci,host=%s,id=hostdev%zu%s", p->device, i, pair) < 0)
                return -ENOMEM;
        return 0;
}

static int args_port(vport_ctx *ctx, qemu_builder *b, size_t i, vport_error *err) {
        const vport_port *p = b->ports[i];
        char uuid[VPORT_UUID_STRLEN];

        uuid_format(&p->def->uuid, uuid);
        if (p->damage)
                return vport_error_set(err, -EUCLEAN, "port %s: damaged (%s)", uuid, p->damage);
        if (p->state == VPORT_PORT_STATE_ALLOCATED)
                return vport_error_set(err, -EINVAL,
                                       "port %s: not prepared (no host device yet): port-prepare it", uuid);
        switch (p->def->plug.type) {
        case PLUG_NETWORK:
        case PLUG_BRIDGE:
        case PLUG_DIRECT:
                return args_netdev(ctx, b, i, err);
        case PLUG_HOSTDEV_PCI:
                return args_hostdev(b, i, err);
        default:
                return vport_error_set(err, -EINVAL, "port %s: plug type %s has no QEMU device", uuid,
                                       plug_def_type_to_string(p->def->plug.type));
        }
}

int vport_port_qemu_args(vport_ctx *ctx, const vport_uuid *uuids, size_t n, unsigned flags,
                         vport_qemu_cmd *ret, vport_error *err) {
        vport_qemu_cmd cmd = {};
        qemu_builder b = { .cmd = &cmd, .n = n, .flags = flags };
        char uuid[VPORT_UUID_STRLEN];
        int r = 0;

        assert_return(ctx && uuids && n > 0 && ret, -EINVAL);
        if (!(b.ports = calloc(n, sizeof(*b.ports))))
                return -ENOMEM;
        for (size_t i = 0; i < n && r >= 0; i++) {
                for (size_t j = 0; j < i && r >= 0; j++)
                        if (uuid_equal(&uuids[i], &uuids[j]))
                                r = vport_error_set(err, -EINVAL, "port %s: given twice",
                                                    uuid_format(&uuids[i], uuid));
                if (r >= 0)
                        r = port_load(ctx, &uuids[i], &b.ports[i], err);
        }
        for (size_t i = 0; i < n && r >= 0; i++)
                r = args_port(ctx, &b, i, err);
        for (size_t i = 0; i < n; i++)
                vport_port_free(b.ports[i]);
        free(b.ports);
        if (r < 0) {
                vport_qemu_cmd_done(&cmd);
                return r;
        }
        *ret = cmd;
        return 0;
}

void vport_qemu_cmd_done(vport_qemu_cmd *c) {
        for (size_t i = 0; i < c->n_args; i++)
                free(c->args[i]);
        free(c->args);
        for (size_t i = 0; i < c->n_fds; i++)
                closep(&c->fds[i]);
        free(c->fds);
        *c = (vport_qemu_cmd){};
}
