/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port profile requests and their answers: 802.1Qbg through lldpad (which
 * speaks VDP to the adjacent bridge for us), 802.1Qbh through the PF's
 * driver. Both are one RTM_SETLINK and then RTM_GETLINK polls for the
 * instance's IFLA_PORT_RESPONSE, as libvirt does.
 *
 * lldpad is addressed at the netlink port that equals its pid (from its
 * pid file), on a socket of our own: its answers come from a user-space
 * port, which the kernel socket's loop (nl-error.c) rightly ignores, and
 * its GETLINK answer is an NLMSG_DONE carrying the link, not a dump. */
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kernel/kernel-internal.h"

#define LLDPAD_PIDFILE       "/var/run/lldpad.pid"
#define VSI_TIMEOUT_MS       10000
#define VSI_INTERVAL_MS      125
#define LLDPAD_REPLY_WAIT_MS 2000 /* lldpad answers a message at once */
#define VSI_RECV_BUFSIZE     16384

static int64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int env_ms(const char *name, int def, int *ret, vport_error *err) {
        const char *s = getenv(name);
        char *end;
        long v;

        *ret = def;
        if (!s || !*s)
                return 0;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || *end || v <= 0 || v > 3600 * 1000)
                return vport_error_set(err, -EINVAL, "%s='%.32s': not a number of milliseconds (1-3600000)",
                                       name, s);
        *ret = (int) v;
        return 0;
}

/* /etc/machine-id (32 hex digits), else the firmware's product UUID. */
static int host_uuid_read(vport_kernel *k, vport_uuid *ret) {
        char path[PATH_MAX + 64], buf[64] = "";
        const char *files[] = { "/etc/machine-id", path };
        int fd;
        ssize_t n;

        snprintf(path, sizeof(path), "%s/class/dmi/id/product_uuid", k->sysfs_root);
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                fd = open(files[i], O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                n = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (n <= 0)
                        continue;
                buf[n] = '\0';
                buf[strcspn(buf, "\n")] = '\0';
                if (uuid_parse(buf, ret) >= 0)
                        return 0;
        }
        return -ENOENT;
}

int vsi_config_init(vport_kernel *k, vport_error *err) {
        const char *pidfile = getenv("VPORT_LLDPAD_PIDFILE"), *host = getenv("VPORT_HOST_UUID");
        int r;

        snprintf(k->lldpad_pidfile, sizeof(k->lldpad_pidfile), "%s",
                 pidfile && *pidfile ? pidfile : LLDPAD_PIDFILE);
        if ((r = env_ms("VPORT_VSI_TIMEOUT_MS", VSI_TIMEOUT_MS, &k->vsi_timeout_ms, err)) < 0 ||
            (r = env_ms("VPORT_VSI_INTERVAL_MS", VSI_INTERVAL_MS, &k->vsi_interval_ms, err)) < 0)
                return r;
        if (host && *host) {
                if (uuid_parse(host, &k->host_uuid) < 0)
                        return vport_error_set(err, -EINVAL, "VPORT_HOST_UUID='%.40s': not a UUID", host);
                k->has_host_uuid = true;
        }
        return 0;
}

int kernel_vsi_config(vport_kernel *k, const char *lldpad_pidfile, int timeout_ms, int interval_ms,
                      vport_error *err) {
        assert_return(k, -EINVAL);
        if (timeout_ms < 0 || interval_ms < 0 || (lldpad_pidfile && lldpad_pidfile[0] != '/'))
                return vport_error_set(err, -EINVAL, "port profile settings: bad pid file or time");
        if (lldpad_pidfile)
                snprintf(k->lldpad_pidfile, sizeof(k->lldpad_pidfile), "%s", lldpad_pidfile);
        if (timeout_ms)
                k->vsi_timeout_ms = timeout_ms;
        if (interval_ms)
                k->vsi_interval_ms = interval_ms;
        return 0;
}

void vsi_close(vport_kernel *k) {
        nl_socket_free(k->vdp);
        k->vdp = NULL;
}

