/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One netlink request/reply round trip, with the kernel's extended ack.
 *
 * libnl 3.7 has no extack support: its default error callback drops the
 * TLVs after struct nlmsgerr. So requests are sent with nl_send() and
 * replies read and walked here, which also lets one loop serve plain
 * requests (reply + ack), GETs (the reply alone) and dumps (replies + DONE).
 *
 * A reply is read with one recvmsg() into the handle's buffer: libnl's
 * nl_recv() peeks at every datagram first to size its buffer, two system
 * calls a reply. MSG_TRUNC makes recvmsg() return a datagram's full length,
 * so one larger than the buffer is known: its bytes are lost, the buffer
 * grows to fit, and a GET (which changed nothing) is asked again. That
 * takes a link with hundreds of altnames or VFs; a change's reply is an
 * ack or the echo of a link just made, far below the buffer's 32 KiB. A
 * dump still peeks (nl_recv()): one of its datagrams may carry the
 * NLMSG_DONE, which a lost datagram would leave the loop waiting for. */
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>

#include <netlink/attr.h>

#include "kernel/kernel-internal.h"

#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

typedef struct knl_reply_state {
        uint32_t seq;
        knl_reply_fn fn;
        void *userdata;
        int error;   /* first error seen; later replies are drained, not handled */
        bool single; /* a GET without NLM_F_ACK: its one reply (or error) ends it */
        bool dump;
        bool done;
        char extack[256];
} knl_reply_state;

struct nl_msg *knl_request(int type, int flags, const void *hdr, size_t hdrlen) {
        struct nl_msg *msg = nlmsg_alloc_simple(type, flags | NLM_F_ACK);

        if (!msg)
                return NULL;
        if (hdrlen > 0 && nlmsg_append(msg, (void *) hdr, hdrlen, NLMSG_ALIGNTO) < 0) {
                nlmsg_free(msg);
                return NULL;
        }
        return msg;
}

/* The TLVs after an error or DONE payload: NLMSGERR_ATTR_MSG is the
 * human-readable reason. Checked like any other kernel attribute. */
