/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vport-cni: reads CNI_* from the environment and the network
 * configuration from stdin, runs one verb, prints its result or the spec's
 * error object on stdout (exit 1). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni.h"

#define CNI_STDIN_MAX (1024 * 1024)

static void print_json(json_object *o) {
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static int print_error(const char *version, const cni_error *e) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "cniVersion", json_object_new_string(version ? version : "1.1.0"));
        json_object_object_add(o, "code", json_object_new_int((int) e->code));
        json_object_object_add(o, "msg", json_object_new_string(e->msg));
        if (e->details[0])
                json_object_object_add(o, "details", json_object_new_string(e->details));
        print_json(o);
        json_object_put(o);
        return 1;
}

static char *read_stdin(size_t *ret_len, cni_error *e) {
        size_t n = 0, size = 4096;
        char *buf = malloc(size);
        ssize_t k;

        while (buf && (k = read(STDIN_FILENO, buf + n, size - n - 1)) != 0) {
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        cni_fail(e, CNI_ERR_IO, "reading the network configuration from stdin: %s",
                                 strerror(errno));
                        free(buf);
                        return NULL;
                }
                n += (size_t) k;
                if (n + 1 == size && size < CNI_STDIN_MAX) {
                        char *p = realloc(buf, size *= 2);
                        if (!p)
                                break;
                        buf = p;
                } else if (n + 1 == size) {
                        cni_fail(e, CNI_ERR_DECODE, "network configuration larger than %d bytes",
                                 CNI_STDIN_MAX);
                        free(buf);
                        return NULL;
                }
        }
        if (!buf) {
                cni_fail(e, CNI_ERR_INTERNAL, "out of memory");
                return NULL;
        }
        buf[n] = '\0';
        *ret_len = n;
        return buf;
}

/* VERSION: the versions this plugin speaks; the one in use is the one
 * asked for on stdin when it is supported (old runtimes send none). */
static int cmd_version(const char *text, size_t len) {
        json_object *in = len ? json_tokener_parse(text) : NULL, *v, *o = json_object_new_object(),
                    *a = json_object_new_array();
        const char *want = NULL;

        if (in && json_object_object_get_ex(in, "cniVersion", &v) &&
            json_object_is_type(v, json_type_string))
                want = json_object_get_string(v);
        json_object_object_add(o, "cniVersion",
                               json_object_new_string(want && cni_version_supported(want) ? want : "1.1.0"));
        for (size_t i = 0; cni_versions[i]; i++)
                json_object_array_add(a, json_object_new_string(cni_versions[i]));
        json_object_object_add(o, "supportedVersions", a);
        print_json(o);
        json_object_put(o);
        json_object_put(in);
        return 0;
}

typedef struct cni_verb {
        const char *name;
        const char *min_version; /* the first spec version that has the verb */
} cni_verb;

static const cni_verb verbs[] = {
        { "ADD", "0.3.1" },    { "DEL", "0.3.1" }, { "CHECK", "0.4.0" },
        { "STATUS", "1.1.0" }, { "GC", "1.1.0" },
};

static int run_verb(const cni_verb *v, const cni_conf *c, const cni_env *env, cni_error *e) {
        json_object *res = NULL;
        int r;

        if (!cni_version_at_least(c->cni_version, v->min_version))
                return cni_fail(e, CNI_ERR_VERSION,
                                "%s needs cniVersion %s or later; the configuration says %s", v->name,
                                v->min_version, c->cni_version);
        if (streq_cmd(v->name, "ADD")) {
                r = cni_add(c, env, &res, e);
                if (r >= 0)
                        print_json(res);
                json_object_put(res);
                return r;
        }
        if (streq_cmd(v->name, "DEL"))
                return cni_del(c, env, e);
        if (streq_cmd(v->name, "CHECK"))
                return cni_check(c, env, e);
        if (streq_cmd(v->name, "GC"))
                return cni_gc(c, env, e);
        return cni_status(c, env, e);
}

int main(int argc, char **argv) {
        cni_error e = { 0 };
        cni_conf c = { 0 };
        cni_env env = { 0 };
        const cni_verb *v = NULL;
        size_t len = 0;
        char *text;
        int r;

        (void) argc;
        (void) argv;
        text = read_stdin(&len, &e);
        if (!text)
                return print_error(NULL, &e);
        if (cni_env_read(&env, &e) < 0) {
                free(text);
                return print_error(NULL, &e);
        }
        if (streq_cmd(env.command, "VERSION")) {
                r = cmd_version(text, len);
                free(text);
                return r;
        }
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
                if (streq_cmd(env.command, verbs[i].name))
                        v = &verbs[i];
        r = v ? cni_conf_parse(text, len, &c, &e)
              : cni_fail(&e, CNI_ERR_ENV,
                         "CNI_COMMAND: '%s' is not one of ADD, DEL, CHECK, STATUS, GC, VERSION",
                         env.command);
        if (r >= 0)
                r = run_verb(v, &c, &env, &e);
        if (r < 0)
                r = print_error(c.cni_version, &e);
        cni_conf_clear(&c);
        free(text);
        return r;
}