static int lldpad_pid(vport_kernel *k, uint32_t *ret, vport_error *err) {
        char buf[32] = "", *end;
        unsigned long pid;
        ssize_t n;
        int fd = open(k->lldpad_pidfile, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return vport_error_set(err, -ECONNREFUSED,
                                       "802.1Qbg: lldpad is not running (pid file %s: %s)",
                                       k->lldpad_pidfile, strerror(errno));
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[n > 0 ? n : 0] = '\0';
        errno = 0;
        pid = strtoul(buf, &end, 10);
        if (errno || end == buf || (*end && *end != '\n') || pid == 0 || pid > INT32_MAX)
                return vport_error_set(err, -EBADMSG, "802.1Qbg: lldpad pid file %s holds no pid",
                                       k->lldpad_pidfile);
        *ret = (uint32_t) pid;
        return 0;
}

static int vdp_socket(vport_kernel *k, vport_error *err) {
        if (k->vdp)
                return 0;
        k->vdp = nl_socket_alloc();
        if (!k->vdp)
                return vport_error_set(err, -ENOMEM, "802.1Qbg: out of memory");
        if (nl_connect(k->vdp, NETLINK_ROUTE) < 0) {
                vsi_close(k);
                return vport_error_set(err, -ENOTCONN, "802.1Qbg: opening a netlink socket failed");
        }
        return 0;
}

int kernel_vsi_event_fd(vport_kernel *k, vport_error *err) {
        int r = vdp_socket(k, err);

        return r < 0 ? r : nl_socket_get_fd(k->vdp);
}

static void pending_add(vport_kernel *k, const struct nlmsghdr *h) {
        vport_vsi_event ev;

        if (vsi_event_parse(h, h->nlmsg_len, &ev) < 0 || k->n_pending == ELEMENTSOF(k->pending))
                return;
        k->pending[k->n_pending++] = ev;
}

/* What a request to lldpad got back. */
typedef struct lldpad_reply {
        uint32_t seq;
        bool done;
        int error;            /* NLMSG_ERROR's code */
        const vport_vsi *vsi; /* for a GETLINK: whose status */
        int found;            /* 1 listed, 0 not */
        bool has_response;
        uint32_t response;
} lldpad_reply;

/* Unsolicited RTM_SETLINKs reuse the sequence number of the request that
 * made the VSI, so replies are told apart by type as well as sequence. */
static void lldpad_handle(vport_kernel *k, struct nlmsghdr *h, lldpad_reply *rep) {
        if (h->nlmsg_type == RTM_SETLINK) {
                pending_add(k, h);
                return;
        }
        if (h->nlmsg_seq != rep->seq)
                return;
        if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = nlmsg_data(h);

                rep->done = true;
                rep->error = h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) ? -EBADMSG
                             : e->error > 0                          ? -EBADMSG
                                                                     : e->error;
        } else if (h->nlmsg_type == NLMSG_DONE && rep->vsi) {
                rep->done = true;
                rep->found = vsi_status_parse(h, rep->vsi, &rep->has_response, &rep->response);
                if (rep->found < 0)
                        rep->error = rep->found;
        }
}

/* Read what is there (wait_ms < 0: nothing more than that) until rep is done. */
static int lldpad_receive(vport_kernel *k, uint32_t pid, lldpad_reply *rep, int wait_ms) {
        _cleanup_free_ unsigned char *buf = malloc(VSI_RECV_BUFSIZE);
        int64_t end = now_ms() + (wait_ms > 0 ? wait_ms : 0);
        int fd = nl_socket_get_fd(k->vdp);

        if (!buf)
                return -ENOMEM;
        while (!rep || !rep->done) {
                struct sockaddr_nl peer = { 0 };
                socklen_t plen = sizeof(peer);
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int64_t left = end - now_ms();
                ssize_t n;
                int len;

                if (poll(&p, 1, left > 0 ? (int) left : 0) <= 0)
                        return rep ? -ETIMEDOUT : 0;
                n = recvfrom(fd, buf, VSI_RECV_BUFSIZE, MSG_DONTWAIT, (struct sockaddr *) &peer, &plen);
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR ? 0 : -errno;
                /* Only lldpad talks to this socket (and only a process with
                 * CAP_NET_ADMIN can send to a user-space netlink port). */
                if (pid ? peer.nl_pid != pid : peer.nl_pid == 0)
                        continue;
                len = (int) n;
                for (struct nlmsghdr *h = (struct nlmsghdr *) buf; nlmsg_ok(h, len); h = nlmsg_next(h, &len))
                        if (rep)
                                lldpad_handle(k, h, rep);
                        else if (h->nlmsg_type == RTM_SETLINK)
                                pending_add(k, h);
        }
        return 0;
}