static void knl_extack_parse(const struct nlmsghdr *h, size_t offset, char *buf, size_t size) {
        static struct nla_policy policy[NLMSGERR_ATTR_MAX + 1] = {
                [NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
        };
        struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
        size_t len = h->nlmsg_len - NLMSG_HDRLEN;

        offset = NLMSG_ALIGN(offset);
        if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || offset >= len)
                return;
        if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *) ((char *) nlmsg_data(h) + offset),
                      (int) (len - offset), policy) < 0)
                return;
        if (tb[NLMSGERR_ATTR_MSG])
                snprintf(buf, size, "%s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

static int knl_handle_error(const struct nlmsghdr *h, knl_reply_state *s) {
        const struct nlmsgerr *e = nlmsg_data(h);
        size_t len = h->nlmsg_len - NLMSG_HDRLEN, offset = sizeof(*e);

        s->done = true;
        if (len < sizeof(*e))
                return -EBADMSG;
        if (!(h->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= NLMSG_HDRLEN)
                offset += e->msg.nlmsg_len - NLMSG_HDRLEN;
        if (e->error < 0)
                knl_extack_parse(h, offset, s->extack, sizeof(s->extack));
        return e->error > 0 ? -EBADMSG : e->error;
}

/* A dump ends with DONE; newer kernels put an error code in it when the
 * dump failed half-way. */
static int knl_handle_done(const struct nlmsghdr *h, knl_reply_state *s) {
        int code;

        s->done = true;
        if (h->nlmsg_len - NLMSG_HDRLEN < sizeof(int))
                return 0;
        memcpy(&code, nlmsg_data(h), sizeof(code));
        if (code < 0)
                knl_extack_parse(h, sizeof(int), s->extack, sizeof(s->extack));
        return code < 0 ? code : 0;
}

static int knl_handle_one(struct nlmsghdr *h, knl_reply_state *s) {
        if (h->nlmsg_seq != s->seq)
                return 0; /* a stale reply to an earlier request: not ours */
        switch (h->nlmsg_type) {
        case NLMSG_ERROR:
                return knl_handle_error(h, s);
        case NLMSG_DONE:
                return knl_handle_done(h, s);
        case NLMSG_NOOP:
        case NLMSG_OVERRUN:
                return 0;
        default:
                if (s->single)
                        s->done = true;
                if (s->error < 0 || !s->fn)
                        return 0;
                return s->fn(h, s->userdata);
        }
}

static void knl_handle_datagram(knl_reply_state *s, unsigned char *buf, int n) {
        for (struct nlmsghdr *h = (struct nlmsghdr *) buf; nlmsg_ok(h, n); h = nlmsg_next(h, &n)) {
                int r = knl_handle_one(h, s);

                if (r < 0 && s->error == 0)
                        s->error = r;
        }
}

/* A dump's datagram, peeked at first (see the top). */
static int knl_read_peeked(vport_kernel *k, knl_reply_state *s) {
        _cleanup_free_ unsigned char *buf = NULL;
        struct sockaddr_nl peer;
        int n;

        n = nl_recv(k->nl, &peer, &buf, NULL);
        if (n < 0)
                return n == -NLE_NOMEM ? -ENOMEM : -EIO;
        if (n == 0)
                return -ECONNRESET;
        if (peer.nl_pid == 0) /* only the kernel may answer */
                knl_handle_datagram(s, buf, n);
        return 0;
}

static int knl_buffer_grow(vport_kernel *k, size_t size) {
        unsigned char *p;

        if (size <= k->rbuf_size && k->rbuf)
                return 0;
        size = size < KERNEL_NL_BUF_SIZE ? KERNEL_NL_BUF_SIZE : size;
        p = realloc(k->rbuf, size);
        if (!p)
                return -ENOMEM;
        k->rbuf = p;
        k->rbuf_size = size;
        return 0;
}

/* One datagram, in one recvmsg(). One larger than the buffer is lost: the
 * exchange fails with EMSGSIZE (a GET's one reply ends it) and the buffer
 * grows to fit it. */
static int knl_read(vport_kernel *k, knl_reply_state *s) {
        struct sockaddr_nl peer = {};
        struct iovec iov;
        struct msghdr mh = {
                .msg_name = &peer, .msg_namelen = sizeof(peer), .msg_iov = &iov, .msg_iovlen = 1
        };
        ssize_t n;
        int r;

        r = knl_buffer_grow(k, 0);
        if (r < 0)
                return r;
        iov = (struct iovec){ .iov_base = k->rbuf, .iov_len = k->rbuf_size };
        do
                n = recvmsg(nl_socket_get_fd(k->nl), &mh, MSG_TRUNC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if (n == 0)
                return -ECONNRESET;
        if (peer.nl_pid != 0)
                return 0; /* only the kernel may answer */
        if ((size_t) n > k->rbuf_size) {
                if (s->error == 0)
                        s->error = -EMSGSIZE;
                if (s->single)
                        s->done = true;
                return knl_buffer_grow(k, (size_t) n);
        }
        knl_handle_datagram(s, k->rbuf, (int) n);
        return 0;
}

static int knl_receive(vport_kernel *k, knl_reply_state *s) {
        while (!s->done) {
                int r = s->dump ? knl_read_peeked(k, s) : knl_read(k, s);

                if (r < 0)
                        return r;
        }
        return s->error;
}

/* rtnetlink numbers its requests NEW, DEL, GET, SET per object from
 * RTM_BASE: a GET is 2 mod 4. */
static bool knl_is_get(const struct nlmsghdr *h) {
        return h->nlmsg_type >= RTM_BASE && (h->nlmsg_type - RTM_BASE) % 4 == 2;
}

/* Send msg and read its replies. A GET that is no dump goes without
 * NLM_F_ACK (its reply, or an error, is all the kernel sends: one datagram
 * less to read) and is asked once more if its reply did not fit. */
static int knl_exchange(vport_kernel *k, struct nl_msg *msg, knl_reply_state *s) {
        struct nlmsghdr *h = nlmsg_hdr(msg);
        int r;

        for (int attempt = 0;; attempt++) {
                knl_reply_state fresh = { .fn = s->fn, .userdata = s->userdata };

                *s = fresh;
                h->nlmsg_seq = NL_AUTO_SEQ; /* a new one at each send */
                nl_complete_msg(k->nl, msg);
                /* (NLM_F_DUMP's bits mean NLM_F_REPLACE, NLM_F_EXCL on a NEW) */
                s->dump = knl_is_get(h) && (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
                s->single = knl_is_get(h) && !s->dump;
                if (s->single)
                        h->nlmsg_flags &= (uint16_t) ~NLM_F_ACK;
                r = nl_send(k->nl, msg);
                if (r < 0)
                        return r == -NLE_NOMEM ? -ENOMEM : -EIO;
                s->seq = h->nlmsg_seq;
                r = knl_receive(k, s);
                if (r != -EMSGSIZE || !s->single || attempt > 0)
                        return r;
        }
}

/* ifindex > 0: the context starts with the device's description, looked up
 * only when there is an error to report (it costs an ioctl). */
static int knl_call_v(vport_kernel *k, struct nl_msg *msg, knl_reply_fn fn, void *userdata, vport_error *err,
                      int ifindex, const char *fmt, va_list ap) {
        knl_reply_state s = { .fn = fn, .userdata = userdata };
        char context[VPORT_ERROR_MAX], desc[48];
        int r, n = 0;

        r = knl_exchange(k, msg, &s);
        if (r >= 0)
                return 0;
        if (ifindex > 0)
                n = snprintf(context, sizeof(context), "%s: ", kernel_ifdesc(ifindex, desc));
        vsnprintf(context + n, sizeof(context) - (size_t) n, fmt, ap);
        if (s.extack[0])
                return vport_error_set(err, r, "%s: %s (kernel: %s)", context, strerror(-r), s.extack);
        return vport_error_set(err, r, "%s: %s", context, strerror(-r));
}

int knl_call(vport_kernel *k, struct nl_msg *msg, knl_reply_fn fn, void *userdata, vport_error *err,
             const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = knl_call_v(k, msg, fn, userdata, err, 0, fmt, ap);
        va_end(ap);
        return r;
}

int knl_call_if(vport_kernel *k, struct nl_msg *msg, vport_error *err, int ifindex, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = knl_call_v(k, msg, NULL, NULL, err, ifindex, fmt, ap);
        va_end(ap);
        return r;
}
