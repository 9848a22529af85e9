/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One netlink request/reply round trip, with the kernel's extended ack.
 *
 * libnl 3.7 has no extack support: its default error callback drops the
 * TLVs after struct nlmsgerr. So requests are sent with nl_send_auto() and
 * replies read with nl_recv() and walked here, which also lets one loop
 * serve both plain requests (reply + ack) and dumps (replies + DONE). */
#include <stdarg.h>
#include <stdio.h>

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
        int error; /* first error seen; later replies are drained, not handled */
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
                if (s->error < 0 || !s->fn)
                        return 0;
                return s->fn(h, s->userdata);
        }
}

static int knl_receive(vport_kernel *k, knl_reply_state *s) {
        while (!s->done) {
                struct sockaddr_nl peer;
                _cleanup_free_ unsigned char *buf = NULL;
                struct nlmsghdr *h;
                int n;

                n = nl_recv(k->nl, &peer, &buf, NULL);
                if (n < 0)
                        return n == -NLE_NOMEM ? -ENOMEM : -EIO;
                if (n == 0)
                        return -ECONNRESET;
                if (peer.nl_pid != 0)
                        continue; /* only the kernel may answer */
                for (h = (struct nlmsghdr *) buf; nlmsg_ok(h, n); h = nlmsg_next(h, &n)) {
                        int r = knl_handle_one(h, s);

                        if (r < 0 && s->error == 0)
                                s->error = r;
                }
        }
        return s->error;
}

/* ifindex > 0: the context starts with the device's description, looked up
 * only when there is an error to report (it costs an ioctl). */
static int knl_call_v(vport_kernel *k, struct nl_msg *msg, knl_reply_fn fn, void *userdata, vport_error *err,
                      int ifindex, const char *fmt, va_list ap) {
        knl_reply_state s = { .fn = fn, .userdata = userdata };
        char context[VPORT_ERROR_MAX], desc[48];
        int r, n = 0;

        r = nl_send_auto(k->nl, msg);
        if (r < 0)
                r = r == -NLE_NOMEM ? -ENOMEM : -EIO;
        else {
                s.seq = nlmsg_hdr(msg)->nlmsg_seq;
                r = knl_receive(k, &s);
        }
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