static int lldpad_send(vport_kernel *k, uint32_t pid, struct nl_msg *msg, uint32_t *ret_seq) {
        struct sockaddr_nl peer = { .nl_family = AF_NETLINK, .nl_pid = pid };
        struct nlmsghdr *h = nlmsg_hdr(msg);
        static uint32_t seq;

        if (!seq)
                seq = (uint32_t) time(NULL);
        h->nlmsg_seq = *ret_seq = ++seq;
        h->nlmsg_pid = nl_socket_get_local_port(k->vdp); /* where lldpad sends unsolicited news */
        h->nlmsg_flags |= NLM_F_REQUEST;
        if (sendto(nl_socket_get_fd(k->vdp), h, h->nlmsg_len, 0, (struct sockaddr *) &peer, sizeof(peer)) <
            0)
                return -errno;
        return 0;
}

/* One message to lldpad and its reply. */
static int lldpad_call(vport_kernel *k, uint32_t pid, struct nl_msg *msg, lldpad_reply *rep,
                       vport_error *err) {
        int r;

        r = lldpad_send(k, pid, msg, &rep->seq);
        if (r == -ECONNREFUSED)
                return vport_error_set(err, r, "lldpad (pid %u from %s) is not running or not listening",
                                       pid, k->lldpad_pidfile);
        if (r >= 0)
                r = lldpad_receive(k, pid, rep, LLDPAD_REPLY_WAIT_MS);
        if (r == -ETIMEDOUT)
                return vport_error_set(err, r, "lldpad (pid %u) did not answer within %d ms", pid,
                                       LLDPAD_REPLY_WAIT_MS);
        if (r < 0)
                return vport_error_set(err, r, "802.1Qbg: talking to lldpad (pid %u): %s", pid,
                                       strerror(-r));
        return rep->error;
}

/* One status poll: 1 and the response if the VSI is listed, 0 if not. */
typedef int (*vsi_query_fn)(vport_kernel *k, uint32_t pid, const vport_vsi *vsi, bool *ret_has,
                            uint32_t *ret_response, vport_error *err);

static int lldpad_query(vport_kernel *k, uint32_t pid, const vport_vsi *vsi, bool *ret_has,
                        uint32_t *ret_response, vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = vsi->ifindex };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = knl_request(RTM_GETLINK, 0, &ifi, sizeof(ifi));
        lldpad_reply rep = { .vsi = vsi };
        int r;

        if (!msg || nla_put_string(msg, IFLA_IFNAME, vsi->ifname) < 0 ||
            nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_VF) < 0)
                return vport_error_set(err, -ENOMEM, "802.1Qbg: out of memory");
        r = lldpad_call(k, pid, msg, &rep, err);
        if (r < 0)
                return vport_error_isset(err) ? r
                                              : vport_error_set(err, r, "lldpad: status of %s: %s",
                                                                vsi->ifname, strerror(-r));
        *ret_has = rep.has_response;
        *ret_response = rep.response;
        return rep.found;
}

typedef struct kernel_status {
        const vport_vsi *vsi;
        int found;
        bool has;
        uint32_t response;
} kernel_status;

static int kernel_status_reply(struct nlmsghdr *h, void *userdata) {
        kernel_status *s = userdata;

        if (h->nlmsg_type != RTM_NEWLINK)
                return 0;
        s->found = vsi_status_parse(h, s->vsi, &s->has, &s->response);
        return s->found < 0 ? s->found : 0;
}

static int kernel_query(vport_kernel *k, uint32_t pid, const vport_vsi *vsi, bool *ret_has,
                        uint32_t *ret_response, vport_error *err) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = vsi->ifindex };
        _cleanup_(nlmsg_freep) struct nl_msg *msg = knl_request(RTM_GETLINK, 0, &ifi, sizeof(ifi));
        kernel_status s = { .vsi = vsi };
        int r;

        if (!msg || nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_VF) < 0)
                return vport_error_set(err, -ENOMEM, "802.1Qbh: out of memory");
        r = knl_call(k, msg, kernel_status_reply, &s, err, "802.1Qbh: %s: port profile status", vsi->ifname);
        if (r < 0)
                return r;
        *ret_has = s.has;
        *ret_response = s.response;
        return s.found;
}

static bool is_success(const vport_vsi *vsi, uint32_t response) {
        return vsi->qbh ? response == PORT_PROFILE_RESPONSE_SUCCESS
                        : response == PORT_VDP_RESPONSE_SUCCESS || response == PORT_PROFILE_RESPONSE_SUCCESS;
}

static const char *proto(const vport_vsi *vsi) {
        return vsi->qbh ? "802.1Qbh" : "802.1Qbg";
}

