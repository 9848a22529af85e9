/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/macro.h"
#include "varlink-wire.h"

void vl_inbuf_clear(vl_inbuf *b) {
        free(b->data);
        *b = (vl_inbuf){ .max = b->max };
}

/* Move the bytes not handed out yet to the front. */
static void inbuf_compact(vl_inbuf *b) {
        if (b->start == 0)
                return;
        memmove(b->data, b->data + b->start, b->len - b->start);
        b->len -= b->start;
        b->scanned -= b->start;
        b->start = 0;
}

int vl_inbuf_reserve(vl_inbuf *b, size_t want) {
        size_t cap = b->cap ? b->cap : 4096;
        char *n;

        inbuf_compact(b);
        if (b->len + want <= b->cap)
                return 0;
        while (cap < b->len + want)
                cap *= 2;
        n = realloc(b->data, cap);
        if (!n)
                return -ENOMEM;
        b->data = n;
        b->cap = cap;
        return 0;
}

int vl_inbuf_next(vl_inbuf *b, const char **ret, size_t *ret_len) {
        size_t max = b->max ? b->max : VL_MESSAGE_MAX, n;
        const char *nul;

        if (b->scanned < b->start)
                b->scanned = b->start;
        nul = b->len > b->scanned ? memchr(b->data + b->scanned, '\0', b->len - b->scanned) : NULL;
        if (!nul) {
                b->scanned = b->len;
                return b->len - b->start >= max ? -EMSGSIZE : 0;
        }
        n = (size_t) (nul - (b->data + b->start));
        if (n + 1 > max)
                return -EMSGSIZE;
        *ret = b->data + b->start;
        *ret_len = n;
        b->start += n + 1;
        b->scanned = b->start;
        return 1;
}

void vl_call_clear(vl_call *c) {
        free(c->method);
        json_object_put(c->parameters);
        *c = (vl_call){ 0 };
}

/* "interface.Method": a reverse-domain interface name, a dot, then a
 * method name starting with an upper-case letter (the varlink grammar). */
static bool method_name_valid(const char *s) {
        const char *dot = strrchr(s, '.');

        if (!dot || dot == s || !dot[1] || !(dot[1] >= 'A' && dot[1] <= 'Z'))
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '.' || *p == '-'))
                        return false;
        return strlen(s) < 256;
}

static int call_bool(json_object *o, const char *key, bool *ret, const char **ret_why) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_boolean)) {
                *ret_why = "a call's \"more\", \"oneway\" and \"upgrade\" must be booleans";
                return -EBADMSG;
        }
        *ret = json_object_get_boolean(v);
        return 0;
}

static int call_members(json_object *o, vl_call *c, const char **ret_why) {
        json_object *m, *p;
        bool upgrade = false;
        int r;

        if (!json_object_object_get_ex(o, "method", &m) || !json_object_is_type(m, json_type_string)) {
                *ret_why = "a call needs \"method\", a string";
                return -EBADMSG;
        }
        if (!method_name_valid(json_object_get_string(m))) {
                *ret_why = "\"method\" is not of the form interface.Method";
                return -EBADMSG;
        }
        if (json_object_object_get_ex(o, "parameters", &p) && p &&
            !json_object_is_type(p, json_type_object)) {
                *ret_why = "\"parameters\" must be an object";
                return -EBADMSG;
        }
        if ((r = call_bool(o, "more", &c->more, ret_why)) < 0 ||
            (r = call_bool(o, "oneway", &c->oneway, ret_why)) < 0 ||
            (r = call_bool(o, "upgrade", &upgrade, ret_why)) < 0)
                return r;
        if (upgrade) {
                *ret_why = "protocol upgrades are not supported";
                return -EPROTONOSUPPORT;
        }
        if (!(c->method = strdup(json_object_get_string(m))))
                return -ENOMEM;
        c->parameters = p ? json_object_get(p) : json_object_new_object();
        return c->parameters ? 0 : -ENOMEM;
}

int vl_call_parse(const char *msg, size_t len, vl_call *ret, const char **ret_why) {
        json_tokener *tok = json_tokener_new_ex(64);
        json_object *o = NULL;
        vl_call c = { 0 };
        int r;

        *ret_why = NULL;
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, msg, (int) len);
        if (!o || json_tokener_get_error(tok) != json_tokener_success ||
            json_tokener_get_parse_end(tok) != len) {
                *ret_why = "not one complete JSON value";
                r = -EBADMSG;
        } else if (!json_object_is_type(o, json_type_object)) {
                *ret_why = "a call must be a JSON object";
                r = -EBADMSG;
        } else
                r = call_members(o, &c, ret_why);
        json_object_put(o);
        json_tokener_free(tok);
        if (r < 0) {
                vl_call_clear(&c);
                return r;
        }
        *ret = c;
        return 0;
}

static int append_message(char **out, size_t *out_len, json_object *o) {
        const char *s =
                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        size_t n = strlen(s) + 1;
        char *b = realloc(*out, *out_len + n);

        if (!b) {
                json_object_put(o);
                return -ENOMEM;
        }
        memcpy(b + *out_len, s, n);
        *out = b;
        *out_len += n;
        json_object_put(o);
        return 0;
}

int vl_reply_append(char **out, size_t *out_len, json_object *params, bool continues) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "parameters", params ? params : json_object_new_object());
        if (continues)
                json_object_object_add(o, "continues", json_object_new_boolean(true));
        return append_message(out, out_len, o);
}

int vl_error_append(char **out, size_t *out_len, const char *error, json_object *params) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "error", json_object_new_string(error));
        json_object_object_add(o, "parameters", params ? params : json_object_new_object());
        return append_message(out, out_len, o);
}