static int vsi_refused(const vport_vsi *vsi, vport_vsi_request req, int r, vport_error *err) {
        char u[VPORT_UUID_STRLEN];

        uuid_format(&vsi->instance, u);
        switch (r) {
        case -EOPNOTSUPP:
                if (vsi->qbh)
                        return vport_error_set(err, r, "device %s does not support 802.1Qbh port profiles",
                                               vsi->ifname);
                break;
        case -ENXIO:
        case -ENODEV:
                return vport_error_set(err, r, "802.1Qbg: lldpad does not manage uplink %s (%s)",
                                       vsi->ifname, strerror(-r));
        case -EBUSY:
                return vport_error_set(err, r,
                                       "802.1Qbg: %s of VSI %s on %s: an earlier request of it is "
                                       "still in flight",
                                       vsi_request_to_string(req), u, vsi->ifname);
        case -EPROTONOSUPPORT:
                return vport_error_set(err, r,
                                       "802.1Qbg: %s of VSI %s on %s: EVB is not negotiated with the "
                                       "bridge (yet)",
                                       vsi_request_to_string(req), u, vsi->ifname);
        }
        if (vport_error_isset(err))
                return vport_error_prefix(err, r, "%s: %s of instance %s on %s", proto(vsi),
                                          vsi_request_to_string(req), u, vsi->ifname);
        return vport_error_set(err, r, "%s: %s of instance %s on %s refused: %s", proto(vsi),
                               vsi_request_to_string(req), u, vsi->ifname, strerror(-r));
}

static struct nl_msg *vsi_message(vport_kernel *k, const vport_vsi *vsi, vport_vsi_request req) {
        vport_uuid host;
        const vport_uuid *h = NULL;

        if (vsi->qbh && vsi->has_host_uuid)
                h = &vsi->host_uuid;
        else if (vsi->qbh && k->has_host_uuid)
                h = &k->host_uuid;
        else if (vsi->qbh && host_uuid_read(k, &host) >= 0)
                h = &host;
        return vsi_setlink_msg(vsi, req, h);
}

/* Send the request; lldpad refuses one (-EBUSY) while an earlier request of
 * the VSI is in flight and everything (-EPROTONOSUPPORT) until EVB is
 * negotiated: both pass, so they are retried until the deadline. */
static int vsi_send(vport_kernel *k, uint32_t pid, const vport_vsi *vsi, vport_vsi_request req,
                    int64_t deadline, vport_error *err) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = vsi_message(k, vsi, req);
        int r;

        if (!msg)
                return vport_error_set(err, -ENOMEM, "%s: out of memory", proto(vsi));
        for (;;) {
                vport_error_clear(err);
                if (vsi->qbh)
                        r = knl_call(k, msg, NULL, NULL, NULL, "RTM_SETLINK");
                else {
                        lldpad_reply rep = { 0 };
                        r = lldpad_call(k, pid, msg, &rep, err);
                }
                if ((r != -EBUSY && r != -EPROTONOSUPPORT && r != -ENODEV) || vsi->qbh ||
                    now_ms() >= deadline)
                        break;
                kernel_sleep_ms(k->vsi_interval_ms);
        }
        return r < 0 ? vsi_refused(vsi, req, r, err) : 0;
}

/* lldpad keeps a VSI's last response when a new request for it comes: right
 * after the request, a poll still shows the answer to the previous one
 * (which is "success" when PREASSOCIATE is followed by ASSOCIATE). So when
 * the VSI already had a response before our request, a response is only
 * taken from a poll sent at least one interval after lldpad acknowledged
 * the request (the bridge answers in milliseconds); a VSI without one
 * before, or new, has no stale answer to mistake. A DISASSOCIATE is done
 * when lldpad no longer lists the VSI. */
typedef struct vsi_wait {
        const vport_vsi *vsi;
        vport_vsi_request req;
        int64_t settle, deadline;
} vsi_wait;

static int vsi_judge(const vsi_wait *w, int found, bool has, uint32_t response, vport_error *err) {
        char u[VPORT_UUID_STRLEN], name[96];
        const vport_vsi *vsi = w->vsi;

        uuid_format(&vsi->instance, u);
        if (!vsi->qbh && w->req == VSI_DISASSOCIATE)
                return found == 0 ? 1 : has && !is_success(vsi, response) ? -EPROTO : 0;
        /* lldpad drops a VSI the bridge de-associated (or whose
         * acknowledgement never came) without leaving a response */
        if (found == 0)
                return vport_error_set(err, -EPROTO, "%s: %s of instance %s on %s: %s", proto(vsi),
                                       vsi_request_to_string(w->req), u, vsi->ifname,
                                       vsi->qbh ? "the driver no longer lists the port"
                                                : "lldpad ended the VSI without success (the bridge "
                                                  "de-associated it or never acknowledged it)");
        if (!has || (vsi->qbh && response == PORT_PROFILE_RESPONSE_INPROGRESS))
                return 0;
        if (is_success(vsi, response))
                return 1;
        return vport_error_set(err, -EPROTO, "%s: %s of instance %s on %s failed: %s", proto(vsi),
                               vsi_request_to_string(w->req), u, vsi->ifname,
                               vsi_response_name(response, name));
}

/* Polls are one interval apart (libvirt's rhythm), not faster although the
 * bridge answers in ~5 ms: a bridge that de-associates a request shows in
 * lldpad's status for a moment as response 0, the same as an acknowledged
 * success, before lldpad ends the VSI; polls 2 ms apart were seen to take
 * such a refusal for success. One interval later the VSI is gone. */
static int vsi_wait_response(vport_kernel *k, uint32_t pid, const vsi_wait *w, vsi_query_fn query,
                             vport_error *err) {
        char u[VPORT_UUID_STRLEN];
        bool has = false;
        uint32_t response = 0;
        int r;

        for (;;) {
                int64_t now = now_ms();

                if (now >= w->settle) {
                        r = query(k, pid, w->vsi, &has, &response, err);
                        if (r >= 0)
                                r = vsi_judge(w, r, has, response, err);
                        if (r != 0)
                                return r < 0 ? r : 0;
                }
                if (now >= w->deadline)
                        break;
                kernel_sleep_ms((int) (w->deadline - now < k->vsi_interval_ms ? w->deadline - now
                                                                              : k->vsi_interval_ms));
        }
        return vport_error_set(err, -ETIMEDOUT, "%s: %s of instance %s on %s: no answer within %d ms",
                               proto(w->vsi), vsi_request_to_string(w->req),
                               uuid_format(&w->vsi->instance, u), w->vsi->ifname, k->vsi_timeout_ms);
}

int vsi_request(vport_kernel *k, const vport_vsi *vsi, vport_vsi_request req, bool *ret_sent,
                vport_error *err) {
        vsi_query_fn query = vsi->qbh ? kernel_query : lldpad_query;
        vsi_wait w = { .vsi = vsi, .req = req };
        bool had = false;
        uint32_t pid = 0, response;
        int r;

        assert_return(k && vsi && req >= 0 && req < _VSI_REQUEST_MAX, -EINVAL);
        if (ret_sent)
                *ret_sent = false;
        if (!vsi->qbh && ((r = vdp_socket(k, err)) < 0 || (r = lldpad_pid(k, &pid, err)) < 0))
                return r;
        w.deadline = now_ms() + k->vsi_timeout_ms;
        /* What the VSI showed before (see vsi_wait above); an error here
         * (lldpad gone, uplink unknown) is the request's error too. */
        if (!vsi->qbh) {
                /* -ENODEV: lldpad has not (re)made its VDP instance for the
                 * uplink yet (it does once EVB is negotiated): transient */
                while ((r = query(k, pid, vsi, &had, &response, err)) == -ENODEV && now_ms() < w.deadline)
                        kernel_sleep_ms(k->vsi_interval_ms);
                if (r < 0)
                        return vsi_refused(vsi, req, r, err);
                /* lldpad refuses (-EINVAL) to disassociate a VSI it does not
                 * hold: one it already ended (the switch's keep-alive, an
                 * acknowledgement that never came) is disassociated. */
                if (r == 0 && req == VSI_DISASSOCIATE)
                        return 0;
                had = r > 0 && had;
        }
        r = vsi_send(k, pid, vsi, req, w.deadline, err);
        if (r < 0)
                return r;
        if (ret_sent)
                *ret_sent = true;
        w.settle = had ? now_ms() + k->vsi_interval_ms : 0;
        return vsi_wait_response(k, pid, &w, query, err);
}

int vsi_event_next(vport_kernel *k, vport_vsi_event *ret, vport_error *err) {
        int r;

        assert_return(k && ret, -EINVAL);
        if (!k->n_pending) {
                uint32_t pid = 0;

                if ((r = vdp_socket(k, err)) < 0)
                        return r;
                (void) lldpad_pid(k, &pid, NULL); /* none readable: any user-space sender */
                r = lldpad_receive(k, pid, NULL, 0);
                if (r < 0)
                        return vport_error_set(err, r, "802.1Qbg: reading lldpad's messages: %s",
                                               strerror(-r));
        }
        if (!k->n_pending)
                return 0;
        *ret = k->pending[0];
        memmove(k->pending, k->pending + 1, (k->n_pending - 1) * sizeof(k->pending[0]));
        k->n_pending--;
        return 1;
}
